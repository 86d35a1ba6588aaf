"""Shared helpers for the test suite: the shared corpus location and message decoding."""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ikepcap.decode.message import decode_datagram, decode_plaintext
from ikepcap.decode.model import Message, Payload
from ikepcap.extract.model import Extraction
from ikepcap.extract.native import CaptureError, extract
from ikepcap.read.model import Datagram

REPO = Path(__file__).resolve().parent.parent
CAPTURES = REPO / "captures"
CORPUS = REPO.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def capture_files() -> list[Path]:
    """Every capture in captures/, then every one in ../shared/corpus when it is there."""
    found = [p for p in sorted(CAPTURES.iterdir()) if p.is_file() and p.name.endswith(CAPTURE_SUFFIXES)]
    if CORPUS.is_dir():
        found += [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.name.endswith(CAPTURE_SUFFIXES)]
    return found


@functools.cache
def bench_span():
    """bench/span.py, which builds the bench's captures (bench/ is a folder of scripts)."""
    spec = importlib.util.spec_from_file_location("span", REPO / "bench" / "span.py")
    span = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("span", span)
    spec.loader.exec_module(span)
    return span


@pytest.fixture(scope="session")
def busy(tmp_path_factory) -> Extraction:
    """A busy concentrator's capture, read: the bench's IKE-heavy one at 3,000 frames (a few hundred
    SAs over several peer pairs, one of them holding most)."""
    path = tmp_path_factory.mktemp("busy") / "ike-heavy.pcap"
    bench_span().build_ike_heavy(path, 3000)
    return extract([str(path)], jobs=1)


def same(ours: str, theirs: str, of: str = "the reports") -> None:
    """Two reports byte for byte, failing with where they part (pytest's own diff of two long
    one-line JSON texts takes minutes)."""
    if ours != theirs:
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        pytest.fail(f"{of} part at character {at}: {ours[at - 120:at + 120]!r} against "
                    f"{theirs[at - 120:at + 120]!r}")


def read_captures(jobs: int = 1) -> Iterator[tuple[Path, Extraction]]:
    """Every capture of ``capture_files()`` that reads, read (some corpus files are not captures)."""
    for path in capture_files():
        try:
            yield path, extract([str(path)], jobs=jobs)
        except CaptureError:
            continue


def decode_bytes(data: bytes, sport: int = 500, dport: int = 500, frame: int = 1) -> Message:
    """Decode one ISAKMP message as if it arrived in frame ``frame`` on UDP 500."""
    message = decode_datagram(Datagram(file="test", frame=frame, time=0.0, src="192.0.2.1", dst="198.51.100.1",
                                       sport=sport, dport=dport, payload=data, marker=False,
                                       ip_length=28 + len(data)))
    assert message is not None
    return message


def inside(opened, major: int = 2, exchange_type: int = 35) -> tuple[Payload, ...]:
    """The payloads decryption found in a message (an ``Inner`` result), decoded as the message
    would decode them."""
    return decode_plaintext(opened.plaintext, major, exchange_type)[0]


def split_pcap(source: Path, first: Path, second: Path, at: int) -> None:
    """Frames 1..at of a little-endian pcap into ``first``, the rest into ``second``: a ring of two
    capture files."""
    data = source.read_bytes()
    header, records, offset = data[:24], [], 24
    while offset < len(data):
        length = int.from_bytes(data[offset + 8:offset + 12], "little")
        records.append(data[offset:offset + 16 + length])
        offset += 16 + length
    first.write_bytes(header + b"".join(records[:at]))
    second.write_bytes(header + b"".join(records[at:]))


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
