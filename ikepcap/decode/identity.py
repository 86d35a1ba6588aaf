"""Who the peers say they are: ID, CERT and CERTREQ payloads, and IKEv2 traffic selectors.

An identity mismatch (IP address against FQDN, a NATed private address as ID) is a classic
cause of a stall at MM5/IKE_AUTH, so identities are rendered the way an engineer writes them
in a configuration: ``192.0.2.0/24``, ``vpn.example.com``, ``CN=gw, O=Example``.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import (
    Certificate,
    CertificateRequest,
    Identification,
    TrafficSelector,
    TrafficSelectors,
)
from ikepcap.decode.text import address, hex_and_ascii, subnet, wire_text
from ikepcap.decode.wire import AddressRangeV2, CertV2, IdV1, IdV2, TrafficSelectorV2, TsPayloadV2
from ikepcap.marks import wire

# ID type -> (how to read the data, its exact size or None). The numbers coincide in IKEv1
# (RFC 2407 §4.6.2.1) and IKEv2 (RFC 7296 §3.5) where both define a type; IKEv2 drops the
# subnet/range types and calls 3 ID_RFC822_ADDR.
_ADDRESS, _TEXT, _SUBNET, _RANGE, _DN, _HEX = range(6)
ID_FORMS: dict[int, tuple[int, int | None]] = {
    1: (_ADDRESS, 4),
    2: (_TEXT, None),
    3: (_TEXT, None),
    4: (_SUBNET, 8),
    5: (_ADDRESS, 16),
    6: (_SUBNET, 32),
    7: (_RANGE, 8),
    8: (_RANGE, 32),
    9: (_DN, None),
    10: (_HEX, None),
    11: (_HEX, None),
    12: (_HEX, None),
}
V2_ID_FORMS: dict[int, tuple[int, int | None]] = {
    1: (_ADDRESS, 4),
    2: (_TEXT, None),
    3: (_TEXT, None),
    5: (_ADDRESS, 16),
    9: (_DN, None),
    10: (_HEX, None),
    11: (_HEX, None),
    12: (_HEX, None),
    13: (_HEX, None),
}

X509_ENCODINGS = frozenset({4, 5})     # X.509 Certificate - Signature / - Key Exchange
SHA1_LENGTH = 20


# Short attribute names as strongSwan, OpenSSL and Cisco print DNs (RFC 4514 and common use).
DN_SHORT_NAMES = {
    "2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L",
    "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title",
    "2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
    "0.9.2342.19200300.100.1.1": "UID", "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "E", "1.2.840.113549.1.9.2": "unstructuredName",
}


def _dn_text(name) -> str:
    parts = []
    for rdn in name.chosen:
        for pair in rdn:
            oid = pair["type"].dotted
            value = pair["value"].native
            text = value if isinstance(value, str) else bytes(pair["value"].contents).hex()
            parts.append(f"{DN_SHORT_NAMES.get(oid, oid)}={text}")
    return ", ".join(parts)


def distinguished_name(der: bytes) -> str:
    """``C=CH, O=Example, CN=gw.example.com`` from a DER Name; ValueError when unreadable."""
    from asn1crypto import x509  # only captures with certificates or DN identities need it
    try:
        return _dn_text(x509.Name.load(der, strict=True))
    except Exception as error:  # noqa: BLE001  (asn1crypto raises several types on hostile DER)
        raise ValueError(f"unreadable DER distinguished name ({error.__class__.__name__})") from None


def identity_value(id_type: int, data: bytes, forms: dict[int, tuple[int, int | None]]) -> str:
    """The identity as text; ValueError says why the data does not fit its type."""
    form, size = forms.get(id_type, (_HEX, None))
    if size is not None and len(data) != size:
        raise ValueError(f"{len(data)} bytes of data, the type needs {size}")
    half = len(data) // 2
    if form == _ADDRESS:
        return address(data)
    if form == _TEXT:
        return wire_text(data)
    if form == _SUBNET:
        return subnet(data[:half], data[half:])
    if form == _RANGE:
        return f"{address(data[:half])}-{address(data[half:])}"
    if form == _DN:
        return distinguished_name(data)
    return hex_and_ascii(data)


def decode_id_v1(head: Head, body: bytes, ctx: Context) -> Identification:
    fixed = IdV1.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Identification(*head, id_type=0, id_type_name=iana.V1_ID_TYPES[0], value="", protocol_id=None, port=None)
    value = _value(fixed.id_type, body[IdV1.size:], ID_FORMS, head, ctx)
    return Identification(
        *head, id_type=fixed.id_type, id_type_name=iana.V1_ID_TYPES[fixed.id_type],
        value=value, protocol_id=fixed.protocol_id, port=fixed.port,
    )


def decode_id_v2(head: Head, body: bytes, ctx: Context) -> Identification:
    fixed = IdV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Identification(*head, id_type=0, id_type_name=iana.V2_ID_TYPES[0], value="", protocol_id=None, port=None)
    value = _value(fixed.id_type, body[IdV2.size:], V2_ID_FORMS, head, ctx)
    return Identification(
        *head, id_type=fixed.id_type, id_type_name=iana.V2_ID_TYPES[fixed.id_type],
        value=value, protocol_id=None, port=None,
    )


def _value(id_type: int, data: bytes, forms: dict[int, tuple[int, int | None]], head: Head, ctx: Context) -> str:
    try:
        return identity_value(id_type, data, forms)
    except ValueError as error:
        ctx.warn(head, f"identity of type {id_type}: {error}")
        return hex_and_ascii(data)


def decode_cert(head: Head, body: bytes, ctx: Context) -> Certificate:
    fixed = CertV2.unpack(body)
    if fixed is None:
        ctx.warn(head, "empty body: no certificate encoding")
        return Certificate(*head, encoding=0, encoding_name=iana.CERT_ENCODINGS[0], data_length=0,
                           subject=None, issuer=None, not_before=None, not_after=None, serial=None)
    data = body[CertV2.size:]
    fields: dict[str, str | None] = dict.fromkeys(("subject", "issuer", "not_before", "not_after", "serial"))
    if fixed.encoding in X509_ENCODINGS:
        from asn1crypto import x509
        try:
            cert = x509.Certificate.load(data, strict=True)
            tbs = cert["tbs_certificate"]
            validity = tbs["validity"]
            fields = {
                "subject": _dn_text(tbs["subject"]),
                "issuer": _dn_text(tbs["issuer"]),
                "not_before": validity["not_before"].native.isoformat(),
                "not_after": validity["not_after"].native.isoformat(),
                "serial": format(tbs["serial_number"].native, "x"),
            }
        except Exception as error:  # noqa: BLE001  (asn1crypto raises several types on hostile DER)
            ctx.warn(head, f"X.509 certificate of {len(data)} bytes could not be read ({error.__class__.__name__})")
    return Certificate(*head, encoding=fixed.encoding, encoding_name=iana.CERT_ENCODINGS[fixed.encoding],
                       data_length=len(data), **fields)


def decode_certreq(head: Head, body: bytes, ctx: Context) -> CertificateRequest:
    """IKEv1 names CAs by DER DN (RFC 2408 §3.10). IKEv2 always by a list of SHA-1 hashes of
    their public keys, whatever the encoding (RFC 7296 §3.7), so the encoding does not matter."""
    fixed = CertV2.unpack(body)
    if fixed is None:
        ctx.warn(head, "empty body: no certificate encoding")
        return CertificateRequest(*head, encoding=0, encoding_name=iana.CERT_ENCODINGS[0], authorities=())
    data = body[CertV2.size:]
    authorities: tuple[str, ...] = ()
    if ctx.major == 2:
        if len(data) % SHA1_LENGTH:
            ctx.warn(head, f"{len(data)} bytes of CA key hashes is not a multiple of {SHA1_LENGTH}")
        authorities = tuple(data[i:i + SHA1_LENGTH].hex() for i in range(0, len(data) - SHA1_LENGTH + 1, SHA1_LENGTH))
    elif data:
        try:
            authorities = (distinguished_name(data),)
        except ValueError as error:
            ctx.warn(head, str(error))
            authorities = (data.hex(),)
    return CertificateRequest(*head, encoding=fixed.encoding, encoding_name=iana.CERT_ENCODINGS[fixed.encoding],
                              authorities=authorities)


# Address bytes of the two address-range types (RFC 7296 §3.13.1); only these carry ports and
# addresses after the selector's head.
TS_ADDRESS_SIZES = {7: 4, 8: 16}
TS_SECLABEL = 10
MAX_SELECTORS = 256


def decode_ts(head: Head, body: bytes, ctx: Context) -> TrafficSelectors:
    fixed = TsPayloadV2.unpack(body)
    if fixed is None:
        ctx.warn(head, "body shorter than the selector count")
        return TrafficSelectors(*head, selectors=())
    selectors = []
    offset = TsPayloadV2.size
    for index in range(min(fixed.count, MAX_SELECTORS)):
        ts = TrafficSelectorV2.unpack(body, offset)
        if ts is None:
            ctx.warn(head, f"announces {fixed.count} selector(s), only {index} present")
            break
        if ts.length < TrafficSelectorV2.size:
            ctx.warn(head, f"selector {index + 1} length {ts.length} is shorter than its header")
            break
        rest = body[offset + TrafficSelectorV2.size:offset + ts.length]
        if len(rest) < ts.length - TrafficSelectorV2.size:
            ctx.warn(head, f"selector {index + 1} declares {ts.length} bytes, {len(body) - offset} present")
        selectors.append(_selector(ts, rest, index + 1, head, ctx))
        offset += ts.length
    if fixed.count > MAX_SELECTORS:
        ctx.warn(head, f"announces {fixed.count} selectors; only the first {MAX_SELECTORS} are decoded")
    return TrafficSelectors(*head, selectors=tuple(selectors))


def _selector(ts, rest: bytes, number: int, head: Head, ctx: Context) -> TrafficSelector:
    """One selector from its head and the bytes after it: ports and addresses for the address
    ranges; for any other type the body as it is (TS_SECLABEL's label as text where it can be;
    TS_FC_ADDR_RANGE's Fibre Channel addresses and unknown types as hex)."""
    name = iana.V2_TS_TYPES[ts.ts_type]
    size = TS_ADDRESS_SIZES.get(ts.ts_type)
    if size is None:
        text = _label_text(rest) if ts.ts_type == TS_SECLABEL else rest.hex()
        return TrafficSelector(ts.ts_type, name, ts.ip_protocol, None, None, None, None, body=text)
    ports = AddressRangeV2.unpack(rest)
    addresses = rest[AddressRangeV2.size:]
    if ports is not None and len(addresses) == 2 * size:
        return TrafficSelector(ts.ts_type, name, ts.ip_protocol, ports.start_port, ports.end_port,
                               address(addresses[:size]), address(addresses[size:]))
    ctx.warn(head, f"selector {number} has {len(addresses)} address bytes, expected {2 * size}")
    start_port, end_port = (None, None) if ports is None else (ports.start_port, ports.end_port)
    return TrafficSelector(ts.ts_type, name, ts.ip_protocol, start_port, end_port, None, None, body=rest.hex())


def _label_text(label: bytes) -> str:
    """A security label as text when it is printable (an SELinux context such as
    ``system_u:object_r:ipsec_spd_t:s0``, sent with its C string's NUL), else as hex."""
    try:
        text = label.rstrip(b"\x00").decode("utf-8")
    except UnicodeDecodeError:
        return label.hex()
    return text if text and text.isprintable() else label.hex()


def selector_text(selector: TrafficSelector) -> str:
    """One traffic selector as engineers write a crypto ACL line: range, protocol, ports."""
    if selector.start_address is None:                  # not an address range: a label, an FC range
        return f"{selector.ts_type_name} {wire(selector.body) if selector.body else ''}".rstrip()
    return f"{wire(selector.start_address)}-{wire(selector.end_address)}" + \
        (f" proto {selector.ip_protocol}" if selector.ip_protocol else "")


def identity_text(identification: Identification, typed: bool = True) -> str:
    """An ID payload as it names a peer or, in Quick Mode, a proxy ID (with protocol and port
    where IKEv1 gives them); ``typed``: with its ID type, as a peer's identity needs."""
    text = f"{identification.id_type_name} {wire(identification.value)}" if typed else wire(identification.value)
    if identification.protocol_id:
        text += f" proto {identification.protocol_id}" + (f" port {identification.port}" if identification.port else "")
    return text
