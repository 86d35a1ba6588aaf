"""The compiled sift reads every capture exactly as the Python one does: the same messages
(frame numbers, times, addresses, bytes), ESP and keepalive counts, ICMP errors, warnings and
file counters, over captures/, ../shared/corpus, a span capture written in every byte order
and format the sift takes, and random mutations of it. When a C compiler is there, the
install must have built it: the suite then runs on the compiled reader."""

from __future__ import annotations

import os
import random
import shutil
import struct
import sys
from pathlib import Path

import pytest
from conftest import REPO, bench_span, capture_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ikepcap.extract.native import extract
from ikepcap.read import prefilter
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.linktypes import ETHERNET
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap, write_pcapng

sys.path.insert(0, str(REPO / "fuzz"))
from targets import reading, uncut, unsifted  # noqa: E402  (fuzz/ is a folder of scripts; its harness compares the same)

needs_compiled = pytest.mark.skipif(prefilter.compiled is None, reason="the compiled sift is not built")


def test_the_compiled_sift_is_built_where_a_compiler_is():
    if os.environ.get("IKEPCAP_READER") == "python" or not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("the Python reader was asked for, or there is no C compiler")
    assert prefilter.compiled is not None, "pip install did not build ikepcap/read/_sift.pyx"


def _reading(path: Path) -> tuple:
    return reading(extract([str(path)], jobs=1))


def _both(path: Path, monkeypatch) -> tuple[tuple, tuple]:
    compiled = _reading(path)
    with monkeypatch.context() as patch:
        patch.setattr(prefilter, "compiled", None)
        python = _reading(path)
    return compiled, python


def _unsifted(path: Path, ports: frozenset[int] = frozenset()) -> tuple:
    with unsifted():
        return reading(extract([str(path)], ports, jobs=1))


@needs_compiled
def test_every_capture_reads_the_same_both_ways(monkeypatch):
    differ = []
    for path in capture_files():
        compiled, python = _both(path, monkeypatch)
        if compiled != python or uncut(_unsifted(path)) != uncut(compiled):
            differ.append(path.name)
    assert not differ, differ


def _span_frames(tmp_path: Path, frames: int) -> list[Frame]:
    """The bench's span capture (TCP, UDP on other ports, ESP, IKE on 500 and 4500, IP
    fragments, IPv6), as frames to be written again in other byte orders and formats."""
    span = bench_span()
    path = tmp_path / "span.pcap"
    span.build(path, frames)
    sys.path.insert(0, str(REPO / "tests" / "hostile"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "tests" / "hostile"))
    link_type, read = generate.pcap_frames(path)
    assert link_type == ETHERNET
    return read


@needs_compiled
@pytest.mark.parametrize("form", ["pcap", "pcap-big-endian-ns", "pcapng", "pcapng-big-endian"])
def test_a_span_capture_reads_the_same_in_every_form(tmp_path, monkeypatch, form):
    frames = _span_frames(tmp_path, 20_000)
    path = tmp_path / f"span-{form}"
    if form.startswith("pcapng"):
        write_pcapng(path, [(ETHERNET, 6), (ETHERNET, 9)],
                     [Frame(f.time, f.data, f.wire_length, interface=i % 2) for i, f in enumerate(frames)],
                     big_endian="big" in form)
    else:
        write_pcap(path, frames, big_endian="big" in form, nanosecond=form.endswith("ns"))
    compiled, python = _both(path, monkeypatch)
    assert compiled[0] and compiled[1]                  # IKE messages and ESP flows: the loop did its work
    assert compiled == python
    assert uncut(_unsifted(path)) == uncut(compiled)


@needs_compiled
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([0.001, 0.01, 0.05]))
def test_mutated_captures_read_the_same_both_ways(tmp_path_factory, monkeypatch, seed, rate):
    """Bytes flipped anywhere: in record heads (impossible lengths, the careful loop's turn),
    EtherTypes, IP headers, ports. Both sifts read them as FrameDecoder alone does."""
    folder = tmp_path_factory.mktemp("mutated")
    base = folder / "base.pcap"
    write_pcap(base, _SPAN_SAMPLE or _sample(folder))
    data = bytearray(base.read_bytes())
    rng = random.Random(seed)
    for _ in range(max(1, int(len(data) * rate / 100))):
        data[rng.randrange(24, len(data))] = rng.randrange(256)
    path = folder / "mutated.pcap"
    path.write_bytes(bytes(data))
    compiled, python = _both(path, monkeypatch)
    assert compiled == python
    assert uncut(_unsifted(path)) == uncut(compiled)


