"""ISAKMP/IKE messages from parts, with the same wire layouts the decoder reads.

Payloads are ``(type, body)`` pairs; ``message`` links them with next-payload values and
lengths, so a builder states only what the RFC leaves to the sender.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from ikepcap.decode.attributes import AF_BIT
from ikepcap.decode.model import (
    V1_HASH,
    V1_ID,
    V1_KE,
    V1_NATD,
    V1_NONCE,
    V1_SA,
    V1_VID,
    V2_KE,
    V2_NONCE,
    V2_SA,
    V2_SK,
)
from ikepcap.decode.model import V1_NOTIFY as V1_N
from ikepcap.decode.model import V2_NOTIFY as V2_N
from ikepcap.decode.wire import (
    AttributeHeader,
    DeleteV1,
    GenericPayloadHeader,
    Header,
    IdV1,
    KeV2,
    NotifyV1,
    NotifyV2,
    Proposal,
    SaV1,
    TransformV1,
    TransformV2,
)

Part = tuple[int, bytes]

# The payload type numbers builders name come from decode.model, their one home, and are
# re-exported here (V1_N and V2_N are the short names existing builders use for Notify).
__all__ = ["V1_HASH", "V1_ID", "V1_KE", "V1_N", "V1_NATD", "V1_NONCE", "V1_SA", "V1_VID", "V2_KE", "V2_N",
           "V2_NONCE", "V2_SA", "V2_SK", "Part", "attributes", "delete_v1", "id_v1", "ke_v2", "message",
           "notify_v1", "notify_v2", "sa_v1", "sa_v2", "u32"]


def attributes(pairs: Sequence[tuple[int, int | bytes]]) -> bytes:
    """IKEv1 data attributes: TV for values that fit 16 bits, TLV for the rest (RFC 2408 §3.3)."""
    out = b""
    for attr_type, value in pairs:
        if isinstance(value, int) and value < 0x10000:
            out += AttributeHeader.pack(type=attr_type | AF_BIT, length_or_value=value)
        else:
            raw = value if isinstance(value, bytes) else value.to_bytes(4, "big")
            out += AttributeHeader.pack(type=attr_type, length_or_value=len(raw)) + raw
    return out


def _chain(items: Sequence[bytes], more: int) -> bytes:
    out = b""
    for index, body in enumerate(items):
        following = more if index < len(items) - 1 else 0
        out += GenericPayloadHeader.pack(next_payload=following, length=4 + len(body)) + body
    return out


def sa_v1(proposals: Sequence[tuple[int, bytes, Sequence[tuple[int, Sequence[tuple[int, int | bytes]]]]]],
          doi: int = 1, situation: int = 1) -> bytes:
    """``proposals``: (protocol id, SPI, [(transform id, attributes)]), numbered from 1."""
    bodies = []
    for number, (protocol, spi, transforms) in enumerate(proposals, 1):
        transform_bodies = [TransformV1.pack(number=t, transform_id=tid) + attributes(attrs)
                            for t, (tid, attrs) in enumerate(transforms, 1)]
        bodies.append(Proposal.pack(number=number, protocol_id=protocol, spi_size=len(spi),
                                    transforms=len(transforms)) + spi + _chain(transform_bodies, 3))
    return SaV1.pack(doi=doi, situation=situation) + _chain(bodies, 2)


def sa_v2(proposals: Sequence[tuple[int, bytes, Sequence[tuple[int, int, Sequence[tuple[int, int]]]]]]) -> bytes:
    """``proposals``: (protocol id, SPI, [(transform type, transform id, attributes)])."""
    bodies = []
    for number, (protocol, spi, transforms) in enumerate(proposals, 1):
        transform_bodies = [TransformV2.pack(transform_type=tt, transform_id=tid) + attributes(attrs)
                            for tt, tid, attrs in transforms]
        bodies.append(Proposal.pack(number=number, protocol_id=protocol, spi_size=len(spi),
                                    transforms=len(transforms)) + spi + _chain(transform_bodies, 3))
    return _chain(bodies, 2)


def notify_v1(notify_type: int, protocol: int = 1, spi: bytes = b"", data: bytes = b"", doi: int = 1) -> bytes:
    return NotifyV1.pack(doi=doi, protocol_id=protocol, spi_size=len(spi), notify_type=notify_type) + spi + data


def notify_v2(notify_type: int, protocol: int = 0, spi: bytes = b"", data: bytes = b"") -> bytes:
    return NotifyV2.pack(protocol_id=protocol, spi_size=len(spi), notify_type=notify_type) + spi + data


def delete_v1(protocol: int, spis: Sequence[bytes], doi: int = 1) -> bytes:
    size = len(spis[0]) if spis else 0
    return DeleteV1.pack(doi=doi, protocol_id=protocol, spi_size=size, spis=len(spis)) + b"".join(spis)


def id_v1(id_type: int, data: bytes, protocol: int = 0, port: int = 0) -> bytes:
    return IdV1.pack(id_type=id_type, protocol_id=protocol, port=port) + data


def ke_v2(group: int, data: bytes) -> bytes:
    return KeV2.pack(group=group) + data


def message(ispi: bytes, rspi: bytes, exchange_type: int, payloads: Sequence[Part], flags: int = 0,
            message_id: int = 0, version: int = 0x10, encrypted: bytes | None = None,
            first_payload: int | None = None) -> bytes:
    """A whole message. With ``encrypted``, the body is that ciphertext (IKEv1 E flag) and
    ``first_payload`` names the type of the first payload inside it."""
    if encrypted is not None:
        body = encrypted
        first = first_payload or 0
    else:
        body = b""
        kinds = [kind for kind, _ in payloads]
        for index, (kind, data) in enumerate(payloads):
            following = kinds[index + 1] if index + 1 < len(kinds) else 0
            if kind == V2_SK and first_payload is not None:
                following = first_payload
            body += GenericPayloadHeader.pack(next_payload=following, length=4 + len(data)) + data
        first = kinds[0] if kinds else 0
    return Header.pack(ispi=ispi, rspi=rspi, next_payload=first, version=version, exchange_type=exchange_type,
                       flags=flags, message_id=message_id, length=Header.size + len(body)) + body


def u32(value: int) -> bytes:
    return struct.pack("!I", value)
