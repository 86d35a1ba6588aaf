"""The reader on every format, link type, encapsulation and IP feature it claims to handle.

Each test builds its capture with ``ikepcap.synth`` (frames laid out from the RFCs), reads
it back and checks frame numbers, addresses and the counters the diagnosis relies on.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from ikepcap.read.capture import read_capture
from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import PROTO_ESP, PROTO_GRE, PROTO_ICMP, PROTO_ICMPV6, PROTO_UDP
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap, write_pcapng

A, B = "192.0.2.10", "198.51.100.20"
A6, B6 = "2001:db8::a", "2001:db8:1::b"
ISPI = bytes.fromhex("1122334455667788")
MM1 = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, bytes.fromhex("4a131c81070358455c5728f20e95452f"))])
T0 = 1_700_000_000.0


def read(path: Path, ports: frozenset[int] = frozenset()) -> tuple[list, FrameDecoder]:
    found: list = []
    decoder = read_capture(str(path), found.append, ports)
    return found, decoder


def ike_frame(src: str = A, dst: str = B, sport: int = 500, dport: int = 500, payload: bytes = MM1, **kw) -> bytes:
    ethertype = packets.ETH_IPV6 if ":" in src else packets.ETH_IPV4
    return packets.ethernet(packets.ip_udp(src, dst, sport, dport, payload), ethertype, **kw)


def tcp_noise(n: int) -> bytes:
    segment = struct.pack("!HHIIBBHHH", 443, 50000 + n, n, 0, 0x50, 0x10, 1024, 0, 0) + b"x" * 40
    return packets.ethernet(packets.ipv4("203.0.113.1", "203.0.113.2", 6, segment, ident=n))


# --- formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("nanosecond", [False, True])
@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize("compress", [False, True])
def test_pcap_variants_keep_frame_numbers_and_times(tmp_path, nanosecond, big_endian, compress):
    frames = [Frame(T0, tcp_noise(1)), Frame(T0 + 0.25, ike_frame()), Frame(T0 + 0.5, tcp_noise(2)),
              Frame(T0 + 1.000000123, ike_frame(B, A))]
    path = tmp_path / "c.pcap"
    write_pcap(path, frames, nanosecond=nanosecond, big_endian=big_endian, compress=compress)
    found, decoder = read(path)
    assert [(d.frame, d.src, d.dst) for d in found] == [(2, A, B), (4, B, A)]
    assert found[0].time == pytest.approx(T0 + 0.25, abs=1e-6)
    assert found[1].time == pytest.approx(T0 + 1.000000123, abs=1e-6)
    assert found[0].payload == MM1 and not found[0].marker
    assert decoder.stats.frames == 4
    assert "gzip" in decoder.stats.format if compress else "gzip" not in decoder.stats.format


def test_pcapng_two_interfaces_with_own_link_types_and_resolutions(tmp_path):
    raw_ip = packets.ip_udp(B, A, 500, 500, MM1)
    frames = [Frame(T0, ike_frame(), interface=0), Frame(T0 + 0.5, tcp_noise(1), interface=0),
              Frame(T0 + 0.123456789, raw_ip, interface=1)]
    path = tmp_path / "c.pcapng"
    write_pcapng(path, [(1, 6), (101, 9)], frames)
    found, decoder = read(path)
    assert [(d.frame, d.src) for d in found] == [(1, A), (3, B)]
    assert found[1].time == pytest.approx(T0 + 0.123456789, abs=1e-6)   # a float epoch holds ~0.2 µs
    assert decoder.stats.link_types == {1: 2, 101: 1}


def test_pcapng_big_endian_and_gzip(tmp_path):
    path = tmp_path / "c.pcapng.gz"
    write_pcapng(path, [(1, 6)], [Frame(T0, tcp_noise(1)), Frame(T0 + 1, ike_frame())], big_endian=True, compress=True)
    found, _ = read(path)
    assert [d.frame for d in found] == [2]


def test_pcapng_unknown_blocks_are_skipped_not_counted(tmp_path):
    path = tmp_path / "c.pcapng"
    write_pcapng(path, [(1, 6)], [Frame(T0, ike_frame())])
    data = path.read_bytes()
    custom = struct.pack("<II", 0x00000BAD, 16) + b"\x00" * 4 + struct.pack("<I", 16)
    idb_end = 28 + 32                                       # SHB (28) + IDB with two options (32)
    path.write_bytes(data[:idb_end] + custom + data[idb_end:])
    found, decoder = read(path)
    assert [d.frame for d in found] == [1] and decoder.stats.frames == 1


# --- link layers ------------------------------------------------------------------------------

LINK_CASES = {
    "802.1Q": (1, lambda ip: packets.ethernet(ip, vlans=((0x8100, 42),))),
    "QinQ 802.1ad": (1, lambda ip: packets.ethernet(ip, vlans=((0x88A8, 100), (0x8100, 42)))),
    "old QinQ 0x9100": (1, lambda ip: packets.ethernet(ip, vlans=((0x9100, 100), (0x8100, 42)))),
    "SLL": (113, lambda ip: packets.sll(ip)),
    "SLL2": (276, lambda ip: packets.sll2(ip)),
    "raw": (101, lambda ip: ip),
    "raw IPv4": (228, lambda ip: ip),
    "null little-endian": (0, lambda ip: packets.null(ip)),
    "null big-endian": (0, lambda ip: packets.null(ip, byte_order=">")),
    "OpenBSD loop": (108, lambda ip: packets.null(ip, byte_order=">")),
}


@pytest.mark.parametrize("case", sorted(LINK_CASES))
def test_link_types(tmp_path, case):
    link_type, wrap = LINK_CASES[case]
    frames = [Frame(T0, wrap(packets.ip_udp(A, B, 500, 500, MM1)))]
    path = tmp_path / "c.pcap"
    write_pcap(path, frames, link_type=link_type)
    found, _ = read(path)
    assert [(d.frame, d.src, d.dst, d.payload) for d in found] == [(1, A, B, MM1)]


def test_raw_ipv6_link_type(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, packets.ip_udp(A6, B6, 500, 500, MM1))], link_type=229)
    found, _ = read(path)
    assert [(d.src, d.dst) for d in found] == [(A6, B6)]


def test_unknown_link_type_is_an_error(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, b"\x00" * 60)], link_type=147)
    with pytest.raises(CaptureError, match="link type 147 is not supported"):
        read(path)


# --- encapsulations ---------------------------------------------------------------------------

def _outer(inner: bytes) -> bytes:
    return packets.ethernet(packets.ipv4("203.0.113.5", "203.0.113.6", PROTO_GRE, inner))


ENCAPSULATIONS = {
    "GRE with IPv4": lambda: _outer(packets.gre(packets.ip_udp(A, B, 500, 500, MM1), 0x0800, key=7)),
    "GRE bridging": lambda: _outer(packets.gre(ike_frame(), 0x6558)),
    "ERSPAN I": lambda: _outer(packets.gre(ike_frame(), 0x88BE)),
    "ERSPAN II": lambda: _outer(packets.erspan2(ike_frame(), sequence=5)),
    "ERSPAN III": lambda: _outer(packets.erspan3(ike_frame())),
    "ERSPAN III + platform": lambda: _outer(packets.erspan3(ike_frame(), platform=b"\x01" * 8)),
    "VXLAN": lambda: packets.ethernet(packets.ip_udp("203.0.113.5", "203.0.113.6", 49152, 4789,
                                                      packets.vxlan(ike_frame(vlans=((0x8100, 5),)), 100))),
}


@pytest.mark.parametrize("case", sorted(ENCAPSULATIONS))
def test_remote_span_encapsulations(tmp_path, case):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, tcp_noise(0)), Frame(T0 + 1, ENCAPSULATIONS[case]())])
    found, _ = read(path)
    assert [(d.frame, d.src, d.dst, d.payload) for d in found] == [(2, A, B, MM1)]


def test_ipv6_extension_headers(tmp_path):
    segment = packets.udp(A6, B6, 500, 500, MM1)
    ip = packets.ipv6(A6, B6, PROTO_UDP, segment, extensions=((0, b"\x01\x04\x00\x00\x00\x00"),
                                                                       (60, b"\x01\x04\x00\x00\x00\x00")))
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, packets.ethernet(ip, packets.ETH_IPV6))])
    found, _ = read(path)
    assert [(d.src, d.dst, d.payload) for d in found] == [(A6, B6, MM1)]


# --- IP fragments -----------------------------------------------------------------------------

BIG = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, bytes(range(256)) * 8)])


def _fragments(order: list[int], mtu: int = 576, ident: int = 0x1234) -> list[Frame]:
    pieces = packets.fragment_ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, BIG), mtu, ident)
    return [Frame(T0 + i * 0.001, packets.ethernet(pieces[index])) for i, index in enumerate(order)]


def test_ipv4_reassembly_in_and_out_of_order(tmp_path):
    count = len(_fragments([0, 1, 2, 3]))
    for order in (list(range(count)), list(reversed(range(count)))):
        path = tmp_path / "c.pcap"
        write_pcap(path, [Frame(T0 - 1, tcp_noise(0))] + _fragments(order))
        found, decoder = read(path)
        (datagram,) = found
        assert datagram.payload == BIG
        assert datagram.frame == count + 1                       # the frame that completed it
        assert datagram.fragments == tuple(order.index(i) + 2 for i in range(count))  # in offset order
        assert datagram.ip_length == 20 + 8 + len(BIG)
        assert decoder.stats.reassembled == 1


def test_ipv4_duplicate_fragment_does_not_break_reassembly(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, _fragments([0, 0, 1, 2, 3]))
    found, _ = read(path)
    assert [d.payload for d in found] == [BIG]


def test_lost_fragments_are_reported_with_their_frames(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, _fragments([0, 2]))                        # fragment 2 never arrives
    found, decoder = read(path)
    assert found == []
    (lost,) = decoder.lost_fragments
    assert (lost.frames, lost.src, lost.dst, lost.sport, lost.dport, lost.ispi) == ((1, 2), A, B, 500, 500, ISPI)
    assert lost.reason == "still incomplete at the end of the capture"


def test_ipv6_reassembly(tmp_path):
    pieces = packets.fragment_ipv6(A6, B6, PROTO_UDP, packets.udp(A6, B6, 500, 500, BIG), 1280, 99)
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0 + i, packets.ethernet(p, packets.ETH_IPV6)) for i, p in enumerate(pieces)])
    found, _ = read(path)
    (datagram,) = found
    assert datagram.payload == BIG and datagram.fragments == tuple(range(1, len(pieces) + 1))


def test_snaplen_cut_first_fragment_is_read_on_its_own(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, _fragments([0, 1, 2, 3]), snaplen=96)
    found, decoder = read(path)
    (datagram,) = found
    assert datagram.frame == 1 and datagram.truncated and datagram.payload == BIG[:96 - 14 - 20 - 8]
    assert decoder.stats.truncated_frames == 4


# --- UDP 4500, ESP, ICMP ------------------------------------------------------------------------

def test_nat_t_port_marker_keepalive_and_esp_in_udp(tmp_path):
    frames = [
        Frame(T0, ike_frame(sport=4500, dport=4500, payload=b"\x00\x00\x00\x00" + MM1)),
        Frame(T0 + 1, ike_frame(sport=4500, dport=4500, payload=b"\xff")),
        Frame(T0 + 2, ike_frame(sport=4500, dport=4500, payload=b"\xff")),
        Frame(T0 + 3, ike_frame(sport=4500, dport=4500, payload=bytes.fromhex("c0ffee01") + b"\x00" * 40)),
        Frame(T0 + 4, ike_frame(B, A, sport=4500, dport=4500, payload=bytes.fromhex("c0ffee02") + b"\x00" * 40)),
    ]
    path = tmp_path / "c.pcap"
    write_pcap(path, frames)
    found, decoder = read(path)
    assert [(d.frame, d.marker, d.payload) for d in found] == [(1, True, MM1)]
    (keepalive,) = decoder.keepalives.values()
    assert (keepalive.packets, keepalive.first_frame, keepalive.last_frame) == (2, 2, 3)
    flows = decoder.esp_flows()
    assert [(f.src, f.dst, hex(f.spi), f.encapsulated, f.sport, f.packets) for f in flows] == [
        (A, B, "0xc0ffee01", True, 4500, 1), (B, A, "0xc0ffee02", True, 4500, 1)]


def test_native_esp_counted_per_spi_and_direction_on_fast_and_careful_paths(tmp_path):
    def esp(src, dst, spi, seq, vlans=()):
        payload = struct.pack("!II", spi, seq) + b"\x00" * 32
        if ":" in src:
            return packets.ethernet(packets.ipv6(src, dst, PROTO_ESP, payload), packets.ETH_IPV6, vlans=vlans)
        return packets.ethernet(packets.ipv4(src, dst, PROTO_ESP, payload), vlans=vlans)
    frames = [Frame(T0 + i, esp(A, B, 0x1001, i)) for i in range(3)]
    frames += [Frame(T0 + 10, esp(B, A, 0x2002, 1, vlans=((0x8100, 9),)))]     # careful path (tagged)
    frames += [Frame(T0 + 11, esp(A6, B6, 0x3003, 1))]
    path = tmp_path / "c.pcap"
    write_pcap(path, frames)
    _, decoder = read(path)
    flows = decoder.esp_flows()
    assert [(f.src, f.dst, f.spi, f.packets, f.first_frame, f.last_frame) for f in flows] == [
        (A, B, 0x1001, 3, 1, 3), (B, A, 0x2002, 1, 4, 4), (A6, B6, 0x3003, 1, 5, 5)]
    assert flows[0].last_time == pytest.approx(T0 + 2)


def test_icmp_errors_quoting_ike(tmp_path):
    quoted = packets.ip_udp(A, B, 500, 500, MM1)
    unreachable = packets.ipv4(B, A, PROTO_ICMP, struct.pack("!BBHI", 3, 3, 0, 0) + quoted)
    quoted6 = packets.ip_udp(A6, B6, 4500, 4500, b"\x00\x00\x00\x00" + MM1)
    too_big = packets.ipv6("2001:db8:ffff::1", A6, PROTO_ICMPV6, struct.pack("!BBHI", 2, 0, 0, 1280) + quoted6)
    other = packets.ipv4(B, A, PROTO_ICMP, struct.pack("!BBHI", 3, 3, 0, 0) +
                         packets.ip_udp(A, B, 53, 53, b"dns"))
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, packets.ethernet(unreachable)), Frame(T0 + 1, packets.ethernet(too_big, 0x86DD)),
                      Frame(T0 + 2, packets.ethernet(other))])
    _, decoder = read(path)
    first, second = decoder.icmp_errors
    assert (first.frame, first.src, first.description, first.quoted.dport, first.quoted.ispi) == \
        (1, B, "destination unreachable: port unreachable", 500, ISPI)
    assert (second.frame, second.description, second.mtu, second.quoted.sport, second.quoted.ispi) == \
        (2, "packet too big", 1280, 4500, ISPI)


def test_extra_port(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, ike_frame(sport=10500, dport=10500)),
                      Frame(T0 + 1, ike_frame(sport=14500, dport=14500, payload=b"\x00" * 4 + MM1))])
    assert read(path)[0] == []
    found, _ = read(path, frozenset({10500, 14500}))
    assert [(d.frame, d.marker, d.payload) for d in found] == [(1, False, MM1), (2, True, MM1)]


# --- damaged files ------------------------------------------------------------------------------

def test_truncated_last_record_keeps_what_came_before(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, ike_frame()), Frame(T0 + 1, ike_frame(B, A))])
    path.write_bytes(path.read_bytes()[:-10])
    found, decoder = read(path)
    assert [d.frame for d in found] == [1]
    assert decoder.stats.frames == 1
    assert "the capture was cut off" in decoder.stats.warnings[0]


def test_corrupt_record_length_stops_with_a_warning(tmp_path):
    path = tmp_path / "c.pcap"
    write_pcap(path, [Frame(T0, ike_frame()), Frame(T0 + 1, ike_frame(B, A))])
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 24 + 16 + len(ike_frame()) + 8, 0x7FFFFFFF)
    path.write_bytes(bytes(data))
    found, decoder = read(path)
    assert [d.frame for d in found] == [1]
    assert "claims 2147483647 bytes" in decoder.stats.warnings[0]


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"\xd4\xc3\xb2\xa1\x02\x00", "pcap global header is truncated"),
    (b"hello, this is not a capture", "not a pcap or pcapng capture"),
    (b"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x00\x00\x00\x00", "no valid byte-order magic"),
    (gzip.compress(b"")[:12], "gzip"),
])
def test_unreadable_files(tmp_path, content, reason):
    path = tmp_path / "bad.pcap"
    path.write_bytes(content)
    with pytest.raises(CaptureError, match=reason) as error:
        read(path)
    assert str(error.value).startswith(str(path))
    assert "\n" not in str(error.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CaptureError, match="no such file"):
        read(tmp_path / "nope.pcap")
    with pytest.raises(CaptureError, match="is a directory"):
        read(tmp_path)


def mixed_frames(count: int) -> list[Frame]:
    """Every kind of frame the sift tells apart, some cut short by a snaplen, in seeded order."""
    import random

    rng = random.Random(7)
    frames = []
    for n in range(count):
        kind = rng.randrange(9)
        if kind == 0:
            data = ike_frame(payload=ike.message(n.to_bytes(8, "big"), bytes(8), 2, [(ike.V1_VID, b"v" * 16)]))
        elif kind == 1:
            data = ike_frame(A6, B6, sport=4500, dport=4500, payload=b"\x00" * 4 + MM1)
        elif kind == 2:
            data = packets.ethernet(packets.ipv4(A, B, PROTO_ESP,
                                                 struct.pack("!II", 0x100 + n % 3, n) + b"x" * 30))
        elif kind == 3:
            data = packets.ethernet(packets.ipv6(A6, B6, PROTO_ESP, struct.pack("!II", 0x200, n) + b"x" * 30),
                                    packets.ETH_IPV6)
        elif kind == 4:
            data = packets.ethernet(packets.ip_udp(A, B, 53, 33000 + n, b"dns" * 10))
        elif kind == 5:
            data = ike_frame(vlans=((0x8100, 7),))
        elif kind == 6:
            data = packets.ethernet(packets.ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, MM1),
                                                 more_fragments=True, ident=n))     # a lone first fragment
        elif kind == 7:
            data = packets.ethernet(packets.ipv6(A6, B6, 6, b"t" * 40), packets.ETH_IPV6)
        else:
            data = tcp_noise(n)
        frames.append(Frame(T0 + n * 0.001, data[:rng.choice((len(data), len(data), 40))]))
    return frames


def careful_reading(path: Path, frames: list[tuple[int, Frame]]) -> tuple[list, FrameDecoder]:
    """``frames`` (link type, frame) through FrameDecoder alone, as the careful path reads them."""
    found: list = []
    careful = FrameDecoder(str(path), found.append)
    for number, (link_type, frame) in enumerate(frames, 1):
        careful.decode(number, frame.time, link_type, frame.data, len(frame.data))
    careful.finish()
    return found, careful


def test_pre_filter_agrees_with_the_careful_path(tmp_path):
    """Every frame of a mixed capture through FrameDecoder alone must give what the scanner gives."""
    frames = mixed_frames(3000)
    path = tmp_path / "mixed.pcap"
    write_pcap(path, frames)
    scanned, decoder = read(path)
    careful_found, careful = careful_reading(path, [(1, frame) for frame in frames])
    assert [(d.frame, d.payload) for d in scanned] == [(d.frame, d.payload) for d in careful_found]
    assert decoder.esp_flows() == careful.esp_flows()
    assert [f.frames for f in decoder.lost_fragments] == [f.frames for f in careful.lost_fragments]


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcapng_feeds_the_same_sift(tmp_path, big_endian):
    """pcapng goes through the sift pcap goes through: frames of two Ethernet interfaces with
    their own timestamp resolutions are sifted, those of a raw-IP interface between them take
    the careful path, and all of it reads as FrameDecoder alone reads it."""
    frames, links = [], []
    for n, frame in enumerate(mixed_frames(2000)):
        if n % 7 == 3 and frame.data[12:14] == b"\x08\x00":  # plain IPv4 over Ethernet, again as raw IP
            frames.append(Frame(frame.time, frame.data[14:], interface=2))
            links.append(101)
        else:
            frames.append(Frame(frame.time, frame.data, interface=n % 2))
            links.append(1)
    path = tmp_path / "mixed.pcapng"
    write_pcapng(path, [(1, 6), (1, 9), (101, 6)], frames, big_endian=big_endian)
    scanned, decoder = read(path)
    careful_found, careful = careful_reading(path, list(zip(links, frames)))
    assert [(d.frame, d.src, d.payload) for d in scanned] == [(d.frame, d.src, d.payload) for d in careful_found]
    assert [d.time for d in scanned] == pytest.approx([d.time for d in careful_found], abs=1e-6)
    flows, careful_flows = decoder.esp_flows(), careful.esp_flows()
    assert [(f.spi, f.packets, f.first_frame, f.last_frame) for f in flows] == \
        [(f.spi, f.packets, f.first_frame, f.last_frame) for f in careful_flows]
    assert [f.last_time for f in flows] == pytest.approx([f.last_time for f in careful_flows], abs=1e-6)
    assert [f.frames for f in decoder.lost_fragments] == [f.frames for f in careful.lost_fragments]
    assert decoder.stats.frames == len(frames)
    assert decoder.stats.link_types == {1: links.count(1), 101: links.count(101)}
    assert decoder.stats.first_time == pytest.approx(frames[0].time, abs=1e-6)
    assert decoder.stats.last_time == pytest.approx(frames[-1].time, abs=1e-6)


def test_ttl_and_hop_limit_are_kept_and_a_tunnel_gives_its_inner_one(tmp_path):
    """The TTL says how many routers a peer's packet crossed before the capture point (the
    capture point's place, ``diagnose.capture_point``); in a tunnel or a remote span it is the
    inner packet's, which is the peers' own."""
    path = tmp_path / "c.pcap"
    v4 = packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1, ttl=61))
    v6 = packets.ethernet(packets.ip_udp(A6, B6, 500, 500, MM1, ttl=254), packets.ETH_IPV6)
    tunnel = packets.ethernet(packets.ipv4("203.0.113.5", "203.0.113.6", PROTO_GRE,
                                           packets.gre(packets.ip_udp(A, B, 500, 500, MM1, ttl=128), 0x0800),
                                           ttl=40))
    pieces = packets.fragment_ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, MM1 + bytes(600)), 300, ident=9,
                                   ttl=63)
    write_pcap(path, [Frame(T0 + n, frame) for n, frame in
                      enumerate([v4, v6, tunnel, *(packets.ethernet(p) for p in pieces)])])
    found, _ = read(path)
    assert [d.ttl for d in found] == [61, 254, 128, 63]
