"""Faults found by reading the reader against hostile and unusual input: each one once made it
raise, lose evidence, invent evidence or grow without bound."""

from __future__ import annotations

import struct

from ikepcap.extract.native import extract, plan
from ikepcap.read import reassembly
from ikepcap.read.capture import read_capture
from ikepcap.read.linktypes import LINUX_SLL
from ikepcap.read.model import MAX_WARNINGS, PROTO_ESP, PROTO_GRE, PROTO_UDP
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap

A, B = "192.0.2.10", "198.51.100.20"
ISPI = bytes.fromhex("1122334455667788")
MM1 = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, b"v" * 16)])
BIG = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, bytes(range(256)) * 6)])
T0 = 1_700_000_000.0


def read(path):
    found = []
    return found, read_capture(str(path), found.append, frozenset())


def test_thousands_of_stacked_vlan_tags_in_a_cooked_capture(tmp_path):
    tags = struct.pack("!HH", 1, 0x8100) * 2000
    frame = packets.sll(tags + struct.pack("!HH", 1, 0x0800) + packets.ip_udp(A, B, 500, 500, MM1), 0x8100)
    path = tmp_path / "tags.pcap"
    write_pcap(path, [Frame(T0, frame)], link_type=LINUX_SLL)
    found, decoder = read(path)
    assert [d.frame for d in found] == [1]


def _pcapng(blocks: list[bytes]) -> bytes:
    shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb = struct.pack("<II", 0x0A0D0D0A, 12 + len(shb_body)) + shb_body + struct.pack("<I", 12 + len(shb_body))
    return shb + b"".join(blocks)


def _block(block_type: int, body: bytes) -> bytes:
    return struct.pack("<II", block_type, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def test_pcapng_blocks_too_short_for_their_type_end_the_file_with_a_warning(tmp_path):
    idb = _block(1, struct.pack("<HHI", 1, 0, 65535))
    epb = _block(6, struct.pack("<IIIII", 0, 0, 1, 60, 60) + bytes(60))
    for bad_type in (1, 2, 6):                       # IDB, PB, EPB with nothing after the header
        path = tmp_path / f"short-{bad_type}.pcapng"
        path.write_bytes(_pcapng([idb, epb, _block(bad_type, b"")]))
        _, decoder = read(path)
        assert decoder.stats.frames == 1
        assert any("impossible length 12" in w for w in decoder.stats.warnings)


def test_an_interface_option_running_past_its_block(tmp_path):
    option = struct.pack("<HH", 14, 8) + b"\x01\x02\x03\x04"     # if_tsoffset claims 8 bytes, has 4
    idb = _block(1, struct.pack("<HHI", 1, 0, 65535) + option)
    frame = packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1))
    epb = _block(6, struct.pack("<IIIII", 0, 0, 1, len(frame), len(frame)) + frame + bytes(-len(frame) % 4))
    path = tmp_path / "option.pcapng"
    path.write_bytes(_pcapng([idb, epb]))
    found, _ = read(path)
    assert [(d.frame, d.time) for d in found] == [(1, 1e-6)]      # no offset read from the bytes beyond


def test_a_huge_snaplen_does_not_make_the_splitter_read_gigabytes(tmp_path, monkeypatch):
    from ikepcap.extract import native
    monkeypatch.setattr(native, "SPLIT_BYTES", 1024)
    path = tmp_path / "snaplen.pcap"
    write_pcap(path, [Frame(T0 + n, packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1))) for n in range(200)],
               snaplen=0xFFFFFFFF)
    assert len(plan([str(path)], 2)) == 2
    assert [m.frame for m in extract([str(path)], jobs=2).messages] == list(range(1, 201))


def test_fragmented_traffic_that_is_not_ike_is_neither_kept_nor_reported(tmp_path):
    frames = []
    for n in range(300):                             # fragmented DNS answers: first fragment arrives first
        dns = packets.udp("203.0.113.53", A, 53, 40000 + n, b"d" * 3000)
        frames += [Frame(T0 + n * 0.01, packets.ethernet(p))
                   for p in packets.fragment_ipv4("203.0.113.53", A, PROTO_UDP, dns, 1500, n)]
    path = tmp_path / "dns.pcap"
    write_pcap(path, frames)
    _, decoder = read(path)
    decoder.finish()
    assert decoder.stats.incomplete_fragments == 0 and decoder.lost_fragments == []
    assert not decoder.stats.warnings


