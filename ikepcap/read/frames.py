"""One captured frame -> IKE datagrams, ESP and keepalive counts, ICMP errors.

This is the careful path: link layers with VLAN tags, remote-span encapsulations (GRE,
ERSPAN II/III, VXLAN), IPv4 and IPv6 with extension headers and fragments. The scanners in
``pcap``/``pcapng`` send a frame here only when their byte-level pre-filter cannot rule it
out, so none of this runs for the bulk of a span capture.
"""

from __future__ import annotations

import struct
import weakref
from collections.abc import Callable

from ikepcap.read import icmp, linktypes
from ikepcap.read.model import (
    IKE_PORT,
    IPV6_EXTENSIONS,
    MAX_FLOWS,
    NAT_T_PORT,
    PROTO_AH,
    PROTO_ESP,
    PROTO_FRAGMENT,
    PROTO_GRE,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_IPIP,
    PROTO_IPV6,
    PROTO_UDP,
    VXLAN_PORT,
    Datagram,
    EspFlow,
    IcmpError,
    KeepaliveFlow,
    LostFragments,
    QuotedDatagram,
    ReadStats,
    address,
)
from ikepcap.read.reassembly import Lost, OpenSet, Reassembled, Reassembler

NON_ESP_MARKER = b"\x00\x00\x00\x00"
KEEPALIVE = b"\xff"

# Encapsulations can nest (GRE in VXLAN in VLAN…); a bound keeps a crafted loop finite.
MAX_DEPTH = 8
MAX_RECORDS = 100_000               # ICMP errors / lost fragment sets kept per file
# Fragmented datagrams worth reassembling: UDP (IKE, VXLAN) and tunnels that can carry it.
REASSEMBLED = frozenset({PROTO_UDP, PROTO_GRE, PROTO_IPIP, PROTO_IPV6})

_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_UDP = struct.Struct("!HHH")


