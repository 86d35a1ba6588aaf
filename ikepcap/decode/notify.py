"""Notify and Delete payloads: how peers tell each other what went wrong, or that an SA is gone.

Most notify types carry no data or data only the sender can interpret; the few whose data
matters to a diagnosis (the group a responder wants, a DPD sequence number, a NAT detection
hash, a lifetime the responder imposes) are decoded by the table below.
"""

from __future__ import annotations

from collections.abc import Callable

from ikepcap.decode import iana
from ikepcap.decode.attributes import ipsec_attributes
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Delete, Notification
from ikepcap.decode.text import address, wire_text
from ikepcap.decode.wire import DeleteV1, DeleteV2, NotifyV1, NotifyV2

Details = tuple[tuple[str, object], ...]
DataDecoder = Callable[[bytes, Head, Context], Details]


def _number(key: str, size: int) -> DataDecoder:
    def decode(data: bytes, head: Head, ctx: Context) -> Details:
        if len(data) != size:
            ctx.warn(head, f"{key} needs {size} bytes of data, {len(data)} present")
            return ()
        return ((key, int.from_bytes(data, "big")),)
    return decode


def _hex(key: str) -> DataDecoder:
    def decode(data: bytes, head: Head, ctx: Context) -> Details:
        return ((key, data.hex()),)
    return decode


def _group(data: bytes, head: Head, ctx: Context) -> Details:
    if len(data) != 2:
        ctx.warn(head, f"accepted group needs 2 bytes of data, {len(data)} present")
        return ()
    group = int.from_bytes(data, "big")
    return (("group", group), ("group_name", iana.KE_GROUPS[group]))


def _hash_algorithms(data: bytes, head: Head, ctx: Context) -> Details:
    if len(data) % 2:
        ctx.warn(head, "hash algorithm list has an odd length")
    numbers = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
    return (("algorithms", ", ".join(iana.SIGNATURE_HASH_ALGORITHMS[n] for n in numbers)),)


def _lifetime(data: bytes, head: Head, ctx: Context) -> Details:
    return tuple((a.name, a.meaning if a.meaning is not None else a.value) for a in ipsec_attributes(data, head, ctx))


# RFC 5685 §4: gateway identity types in REDIRECT / REDIRECTED_FROM.
_GATEWAY_ADDRESS_SIZES = {1: 4, 2: 16}
_GATEWAY_FQDN = 3


GATEWAY = "gateway"
WIRE_DETAILS = frozenset({GATEWAY})     # details that name a host: what --redact replaces


def _gateway(data: bytes, head: Head, ctx: Context) -> Details:
    if len(data) < 2 or len(data) < 2 + data[1]:
        ctx.warn(head, "gateway identity cut short")
        return ()
    gw_type, length = data[0], data[1]
    ident = data[2:2 + length]
    if _GATEWAY_ADDRESS_SIZES.get(gw_type) == length:
        return ((GATEWAY, address(ident)),)
    if gw_type == _GATEWAY_FQDN:
        return ((GATEWAY, wire_text(ident)),)
    return ((GATEWAY, ident.hex()),)


V1_NOTIFY_DATA: dict[int, DataDecoder] = {
    24576: _lifetime,                        # RESPONDER_LIFETIME (RFC 2407 §4.6.3.1)
    24577: _number("replay_detection", 4),   # REPLAY_STATUS
    36136: _number("sequence", 4),           # R_U_THERE (RFC 3706 §5.1)
    36137: _number("sequence", 4),           # R_U_THERE_ACK
}
V2_NOTIFY_DATA: dict[int, DataDecoder] = {
    9: _number("message_id", 4),             # INVALID_MESSAGE_ID
    17: _group,                              # INVALID_KE_PAYLOAD: the group the responder wants
    16385: _number("window_size", 4),        # SET_WINDOW_SIZE
    16388: _hex("hash"),                     # NAT_DETECTION_SOURCE_IP
    16389: _hex("hash"),                     # NAT_DETECTION_DESTINATION_IP
    16390: _hex("cookie"),                   # COOKIE
    16407: _gateway,                         # REDIRECT (RFC 5685)
    16408: _gateway,                         # REDIRECTED_FROM
    16431: _hash_algorithms,                 # SIGNATURE_HASH_ALGORITHMS (RFC 7427)
}


def _notification(head: Head, ctx: Context, doi: int | None, fixed, rest: bytes,
                  names, decoders: dict[int, DataDecoder]) -> Notification:
    spi = rest[:fixed.spi_size]
    if len(spi) < fixed.spi_size:
        ctx.warn(head, f"SPI of {fixed.spi_size} bytes cut short")
    data = rest[fixed.spi_size:]
    decoder = decoders.get(fixed.notify_type)
    details = decoder(data, head, ctx) if decoder is not None else ()
    return Notification(*head, doi=doi, protocol_id=fixed.protocol_id, spi=spi, notify_type=fixed.notify_type,
                        notify_name=names[fixed.notify_type], data=data, details=details)


def decode_notify_v1(head: Head, body: bytes, ctx: Context) -> Notification:
    fixed = NotifyV1.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Notification(*head, doi=None, protocol_id=0, spi=b"", notify_type=0,
                            notify_name=iana.V1_NOTIFY_TYPES[0], data=body, details=())
    return _notification(head, ctx, fixed.doi, fixed, body[NotifyV1.size:], iana.V1_NOTIFY_TYPES, V1_NOTIFY_DATA)


def decode_notify_v2(head: Head, body: bytes, ctx: Context) -> Notification:
    fixed = NotifyV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Notification(*head, doi=None, protocol_id=0, spi=b"", notify_type=0,
                            notify_name=iana.V2_NOTIFY_TYPES[0], data=body, details=())
    return _notification(head, ctx, None, fixed, body[NotifyV2.size:], iana.V2_NOTIFY_TYPES, V2_NOTIFY_DATA)


MAX_DELETED_SPIS = 4096


def _spis(data: bytes, size: int, count: int, head: Head, ctx: Context) -> tuple[bytes, ...]:
    if size == 0:
        return ()
    available = len(data) // size
    if available < count:
        ctx.warn(head, f"announces {count} SPI(s) of {size} bytes, {available} present")
    if count > MAX_DELETED_SPIS:
        ctx.warn(head, f"announces {count} SPIs; only the first {MAX_DELETED_SPIS} are kept")
    return tuple(data[i * size:(i + 1) * size] for i in range(min(count, available, MAX_DELETED_SPIS)))


def decode_delete_v1(head: Head, body: bytes, ctx: Context) -> Delete:
    fixed = DeleteV1.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Delete(*head, doi=None, protocol_id=0, protocol=iana.V1_PROTOCOLS[0], spis=())
    spis = _spis(body[DeleteV1.size:], fixed.spi_size, fixed.spis, head, ctx)
    return Delete(*head, doi=fixed.doi, protocol_id=fixed.protocol_id,
                  protocol=iana.V1_PROTOCOLS[fixed.protocol_id], spis=spis)


def decode_delete_v2(head: Head, body: bytes, ctx: Context) -> Delete:
    fixed = DeleteV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its fixed fields")
        return Delete(*head, doi=None, protocol_id=0, protocol=iana.V2_PROTOCOLS[0], spis=())
    spis = _spis(body[DeleteV2.size:], fixed.spi_size, fixed.spis, head, ctx)
    return Delete(*head, doi=None, protocol_id=fixed.protocol_id,
                  protocol=iana.V2_PROTOCOLS[fixed.protocol_id], spis=spis)
