"""The byte-level pre-filter: what the scanners read of every frame before building anything.

A span capture is mostly TCP and non-IKE UDP. For link types with a fixed EtherType offset,
one ``struct`` call reads the record header together with the EtherType, the IP version
byte, the IPv4 fragment word (which is the IPv6 next-header/hop-limit word) and the IPv4
protocol. From those the scanner drops TCP, drops UDP on other ports and counts plain ESP on
the spot; every other frame goes to ``FrameDecoder``.

The struct uses the capture file's byte order for the whole record, so the big-endian wire
fields come out byte-swapped in a little-endian file; the constants here are swapped to
match rather than paying for a second unpack.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ikepcap.read.linktypes import ETH_IPV4, ETH_IPV6, FAST_LAYOUTS

PROTO_TCP = 6
PROTO_UDP = 17
PROTO_ESP = 50
IPV4_NO_OPTIONS = 0x45
IPV4_HEADER = 20
IPV6_HEADER = 40
ESP_SPI = 4


def _layout(order: str, fields: list[tuple[int, str]]) -> struct.Struct:
    """A struct reading the given (offset, format code) fields, in offset order, nothing else."""
    fmt, at = order, 0
    for offset, code in fields:
        fmt += f"{offset - at}x{code}" if offset > at else code
        at = offset + struct.calcsize("=" + code)
    return struct.Struct(fmt)


def _as_read(value: int, order: str) -> int:
    """A 16-bit wire value as a struct of byte order ``order`` would read it."""
    return struct.unpack(order + "H", struct.pack("!H", value))[0]


@dataclass(frozen=True, slots=True)
class FastPath:
    """How to pre-filter frames of one link type in a file of one byte order.

    ``record`` unpacks ``prefix`` (the format's own record/block fields) followed by
    ``(ethertype, version_byte, word, protocol)`` read from the frame. ``triage`` reads only
    the captured length, the EtherType, the IPv6 next header and the IPv4 protocol — all a TCP
    frame ever needs;
    ``details`` the rest (timestamp, length on the wire, version byte, fragment word) for the
    frames that get past triage.
    """

    record: struct.Struct
    triage: struct.Struct
    details: struct.Struct
    frame_offset: int           # where the frame starts, from the record's start
    ip_offset: int              # where the IP header starts, from the frame's start
    tag_ipv4: int
    tag_ipv6: int
    fragment_mask: int          # MF + fragment offset, as read
    next_header_shift: int      # IPv6 next header is the word's high byte on the wire
    min_length: int             # a frame shorter than this was not fully covered by the read

    @classmethod
    def build(cls, link_type: int, order: str, prefix: str, frame_offset: int,
              length_at: int = 8, timestamp_at: int = 0, wire_at: int = 12) -> FastPath | None:
        """``prefix`` is the record header's struct format; ``length_at``, ``timestamp_at`` and
        ``wire_at`` the offsets of its captured length, timestamp words and length on the wire."""
        layout = FAST_LAYOUTS.get(link_type)
        if layout is None:
            return None
        gap = layout.ip_offset - layout.type_offset - 2
        fmt = f"{order}{prefix}{layout.type_offset}xH{gap}xB5xHxB"
        ip = frame_offset + layout.ip_offset
        triage = _layout(order, [(length_at, "I"), (frame_offset + layout.type_offset, "H"), (ip + 6, "B"),
                                 (ip + 9, "B")])
        details = _layout(order, [(timestamp_at, "I"), (timestamp_at + 4, "I"), (wire_at, "I"), (ip, "B"),
                                  (ip + 6, "H")])
        return cls(
            record=struct.Struct(fmt),
            triage=triage,
            details=details,
            frame_offset=frame_offset,
            ip_offset=layout.ip_offset,
            tag_ipv4=_as_read(ETH_IPV4, order),
            tag_ipv6=_as_read(ETH_IPV6, order),
            fragment_mask=_as_read(0x3FFF, order),
            next_header_shift=0 if order == "<" else 8,
            min_length=layout.ip_offset + IPV6_HEADER + ESP_SPI,
        )


PORTS = struct.Struct("!HH")