class FrameDecoder:
    """Follows one frame down to UDP, ESP or ICMP and records what matters for IKE.

    ``esp``/``esp_udp`` are shared with the scanners' fast path, which counts plain ESP
    itself; keys are the raw address and SPI bytes (and ports for ESP-in-UDP), values
    ``[packets, first_frame, first_time, last_frame, last_time]``.
    """

    def __init__(self, file: str, on_datagram: Callable[[Datagram], None], extra_ports: frozenset[int] = frozenset()):
        self.file = file
        self.on_datagram = on_datagram
        self.extra_ports = extra_ports - {IKE_PORT, NAT_T_PORT}
        self.ike_ports = frozenset({IKE_PORT}) | self.extra_ports
        self.watched_ports = self.ike_ports | {NAT_T_PORT, VXLAN_PORT}
        self.stats = ReadStats(file=file)
        self.esp: dict[bytes, list] = {}
        self.esp_udp: dict[bytes, list] = {}
        self.keepalives: dict[tuple, KeepaliveFlow] = {}
        self.icmp_errors: list[IcmpError] = []
        self.lost_fragments: list[LostFragments] = []
        # Held weakly: the decoder and its reassembler would be a cycle, keeping the decoder, the
        # caller's on_datagram and all that holds (a range's datagrams, until its messages are
        # made) alive until the cycle collector came by, and making it come by often.
        lost = weakref.WeakMethod(self._lost)
        self.reassembler = Reassembler(lambda found: lost()(found))
        self.frame = 0
        self.time = 0.0
        self.ttl: int | None = None             # of the IP header read last: a tunnel's inner one
        self.truncated = False

    # --- entry ------------------------------------------------------------------------

    def decode(self, frame: int, time: float, link_type: int, data: bytes, wire_length: int) -> None:
        self.frame = frame
        self.time = time
        self.truncated = len(data) < wire_length
        if self.truncated:
            self.stats.truncated_frames += 1
        self._link(link_type, data, 0)

    def finish(self) -> None:
        self.reassembler.finish()

    # --- link layer -------------------------------------------------------------------

    def _link(self, link_type: int, data: bytes, depth: int) -> None:
        if link_type == linktypes.ETHERNET:
            self._ethernet(data, 0, depth)
        elif link_type == linktypes.LINUX_SLL:
            if len(data) >= 16:
                self._ethertype(_U16.unpack_from(data, 14)[0], data, 16, depth)
        elif link_type == linktypes.LINUX_SLL2:
            if len(data) >= 20:
                self._ethertype(_U16.unpack_from(data, 0)[0], data, 20, depth)
        elif link_type in (linktypes.RAW, linktypes.RAW_OPENBSD, linktypes.RAW_BSDOS, linktypes.IPV4, linktypes.IPV6):
            self._ip(data, 0, depth)
        elif link_type in (linktypes.NULL, linktypes.LOOP):
            if len(data) >= 4:
                family = int.from_bytes(data[:4], "big" if link_type == linktypes.LOOP else "little")
                if family > 0xFFFF:                     # written on a host of the other byte order
                    family = int.from_bytes(data[:4], "big")
                if family == linktypes.NULL_AF_INET or family in linktypes.NULL_AF_INET6:
                    self._ip(data, 4, depth)
        else:
            self.stats.undecodable_frames += 1

    def _ethernet(self, data: bytes, offset: int, depth: int) -> None:
        if len(data) >= offset + 14:
            self._ethertype(_U16.unpack_from(data, offset + 12)[0], data, offset + 14, depth)

    def _ethertype(self, ethertype: int, data: bytes, offset: int, depth: int) -> None:
        while ethertype in linktypes.VLAN_TAGS and len(data) >= offset + 4:   # 802.1Q, 802.1ad, QinQ
            ethertype = _U16.unpack_from(data, offset + 2)[0]
            offset += 4
        if ethertype in (linktypes.ETH_IPV4, linktypes.ETH_IPV6):
            self._ip(data, offset, depth)

    # --- IP -----------------------------------------------------------------------------

    def _ip(self, data: bytes, offset: int, depth: int) -> None:
        if depth > MAX_DEPTH or len(data) <= offset:
            return
        version = data[offset] >> 4
        if version == 4:
            self._ipv4(data, offset, depth)
        elif version == 6:
            self._ipv6(data, offset, depth)

    def _ipv4(self, data: bytes, offset: int, depth: int) -> None:
        if len(data) < offset + 20:
            self.stats.undecodable_frames += 1
            return
        ihl = (data[offset] & 0x0F) * 4
        total = _U16.unpack_from(data, offset + 2)[0]
        if ihl < 20 or len(data) < offset + ihl:
            self.stats.undecodable_frames += 1
            return
        if total < ihl:
            total = len(data) - offset     # TSO/offloaded captures write 0 here
        ident = _U16.unpack_from(data, offset + 4)[0]
        frag = _U16.unpack_from(data, offset + 6)[0]
        self.ttl = data[offset + 8]
        protocol = data[offset + 9]
        src, dst = data[offset + 12:offset + 16], data[offset + 16:offset + 20]
        payload = data[offset + ihl:offset + total]
        more, frag_offset = bool(frag & 0x2000), (frag & 0x1FFF) * 8
        if (more or frag_offset) and len(payload) == total - ihl:
            self._fragment((4, src, dst, protocol, ident), frag_offset, more,
                           payload, protocol, src, dst, ihl, depth)
            return
        if frag_offset:
            return                             # a cut-off later fragment: nothing to read in it
        self._transport(protocol, src, dst, payload, total, (), depth)

    def _ipv6(self, data: bytes, offset: int, depth: int) -> None:
        if len(data) < offset + 40:
            self.stats.undecodable_frames += 1
            return
        length = _U16.unpack_from(data, offset + 4)[0]
        nxt = data[offset + 6]
        self.ttl = data[offset + 7]
        src, dst = data[offset + 8:offset + 24], data[offset + 24:offset + 40]
        end = offset + 40 + length if length else len(data)
        cursor = offset + 40
        for _ in range(MAX_DEPTH):
            if nxt in IPV6_EXTENSIONS:
                if len(data) < cursor + 2:
                    return
                nxt, cursor = data[cursor], cursor + (data[cursor + 1] + 1) * 8
            elif nxt == PROTO_AH:
                if len(data) < cursor + 2:
                    return
                nxt, cursor = data[cursor], cursor + (data[cursor + 1] + 2) * 4
            elif nxt == PROTO_FRAGMENT:
                if len(data) < cursor + 8:
                    return
                field = _U16.unpack_from(data, cursor + 2)[0]
                ident = _U32.unpack_from(data, cursor + 4)[0]
                nxt, cursor = data[cursor], cursor + 8
                if len(data) >= end:
                    self._fragment((6, src, dst, nxt, ident), field & 0xFFF8, bool(field & 1),
                                   data[cursor:end], nxt, src, dst, cursor - offset, depth)
                    return
                if field & 0xFFF8:
                    return                     # a cut-off later fragment: nothing to read in it
                break
            else:
                break
        self._transport(nxt, src, dst, data[cursor:end], end - offset, (), depth)

    # Fragments the capture cut short cannot be reassembled; like Wireshark, the first one is
    # read on its own (its IKE header is there) and the later ones are skipped.

    def _fragment(self, key: tuple, frag_offset: int, more: bool, payload: bytes, protocol: int,
                  src: bytes, dst: bytes, header_length: int, depth: int) -> None:
        if protocol == PROTO_ESP:
            if frag_offset == 0 and len(payload) >= 4:  # the SPI is in the first fragment: count it there
                self._count(self.esp, src + dst + payload[:4])
            return
        if protocol not in REASSEMBLED:
            return
        self.stats.fragments += 1
        if protocol == PROTO_UDP and frag_offset == 0 and len(payload) >= 4:
            sport, dport = _U16.unpack_from(payload, 0)[0], _U16.unpack_from(payload, 2)[0]
            if sport not in self.watched_ports and dport not in self.watched_ports:
                self.reassembler.discard(key, self.time)
                return
        meta = (protocol, src, dst, header_length, depth)
        self._whole(self.reassembler.add(key, frag_offset, more, payload, self.frame, self.time, meta))

    def _whole(self, whole: Reassembled | None) -> None:
        if whole is None:
            return
        self.stats.reassembled += 1
        self.frame, self.time = whole.frame, whole.time
        if whole.overlap:
            self.stats.note(f"frame {self.frame}: overlapping IP fragments; the first copy of each byte was used")
        protocol, src, dst, header_length, depth = whole.meta
        self._transport(protocol, src, dst, whole.payload, header_length + len(whole.payload), whole.frames, depth)

    def adopt(self, open_sets: dict[tuple, OpenSet], frame_offset: int) -> None:
        """Merge fragment sets a partial read of the same file left open (see ``extract``)."""
        for key, other in open_sets.items():
            self._whole(self.reassembler.merge(key, other, frame_offset))

    def _lost(self, lost: Lost) -> None:
        self.stats.incomplete_fragments += 1
        if lost.bound:
            self.stats.note(f"IP fragment reassembly hit a bound ({lost.reason}); such sets are dropped")
        _, src, dst, protocol, _ = lost.key
        if protocol != PROTO_UDP or lost.first is None or len(self.lost_fragments) >= MAX_RECORDS:
            return
        start = self._ike_start(lost.first)
        if start is None or start[2] is None:
            return                             # not IKE, or ESP-in-UDP
        sport, dport, ike = start
        self.lost_fragments.append(LostFragments(
            file=self.file, frames=lost.frames, time=lost.time, src=address(src), dst=address(dst),
            sport=sport, dport=dport, ispi=ike[:8] if len(ike) >= 8 else None,
            received=lost.received, total=lost.total, reason=lost.reason,
        ))

    def _ike_start(self, udp: bytes) -> tuple[int, int, bytes | None] | None:
        """Ports and the IKE bytes at the start of a UDP datagram, told apart the way ``_udp``
        does (the IKE bytes are None for ESP-in-UDP); None when it is not IKE's at all."""
        if len(udp) < 8:
            return None
        sport, dport, _ = _UDP.unpack_from(udp, 0)
        ike = udp[8:]
        if NAT_T_PORT in (sport, dport):
            return (sport, dport, ike[4:]) if ike[:4] == NON_ESP_MARKER else (sport, dport, None)
        if sport not in self.ike_ports and dport not in self.ike_ports:
            return None
        if ike[:4] == NON_ESP_MARKER and (sport in self.extra_ports or dport in self.extra_ports):
            ike = ike[4:]
        return sport, dport, ike

    # --- transport ----------------------------------------------------------------------

    def _transport(self, protocol: int, src: bytes, dst: bytes, payload: bytes, ip_length: int,
                   fragments: tuple[int, ...], depth: int) -> None:
        if protocol == PROTO_UDP:
            self._udp(src, dst, payload, ip_length, fragments, depth)
        elif protocol == PROTO_ESP:
            if len(payload) >= 4:
                self._count(self.esp, src + dst + payload[:4])
        elif protocol in (PROTO_ICMP, PROTO_ICMPV6):
            self._icmp(4 if protocol == PROTO_ICMP else 6, src, dst, payload)
        elif protocol == PROTO_GRE:
            self._gre(payload, depth + 1)
        elif protocol in (PROTO_IPIP, PROTO_IPV6):
            self._ip(payload, 0, depth + 1)

    def _count(self, table: dict[bytes, list], key: bytes) -> None:
        entry = table.get(key)
        if entry is None:
            if len(table) >= MAX_FLOWS:
                self.stats.esp_unflowed += 1
                return
            table[key] = [1, self.frame, self.time, self.frame, self.time]
        else:
            entry[0] += 1
            entry[3] = self.frame
            entry[4] = self.time

    def _udp(self, src: bytes, dst: bytes, segment: bytes, ip_length: int,
             fragments: tuple[int, ...], depth: int) -> None:
        if len(segment) < 8:
            return
        sport, dport, length = _UDP.unpack_from(segment, 0)
        if sport not in self.watched_ports and dport not in self.watched_ports:
            return
        if length < 8:
            length = len(segment)
        data = segment[8:length]
        truncated = len(data) < length - 8
        if VXLAN_PORT == dport and len(data) >= 8 and data[0] & 0x08:
            self._ethernet(data, 8, depth + 1)          # RFC 7348: 8-byte header, I flag set
            return
        marker = False
        if NAT_T_PORT in (sport, dport):
            if data == KEEPALIVE:
                self._keepalive(address(src), address(dst), sport, dport)
                return
            if data[:4] != NON_ESP_MARKER:
                if len(data) >= 8:                      # RFC 3948: ESP-in-UDP, SPI first
                    self._count(self.esp_udp, src + dst + segment[:4] + data[:4])
                return
            data, marker = data[4:], True
        elif sport not in self.ike_ports and dport not in self.ike_ports:
            return
        elif data[:4] == NON_ESP_MARKER and (sport in self.extra_ports or dport in self.extra_ports):
            data, marker = data[4:], True               # a --port the operator floated IKE to
        if not data:
            return
        self.stats.ike_datagrams += 1
        self.on_datagram(Datagram(
            file=self.file, frame=self.frame, time=self.time, src=address(src), dst=address(dst),
            sport=sport, dport=dport, payload=bytes(data), marker=marker, ip_length=ip_length,
            fragments=fragments, truncated=truncated or (self.truncated and not fragments), ttl=self.ttl,
        ))

    def _keepalive(self, src: str, dst: str, sport: int, dport: int) -> None:
        key = (src, dst, sport, dport)
        flow = self.keepalives.get(key)
        if flow is None:
            if len(self.keepalives) >= MAX_FLOWS:
                self.stats.keepalives_unflowed += 1
                return
            flow = self.keepalives[key] = KeepaliveFlow(src, dst, sport, dport, file=self.file,
                                                        first_frame=self.frame, first_time=self.time)
        flow.packets += 1
        flow.last_frame = self.frame
        flow.last_time = self.time

    def _gre(self, data: bytes, depth: int) -> None:
        if depth > MAX_DEPTH or len(data) < 4:
            return
        flags, protocol = _U16.unpack_from(data, 0)[0], _U16.unpack_from(data, 2)[0]
        if flags & 0x0007:                              # version 1 is PPTP's enhanced GRE
            return
        offset = 4 + 4 * sum(1 for bit in (0x8000, 0x2000, 0x1000) if flags & bit)   # checksum, key, sequence
        if protocol in (linktypes.ETH_IPV4, linktypes.ETH_IPV6):
            self._ip(data, offset, depth)
        elif protocol == linktypes.ETH_TEB:
            self._ethernet(data, offset, depth)
        elif protocol == linktypes.ETH_ERSPAN_2:
            # ERSPAN type I has no sequence number and no header; type II has both (8 bytes).
            self._ethernet(data, offset + (8 if flags & 0x1000 else 0), depth)
        elif protocol == linktypes.ETH_ERSPAN_3 and len(data) >= offset + 12:
            optional = data[offset + 11] & 0x01         # O flag: 8-byte platform subheader follows
            self._ethernet(data, offset + 12 + (8 if optional else 0), depth)

    # --- ICMP -------------------------------------------------------------------------

    def _icmp(self, version: int, src: bytes, dst: bytes, message: bytes) -> None:
        if len(message) < 8:
            return
        icmp_type, code = message[0], message[1]
        description = icmp.describe(version, icmp_type, code)
        if description is None:
            return
        quoted = self._quoted(message[8:])
        if quoted is None or len(self.icmp_errors) >= MAX_RECORDS:
            return
        mtu = None
        if (version, icmp_type, code) in icmp.MTU_ERRORS:
            mtu = _U32.unpack_from(message, 4)[0] & (0xFFFF if version == 4 else 0xFFFFFFFF)
        self.icmp_errors.append(IcmpError(
            file=self.file, frame=self.frame, time=self.time, src=address(src), dst=address(dst),
            ip_version=version, icmp_type=icmp_type, icmp_code=code, description=description,
            mtu=mtu, quoted=quoted,
        ))

    def _quoted(self, data: bytes) -> QuotedDatagram | None:
        """The quoted datagram's addresses and ports, when it was IKE or ESP; else None."""
        if not data:
            return None
        if data[0] >> 4 == 4 and len(data) >= 20:
            ihl = (data[0] & 0x0F) * 4
            protocol, src, dst, rest = data[9], data[12:16], data[16:20], data[ihl:]
        elif data[0] >> 4 == 6 and len(data) >= 40:
            protocol, src, dst, rest = data[6], data[8:24], data[24:40], data[40:]
        else:
            return None
        if protocol == PROTO_ESP:
            return QuotedDatagram(address(src), address(dst), protocol, None, None, None)
        start = self._ike_start(rest) if protocol == PROTO_UDP else None
        if start is None:
            return None
        sport, dport, ike = start
        ispi = ike[:8] if ike is not None and len(ike) >= 8 else None
        return QuotedDatagram(address(src), address(dst), protocol, sport, dport, ispi)

    # --- results ------------------------------------------------------------------------

    def esp_flows(self) -> list[EspFlow]:
        flows = []
        for encapsulated, table in ((False, self.esp), (True, self.esp_udp)):
            for key, (packets, first_frame, first_time, last_frame, last_time) in table.items():
                if encapsulated:
                    addr_len = (len(key) - 8) // 2
                    ports = key[2 * addr_len:2 * addr_len + 4]
                    sport, dport = _U16.unpack_from(ports, 0)[0], _U16.unpack_from(ports, 2)[0]
                else:
                    addr_len = (len(key) - 4) // 2
                    sport = dport = None
                flows.append(EspFlow(
                    src=address(key[:addr_len]), dst=address(key[addr_len:2 * addr_len]),
                    spi=_U32.unpack_from(key, len(key) - 4)[0], encapsulated=encapsulated,
                    sport=sport, dport=dport, packets=packets,
                    first_file=self.file, first_frame=first_frame, first_time=first_time,
                    last_frame=last_frame, last_time=last_time,
                ))
        flows.sort(key=lambda f: (f.first_frame, f.spi))
        return flows
