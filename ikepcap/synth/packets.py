"""Frames from the link layer up: Ethernet and its tags, cooked and loopback headers, IPv4,
IPv6, UDP, IP fragmentation, and the remote-span encapsulations GRE, ERSPAN and VXLAN.

Checksums are computed where the receiving stack would check them (IPv4 header, UDP over
IPv6), so a built frame looks to Wireshark like a real one.
"""

from __future__ import annotations

import ipaddress
import struct

from ikepcap.read.model import PROTO_UDP

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD

DEFAULT_SRC_MAC = bytes.fromhex("020000000001")
DEFAULT_DST_MAC = bytes.fromhex("020000000002")


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _addr(text: str) -> bytes:
    return ipaddress.ip_address(text).packed


def ethernet(payload: bytes, ethertype: int = ETH_IPV4, vlans: tuple[tuple[int, int], ...] = (),
             src: bytes = DEFAULT_SRC_MAC, dst: bytes = DEFAULT_DST_MAC) -> bytes:
    """Ethernet II; ``vlans`` is ((tag protocol, VLAN id), ...) outermost first (802.1ad, 802.1Q)."""
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    return dst + src + tags + struct.pack("!H", ethertype) + payload


def sll(payload: bytes, protocol: int = ETH_IPV4, packet_type: int = 0) -> bytes:
    """Linux cooked capture v1 header (LINKTYPE_LINUX_SLL)."""
    return struct.pack("!HHH8sH", packet_type, 1, 6, DEFAULT_SRC_MAC + b"\x00\x00", protocol) + payload


def sll2(payload: bytes, protocol: int = ETH_IPV4, ifindex: int = 2, packet_type: int = 0) -> bytes:
    """Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2)."""
    return struct.pack("!HHIHBB8s", protocol, 0, ifindex, 1, packet_type, 6, DEFAULT_SRC_MAC + b"\x00\x00") + payload


def null(payload: bytes, family: int = 2, byte_order: str = "<") -> bytes:
    """BSD loopback header: the address family in the writing host's byte order."""
    return struct.pack(byte_order + "I", family) + payload


def ipv4(src: str, dst: str, protocol: int, payload: bytes, ident: int = 0, ttl: int = 64,
         dont_fragment: bool = False, more_fragments: bool = False, fragment_offset: int = 0,
         total_length: int | None = None) -> bytes:
    flags = (0x4000 if dont_fragment else 0) | (0x2000 if more_fragments else 0) | (fragment_offset // 8)
    length = 20 + len(payload) if total_length is None else total_length
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, ident, flags, ttl, protocol, 0, _addr(src), _addr(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(src: str, dst: str, next_header: int, payload: bytes, hop_limit: int = 64,
         extensions: tuple[tuple[int, bytes], ...] = ()) -> bytes:
    """IPv6 with extension headers given as ((their own type, body after next-header/length), ...)."""
    chain = b""
    types = [t for t, _ in extensions] + [next_header]
    for (_, body), following in zip(extensions, types[1:]):
        padded = body + b"\x00" * (-(len(body) + 2) % 8)
        chain += struct.pack("!BB", following, (len(padded) + 2) // 8 - 1) + padded
    first = types[0]
    return struct.pack("!IHBB16s16s", 6 << 28, len(chain) + len(payload), first, hop_limit,
                       _addr(src), _addr(dst)) + chain + payload


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP datagram with its checksum over the pseudo-header of ``src``/``dst``."""
    length = 8 + len(payload)
    raw = struct.pack("!HHHH", sport, dport, length, 0) + payload
    a, b = _addr(src), _addr(dst)
    if len(a) == 4:
        pseudo = a + b + struct.pack("!BBH", 0, PROTO_UDP, length)
    else:
        pseudo = a + b + struct.pack("!IxxxB", length, PROTO_UDP)
    value = checksum(pseudo + raw) or 0xFFFF
    return raw[:6] + struct.pack("!H", value) + raw[8:]


def ip_udp(src: str, dst: str, sport: int, dport: int, payload: bytes, ident: int = 0, ttl: int = 64) -> bytes:
    """An IPv4 or IPv6 packet (by the address family) carrying one UDP datagram."""
    segment = udp(src, dst, sport, dport, payload)
    if ":" in src:
        return ipv6(src, dst, PROTO_UDP, segment, hop_limit=ttl)
    return ipv4(src, dst, PROTO_UDP, segment, ident=ident, ttl=ttl)


def fragment_ipv4(src: str, dst: str, protocol: int, payload: bytes, mtu: int, ident: int,
                  ttl: int = 64) -> list[bytes]:
    """The IPv4 fragments a host with this ``mtu`` would send (RFC 791)."""
    size = (mtu - 20) // 8 * 8
    pieces = [payload[i:i + size] for i in range(0, len(payload), size)]
    return [ipv4(src, dst, protocol, piece, ident=ident, ttl=ttl, more_fragments=index < len(pieces) - 1,
                 fragment_offset=index * size) for index, piece in enumerate(pieces)]


def fragment_ipv6(src: str, dst: str, next_header: int, payload: bytes, mtu: int, ident: int,
                  hop_limit: int = 64) -> list[bytes]:
    """The IPv6 fragments (RFC 8200 §4.5) of ``payload`` for a path of this ``mtu``."""
    size = (mtu - 48) // 8 * 8
    pieces = [payload[i:i + size] for i in range(0, len(payload), size)]
    packets = []
    for index, piece in enumerate(pieces):
        field = index * size | (1 if index < len(pieces) - 1 else 0)
        fragment = struct.pack("!BBHI", next_header, 0, field, ident)
        packets.append(struct.pack("!IHBB16s16s", 6 << 28, 8 + len(piece), 44, hop_limit,
                                   _addr(src), _addr(dst)) + fragment + piece)
    return packets


def gre(payload: bytes, protocol: int, key: int | None = None, sequence: int | None = None) -> bytes:
    flags = (0x2000 if key is not None else 0) | (0x1000 if sequence is not None else 0)
    header = struct.pack("!HH", flags, protocol)
    if key is not None:
        header += struct.pack("!I", key)
    if sequence is not None:
        header += struct.pack("!I", sequence)
    return header + payload


def erspan2(frame: bytes, session: int = 1, vlan: int = 0, sequence: int = 0) -> bytes:
    """GRE (with sequence number) + ERSPAN type II header + the mirrored frame."""
    header = struct.pack("!HHI", (1 << 12) | vlan, session & 0x3FF, 0)
    return gre(header + frame, 0x88BE, sequence=sequence)


def erspan3(frame: bytes, session: int = 1, vlan: int = 0, sequence: int = 0, timestamp: int = 0,
            platform: bytes | None = None) -> bytes:
    """GRE + ERSPAN type III header (+ optional 8-byte platform subheader) + the mirrored frame."""
    o_flag = 1 if platform is not None else 0
    header = struct.pack("!HHIHH", (2 << 12) | vlan, session & 0x3FF, timestamp, 0, o_flag)
    return gre(header + (platform or b"") + frame, 0x22EB, sequence=sequence)


def vxlan(frame: bytes, vni: int) -> bytes:
    return struct.pack("!II", 0x08000000, vni << 8) + frame
