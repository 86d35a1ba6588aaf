"""The sift: the one loop every record of a capture goes through, and what it reads of each.

A span capture holds millions of frames and a handful of IKE messages, so this loop is the
hot path of the whole tool, and the one place a compiled version would go. Both formats feed
it: a pcap record and a pcapng Enhanced Packet Block are each a head that gives the frame's
captured length, then the frame at a fixed offset. For link types with a fixed EtherType
offset, one ``struct`` call reads the record head together with the EtherType, the IPv6 next
header and the IPv4 protocol; a second, only for frames that get past that, reads the
timestamp, the length on the wire, the IP version byte and the IPv4 fragment word (which is
the IPv6 next-header/hop-limit word). From those the sift
drops TCP, drops UDP on other ports and counts plain ESP on the spot; every other frame goes
to ``FrameDecoder``.

What differs between the formats is only the head: how long the record is, whether the sift
may take it (a pcap record unless its length is impossible; a pcapng block only when it is an
Enhanced Packet Block of an interface of the sifted link type, with sane lengths), and how its
timestamp becomes seconds. At the first record it does not take the sift returns, and the
format's careful loop reads that record and says what is wrong with it, if anything.

The structs use the capture's byte order for the whole record, so the big-endian wire
fields come out byte-swapped in a little-endian file; the constants here are swapped to
match rather than paying for a second unpack.

The same loop compiled (``_sift.pyx``, built by ``pip install .`` where a C compiler is) runs
in its place when it is there: on a span capture nothing but this loop touches most records,
and in C it costs a few nanoseconds a record. ``IKEPCAP_READER=python`` keeps the Python loop
(see ``ikepcap.compiled``; the bench compares both, a test holds them equal on every capture).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ikepcap.compiled import load
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.linktypes import ETH_IPV4, ETH_IPV6, FAST_LAYOUTS
from ikepcap.read.model import (
    MAX_FLOWS,
    NAT_T_PORT,
    PROTO_ESP,
    PROTO_TCP,
    PROTO_UDP,
    VXLAN_PORT,
    Datagram,
    address,
)

compiled = load("ikepcap.read._sift")


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
    IP version byte, the IPv6 next header and the IPv4 protocol — all a TCP frame ever needs.
    ``details`` reads the rest (the two timestamp words, the length on the wire and the IPv4
    fragment word) for the frames that get past triage.
    """

    triage: struct.Struct
    details: struct.Struct
    frame_offset: int           # where the frame starts, from the record's start
    type_offset: int            # where the EtherType is, from the frame's start
    ip_offset: int              # where the IP header starts, from the frame's start
    little: bool                # the file's byte order
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
        triage = _layout(order, [*head, (frame_offset + layout.type_offset, "H"), (ip, "B"), (ip + 6, "B"),
                                 (ip + 9, "B")])
        details = _layout(order, [(timestamp_at, "I"), (timestamp_at + 4, "I"), (wire_at, "I"), (ip + 6, "H")])
        return cls(
            triage=triage,
            details=details,
            frame_offset=frame_offset,
            type_offset=layout.type_offset,
            ip_offset=layout.ip_offset,
            little=order == "<",
            tag_ipv4=_as_read(ETH_IPV4, order),
            tag_ipv6=_as_read(ETH_IPV6, order),
            fragment_mask=_as_read(0x3FFF, order),
        )


PORTS = struct.Struct("!HH")
IP_LENGTH = struct.Struct("!H")


