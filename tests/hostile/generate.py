"""Hostile captures, generated on demand (never checked in): each reproduction of issue 16 as a
function of its size, so the tests build small ones and ``python3 tests/hostile/generate.py``
builds the 10^6-frame ones the README's table was measured on.
"""

from __future__ import annotations

import gzip
import random
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ikepcap.synth import ike, packets  # noqa: E402
from ikepcap.synth.capture import Frame, write_pcap  # noqa: E402

RESPONDER = "198.51.100.10"
SA_INIT = 34


def pcap_frames(path: Path) -> tuple[int, list[Frame]]:
    """The link type and frames of a little-endian microsecond pcap, read without ikepcap."""
    data = path.read_bytes()
    magic, _, _, _, _, _, link_type = struct.unpack_from("<IHHiIII", data)
    assert magic == 0xA1B2C3D4, path
    frames, at = [], 24
    while at + 16 <= len(data):
        sec, usec, length, wire = struct.unpack_from("<IIII", data, at)
        frames.append(Frame(sec + usec / 1e6, data[at + 16:at + 16 + length], wire))
        at += 16 + length
    return link_type, frames


def sa_init_flood(count: int, start: float, responder: str = RESPONDER, seed: int = 16) -> Iterator[Frame]:
    """``count`` IKEv2 IKE_SA_INIT requests from spoofed sources, one random SPI each, never answered."""
    rng = random.Random(seed)
    sa = ike.sa_v2([(1, b"", [(1, 12, [(14, 256)]), (2, 5, []), (3, 12, []), (4, 19, [])])])
    for n in range(count):
        source = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        body = ike.message(rng.randbytes(8), bytes(8), SA_INIT, [(33, sa), (34, ike.ke_v2(19, rng.randbytes(64))),
                                                                 (40, rng.randbytes(32))], flags=0x08, version=0x20)
        yield Frame(start + n * 1e-5, packets.ethernet(packets.ip_udp(source, responder, 500, 500, body)))


def flood_before(out: Path, real: Path, count: int) -> Path:
    """``count`` spoofed IKE_SA_INIT packets to the real responder, then the real capture."""
    link_type, frames = pcap_frames(real)
    start = frames[0].time - count * 1e-5 - 1
    write_pcap(out, [*sa_init_flood(count, start), *frames], link_type)
    return out


def _ike_frame(time: float, body: bytes, src: str = "192.0.2.10", dst: str = RESPONDER) -> Frame:
    return Frame(time, packets.ethernet(packets.ip_udp(src, dst, 500, 500, body)))


def attribute_bomb(out: Path, frames: int, attributes: int = 16_000) -> Path:
    """One IKEv1 transform with ``attributes`` attributes (IP-fragmented), sent again and again, gzipped."""
    sa = ike.sa_v1([(1, b"", [(1, [(1, 7)] * attributes)])])
    body = ike.message(bytes(range(1, 9)), bytes(8), 2, [(1, sa)])
    pieces = packets.fragment_ipv4("192.0.2.10", RESPONDER, 17, packets.udp("192.0.2.10", RESPONDER, 500, 500, body),
                                   1500, 1)
    per = len(pieces)

    def each() -> Iterator[Frame]:
        for n in range(frames // per):
            for i, piece in enumerate(packets.fragment_ipv4("192.0.2.10", RESPONDER, 17, packets.udp(
                    "192.0.2.10", RESPONDER, 500, 500, body), 1500, n & 0xFFFF)):
                yield Frame(1.0 + n * 0.01 + i * 1e-6, packets.ethernet(piece))
    write_pcap(out, each(), compress=True)
    return out


def esp_spis(out: Path, frames: int) -> Path:
    """ESP packets, each with a new random SPI."""
    rng = random.Random(3)
    head = packets.ethernet(packets.ipv4("192.0.2.10", RESPONDER, 50, b"\0" * 72))[:-72]
    write_pcap(out, (Frame(1.0 + n * 1e-5, head + rng.randbytes(72)) for n in range(frames)))
    return out


def keepalive_flows(out: Path, frames: int) -> Path:
    """NAT-T keepalives, each from a new source port and address."""
    write_pcap(out, (Frame(1.0 + n * 1e-5, packets.ethernet(packets.ip_udp(
        f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", RESPONDER, 1024 + n % 60000, 4500, b"\xff")))
        for n in range(frames)))
    return out


def pcapng_interfaces(out: Path, count: int) -> Path:
    """A pcapng of ``count`` interface blocks of a link type ikepcap does not read, then one frame each."""
    def block(kind: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    with open(out, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for n in range(count):
            f.write(block(1, struct.pack("<HHI", 147 + n % 2, 0, 65535)))
        for n in range(count):
            f.write(block(6, struct.pack("<IIIII", n, 0, n, 4, 4) + b"abcd"))
    return out


def gzip_bomb(out: Path, megabytes: int) -> Path:
    """A pcap header then zeros (an endless run of empty records), compressed about 1000 to 1."""
    with gzip.GzipFile(out, "wb", mtime=0, compresslevel=9) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        zeros = bytes(1 << 20)
        for _ in range(megabytes):
            f.write(zeros)
    return out


def many_sas(out: Path, count: int) -> Path:
    """``count`` IKEv1 SAs of two messages each (answered), each with its own identity: for --redact."""
    def each() -> Iterator[Frame]:
        for n in range(count):
            ispi, rspi = n.to_bytes(8, "big"), (n + 1 << 32).to_bytes(8, "big")
            src = f"10.{n >> 8 & 255}.{n & 255}.1"
            idi = ike.id_v1(2, f"peer{n}.example.net".encode())
            am1 = ike.message(ispi, bytes(8), 4, [(1, ike.sa_v1([(1, b"", [(1, [(1, 7), (3, 1)])])])),
                                                  (4, b"k" * 128), (10, b"n" * 20), (5, idi)])
            am2 = ike.message(ispi, rspi, 4, [(11, ike.notify_v1(14))])
            yield _ike_frame(1.0 + n * 0.01, am1, src)
            yield _ike_frame(1.0 + n * 0.01 + 0.001, am2, RESPONDER, src)
    write_pcap(out, each())
    return out


KINDS = {"flood": lambda out, n: flood_before(out, Path(__file__).resolve().parents[2] / "captures"
                                              / "v1-mm-psk-mismatch.pcap", n),
         "attributes": attribute_bomb, "esp": esp_spis, "keepalives": keepalive_flows,
         "interfaces": pcapng_interfaces, "gzip": lambda out, n: gzip_bomb(out, max(1, n * 16 // 1_000_000)),
         "redact": lambda out, n: many_sas(out, n // 2)}


if __name__ == "__main__":
    KINDS[sys.argv[1]](Path(sys.argv[3]), int(sys.argv[2]))
