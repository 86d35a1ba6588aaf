"""Data attributes: the TV/TLV lists inside IKEv1 transforms, mode-config and notifies.

RFC 2408 §3.3: the Attribute Format bit says whether the 16 bits after the type are the value
(TV) or the length of a value that follows (TLV). Which registry names an attribute's value is
itself a fact of the RFCs, so it is a table here.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Attribute
from ikepcap.decode.registry import Registry
from ikepcap.decode.text import address, wire_text
from ikepcap.decode.wire import AttributeHeader

AF_BIT = 0x8000

# Attribute class -> registry of its values (RFC 2409 Appendix A, RFC 2407 §4.5).
V1_IKE_VALUES: dict[int, Registry] = {
    1: iana.V1_IKE_ENCRYPTION,
    2: iana.V1_IKE_HASH,
    3: iana.V1_IKE_AUTH_METHODS,
    4: iana.KE_GROUPS,
    5: iana.V1_GROUP_TYPES,
    11: iana.V1_LIFE_TYPES,
    13: iana.V1_IKE_HASH,               # PRF: no IANA values beyond the hash list in use
}
V1_IPSEC_VALUES: dict[int, Registry] = {
    1: iana.V1_LIFE_TYPES,
    3: iana.KE_GROUPS,
    4: iana.V1_ENCAPSULATION_MODES,
    5: iana.V1_AUTH_ALGORITHMS,
}
MODECFG_VALUES: dict[int, Registry] = {
    16520: iana.XAUTH_TYPES,
}

# Mode-config attributes whose value is an address or text (draft-dukes-ike-mode-cfg §3.3,
# draft-beaulieu-ike-xauth §4, Cisco Unity); the rest are shown as numbers or hex. The XAUTH
# password (16522) is deliberately not turned into text.
MODECFG_ADDRESSES = frozenset({1, 2, 3, 4, 6, 8, 10, 12})
MODECFG_TEXT = frozenset({7, 16521, 16523, 16524, 16525, 16526, 16528, 16529, 28672, 28674, 28675, 28681, 28682})

# A TLV longer than this is not a number: keep its bytes.
_MAX_INT_BYTES = 8

# A transform has one attribute per class (RFC 2409 Appendix A lists 16) and a mode-config
# exchange a few dozen; a 64 KB datagram can declare 16,000. Past these the rest is counted in a
# warning, not decoded: every decoded attribute is kept with its message for the whole run.
MAX_ATTRIBUTES = 64
MAX_MODECFG_ATTRIBUTES = 512


def decode_attributes(
    data: bytes,
    names: Registry,
    values: dict[int, Registry],
    head: Head,
    ctx: Context,
    *,
    texts: frozenset[int] = frozenset(),
    addresses: frozenset[int] = frozenset(),
    limit: int = MAX_ATTRIBUTES,
) -> tuple[Attribute, ...]:
    """Every attribute in ``data`` up to ``limit``; a cut-off attribute ends the list with a warning."""
    found: list[Attribute] = []
    offset = 0
    while offset < len(data):
        if len(found) == limit:
            ctx.warn(head, f"more than {limit} attributes in one list; the rest "
                           f"({len(data) - offset} bytes) are not decoded")
            break
        header = AttributeHeader.unpack(data, offset)
        if header is None:
            ctx.warn(head, f"{len(data) - offset} trailing byte(s) after the attributes")
            break
        offset += AttributeHeader.size
        attr_type = header.type & ~AF_BIT
        if header.type & AF_BIT:
            value: int | bytes = header.length_or_value
        else:
            raw = data[offset:offset + header.length_or_value]
            if len(raw) < header.length_or_value:
                ctx.warn(head, f"attribute {names[attr_type]} declares {header.length_or_value} bytes, "
                               f"{len(raw)} present")
            offset += header.length_or_value
            value = (raw if len(raw) > _MAX_INT_BYTES or attr_type in texts or attr_type in addresses
                     else int.from_bytes(raw, "big"))
        found.append(Attribute(attr_type, names[attr_type], value,
                               _meaning(attr_type, value, values, texts, addresses)))
    return tuple(found)


def attribute_values(data: bytes, limit: int = MAX_ATTRIBUTES) -> dict[int, int | bytes]:
    """Each attribute's type and value, nothing named and nothing warned of: for code that needs
    a value or two (decryption's cipher and hash), not for the report. Where ``decode_attributes``
    warns, this stops."""
    found: dict[int, int | bytes] = {}
    offset = 0
    unpack, size = AttributeHeader.unpack_fields, AttributeHeader.size
    while len(data) - offset >= size and len(found) < limit:
        attr_type, length_or_value = unpack(data, offset)
        offset += size
        if attr_type & AF_BIT:
            found[attr_type & ~AF_BIT] = length_or_value
            continue
        raw = data[offset:offset + length_or_value]
        offset += length_or_value
        found[attr_type] = raw if len(raw) > _MAX_INT_BYTES else int.from_bytes(raw, "big")
    return found


def _meaning(
    attr_type: int,
    value: int | bytes,
    values: dict[int, Registry],
    texts: frozenset[int],
    addresses: frozenset[int],
) -> str | None:
    registry = values.get(attr_type)
    if registry is not None and isinstance(value, int):
        return registry[value]
    if isinstance(value, bytes):
        if attr_type in addresses and len(value) in (4, 16):
            return address(value)
        if attr_type in texts:
            return wire_text(value)
    return None


def ike_attributes(data: bytes, head: Head, ctx: Context) -> tuple[Attribute, ...]:
    """Phase-1 (ISAKMP protocol) transform attributes."""
    return decode_attributes(data, iana.V1_IKE_ATTRIBUTES, V1_IKE_VALUES, head, ctx)


def ipsec_attributes(data: bytes, head: Head, ctx: Context) -> tuple[Attribute, ...]:
    """Phase-2 (AH/ESP/IPCOMP) transform attributes, also used by RESPONDER-LIFETIME."""
    return decode_attributes(data, iana.V1_IPSEC_ATTRIBUTES, V1_IPSEC_VALUES, head, ctx)


def modecfg_attributes(data: bytes, head: Head, ctx: Context) -> tuple[Attribute, ...]:
    return decode_attributes(
        data, iana.MODECFG_ATTRIBUTES, MODECFG_VALUES, head, ctx,
        texts=MODECFG_TEXT, addresses=MODECFG_ADDRESSES, limit=MAX_MODECFG_ATTRIBUTES,
    )

