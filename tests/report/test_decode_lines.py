"""``decode`` prints the same lines however they are made: ``message_json`` is the documented
record as JSON byte for byte, and lines rendered by several processes come out in order,
encoded alike, with a worker's failure reported rather than lost."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import CAPTURES, CORPUS, decode_bytes
from typer.testing import CliRunner

from ikepcap import forking
from ikepcap.cli import app
from ikepcap.decode.message import decode_datagram
from ikepcap.decode.model import V1_ID, V1_KE, V1_NONCE, V1_NOTIFY, V1_VID
from ikepcap.extract.native import extract
from ikepcap.marks import marked
from ikepcap.read.model import Datagram
from ikepcap.report.escape import json_text
from ikepcap.report.messages import message_json, message_record, payload_summary
from ikepcap.synth import ike

SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def _captures() -> list[Path]:
    found = [p for p in sorted(CAPTURES.rglob("*")) if p.name.endswith(SUFFIXES)]
    if CORPUS.is_dir():
        found += [p for p in sorted(CORPUS.rglob("*")) if p.name.endswith(SUFFIXES)]
    return found


def test_message_json_is_the_record_on_every_capture():
    differ, messages = [], 0
    for path in _captures():
        for message in extract([str(path)], jobs=1).messages:
            messages += 1
            if message_json(message) != json_text(message_record(message)):
                differ.append((path.name, message.frame))
    assert messages > 1000
    assert not differ, differ[:10]


def test_message_json_escapes_what_came_off_the_wire():
    """An identity, a VID and a notification with C1 controls, bidi marks and DEL, from a file
    whose name holds one too: escaped as the record is, also when a payload's JSON is kept."""
    hostile = "\u202evpn\x85\x7f\u2028.example".encode() + bytes(range(0x7f, 0xa0))
    data = ike.message(bytes(range(1, 9)), bytes(8), 2, [(V1_VID, hostile), (V1_ID, ike.id_v1(2, hostile)),
                                                         (V1_NOTIFY, ike.notify_v1(14, data=hostile))])
    messages = [decode_datagram(Datagram(file=f"cap\u202e{frame}\x7f.pcap", frame=frame, time=0.0, src="192.0.2.1",
                                         dst="198.51.100.1", sport=500, dport=500, payload=data, marker=False,
                                         ip_length=28 + len(data))) for frame in (1, 2)]
    for message in (*messages, messages[0]):             # the second and third time from what was kept
        text = message_json(message)
        assert text == json_text(message_record(message))
        assert "\\u202e" in text and "\u202e" not in text and "\x7f" not in text


def test_a_payload_of_scalars_is_made_json_once_for_all_payloads_equal_to_it(monkeypatch):
    """KE and nonce payloads keep their lengths, not their bytes: two messages whose key exchanges and
    nonces differ in their bytes but not in length share the payloads' JSON; a longer nonce has its own."""
    from ikepcap.report import messages as module
    made = []
    real = module._json_of
    monkeypatch.setattr(module, "_json_of", lambda payload: made.append(payload.name) or real(payload))
    monkeypatch.setattr(module, "_json_of_value", {})

    def mm3(cookie: int, key: bytes, nonce: bytes):
        data = ike.message(bytes([cookie]) * 8, bytes(range(8)), 2, [(V1_KE, key), (V1_NONCE, nonce)])
        return decode_datagram(Datagram(file="cap.pcap", frame=cookie, time=0.0, src="192.0.2.1",
                                        dst="198.51.100.1", sport=500, dport=500, payload=data, marker=False,
                                        ip_length=28 + len(data)))

    messages = [mm3(1, bytes(128), bytes(16)), mm3(2, bytes(range(128)), bytes(range(16))),
                mm3(3, bytes(range(128)), bytes(range(32)))]
    for message in messages:
        assert message_json(message) == json_text(message_record(message))
    assert made == ["KE", "NONCE", "NONCE"]
    with marked(True):                  # a marked record depends on --redact: never kept
        message_json(messages[0])
    assert made[3:] == ["KE", "NONCE"]


