"""Reading in parallel gives exactly what one sequential pass gives.

A large pcap is split into byte ranges on record boundaries; frame numbers, ESP counters,
keepalives, ICMP errors and IP fragment sets that straddle a range boundary must come out as
if the file had been read in one go. A ring of files is one capture in time order.
"""

from __future__ import annotations

import pickle
import struct

import pytest

from ikepcap.extract import native
from ikepcap.extract.native import extract, plan
from ikepcap.read.model import PROTO_ESP, PROTO_UDP
from ikepcap.read.pcap import GLOBAL_HEADER, read_format, resync
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap

A, B = "192.0.2.10", "198.51.100.20"
ISPI = bytes.fromhex("0102030405060708")
BIG = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, bytes(range(256)) * 6)])


def _noise(n: int) -> bytes:
    segment = struct.pack("!HHIIBBHHH", 443, 1024 + n % 50000, n, 0, 0x50, 0x10, 512, 0, 0) + b"z" * (n % 700)
    return packets.ethernet(packets.ipv4("203.0.113.1", "203.0.113.2", 6, segment, ident=n & 0xFFFF))


def _esp(n: int, spi: int) -> bytes:
    return packets.ethernet(packets.ipv4(A, B, PROTO_ESP, struct.pack("!II", spi, n) + b"e" * 40))


def build(path, fragments_at: int, total: int = 6000) -> list[Frame]:
    pieces = packets.fragment_ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, BIG), 576, 0x4242)
    frames = []
    for n in range(total):
        t = 1_700_000_000 + n * 0.001
        if fragments_at <= n < fragments_at + len(pieces):
            frames.append(Frame(t, packets.ethernet(pieces[n - fragments_at])))
        elif n % 97 == 0:
            frames.append(Frame(t, packets.ethernet(packets.ip_udp(A, B, 500, 500, ike.message(
                ISPI, bytes(8), 2, [(ike.V1_VID, n.to_bytes(16, "big"))])))))
        elif n % 13 == 0:
            frames.append(Frame(t, _esp(n, 0xABC)))
        else:
            frames.append(Frame(t, _noise(n)))
    write_pcap(path, frames)
    return frames


def summary(extraction):
    return ([(m.frame, m.data, m.fragments) for m in extraction.messages],
            sorted((f.src, f.spi, f.packets, f.first_frame, f.last_frame) for f in extraction.esp),
            [(s.frames, s.bytes, s.first_time, s.last_time, s.reassembled) for s in extraction.files],
            [(f.frames, f.ispi) for f in extraction.lost_fragments])


@pytest.fixture
def small_split(monkeypatch):
    monkeypatch.setattr(native, "SPLIT_BYTES", 1024)


def test_resync_finds_record_boundaries(tmp_path):
    path = tmp_path / "c.pcap"
    frames = build(path, 10, total=500)
    fmt = read_format(str(path))
    boundaries, offset = set(), GLOBAL_HEADER
    for frame in frames:
        boundaries.add(offset)
        offset += 16 + len(frame.data)
    for probe in range(GLOBAL_HEADER, offset - 2000, 997):
        found = resync(str(path), fmt, probe)
        assert found in boundaries and found >= probe
        assert not any(probe <= b < found for b in boundaries)


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_parallel_equals_sequential(tmp_path, small_split, jobs):
    path = tmp_path / "c.pcap"
    build(path, 3000)
    sequential = extract([str(path)], jobs=1)
    parallel = extract([str(path)], jobs=jobs)
    assert len(plan([str(path)], jobs)) == jobs
    assert summary(parallel) == summary(sequential)
    assert any(m.fragments for m in sequential.messages)


def _frame_at(path, byte_offset: int) -> int:
    """The number of the first frame that starts at or after ``byte_offset``."""
    data = path.read_bytes()
    offset, frame = GLOBAL_HEADER, 1
    while offset < byte_offset:
        offset += 16 + struct.unpack_from("<I", data, offset + 8)[0]
        frame += 1
    return frame


def test_fragments_straddling_a_range_boundary(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 3000)
    split_frame = _frame_at(path, plan([str(path)], 2)[1].span[0])
    build(path, split_frame - 2)            # put the fragments across the boundary of the two ranges
    split_frame = _frame_at(path, plan([str(path)], 2)[1].span[0])
    sequential = extract([str(path)], jobs=1)
    parallel = extract([str(path)], jobs=2)
    (whole,) = [m for m in parallel.messages if m.fragments]
    assert min(whole.fragments) < split_frame <= max(whole.fragments), "the test must straddle the boundary"
    assert summary(parallel) == summary(sequential)


def test_a_ring_of_files_is_one_capture_in_time_order(tmp_path):
    first, second = tmp_path / "ring_00002.pcap", tmp_path / "ring_00001.pcap"    # names out of time order
    mm1 = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, b"v" * 16)])
    mm2 = ike.message(ISPI, bytes.fromhex("1111111111111111"), 2, [(ike.V1_VID, b"w" * 16)])
    write_pcap(first, [Frame(100.0, packets.ethernet(packets.ip_udp(A, B, 500, 500, mm1)))])
    write_pcap(second, [Frame(101.0, packets.ethernet(packets.ip_udp(B, A, 500, 500, mm2)))])
    result = extract([str(second), str(first)], jobs=2)
    assert [(m.file, m.frame, m.time) for m in result.messages] == [(str(first), 1, 100.0), (str(second), 1, 101.0)]
    assert [s.file for s in result.files] == [str(first), str(second)]


