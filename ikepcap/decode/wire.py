"""ISAKMP/IKE wire layouts, declared once in dpkt's ``__hdr__`` style.

Each layout is a tuple of ``(name, struct format, default)`` and yields both a parser and a
builder, so the tests, the capture writer and the decoder cannot disagree about an offset.
dpkt's own ``Packet`` would do the same job but costs several microseconds per header; a
capture that is almost all IKE (a busy concentrator, a flood) decodes hundreds of thousands of
headers, so the layouts here compile to a ``struct.Struct`` and unpack into a named tuple.

Field names follow RFC 2408 (IKEv1) and RFC 7296 (IKEv2).
"""

from __future__ import annotations

import struct
from collections import namedtuple
from typing import Any, ClassVar


class Layout:
    """Base of a fixed-size, big-endian wire header.

    Subclasses declare ``__hdr__``; ``unpack(buf, offset)`` returns a named tuple of the
    fields (or ``None`` when ``buf`` is too short), ``pack(**fields)`` builds the bytes with
    the declared defaults for the fields not given.
    """

    __hdr__: ClassVar[tuple[tuple[str, str, Any], ...]] = ()
    _struct: ClassVar[struct.Struct]
    _tuple: ClassVar[type]
    size: ClassVar[int]
    unpack_fields: ClassVar[Any]
    offsets: ClassVar[dict[str, int]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._struct = struct.Struct("!" + "".join(fmt for _, fmt, _ in cls.__hdr__))
        cls.size = cls._struct.size
        cls._tuple = namedtuple(cls.__name__, [name for name, _, _ in cls.__hdr__])
        cls.unpack_fields = cls._struct.unpack_from     # the bare tuple, for loops run once per payload
        # where each field starts: for a field read in place, without unpacking the rest
        cls.offsets = {name: struct.calcsize("!" + "".join(fmt for _, fmt, _ in cls.__hdr__[:index]))
                       for index, (name, _, _) in enumerate(cls.__hdr__)}

    @classmethod
    def unpack(cls, buf: bytes, offset: int = 0) -> Any | None:
        if len(buf) - offset < cls.size:
            return None
        return cls._tuple._make(cls._struct.unpack_from(buf, offset))

    @classmethod
    def pack(cls, **fields: Any) -> bytes:
        unknown = set(fields) - {name for name, _, _ in cls.__hdr__}
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return cls._struct.pack(*(fields.get(name, default) for name, _, default in cls.__hdr__))


# --- common to both versions -------------------------------------------------------------

class Header(Layout):
    """The 28-byte ISAKMP/IKE header (RFC 2408 §3.1, RFC 7296 §3.1)."""

    __hdr__ = (
        ("ispi", "8s", b"\x00" * 8),        # initiator cookie / IKE SA initiator's SPI
        ("rspi", "8s", b"\x00" * 8),        # responder cookie / IKE SA responder's SPI
        ("next_payload", "B", 0),
        ("version", "B", 0x10),             # major version in the high nibble
        ("exchange_type", "B", 0),
        ("flags", "B", 0),
        ("message_id", "I", 0),
        ("length", "I", 28),                # whole message, header included
    )


class GenericPayloadHeader(Layout):
    """Every payload starts with this (RFC 2408 §3.2, RFC 7296 §3.2)."""

    __hdr__ = (
        ("next_payload", "B", 0),
        ("reserved", "B", 0),               # IKEv2: bit 7 is the Critical flag
        ("length", "H", 4),                 # payload length, this header included
    )


class Proposal(Layout):
    """A proposal after its 4-byte generic head; the SPI and the transforms follow. IKEv1's
    Proposal payload (RFC 2408 §3.5) and IKEv2's Proposal substructure (RFC 7296 §3.3.1)
    have the same layout."""

    __hdr__ = (
        ("number", "B", 1),
        ("protocol_id", "B", 1),
        ("spi_size", "B", 0),
        ("transforms", "B", 0),
    )


class AttributeHeader(Layout):
    """A data attribute (RFC 2408 §3.3): AF bit set -> TV (value in the length field)."""

    __hdr__ = (
        ("type", "H", 0),                   # bit 15 is the Attribute Format (AF) bit
        ("length_or_value", "H", 0),
    )


# --- IKEv1 (RFC 2408, RFC 2407) -------------------------------------------------------------

class SaV1(Layout):
    """Body of an IKEv1 SA payload up to the situation (DOI 1 = IPsec, RFC 2407 §4.6.1)."""

    __hdr__ = (
        ("doi", "I", 1),
        ("situation", "I", 1),
    )


class TransformV1(Layout):
    """Body of an IKEv1 Transform payload after its generic header (RFC 2408 §3.6)."""

    __hdr__ = (
        ("number", "B", 1),
        ("transform_id", "B", 1),
        ("reserved", "H", 0),
    )


class IdV1(Layout):
    """IKEv1 Identification payload body (RFC 2407 §4.6.2)."""

    __hdr__ = (
        ("id_type", "B", 1),
        ("protocol_id", "B", 0),
        ("port", "H", 0),
    )


class NotifyV1(Layout):
    """IKEv1 Notification payload body (RFC 2408 §3.14)."""

    __hdr__ = (
        ("doi", "I", 1),
        ("protocol_id", "B", 1),
        ("spi_size", "B", 0),
        ("notify_type", "H", 0),
    )


class DeleteV1(Layout):
    """IKEv1 Delete payload body (RFC 2408 §3.15)."""

    __hdr__ = (
        ("doi", "I", 1),
        ("protocol_id", "B", 1),
        ("spi_size", "B", 0),
        ("spis", "H", 0),
    )


class AttributesV1(Layout):
    """Mode-config / XAUTH Attribute payload body (draft-dukes-ike-mode-cfg §3.2)."""

    __hdr__ = (
        ("cfg_type", "B", 1),
        ("reserved", "B", 0),
        ("identifier", "H", 0),
    )


class NatOaV1(Layout):
    """NAT-OA payload body (RFC 3947 §5.2)."""

    __hdr__ = (
        ("id_type", "B", 1),
        ("reserved", "3s", b"\x00" * 3),
    )


class CiscoFragment(Layout):
    """Body of Cisco's IKE fragmentation payload (type 132), after the generic header."""

    __hdr__ = (
        ("fragment_id", "H", 0),
        ("number", "B", 1),
        ("flags", "B", 0),                  # 1 = last fragment
    )


# --- IKEv2 (RFC 7296) -----------------------------------------------------------------------

class TransformV2(Layout):
    """IKEv2 Transform substructure after its 4-byte head (RFC 7296 §3.3.2)."""

    __hdr__ = (
        ("transform_type", "B", 1),
        ("reserved", "B", 0),
        ("transform_id", "H", 0),
    )


class KeV2(Layout):
    """IKEv2 Key Exchange payload body (RFC 7296 §3.4)."""

    __hdr__ = (
        ("group", "H", 0),
        ("reserved", "H", 0),
    )


class IdV2(Layout):
    """IKEv2 Identification payload body (RFC 7296 §3.5)."""

    __hdr__ = (
        ("id_type", "B", 1),
        ("reserved", "3s", b"\x00" * 3),
    )


class CertV2(Layout):
    """Encoding byte that starts CERT and CERTREQ payloads of both versions."""

    __hdr__ = (("encoding", "B", 4),)


class AuthV2(Layout):
    """IKEv2 Authentication payload body (RFC 7296 §3.8)."""

    __hdr__ = (
        ("method", "B", 2),
        ("reserved", "3s", b"\x00" * 3),
    )


class NotifyV2(Layout):
    """IKEv2 Notify payload body (RFC 7296 §3.10)."""

    __hdr__ = (
        ("protocol_id", "B", 0),
        ("spi_size", "B", 0),
        ("notify_type", "H", 0),
    )


class DeleteV2(Layout):
    """IKEv2 Delete payload body (RFC 7296 §3.11)."""

    __hdr__ = (
        ("protocol_id", "B", 1),
        ("spi_size", "B", 0),
        ("spis", "H", 0),
    )


class TsPayloadV2(Layout):
    """IKEv2 Traffic Selector payload body (RFC 7296 §3.13)."""

    __hdr__ = (
        ("count", "B", 0),
        ("reserved", "3s", b"\x00" * 3),
    )


class TrafficSelectorV2(Layout):
    """The head every traffic selector starts with, whatever its type (RFC 7296 §3.13.1).

    Only the address ranges go on with ports and addresses (``AddressRangeV2``); TS_SECLABEL
    (RFC 9478) carries a security label after the head, TS_FC_ADDR_RANGE (RFC 4595) Fibre
    Channel addresses.
    """

    __hdr__ = (
        ("ts_type", "B", 7),
        ("ip_protocol", "B", 0),            # IP Protocol ID of a range; reserved in TS_SECLABEL
        ("length", "H", 16),                # this selector, head included
    )


class AddressRangeV2(Layout):
    """TS_IPV4_ADDR_RANGE / TS_IPV6_ADDR_RANGE after the head; the two addresses follow."""

    __hdr__ = (
        ("start_port", "H", 0),
        ("end_port", "H", 65535),
    )


class CpV2(Layout):
    """IKEv2 Configuration payload body (RFC 7296 §3.15)."""

    __hdr__ = (
        ("cfg_type", "B", 1),
        ("reserved", "3s", b"\x00" * 3),
    )


class EapV2(Layout):
    """The EAP message inside an IKEv2 EAP payload (RFC 3748 §4)."""

    __hdr__ = (
        ("code", "B", 1),
        ("identifier", "B", 0),
        ("length", "H", 4),
    )


class SkfV2(Layout):
    """IKEv2 Encrypted Fragment payload body before the IV (RFC 7383 §2.5)."""

    __hdr__ = (
        ("number", "H", 1),
        ("total", "H", 1),
    )
