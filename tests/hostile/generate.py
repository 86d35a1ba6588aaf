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


if __name__ == "__main__":
    flood_before(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[1]))
