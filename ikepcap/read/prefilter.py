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

IPV4_NO_OPTIONS = 0x45
IPV4_HEADER = 20
IPV6_HEADER = 40


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

    ``triage`` reads the record's own fields the format needs (``head``: its captured length,
    and for pcapng the block type, block length and interface) followed by the EtherType, the
    IPv6 next header and the IPv4 protocol — all a TCP frame ever needs. ``details`` reads the
    rest (the two timestamp words, the length on the wire, the IP version byte and the IPv4
    fragment word) for the frames that get past triage.
    """

    triage: struct.Struct
    details: struct.Struct
    frame_offset: int           # where the frame starts, from the record's start
    ip_offset: int              # where the IP header starts, from the frame's start
    tag_ipv4: int
    tag_ipv6: int
    fragment_mask: int          # MF + fragment offset, as read

    @classmethod
    def build(cls, link_type: int, order: str, frame_offset: int, head: tuple[tuple[int, str], ...],
              timestamp_at: int, wire_at: int) -> FastPath | None:
        layout = FAST_LAYOUTS.get(link_type)
        if layout is None:
            return None
        ip = frame_offset + layout.ip_offset
        triage = _layout(order, [*head, (frame_offset + layout.type_offset, "H"), (ip + 6, "B"), (ip + 9, "B")])
        details = _layout(order, [(timestamp_at, "I"), (timestamp_at + 4, "I"), (wire_at, "I"), (ip, "B"),
                                  (ip + 6, "H")])
        return cls(
            triage=triage,
            details=details,
            frame_offset=frame_offset,
            ip_offset=layout.ip_offset,
            tag_ipv4=_as_read(ETH_IPV4, order),
            tag_ipv6=_as_read(ETH_IPV6, order),
            fragment_mask=_as_read(0x3FFF, order),
        )


PORTS = struct.Struct("!HH")