def test_fragmented_esp_is_counted_and_fragmented_tunnels_are_reassembled(tmp_path):
    esp = struct.pack("!II", 0xC0FFEE, 1) + b"e" * 3000
    mirrored = packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1))
    erspan = packets.erspan2(mirrored + b"\x00" * 1400)   # a full-size mirrored frame: the GRE packet fragments
    frames = [Frame(T0, packets.ethernet(p)) for p in packets.fragment_ipv4(A, B, PROTO_ESP, esp, 1500, 7)]
    frames += [Frame(T0 + 1, packets.ethernet(p))
               for p in packets.fragment_ipv4("203.0.113.1", "203.0.113.2", PROTO_GRE, erspan, 1500, 8)]
    path = tmp_path / "tunnels.pcap"
    write_pcap(path, frames)
    found, decoder = read(path)
    assert [(f.spi, f.packets) for f in decoder.esp_flows()] == [(0xC0FFEE, 1)]
    assert [(d.src, d.payload[:8]) for d in found] == [(A, ISPI)]


def test_lost_fragments_of_vxlan_or_esp_in_udp_are_not_lost_ike(tmp_path):
    esp_in_udp = packets.udp(A, B, 4500, 4500, struct.pack("!II", 0xABCDEF01, 9) + b"x" * 3000)
    vxlan = packets.udp(A, B, 50000, 4789, packets.vxlan(b"\x00" * 3000, 5))
    ike_big = packets.udp(A, B, 500, 500, BIG)
    frames = []
    for ident, segment in ((1, esp_in_udp), (2, vxlan), (3, ike_big)):
        first = packets.fragment_ipv4(A, B, PROTO_UDP, segment, 576, ident)[0]
        frames.append(Frame(T0 + ident, packets.ethernet(first)))   # only the first fragment arrives
    path = tmp_path / "lost.pcap"
    write_pcap(path, frames)
    _, decoder = read(path)
    decoder.finish()
    assert [(f.sport, f.ispi) for f in decoder.lost_fragments] == [(500, ISPI)]


def test_a_corrupt_record_length_is_reported_alike_on_every_link_type(tmp_path):
    from ikepcap.read.linktypes import RAW
    filler = packets.ipv4("203.0.113.1", "203.0.113.2", 6, bytes(1400))
    for link_type, wrap in ((1, packets.ethernet), (RAW, lambda ip: ip)):
        path = tmp_path / f"corrupt-{link_type}.pcap"         # long enough to hold the bogus record
        write_pcap(path, [Frame(T0 + n, wrap(packets.ip_udp(A, B, 500, 500, MM1))) for n in range(5)]
                   + [Frame(T0 + 9, wrap(filler))] * 13000, link_type=link_type)
        data = bytearray(path.read_bytes())
        record = 24 + 3 * (16 + len(wrap(packets.ip_udp(A, B, 500, 500, MM1))))
        struct.pack_into("<II", data, record + 8, 17 * 1024 * 1024, 17 * 1024 * 1024)
        path.write_bytes(bytes(data))
        found, decoder = read(path)
        assert [d.frame for d in found] == [1, 2, 3]
        assert any("record after frame 3 claims 17825792 bytes" in w for w in decoder.stats.warnings)


def test_pending_fragments_stay_within_the_byte_bound(monkeypatch):
    monkeypatch.setattr(reassembly, "MAX_PENDING_BYTES", 10_000)
    lost = []
    r = reassembly.Reassembler(lost.append)
    for round_ in range(20):                         # 50 sets growing together, none ever complete
        for ident in range(50):
            r.add((4, b"a", b"b", 17, ident), round_ * 1000, True, b"x" * 1000, round_ * 50 + ident, T0)
            assert r._bytes <= 10_000
    assert lost and all(item.bound for item in lost)


def test_warnings_a_file_repeats_are_bounded(tmp_path):
    frames = []
    for n in range(MAX_WARNINGS + 50):               # overlapping fragments, each set its own warning
        pieces = packets.fragment_ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, BIG), 576, n)
        frames += [Frame(T0 + n, packets.ethernet(p)) for p in pieces[:1] + pieces]
    path = tmp_path / "overlap.pcap"
    write_pcap(path, frames)
    found, decoder = read(path)
    assert len(found) == MAX_WARNINGS + 50
    assert len(decoder.stats.warnings) == MAX_WARNINGS and decoder.stats.unlisted == 50
    assert decoder.stats.all_warnings()[-1] == "and 50 more warning(s) about this file, not listed"