_SPAN_SAMPLE: list[Frame] = []


def _sample(folder: Path) -> list[Frame]:
    _SPAN_SAMPLE.extend(_span_frames(folder, 2_000))
    return _SPAN_SAMPLE


def _udp_with_length(sport: int, dport: int, payload: bytes, length: int) -> bytes:
    return struct.pack("!HHHH", sport, dport, length, 0) + payload


def _patched(frame: bytes, offset: int, value: int) -> bytes:
    return frame[:offset] + bytes([value]) + frame[offset + 1:]


def _ipv6_length(packet: bytes, length: int) -> bytes:
    return packet[:4] + struct.pack("!H", length) + packet[6:]


_IKE = ike.message(bytes(range(1, 9)), bytes(8), 2, [(ike.V1_VID, b"v" * 16)])
A, B = "192.0.2.1", "198.51.100.2"
A6, B6 = "2001:db8::1", "2001:db8:1::2"
# (what it is, the frame, what the compiled loop does with it itself: makes its "datagram"
# when it is whole, skips or counts it in the "loop" whole or cut, or nothing: the decoder reads it)
_EDGES = [
    ("IKE on 500", packets.ethernet(packets.ip_udp(A, B, 500, 500, _IKE)), "datagram"),
    ("IKE on 4500 behind the marker", packets.ethernet(packets.ip_udp(A, B, 4500, 4500, bytes(4) + _IKE)), "datagram"),
    ("IKE from 4500 to 500", packets.ethernet(packets.ip_udp(A, B, 4500, 500, bytes(4) + _IKE)), "datagram"),
    ("Ethernet padding after the datagram", packets.ethernet(packets.ip_udp(A, B, 500, 500, _IKE)) + bytes(30),
     "datagram"),
    ("bytes after the UDP datagram inside IP", packets.ethernet(packets.ipv4(
        A, B, 17, _udp_with_length(500, 500, _IKE + b"trailer", 8 + len(_IKE)))), "datagram"),
    ("NAT-T keepalive", packets.ethernet(packets.ip_udp(A, B, 4500, 4500, b"\xff")), False),
    ("ESP in UDP", packets.ethernet(packets.ip_udp(A, B, 4500, 4500, b"\x00\x00\x10\x01" + bytes(40))), False),
    ("marker and nothing after it", packets.ethernet(packets.ip_udp(A, B, 4500, 4500, bytes(4))), False),
    ("four zero bytes on 500", packets.ethernet(packets.ip_udp(A, B, 500, 500, bytes(4) + _IKE)), False),
    ("on a --port, behind the marker", packets.ethernet(packets.ip_udp(A, B, 4501, 4501, bytes(4) + _IKE)), False),
    ("one byte of IKE", packets.ethernet(packets.ip_udp(A, B, 500, 500, b"\x01")), False),
    ("UDP length past the IP datagram", packets.ethernet(packets.ipv4(
        A, B, 17, _udp_with_length(500, 500, _IKE, 8 + len(_IKE) + 50))), False),
    ("UDP length below its header", packets.ethernet(packets.ipv4(A, B, 17, _udp_with_length(500, 500, _IKE, 4))),
     False),
    ("IP total length past the frame", packets.ethernet(packets.ipv4(
        A, B, 17, packets.udp(A, B, 500, 500, _IKE), total_length=28 + len(_IKE) + 100)), False),
    ("IP total length below its header", packets.ethernet(packets.ipv4(
        A, B, 17, packets.udp(A, B, 500, 500, _IKE), total_length=0)), False),
    ("IKE over IPv6", packets.ethernet(packets.ip_udp(A6, B6, 500, 500, _IKE), ethertype=0x86DD), "datagram"),
    ("IKE over IPv6 on 4500", packets.ethernet(packets.ip_udp(A6, B6, 4500, 4500, bytes(4) + _IKE),
                                               ethertype=0x86DD), "datagram"),
    ("IPv6 with an extension header", packets.ethernet(packets.ipv6(
        A6, B6, 17, packets.udp(A6, B6, 500, 500, _IKE), extensions=((0, b"\x01\x04\x00\x00\x00\x00"),)),
        ethertype=0x86DD), False),
    ("IPv6 payload length past the frame", packets.ethernet(
        _ipv6_length(packets.ip_udp(A6, B6, 500, 500, _IKE), 8 + len(_IKE) + 100), ethertype=0x86DD), False),
    ("IPv6 payload length zero", packets.ethernet(
        _ipv6_length(packets.ip_udp(A6, B6, 500, 500, _IKE), 0), ethertype=0x86DD), False),
    ("VXLAN carrying IKE", packets.ethernet(packets.ip_udp(A, B, 4789, 4789, packets.vxlan(
        packets.ethernet(packets.ip_udp(A, B, 500, 500, _IKE)), 7))), False),
    # The loop skips TCP and counts ESP itself, but only where FrameDecoder would read the
    # frame the same way: it goes by the version nibble, not the EtherType.
    ("TCP", packets.ethernet(packets.ipv4(A, B, 6, bytes(20))), "loop"),
    ("TCP over IPv6", packets.ethernet(packets.ipv6(A6, B6, 6, bytes(20)), ethertype=0x86DD), "loop"),
    ("ESP", packets.ethernet(packets.ipv4(A, B, 50, b"\x00\x00\x10\x01" + bytes(40))), "loop"),
    ("ESP over IPv6", packets.ethernet(packets.ipv6(A6, B6, 50, b"\x00\x00\x10\x01" + bytes(40)),
                                       ethertype=0x86DD), "loop"),
    ("ESP with an IP total length that leaves no SPI", packets.ethernet(packets.ipv4(
        A, B, 50, b"\x00\x00\x10\x01" + bytes(40), total_length=22)), "loop"),
    ("ESP with an IPv6 payload length that leaves no SPI", packets.ethernet(
        _ipv6_length(packets.ipv6(A6, B6, 50, b"\x00\x00\x10\x01" + bytes(40)), 3), ethertype=0x86DD), "loop"),
    ("ESP with an IP total length below its header", packets.ethernet(packets.ipv4(
        A, B, 50, b"\x00\x00\x10\x01" + bytes(40), total_length=8)), "loop"),
    ("TCP whose IPv4 header is shorter than its minimum", _patched(
        packets.ethernet(packets.ipv4(A, B, 6, bytes(20))), 14, 0x44), False),
    ("TCP's protocol byte under an IPv6 version nibble", _patched(
        packets.ethernet(packets.ipv4(A, B, 6, bytes(20))), 14, 0x65), False),
    ("IKE under the IPv6 EtherType with version 11", _patched(packets.ethernet(
        packets.ip_udp(A6, B6, 500, 500, _IKE), ethertype=0x86DD), 14, 0xB0), False),
    ("ESP under the IPv6 EtherType with version 11", _patched(packets.ethernet(
        packets.ipv6(A6, B6, 50, b"\x00\x00\x10\x01" + bytes(40)), ethertype=0x86DD), 14, 0xB0), False),
    ("TCP under the IPv6 EtherType with version 4", _patched(packets.ethernet(
        packets.ipv6(A6, B6, 6, bytes(20)), ethertype=0x86DD), 14, 0x45), False),
]


