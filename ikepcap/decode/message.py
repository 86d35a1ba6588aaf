"""Datagram bytes -> Message: the header, then the payload chain, one decoder per type.

The chain is walked, never trusted: every length is checked against what is really there,
the walk always moves forward, and it ends at next-payload NONE, at the end of the data, or at
a bound. Whatever does not fit becomes a warning on the message and decoding goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial

from ikepcap.compiled import load
from ikepcap.decode import iana
from ikepcap.decode.config import decode_attributes_v1, decode_cp
from ikepcap.decode.context import Context, Head
from ikepcap.decode.encrypted import decode_cisco_fragment, decode_sk, decode_skf, decode_v1_body
from ikepcap.decode.identity import decode_cert, decode_certreq, decode_id_v1, decode_id_v2, decode_ts
from ikepcap.decode.keying import decode_auth, decode_eap, decode_ke_v1, decode_ke_v2, decode_opaque
from ikepcap.decode.model import (
    V1_FLAG_ENCRYPTION,
    V1_NATD_BADDRAFT,
    V1_NATD_DRAFT,
    V2_SK,
    V2_SKF,
    Message,
    Payload,
    Plaintext,
    conversation_key,
    major_version,
)
from ikepcap.decode.nat import decode_natd, decode_natoa
from ikepcap.decode.notify import decode_delete_v1, decode_delete_v2, decode_notify_v1, decode_notify_v2
from ikepcap.decode.registry import Registry
from ikepcap.decode.sa import decode_sa_v1, decode_sa_v2
from ikepcap.decode.vendor import decode_vid
from ikepcap.decode.wire import GenericPayloadHeader, Header
from ikepcap.read.model import Datagram

Decoder = Callable[[Head, bytes, Context], Payload]
Link = tuple[int, int, int, int, int, bool]          # a payload's place in the chain (see _chain)


def _by_name(registry: Registry, decoders: dict[str, Decoder]) -> dict[int, Decoder]:
    """Decoders keyed by the payload numbers ``registry`` gives their names (its one home)."""
    return {registry.number(name): decoder for name, decoder in decoders.items()}


V1_DECODERS: dict[int, Decoder] = _by_name(iana.V1_PAYLOAD_TYPES, {
    "SA": decode_sa_v1,
    "KE": decode_ke_v1,
    "ID": decode_id_v1,
    "CERT": decode_cert,
    "CERTREQ": decode_certreq,
    "HASH": decode_opaque,
    "SIG": decode_opaque,
    "NONCE": decode_opaque,
    "Notify": decode_notify_v1,
    "Delete": decode_delete_v1,
    "VID": decode_vid,
    "Attributes": decode_attributes_v1,
    "NAT-D": decode_natd,
    "NAT-OA": decode_natoa,
    "NAT-D (draft)": decode_natd,
    "NAT-OA (draft)": decode_natoa,
    "Cisco-Fragment": decode_cisco_fragment,
})
V2_DECODERS: dict[int, Decoder] = _by_name(iana.V2_PAYLOAD_TYPES, {
    "SA": decode_sa_v2,
    "KE": decode_ke_v2,
    "IDi": decode_id_v2,
    "IDr": decode_id_v2,
    "CERT": decode_cert,
    "CERTREQ": decode_certreq,
    "AUTH": decode_auth,
    "Nonce": decode_opaque,
    "Notify": decode_notify_v2,
    "Delete": decode_delete_v2,
    "VID": decode_vid,
    "TSi": decode_ts,
    "TSr": decode_ts,
    "CP": decode_cp,
    "EAP": decode_eap,
})
# Payload type 15 is GDOI's SAK in the registry and a NAT-T draft's NAT-D on the wire (racoon
# and old Cisco IOS send it, e.g. tcpdump's ISAKMP_sa_setup.pcap). GDOI sends its SAK only in
# its own, encrypted, exchanges, so in the clear chain of the exchanges IKE itself uses (Main,
# Aggressive, Informational, Quick) 15 is the NAT-D.
V1_IKE_EXCHANGES = frozenset(map(iana.V1_EXCHANGE_TYPES.number,
                                 ("Main Mode", "Aggressive Mode", "Informational", "Quick Mode")))
# The critical bit of an IKEv2 generic payload header's first reserved byte (RFC 7296 §3.2).
V2_CRITICAL = 0x80

# A real message has a dozen payloads; past this the rest is reported, not decoded.
MAX_PAYLOADS = 256

# The payload types a peer sends byte for byte alike in every negotiation it starts or answers:
# its proposals, vendor IDs and notifications. A busy headend's capture repeats each a thousand
# times; decoded once, the (immutable) payload and its warnings are shared by every message that
# carries the same bytes. Only payloads that travelled in clear are shared: a decrypted payload
# is marked as such in place (``_decrypted``).
SHARED_TYPES = {1: frozenset(map(iana.V1_PAYLOAD_TYPES.number, ("SA", "VID", "Notify"))),
                2: frozenset(map(iana.V2_PAYLOAD_TYPES.number, ("SA", "VID", "Notify")))}
SHARED_MAX_BODY = 2048                  # longer bodies (a rare huge proposal list) are decoded each time
SHARED_MAX_ENTRIES = 8192               # a capture with more distinct ones starts the table afresh
_shared: dict[tuple, tuple[Payload, tuple[str, ...]]] = {}
# The values a capture's messages repeat — ports, payload chains, the SPIs of an SA's every
# message — kept once: a headend's million messages would otherwise each hold its own copies,
# a quarter of what a kept message weighs.
_same: dict[object, object] = {}
SAME_MAX_ENTRIES = 65_536               # then the table starts afresh (what was shared stays shared)


def _once(value: object) -> object:
    found = _same.get(value)
    if found is None:
        if len(_same) >= SAME_MAX_ENTRIES:
            _same.clear()
        found = _same[value] = value
    return found


def decode_datagram(datagram: Datagram) -> Message | None:
    """The Message in ``datagram``, or None when it is too short to hold an ISAKMP header.

    Only the header and the chain of payload types are read here; ``decode_payloads`` reads
    the payloads when the message is first asked for them. A message with nothing wrong in them
    is decoded by the compiled reader where it was built (``_datagram.pyx``, the same Message).
    """
    if _compiled is not None:
        message = _compiled.clean(datagram)
        if message is not None:
            return message
    data = datagram.payload
    header = Header.unpack(data)
    if header is None:
        return None
    major = header.version >> 4
    ctx = Context(major=major_version(header.version), exchange_type=header.exchange_type)
    if major not in (1, 2):
        ctx.warn(None, f"unknown IKE major version {major} (version byte 0x{header.version:02x}); read as IKEv1")
    end = _message_end(header.length, len(data), ctx)
    if ctx.major == 1 and header.flags & V1_FLAG_ENCRYPTION:
        chain: tuple[int, ...] = (header.next_payload,)
    else:
        chain = tuple([link[0] for link in _chain(data, header.next_payload, end, ctx)])
    if datagram.truncated:
        ctx.warnings.append("the capture cut this frame short (snaplen)")
    exchanges = iana.V2_EXCHANGE_TYPES if ctx.major == 2 else iana.V1_EXCHANGE_TYPES
    return Message(
        file=datagram.file,
        frame=datagram.frame,
        time=datagram.time,
        src=datagram.src,
        dst=datagram.dst,
        sport=_once(datagram.sport),
        dport=_once(datagram.dport),
        marker=datagram.marker,
        ip_length=datagram.ip_length,
        fragments=datagram.fragments,
        ispi=_once(header.ispi),
        rspi=_once(header.rspi),
        next_payload=header.next_payload,
        version=header.version,
        exchange_type=header.exchange_type,
        exchange=exchanges[header.exchange_type],
        flags=header.flags,
        message_id=header.message_id,
        length=header.length,
        size=len(data),
        chain=_once(chain),
        data=data,
        notes=tuple(ctx.warnings),
        ttl=datagram.ttl,
    )


_compiled = load("ikepcap.decode._datagram")
if _compiled is not None:
    _compiled.configure(Message, _same, SAME_MAX_ENTRIES, iana.V1_EXCHANGE_TYPES, iana.V2_EXCHANGE_TYPES,
                        frozenset(V1_DECODERS), frozenset(V2_DECODERS), V1_NATD_BADDRAFT, V1_IKE_EXCHANGES,
                        MAX_PAYLOADS)


_VERSION_AT, _RSPI_AT = Header.offsets["version"], Header.offsets["rspi"]


def conversation_of(datagram: Datagram) -> tuple[int, bytes, str, str] | None:
    """The conversation of the message in ``datagram`` from its header alone (None when it is
    too short to hold one), so that a flood can be counted without being decoded."""
    payload = datagram.payload
    if len(payload) < Header.size:
        return None
    # read in place: asked of every IKE datagram a capture holds, before any is decoded
    return conversation_key(payload[_VERSION_AT], payload[:_RSPI_AT], datagram.src, datagram.dst)


def decode_payloads(message: Message) -> tuple[tuple[Payload, ...], tuple[str, ...]]:
    """Every payload of ``message``, and what was wrong inside them.

    The chain's own problems (lengths, unknown types) are in ``message.notes`` already; the
    warnings returned here are those the payload decoders found.
    """
    ctx = Context(major=message.major, exchange_type=message.exchange_type)
    return _clear_payloads(message, None, ctx), tuple(ctx.warnings)


def decode_only(message: Message, kind: int) -> tuple[Payload, ...]:
    """The payloads of one type, without decoding the rest (their warnings are not kept)."""
    return _clear_payloads(message, kind, Context(major=message.major, exchange_type=message.exchange_type))


def _clear_payloads(message: Message, only: int | None, ctx: Context) -> tuple[Payload, ...]:
    """The payloads of ``message`` (of type ``only`` when given), decoded: an IKEv1 message with
    the E flag is one ciphertext body. The chain is walked again (``clear_links``)."""
    if message.major == 1 and message.flags & V1_FLAG_ENCRYPTION:
        if only not in (None, message.next_payload):
            return ()
        thrown_away = Context(major=message.major, exchange_type=message.exchange_type)    # see message.notes
        body = message.data[Header.size:_message_end(message.length, len(message.data), thrown_away)]
        head = Head(message.next_payload, iana.V1_PAYLOAD_TYPES[message.next_payload], len(body), False)
        return (decode_v1_body(head, body, ctx),)
    links = clear_links(message)
    if only is not None:
        links = [link for link in links if link[0] == only]
    return _decode(message.data, links, ctx, SHARED_TYPES[ctx.major])


def _shared_payload(head: Head, body: bytes, decoder: Decoder, ctx: Context) -> Payload:
    """``decoder(head, body, ctx)``, shared with earlier messages that carried the same payload
    (decoders read nothing else but the major version, and only add warnings to ``ctx``)."""
    key = (ctx.major, head, body, decoder)
    found = _shared.get(key)
    if found is None:
        before = len(ctx.warnings)
        payload = decoder(head, body, ctx)
        if len(_shared) >= SHARED_MAX_ENTRIES:
            _shared.clear()
        _shared[key] = payload, tuple(ctx.warnings[before:])
        return payload
    ctx.warnings += found[1]
    return found[0]


def clear_links(message: Message) -> Iterable[Link]:
    """Where each payload of the clear chain sits (see ``_chain``): the compiled walk's links where
    it finds nothing wrong, else the Python walk's, whose warnings are thrown away (they are in
    ``message.notes`` since ``decode_datagram``). Decryption needs the bytes of KE payloads and
    the offset of SK/SKF, which the decoded payloads do not keep."""
    if _compiled is not None:
        found = _compiled.links(message.data, message.next_payload, message.length, message.major == 2,
                                message.exchange_type)
        if found is not None:
            return found
    ctx = Context(major=message.major, exchange_type=message.exchange_type)
    end = _message_end(message.length, len(message.data), ctx)
    return _chain(message.data, message.next_payload, end, ctx)


def decode_plaintext(plain: Plaintext, major: int, exchange_type: int) -> tuple[tuple[Payload, ...], tuple[str, ...]]:
    """The payloads inside what the keys opened, each marked decrypted, and what was wrong in
    them (the chain's problems too), decoded as a clear chain is."""
    ctx = Context(major=major, exchange_type=exchange_type)
    data = _padded(plain)
    return _decrypted(_decode(data, _chain(data, plain.first_payload, len(data), ctx), ctx)), tuple(ctx.warnings)


def decode_plaintext_only(plain: Plaintext, major: int, exchange_type: int, kind: int,
                          links: tuple[Link, ...]) -> tuple[Payload, ...]:
    """The decrypted payloads of one type, without decoding the rest (``links``: from
    ``plaintext_links``)."""
    ctx = Context(major=major, exchange_type=exchange_type)
    return _decrypted(_decode(_padded(plain), [link for link in links if link[0] == kind], ctx))


def plaintext_links(plain: Plaintext, major: int, exchange_type: int) -> tuple[Link, ...]:
    """Where each payload inside what the keys opened sits (as ``_chain`` gives them), none decoded."""
    data = _padded(plain)
    ctx = Context(major=major, exchange_type=exchange_type)
    return tuple(_chain(data, plain.first_payload, len(data), ctx))


def _padded(plain: Plaintext) -> bytes:
    """The plaintext chain behind a header's room: offsets (and the warnings that name them) read
    as in a message, and the links of ``plaintext_links`` point into it."""
    return bytes(Header.size) + plain.chain


def _decrypted(payloads: tuple[Payload, ...]) -> tuple[Payload, ...]:
    """Mark payloads just built from a plaintext as found inside an encrypted body.

    Nothing else holds them yet, so the flag is set on them in place: rebuilding each frozen
    payload with ``dataclasses.replace`` (its ``__init__`` again, field by field) took a fifth
    of decryption's time on the benchmark's keyed capture."""
    for payload in payloads:
        object.__setattr__(payload, "decrypted", True)
    return payloads


def _message_end(declared: int, captured: int, ctx: Context) -> int:
    """Where the payload chain may run: the header's length, unless the data says otherwise."""
    if declared < Header.size:
        ctx.warn(None, f"header length {declared} is shorter than the {Header.size}-byte header")
        return captured
    if declared > captured:
        ctx.warn(None, f"header length {declared}, only {captured} bytes present")
        return captured
    if declared < captured:
        ctx.warn(None, f"{captured - declared} byte(s) after the {declared}-byte message")
    return declared


def _chain(data: bytes, first: int, end: int, ctx: Context) -> Iterator[Link]:
    """``(type, offset, body_end, next_payload, length, critical)`` for each payload of the clear chain.

    The walk always moves forward and ends at next-payload NONE, at the end of the data, after
    SK/SKF (the last payload of the clear chain), or at MAX_PAYLOADS. Problems of the chain
    itself go to ``ctx``. Nothing is built for a payload here: every IKE message of a capture
    is walked once to learn its chain, and few of them are ever decoded (``_walk``).
    """
    v2 = ctx.major == 2
    names: Registry = iana.V2_PAYLOAD_TYPES if v2 else iana.V1_PAYLOAD_TYPES
    decoders = V2_DECODERS if v2 else V1_DECODERS
    unpack = GenericPayloadHeader.unpack_fields
    offset = Header.size
    kind = first
    count = 0
    while kind != 0:
        if count == MAX_PAYLOADS:
            ctx.warn(None, f"more than {MAX_PAYLOADS} payloads; the rest are not decoded")
            return
        if offset + GenericPayloadHeader.size > end:
            ctx.warn(None, f"the chain announces a {names[kind]} payload at offset {offset}, but the message ends")
            return
        next_payload, reserved, length = unpack(data, offset)
        if length < GenericPayloadHeader.size:
            ctx.warn(None, f"{names[kind]} payload at offset {offset} has length {length}, "
                           f"shorter than its header; the rest of the chain is not decoded")
            return
        body_end = offset + length
        if body_end > end:
            ctx.warn(None, f"{names[kind]} payload at offset {offset} declares {length} bytes, "
                           f"{end - offset} present")
            body_end = end
        critical = v2 and bool(reserved & V2_CRITICAL)
        count += 1
        yield kind, offset, body_end, next_payload, length, critical
        if v2 and kind in (V2_SK, V2_SKF):
            if body_end < end:
                ctx.warn(None, f"{end - body_end} byte(s) after the {names[kind]} payload, which must be last")
            return
        if kind not in decoders and (critical or not v2) and _decoder(kind, v2, ctx.exchange_type) is None:
            ctx.warn(Head(kind, names[kind], length, critical),
                     f"type {kind} is not known; kept as {body_end - offset - GenericPayloadHeader.size} bytes")
        offset = body_end
        kind = next_payload
    if offset < end:
        ctx.warn(None, f"{end - offset} byte(s) after the last payload")


def _decoder(kind: int, v2: bool, exchange_type: int) -> tuple[str, Decoder] | None:
    """The name and decoder of a payload type, or None for a type that is not known."""
    names: Registry = iana.V2_PAYLOAD_TYPES if v2 else iana.V1_PAYLOAD_TYPES
    decoder = (V2_DECODERS if v2 else V1_DECODERS).get(kind)
    if decoder is not None:
        return names[kind], decoder
    if not v2 and kind == V1_NATD_BADDRAFT and exchange_type in V1_IKE_EXCHANGES:
        return iana.V1_PAYLOAD_TYPES[V1_NATD_DRAFT], decode_natd
    return None


def _decode(data: bytes, links: Iterable[Link], ctx: Context,
            shared: frozenset[int] = frozenset()) -> tuple[Payload, ...]:
    """Each payload at ``links`` decoded, in order; those of a type in ``shared`` (SHARED_TYPES:
    clear ones only) shared with earlier messages that carried the same bytes. SK/SKF's decoder
    is given their next payload (which names the first payload inside), so that every decoder
    is called alike; a type that is not known is kept as opaque bytes."""
    v2 = ctx.major == 2
    found = []
    for kind, offset, body_end, next_payload, length, critical in links:
        body = data[offset + GenericPayloadHeader.size:body_end]
        if v2 and kind in (V2_SK, V2_SKF):
            decoder = partial(decode_sk if kind == V2_SK else decode_skf, first_payload=next_payload)
            found.append(decoder(Head(kind, iana.V2_PAYLOAD_TYPES[kind], length, critical), body, ctx))
            continue
        name, decoder = _reader(kind, v2, ctx.exchange_type)
        head = Head(kind, name, length, critical)
        if kind in shared and len(body) <= SHARED_MAX_BODY:
            found.append(_shared_payload(head, body, decoder, ctx))
        else:
            found.append(decoder(head, body, ctx))
    return tuple(found)


@lru_cache(maxsize=4096)
def _reader(kind: int, v2: bool, exchange_type: int) -> tuple[str, Decoder]:
    """The name and decoder of a payload type, one that is not known kept as opaque bytes (asked
    for each payload decoded: the answers are kept)."""
    known = _decoder(kind, v2, exchange_type)
    if known is not None:
        return known
    names: Registry = iana.V2_PAYLOAD_TYPES if v2 else iana.V1_PAYLOAD_TYPES
    return names[kind], decode_opaque