def _out(encoding: str = "utf-8") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="backslashreplace")


def _written(out: io.TextIOWrapper) -> bytes:
    out.flush()
    return out.buffer.getvalue()


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 7, 8, 50])
def test_lines_come_out_in_order_from_every_process(monkeypatch, jobs, count):
    monkeypatch.setattr(forking, "CHUNK_LINES", 7)
    out = _out("ascii")
    forking.write_ordered(out, list(range(count)), lambda i: f"line é {i} from {os.getpid()}", jobs)
    lines = _written(out).decode("ascii").splitlines()
    assert [line.split()[2] for line in lines] == [str(i) for i in range(count)]
    assert all(line.startswith("line \\xe9 ") for line in lines)       # encoded as out encodes, in every process
    chunks_by = {}
    for index, line in enumerate(lines):
        chunks_by.setdefault(line.split()[-1], set()).add(index // 7 % jobs)
    assert len(chunks_by) == min(jobs, -(-count // 7)) if count else not chunks_by
    assert all(len(chunks) == 1 for chunks in chunks_by.values())   # chunk k from process k % jobs


def test_a_worker_that_fails_is_reported(monkeypatch):
    monkeypatch.setattr(forking, "CHUNK_LINES", 5)

    def render(item: int) -> str:
        if item == 7:                                     # in chunk 1: the worker's
            raise ValueError("no line for seven")
        return str(item)

    out = _out()
    with pytest.raises(RuntimeError, match="no line for seven"):
        forking.write_ordered(out, list(range(20)), render, 2)
    assert _written(out) == b"0\n1\n2\n3\n4\n"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)                        # no worker is left behind


def test_a_worker_that_vanishes_is_reported(monkeypatch):
    monkeypatch.setattr(forking, "CHUNK_LINES", 5)

    def render(item: int) -> str:
        if item == 7:
            os._exit(3)
        return str(item)

    with pytest.raises(RuntimeError, match="stopped before its end"):
        forking.write_ordered(_out(), list(range(20)), render, 2)


@pytest.mark.parametrize("options", [["--format", "jsonl"], [], ["-v"]], ids=["jsonl", "lines", "tree"])
def test_decode_prints_the_same_on_every_core(monkeypatch, options):
    """A concentrator's capture, decoded by one process and by three, chunks of 3 lines."""
    monkeypatch.setattr(forking, "PARALLEL_MESSAGES", 0)
    monkeypatch.setattr(forking, "CHUNK_LINES", 3)
    capture = str(CAPTURES / "v1-concentrator-many-sas.pcap")
    one = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "1", *options, capture])
    three = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "3", *options, capture])
    assert one.exit_code == three.exit_code == 0
    assert one.stdout.count("\n") > 30
    assert three.stdout == one.stdout


def test_a_shared_payloads_summary_is_made_once_and_never_for_redact():
    """The same Notify and VID in two messages: one summary each, kept; under --redact the
    marked text is made afresh, and the kept one stays unmarked."""
    data = ike.message(bytes(range(1, 9)), bytes(8), 2, [(V1_VID, b"vpn.example.net vid"),
                                                         (V1_ID, ike.id_v1(2, b"vpn.example.net")),
                                                         (V1_NOTIFY, ike.notify_v1(24578, data=b"\0\0\0\1"))])
    first, second = decode_bytes(data), decode_bytes(data, frame=2)
    summaries = [[payload_summary(p) for p in m.payloads] for m in (first, second)]
    assert summaries[0] == summaries[1]
    assert summaries[0][0] is summaries[1][0] and summaries[0][2] is summaries[1][2]   # the VID, the notify
    with marked(True):
        assert payload_summary(first.payloads[1]) != summaries[0][1]    # the identity is marked
        assert payload_summary(first.payloads[0]) is not summaries[0][0]
    assert payload_summary(second.payloads[0]) is summaries[0][0]