def build_copied_capture(path) -> list[Frame]:
    """Two IKE messages around a frame that carries pcap records: with SPLIT_BYTES small, a
    two-way split falls inside those records."""
    inner = b"".join(struct.pack("<IIII", 1_700_000_000, n, 40, 40) + bytes([n % 256]) * 40 for n in range(1000))
    copy = packets.ethernet(packets.ipv4("203.0.113.1", "203.0.113.2", 6,
                                         struct.pack("!HHIIBBHHH", 445, 50000, 1, 0, 0x50, 0x10, 512, 0, 0) + inner))
    frames = [Frame(1_700_000_000 + n * 0.001, _noise(n)) for n in range(150)]
    frames.append(Frame(1_700_000_000.15, copy))
    frames += [Frame(1_700_000_000.2 + n * 0.001, _noise(n)) for n in range(150)]
    frames.insert(10, Frame(1_700_000_000.0105, packets.ethernet(packets.ip_udp(A, B, 500, 500, ike.message(
        ISPI, bytes(8), 2, [(ike.V1_VID, b"v" * 16)])))))
    frames.append(Frame(1_700_000_001, packets.ethernet(packets.ip_udp(B, A, 500, 500, ike.message(
        ISPI, bytes.fromhex("1111111111111111"), 2, [(ike.V1_VID, b"w" * 16)])))))
    write_pcap(path, frames)
    return frames


def test_a_capture_inside_the_capture_cannot_shift_the_frame_numbers(tmp_path, small_split):
    """A frame whose payload is itself pcap records (someone copying a capture over the
    network) can pass for a record boundary; the ranges must then not meet, and the file is
    read in one pass rather than with shifted frame numbers."""
    path = tmp_path / "c.pcap"
    frames = build_copied_capture(path)
    copy = frames[151].data
    copy_start = GLOBAL_HEADER + sum(16 + len(f.data) for f in frames[:151])
    (_, second) = plan([str(path)], 2)
    assert copy_start < second.span[0] < copy_start + len(copy), "the split must fall inside the copied capture"
    sequential = extract([str(path)], jobs=1)
    assert summary(extract([str(path)], jobs=2)) == summary(sequential)
    assert [m.frame for m in sequential.messages] == [11, len(frames)]


def test_a_workers_datagrams_come_back_as_they_were_kept(tmp_path):
    path = tmp_path / "c.pcap"
    build(path, 3000)
    part = native.run_task(native.Task(str(path), 1, None), frozenset())
    assert len(part.store) > 20
    back = pickle.loads(pickle.dumps(part))
    assert list(back.store.datagrams()) == list(part.store.datagrams())
    assert [(m.frame, m.data) for m in back.store.messages()] == [(m.frame, m.data) for m in part.store]
    assert back.stats == part.stats and back.esp == part.esp


def test_past_the_bounds_a_parallel_read_keeps_and_counts_as_one_pass_does(tmp_path, small_split, monkeypatch):
    """Ranges read in parallel, most of the later ones' messages refused: the same kept, the
    same counted, the same warning."""
    monkeypatch.setattr(native, "MAX_MESSAGES", 100)
    frames = []
    for n in range(3000):
        t = 1_700_000_000 + n * 0.001
        if n % 7 == 0:
            spi = (n // 7 % 400 + 1).to_bytes(8, "big")
            rspi = bytes(8) if n % 2 else bytes.fromhex("2222222222222222")
            frames.append(Frame(t, packets.ethernet(packets.ip_udp(A, B, 500, 500, ike.message(
                spi, rspi, 2, [(ike.V1_VID, n.to_bytes(16, "big"))])))))
        else:
            frames.append(Frame(t, _noise(n)))
    path = tmp_path / "c.pcap"
    write_pcap(path, frames)
    sequential = extract([str(path)], jobs=1)
    parallel = extract([str(path)], jobs=3)
    assert len(plan([str(path)], 3)) == 3
    assert len(sequential.messages) == 100 and sequential.overflow.messages > 300
    assert summary(parallel) == summary(sequential)
    assert parallel.warnings == sequential.warnings
    assert (parallel.overflow.messages, parallel.overflow.conversations) == \
        (sequential.overflow.messages, sequential.overflow.conversations)


@pytest.mark.parametrize("room", [-1, 0, 1])
def test_ranges_that_each_fit_the_bounds_are_held_to_them_together(tmp_path, small_split, monkeypatch, room):
    """Each range keeps all it read, and together they hold one message more than the bounds
    allow, exactly as many, or one fewer: what the capture keeps is what one pass keeps."""
    path = tmp_path / "c.pcap"
    build(path, 3000)
    everything = len(extract([str(path)], jobs=1).messages)
    monkeypatch.setattr(native, "MAX_MESSAGES", everything + room)
    sequential = extract([str(path)], jobs=1)
    parallel = extract([str(path)], jobs=3)
    assert len(plan([str(path)], 3)) == 3
    assert len(sequential.messages) == min(everything, everything + room)
    assert summary(parallel) == summary(sequential)
    assert parallel.warnings == sequential.warnings