class Sift:
    """Sifts the records of one capture (or one pcapng section) for one ``FrameDecoder``.

    ``block`` is None for pcap, whose records follow one another with nothing between; for
    pcapng it is the one block type the sift takes, and ``interfaces`` maps the number of each
    interface of the sifted link type to its timestamp unit and offset (frames of the others
    take the careful path). ``max_record`` bounds a pcap record's captured length: past it the
    file is corrupt, and the careful loop says so.
    """

    def __init__(self, decoder: FrameDecoder, fast: FastPath, link_type: int, unit: float = 1e-6, max_record: int = 0,
                 block: int | None = None) -> None:
        self.decoder = decoder
        self.fast = fast
        self.link_type = link_type
        self.unit = unit
        self.max_record = max_record
        self.block = block
        self.interfaces: dict[int, tuple[float, float]] = {}
        self.reach = max(fast.triage.size, fast.details.size)     # bytes a record must have to be sifted
        self.compiled = compiled
        self.watched = b""                          # the compiled loop's port test: one byte per port
        if compiled is not None:
            watched = bytearray(65536)
            for port in decoder.watched_ports:
                watched[port] = 1
            self.watched = bytes(watched)

    def sift(self, buf, off: int, stop: int, end: int, frame: int) -> tuple[int, int, int]:
        """The records from ``off`` that start before ``stop`` and lie wholly before ``end``,
        up to the first one the sift does not take; ``frame`` is the number of the record before.

        Returns where it stopped, the number of the last frame sifted, and where that frame's
        record starts (-1 when none was).
        """
        fast = self.fast
        if self.compiled is not None:
            decoder = self.decoder
            return self.compiled.sift(buf, off, stop, end, frame, fast.little, fast.frame_offset, fast.type_offset,
                                      fast.ip_offset, -1 if self.block is None else self.block, self.interfaces,
                                      self.unit, self.max_record, self.watched, decoder.esp, decoder.decode,
                                      decoder.stats, MAX_FLOWS, self.link_type, self.reach, decoder.on_datagram,
                                      Datagram, address, decoder.file, NAT_T_PORT, VXLAN_PORT)
        triage = fast.triage.unpack_from
        details = fast.details.unpack_from
        ports = PORTS.unpack_from
        decoder = self.decoder
        watched = decoder.watched_ports
        esp = decoder.esp
        decode = decoder.decode
        link_type = self.link_type
        unit = self.unit
        max_record = self.max_record
        block = self.block
        blocks = block is not None
        interfaces = self.interfaces
        header = fast.frame_offset
        slack = header + 4                  # a block's fixed fields and its trailing length
        ip = fast.ip_offset
        tag4, tag6, fragmask = fast.tag_ipv4, fast.tag_ipv6, fast.fragment_mask
        limit = min(stop, end - self.reach + 1)
        last = -1
        while off < limit:
            if blocks:                      # pcapng: block type and length, interface, captured length
                kind, length, if_id, incl, tag, version, next6, protocol = triage(buf, off)
                nxt = off + length
                if kind != block or if_id not in interfaces or incl > length - slack or length & 3:
                    break
            else:                           # pcap: the captured length; the frame follows the header
                incl, tag, version, next6, protocol = triage(buf, off)
                nxt = off + header + incl
                if incl > max_record:
                    break
            if nxt > end:
                break
            frame += 1
            last = off
            # TCP, most of a span port: nothing more to read, where FrameDecoder would read TCP
            # too (it goes by the version nibble, and counts a header cut short as undecodable).
            if protocol == PROTO_TCP and tag == tag4 and 0x45 <= version <= 0x4F and incl >= ip + (version & 15) * 4 \
                    or next6 == PROTO_TCP and tag == tag6 and 0x60 <= version <= 0x6F and incl >= ip + IPV6_HEADER:
                off = nxt
                continue
            high, low, wire, word = details(buf, off)
            p = off + header
            if tag == tag4 and version == IPV4_NO_OPTIONS and not word & fragmask and incl >= ip + 24 \
                    and (protocol == PROTO_UDP or protocol == PROTO_ESP):
                addresses, l4, inner = p + ip + 12, p + ip + IPV4_HEADER, protocol
            elif tag == tag6 and 0x60 <= version <= 0x6F and incl >= ip + 44 \
                    and (next6 == PROTO_UDP or next6 == PROTO_ESP):
                addresses, l4, inner = p + ip + 8, p + ip + IPV6_HEADER, next6
            else:                           # options, fragments, tunnels, ICMP, tags: the careful path
                inner = 0
            if inner == PROTO_UDP:
                sport, dport = ports(buf, l4)
                if sport not in watched and dport not in watched:
                    off = nxt               # UDP on another port
                    continue
            # Only a frame that is kept or counted needs its time.
            if blocks:                      # ticks in the interface's unit, from its offset
                tick, origin = interfaces[if_id]
                time = ((high << 32) | low) * tick + origin
            else:                           # seconds and their fraction
                time = high + low * unit
            if inner == PROTO_ESP:          # plain ESP: count it by source, destination, SPI
                # where the IP length leaves room for the SPI (0, or an IPv4 length shorter than
                # its header, means "as captured", as offloaded captures write)
                total = IP_LENGTH.unpack_from(buf, addresses - 4 if tag == tag6 else addresses - 10)[0]
                if 0 < total < 4 if tag == tag6 else IPV4_HEADER <= total < IPV4_HEADER + 4:
                    off = nxt
                    continue
                key = buf[addresses:l4 + 4]
                entry = esp.get(key)
                if entry is None:
                    if len(esp) >= MAX_FLOWS:
                        decoder.stats.esp_unflowed += 1
                    else:
                        esp[key] = [1, frame, time, frame, time]
                else:
                    entry[0] += 1
                    entry[3] = frame
                    entry[4] = time
            else:
                decode(frame, time, link_type, buf[p:p + incl], wire)
            off = nxt
        return off, frame, last
