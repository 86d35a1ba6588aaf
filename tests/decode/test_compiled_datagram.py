"""The compiled decoder (``decode/_datagram.pyx``) decodes exactly the messages the Python one
finds nothing wrong in, into the same Message: over every capture in captures/ and
../shared/corpus, and over messages built byte by byte at each edge of the Python walk (the
property tests in test_property.py mutate messages through the same check)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys

import pytest
from conftest import REPO, capture_files

from ikepcap import compiled as compiled_reader
from ikepcap.decode import message as message_module
from ikepcap.decode.context import Context
from ikepcap.decode.message import MAX_PAYLOADS, _chain, clear_links
from ikepcap.decode.wire import GenericPayloadHeader, Header
from ikepcap.extract import native, store
from ikepcap.read.model import Datagram

sys.path.insert(0, str(REPO / "fuzz"))
from targets import decoded_both_ways  # noqa: E402  (fuzz/ is a folder of scripts; its harness checks the same)

needs_compiled = pytest.mark.skipif(message_module._compiled is None, reason="the compiled decoder is not built")
ISPI, RSPI = bytes.fromhex("0102030405060708"), bytes.fromhex("1112131415161718")


def test_the_whole_compiled_reader_is_built_where_a_compiler_is():
    if os.environ.get("IKEPCAP_READER") == "python" or not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("the Python reader was asked for, or there is no C compiler")
    assert message_module._compiled is not None, "pip install did not build ikepcap/decode/_datagram.pyx"
    assert compiled_reader.reader() == "compiled"


def test_the_python_reader_is_there_when_asked_for(monkeypatch):
    monkeypatch.setenv("IKEPCAP_READER", "python")
    assert [compiled_reader.load(name) for name in compiled_reader.MODULES] == [None, None]
    assert compiled_reader.reader() == "Python"


@needs_compiled
def test_every_capture_decodes_the_same_both_ways(monkeypatch):
    checked, clean = [], []

    def both(datagram: Datagram):
        message = decoded_both_ways(datagram)
        checked.append(datagram)
        if message is not None and not message.notes:
            clean.append(datagram)
        return message

    monkeypatch.setattr(store, "decode_datagram", both)
    for path in capture_files():
        try:
            list(native.extract([str(path)], jobs=1).messages)
        except native.CaptureError:
            pass
    assert len(checked) > 300
    assert len(clean) > len(checked) // 2, "the compiled decoder took too few of the messages"


def _payload(next_payload: int, body: bytes, reserved: int = 0, length: int | None = None) -> bytes:
    return GenericPayloadHeader.pack(next_payload=next_payload, reserved=reserved,
                                     length=4 + len(body) if length is None else length) + body


def _message(first: int, body: bytes, version: int = 0x10, exchange_type: int = 2, flags: int = 0,
             length: int | None = None) -> bytes:
    return Header.pack(ispi=ISPI, rspi=RSPI, next_payload=first, version=version, exchange_type=exchange_type,
                       flags=flags, message_id=0x01020304,
                       length=Header.size + len(body) if length is None else length) + body


NONCE = _payload(0, b"n" * 16)
V2_NONCE = _payload(0, b"n" * 32)
SK = _payload(37, b"\x00" * 48)                              # next payload: IDi... inside (RFC 7296 §3.14)
EDGES = [
    # (name, message, whether it is clean: decoded by the compiled decoder)
    ("v1 main mode, two payloads", _message(13, _payload(10, b"v" * 16) + NONCE), True),
    ("v1 header alone", _message(0, b""), True),
    ("v1 encrypted body: the chain is the first type inside", _message(8, b"\xaa" * 40, flags=1), True),
    ("v1 header length one short", _message(10, NONCE, length=Header.size + len(NONCE) - 1), False),
    ("v1 header length one long", _message(10, NONCE, length=Header.size + len(NONCE) + 1), False),
    ("v1 header length shorter than the header", _message(10, NONCE, length=27), False),
    ("v1 byte after the last payload", _message(10, NONCE + b"\x00"), False),
    ("v1 payload length 3", _message(10, _payload(0, b"", length=3)), False),
    ("v1 payload running past the end", _message(10, _payload(0, b"n" * 8, length=40)), False),
    ("v1 chain announcing a payload after the end", _message(10, _payload(13, b"n" * 8)), False),
    ("v1 unknown type 99", _message(99, _payload(0, b"x" * 4)), False),
    ("v1 drafts' NAT-D (15) in Main Mode", _message(15, _payload(0, b"h" * 20), exchange_type=2), True),
    ("v1 type 15 in a Transaction exchange (GDOI's SAK)", _message(15, _payload(0, b"h" * 20), exchange_type=6),
     False),
    ("v1 SK type number is nothing special", _message(46, _payload(0, b"x" * 8)), False),
    ("v2 IKE_SA_INIT nonce", _message(40, V2_NONCE, version=0x20, exchange_type=34, flags=8), True),
    ("v2 SK last", _message(46, SK, version=0x20, exchange_type=35), True),
    ("v2 SKF last", _message(53, _payload(37, b"\x00\x01\x00\x02" + b"\x00" * 20), version=0x20,
                             exchange_type=35), True),
    ("v2 byte after SK", _message(46, SK + b"\x00", version=0x20, exchange_type=35), False),
    ("v2 unknown non-critical type", _message(200, _payload(40, b"x" * 4) + V2_NONCE, version=0x20), True),
    ("v2 unknown critical type", _message(200, _payload(40, b"x" * 4, reserved=0x80) + V2_NONCE, version=0x20),
     False),
    ("v2 known type with the critical bit", _message(40, _payload(0, b"n" * 32, reserved=0x80), version=0x20), True),
    ("major version 3", _message(40, V2_NONCE, version=0x30), False),
    ("major version 0", _message(10, NONCE, version=0x00), False),
    ("minor version 15", _message(10, NONCE, version=0x1F), True),
    (f"{MAX_PAYLOADS} payloads", _message(13, b"".join(_payload(13 if i < MAX_PAYLOADS - 1 else 0, b"")
                                                        for i in range(MAX_PAYLOADS))), True),
    (f"{MAX_PAYLOADS + 1} payloads", _message(13, b"".join(_payload(13 if i < MAX_PAYLOADS else 0, b"")
                                                            for i in range(MAX_PAYLOADS + 1))), False),
    ("27 bytes", _message(0, b"")[:27], False),
]


@needs_compiled
@pytest.mark.parametrize("name, data, clean", EDGES, ids=[edge[0] for edge in EDGES])
@pytest.mark.parametrize("truncated", [False, True])
def test_each_edge_of_the_walk_decodes_as_the_python_decoder_does(name, data, clean, truncated):
    datagram = Datagram("edge", 7, 1.5, "2001:db8::1", "192.0.2.9", 4500, 4500, data, True, len(data) + 56,
                        (5, 6, 7), truncated, 63)
    message = decoded_both_ways(datagram)
    assert (message_module._compiled.clean(datagram) is not None) == (clean and not truncated)
    if message is not None:
        assert message.data == data


@needs_compiled
def test_a_next_payload_beyond_a_byte_takes_the_python_walk():
    """A Message made by hand (or by another engine) can carry any number there; the compiled
    walk's type tables have a row per byte."""
    data = EDGES[0][1]
    message = decoded_both_ways(Datagram("edge", 1, 0.0, "192.0.2.1", "192.0.2.2", 500, 500, data, False, 0))
    odd = dataclasses.replace(message, next_payload=300)
    assert message_module._compiled.links(odd.data, 300, odd.length, False, odd.exchange_type) is None
    ctx = Context(major=1, exchange_type=odd.exchange_type)
    assert list(clear_links(odd)) == list(_chain(odd.data, 300, odd.size, ctx))
