"""Random and mutated input never raises out of the decoder or the reader.

Seeds are real messages of both versions (built from RFC layouts); hypothesis flips, cuts,
splices and overwrites bytes, and everything that comes out must be a Message with warnings,
None (too short for a header), or, for whole files, a CaptureError with a one-line reason.
Every message is decoded both ways where the compiled decoder is built (``decoded_both_ways``).
"""

from __future__ import annotations

import struct
import sys

from conftest import REPO, decode_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ikepcap.read.capture import read_capture
from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import Datagram
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap

ISPI, RSPI = bytes.fromhex("0102030405060708"), bytes.fromhex("1112131415161718")
SA1 = ike.sa_v1([(1, b"", [(1, [(1, 7), (14, 256), (2, 2), (3, 1), (4, 14), (11, 1), (12, 28800)])])])
SA2 = ike.sa_v2([(1, b"", [(1, 12, [(14, 128)]), (2, 5, []), (3, 12, []), (4, 19, [])])])
SEEDS = [
    ike.message(ISPI, bytes(8), 2, [(1, SA1), (13, bytes.fromhex("4a131c81070358455c5728f20e95452f"))]),
    ike.message(ISPI, RSPI, 5, [(11, ike.notify_v1(4, spi=ISPI + RSPI)), (12, ike.delete_v1(3, [b"abcd"]))]),
    ike.message(ISPI, RSPI, 2, [(4, b"k" * 128), (10, b"n" * 20), (20, b"h" * 20), (20, b"i" * 20)]),
    ike.message(ISPI, RSPI, 32, [(5, ike.id_v1(4, bytes.fromhex("c0000200ffffff00")))], message_id=7),
    ike.message(ISPI, bytes(8), 34, [(33, SA2), (34, ike.ke_v2(19, b"x" * 64)), (40, b"n" * 32),
                                     (41, ike.notify_v2(16388, data=b"h" * 20))], version=0x20, flags=8),
    ike.message(ISPI, RSPI, 35, [(46, b"\x00" * 64)], version=0x20, flags=0x20, message_id=1, first_payload=36),
    ike.message(ISPI, RSPI, 35, [(53, b"\x00\x01\x00\x02" + b"\x00" * 40)], version=0x20, message_id=1,
                first_payload=35),
]

sys.path.insert(0, str(REPO / "fuzz"))
from targets import decoded_both_ways  # noqa: E402  (fuzz/ is a folder of scripts; its harness checks the same)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decode(data: bytes) -> None:
    message = decoded_both_ways(Datagram("fuzz", 1, 0.0, "192.0.2.1", "192.0.2.2", 500, 500, data, False, 0, 64))
    if message is not None:
        assert message.size == len(data)
        assert all(isinstance(w, str) for w in message.warnings)


@FAST
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _decode(data)


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "set", "cut", "insert", "field"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and data:
            data[position] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]))
        elif action == "cut":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif action == "field" and len(data) >= position + 2:
            struct.pack_into("!H", data, position, draw(st.sampled_from([0, 1, 3, 4, 5, 0x7FFF, 0xFFFF])))
    return bytes(data)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages(data: bytes) -> None:
    _decode(data)


def test_seeds_decode_cleanly() -> None:
    for seed in SEEDS:
        assert not decode_bytes(seed).warnings


@FAST
@given(st.integers(0, 300), st.binary(max_size=300))
def test_random_frames_through_the_reader(link_type: int, frame: bytes) -> None:
    decoder = FrameDecoder("fuzz", lambda datagram: _decode(datagram.payload))
    decoder.decode(1, 0.0, link_type, frame, len(frame))
    decoder.finish()


@FAST
@given(st.binary(max_size=200), st.sampled_from([500, 4500, 4789]))
def test_random_udp_payloads_in_ethernet(payload: bytes, port: int) -> None:
    frame = packets.ethernet(packets.ip_udp("192.0.2.1", "192.0.2.2", port, port, payload))
    decoder = FrameDecoder("fuzz", lambda datagram: _decode(datagram.payload))
    decoder.decode(1, 0.0, 1, frame, len(frame))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=64), st.integers(0, 400))
def test_damaged_capture_files(tmp_path_factory, garbage: bytes, position: int) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.pcap"
    frames = [Frame(1.0 + i, packets.ethernet(packets.ip_udp("192.0.2.1", "192.0.2.2", 500, 500, SEEDS[i])))
              for i in range(3)]
    write_pcap(path, frames)
    data = bytearray(path.read_bytes())
    data[position:position + len(garbage)] = garbage
    path.write_bytes(bytes(data))
    try:
        read_capture(str(path), lambda datagram: _decode(datagram.payload))
    except CaptureError as error:
        assert "\n" not in str(error)