@needs_compiled
@pytest.mark.parametrize("name, data, shortcut", _EDGES, ids=[edge[0] for edge in _EDGES])
@pytest.mark.parametrize("cut", [False, True])
def test_the_compiled_shortcut_reads_each_edge_as_the_decoder_does(tmp_path, monkeypatch, name, data, shortcut, cut):
    """A frame filtered to IKE becomes its Datagram in the compiled loop, and everything around
    that shortcut takes the decoder's way: both sifts read each edge as FrameDecoder alone does,
    also cut by a snaplen."""
    path = tmp_path / "edge.pcap"
    write_pcap(path, [Frame(1.0, data[:-3] if cut else data, len(data) if cut else None)])
    decoded = []
    original = FrameDecoder.decode
    monkeypatch.setattr(FrameDecoder, "decode", lambda self, *args: decoded.append(args[0]) or original(self, *args))
    compiled = reading(extract([str(path)], frozenset({4501}), jobs=1))
    assert decoded == ([] if shortcut == "loop" or shortcut == "datagram" and not cut else [1])
    with monkeypatch.context() as patch:
        patch.setattr(prefilter, "compiled", None)
        assert reading(extract([str(path)], frozenset({4501}), jobs=1)) == compiled
    assert uncut(_unsifted(path, frozenset({4501}))) == uncut(compiled)

