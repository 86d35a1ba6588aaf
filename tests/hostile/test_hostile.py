"""Hostile and broken input: every file gets a report or one clear line, and nothing the wire
carried can reach the reader's terminal or break out of a report.
"""

from __future__ import annotations

import gzip
import json
import re
import struct
import subprocess
import sys

import generate
import pytest
from conftest import CAPTURES
from typer.testing import CliRunner

from ikepcap.cli import app
from ikepcap.correlate import correlate as correlate_module
from ikepcap.correlate import sas
from ikepcap.correlate.correlate import correlate
from ikepcap.decode import attributes
from ikepcap.decode.message import decode_datagram as native_decode
from ikepcap.diagnose import diagnose as diagnose_module
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.extract import budget, native, store
from ikepcap.extract.model import Scope
from ikepcap.extract.native import extract
from ikepcap.pipeline import analyse
from ikepcap.read import capture, frames, model, prefilter
from ikepcap.read.model import PROTO_GRE, PROTO_UDP
from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap, write_pcapng

CLI = [sys.executable, "-m", "ikepcap"]
A, B = "192.0.2.10", "198.51.100.20"
ISPI = bytes.fromhex("0102030405060708")
MM1 = ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, b"v" * 16)])


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, input=stdin)


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert result.stdout == b""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def _capture(path, frames=None):
    write_pcap(path, frames or [Frame(1.0, packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1))),
                                Frame(2.0, packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1)))])
    return path


# --- files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", "pcap global header is truncated"),
    (b"GIF89a, not a capture at all", "not a pcap or pcapng capture"),
    (struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147), "link type 147 is not supported"),
    (b"\x1f\x8b\x08\x00garbage that is no deflate stream", "gzip"),
    (gzip.compress(b""), "empty gzip stream"),
    (b"\x0a\x0d\x0d\x0a\x20\x00\x00\x00\xff\xff\xff\xff", "byte-order magic"),
    (b"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a\x01\x00\x00\x00", "section header block is truncated"),
])
@pytest.mark.parametrize("command", ["diagnose", "decode"])
def test_unreadable_files_get_one_line_and_exit_2(tmp_path, content, reason, command):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(content)
    one_line_error(run(command, str(bad)), str(bad), reason)


def test_missing_file_empty_directory_and_empty_stdin(tmp_path):
    one_line_error(run("diagnose", str(tmp_path / "nope.pcap")), "nope.pcap", "no such file")
    one_line_error(run("diagnose", str(tmp_path)), "no capture files")
    one_line_error(run("diagnose", "-", stdin=b""), "<stdin>", "empty file")


def test_standard_input(tmp_path):
    data = (CAPTURES / "v1-mm-psk-mismatch.pcap").read_bytes()
    piped = run("diagnose", "--format", "json", "-", stdin=data)
    assert piped.returncode == 1
    report = json.loads(piped.stdout)
    assert report["sas"][0]["cause"] == "psk-mismatch" and report["capture"]["files"][0]["name"] == "<stdin>"
    gz = run("decode", "-", stdin=gzip.compress(data))
    # a file's key table beside it decrypts; standard input has no name to find one by
    assert gz.returncode == 0 and gz.stdout == run("decode", "--no-keys",
                                                   str(CAPTURES / "v1-mm-psk-mismatch.pcap")).stdout
    cut = json.loads(run("diagnose", "--format", "json", "-", stdin=data[:-10]).stdout)
    assert [w.split(":")[0] for w in cut["capture"]["warnings"]] == ["<stdin>"]     # named as in the report


def test_truncated_last_record_still_gives_a_diagnosis(tmp_path):
    path = tmp_path / "cut.pcap"
    path.write_bytes((CAPTURES / "v1-mm-psk-mismatch.pcap").read_bytes()[:-30])
    result = run("diagnose", "--format", "json", str(path))
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["sas"][0]["stall"]["asa_state"] == "MM_WAIT_MSG6"
    assert any("cut off" in w for w in report["capture"]["warnings"])
    text = run("diagnose", str(path)).stdout.decode()
    assert "Capture warnings (1):" in text and "cut off" in text


def test_corrupt_gzip_after_good_frames_keeps_them(tmp_path):
    path = tmp_path / "c.pcap.gz"
    data = gzip.compress((CAPTURES / "v1-mm-healthy.pcap").read_bytes())
    path.write_bytes(data[: len(data) * 2 // 3])
    result = run("decode", "--format", "jsonl", str(path))
    assert result.returncode == 0 and result.stdout.count(b"\n") >= 1
    assert b"gzip stream ends early" in result.stderr


def test_pcapng_with_a_corrupt_block_in_the_middle(tmp_path):
    path = tmp_path / "c.pcapng"
    frames = [Frame(1.0 + i, packets.ethernet(packets.ip_udp(A, B, 500, 500, MM1))) for i in range(3)]
    write_pcapng(path, [(1, 6)], frames)
    data = bytearray(path.read_bytes())
    third = data.rfind(struct.pack("<I", 6), 0, len(data) - 4)
    struct.pack_into("<I", data, third + 4, 7)                 # an EPB whose length is not a multiple of 4
    path.write_bytes(bytes(data))
    result = run("decode", "--format", "jsonl", str(path))
    assert result.returncode == 0 and result.stdout.count(b"\n") == 2
    assert b"impossible length" in result.stderr


# --- packets --------------------------------------------------------------------------------

def test_endless_and_overlapping_fragments_are_bounded(tmp_path):
    frames = []
    for i in range(400):                                       # one set that never ends
        piece = packets.ipv4(A, B, PROTO_UDP, b"x" * 64, ident=7, more_fragments=True,
                             fragment_offset=(i + 1) * 64)
        frames.append(Frame(1.0 + i * 0.001, packets.ethernet(piece)))
    for i in range(50):                                        # overlapping copies of one offset
        piece = packets.ipv4(A, B, PROTO_UDP, packets.udp(A, B, 500, 500, MM1)[:64], ident=9,
                             more_fragments=True)
        frames.append(Frame(2.0 + i * 0.001, packets.ethernet(piece)))
    path = _capture(tmp_path / "frags.pcap", frames)
    result = extract([str(path)], jobs=1)
    assert result.messages == []
    assert result.files[0].incomplete_fragments >= 1
    assert [len(f.frames) for f in result.lost_fragments] == [1]
    assert any("reassembly hit a bound (more than 128 fragments" in w for w in result.warnings)


def test_thousands_of_proposals_and_deep_encapsulation(tmp_path):
    sa = ike.sa_v1([(1, b"", [(1, [(1, 7)])])] * 250)           # a real peer sends a handful
    big = ike.message(ISPI, bytes(8), 2, [(ike.V1_SA, sa)])
    inner = packets.ip_udp(A, B, 500, 500, MM1)
    for _ in range(30):                                        # GRE in IP in GRE ... far deeper than any real tunnel
        inner = packets.ipv4("203.0.113.1", "203.0.113.2", PROTO_GRE, packets.gre(inner, 0x0800))
    frames = [Frame(1.0, packets.ethernet(packets.ip_udp(A, B, 500, 500, big))), Frame(2.0, packets.ethernet(inner))]
    result = extract([str(_capture(tmp_path / "deep.pcap", frames))], jobs=1)
    (message,) = result.messages
    assert any("more than 64 proposals" in w for w in message.warnings)


def test_a_flood_runs_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 300)
    frames = []
    for n in range(2000):
        mm1 = ike.message(n.to_bytes(8, "big"), bytes(8), 2, [(ike.V1_VID, b"v" * 16)])
        source = f"203.0.{n // 250}.{n % 250 + 1}"
        frames.append(Frame(1.0 + n * 1e-4, packets.ethernet(packets.ip_udp(source, B, 500, 500, mm1))))
    path = _capture(tmp_path / "flood.pcap", frames)
    result = extract([str(path)], jobs=1)
    assert len(result.messages) == 300
    assert (result.overflow.messages, result.overflow.conversations) == (1700, 1700)
    diagnosis = diagnose(correlate(result))
    assert diagnosis.sas == [] and diagnosis.flood.sas == 2000 and diagnosis.flood.messages == 2000
    assert [f.rule for f in diagnosis.capture_findings] == ["flood"]
    assert any("counted, not kept" in w for w in result.warnings)


def test_the_bytes_of_ike_kept_are_bounded(tmp_path, monkeypatch):
    """Many large messages (reassembled datagrams can reach 64 KB each) stop being kept at the byte
    bound, however few SAs they belong to."""
    monkeypatch.setattr(native, "MAX_MESSAGE_BYTES", 4000)
    big = [ike.message(ISPI, bytes(8), 2, [(ike.V1_VID, bytes([n]) * 1000)]) for n in range(50)]
    frames = [Frame(1.0 + n * 0.01, packets.ethernet(packets.ip_udp(A, B, 500, 500, m))) for n, m in enumerate(big)]
    result = extract([str(_capture(tmp_path / "big.pcap", frames))], jobs=1)
    assert [len(m.data) for m in result.messages] == [1032] * 3
    assert result.overflow.messages == 47
    assert any("more than 4000 bytes of IKE messages" in w for w in result.warnings)


def _flood_frames(count: int, source_of) -> list[Frame]:
    return [Frame(1.0 + n * 1e-4, packets.ethernet(packets.ip_udp(
        source_of(n), B, 500, 500, ike.message(n.to_bytes(8, "big"), bytes(8), 2, [(ike.V1_VID, b"v" * 16)]))))
        for n in range(count)]


def test_a_flood_beyond_the_bounds_is_counted_without_being_decoded(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 100)
    decoded = []
    monkeypatch.setattr(store, "decode_datagram", lambda d: decoded.append(d.frame) or native_decode(d))
    path = _capture(tmp_path / "flood.pcap", _flood_frames(1000, lambda n: f"203.0.{n // 250}.{n % 250 + 1}"))
    result = extract([str(path)], jobs=1)
    assert decoded == []                                # what is kept is decoded where it is worked on
    assert [m.frame for m in result.messages] == decoded == list(range(901, 1001))  # the newest lone messages
    assert result.overflow.messages == 900
    assert any("more than 100 IKE SAs" in w for w in result.warnings)


def test_a_flood_past_the_exact_count_says_at_least(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 50)
    monkeypatch.setattr(budget, "MAX_COUNTED", 400)
    path = _capture(tmp_path / "flood.pcap", _flood_frames(1000, lambda n: f"203.0.{n // 250}.{n % 250 + 1}"))
    result = extract([str(path)], jobs=1)
    assert (result.overflow.conversations, result.overflow.capped) == (400, True)
    assert any("of at least 400 conversation(s)" in w for w in result.warnings)
    diagnosis = diagnose(correlate(result))
    assert (diagnosis.flood.sas, diagnosis.flood.sas_at_least, diagnosis.flood.messages) == (450, True, 1000)
    (detail,) = diagnosis.capture_findings[0].details
    assert detail.startswith("at least 450 IKE SAs of a single message each (1000 messages in ")


def test_a_spoofed_flood_names_no_source_and_a_real_attacker_stands_out(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 50)
    monkeypatch.setattr(budget, "MAX_SOURCES", 200)
    spoofed = _capture(tmp_path / "spoofed.pcap", _flood_frames(1000, lambda n: f"10.{n // 250}.{n % 250}.1"))
    (detail,) = diagnose(correlate(extract([str(spoofed)], jobs=1))).capture_findings[0].details
    assert "no source stands out (none sent more than" in detail and "spoofed or widely spread" in detail
    # one source behind a tenth of a flood whose other sources are all different
    attacker = _capture(tmp_path / "attacker.pcap",
                        _flood_frames(1000, lambda n: "198.18.0.66" if n % 10 == 0 else f"10.{n // 250}.{n % 250}.1"))
    result = extract([str(attacker)], jobs=1)
    assert result.overflow.undercount > 0 and len(result.overflow.sources) <= 200
    diagnosis = diagnose(correlate(result))
    top, count = diagnosis.flood.sources[0]
    assert top == "198.18.0.66" and count <= 100 <= count + diagnosis.flood.source_undercount
    (detail,) = diagnosis.capture_findings[0].details
    assert re.search(r"top sources: 198\.18\.0\.66 \(at least \d+ messages\)\.$", detail), detail


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_busy_headend_past_the_bounds_is_no_flood(tmp_path, monkeypatch, jobs):
    """Issue 15: past the message bound an honest headend's conversations were counted as a flood.
    Answered conversations refused for room are counted, said, and not taken for one."""
    monkeypatch.setattr(native, "MAX_MESSAGES", 100)
    monkeypatch.setattr(native, "SPLIT_BYTES", 1 << 14)            # so that -j2 reads the file in ranges
    path = generate.many_sas(tmp_path / "busy.pcap", 400)          # 400 answered SAs, 800 messages
    result = extract([str(path)], jobs=jobs)
    assert len(result.messages) == 100 and result.overflow.messages == 700
    assert result.overflow.lone == 0 and result.overflow.conversations >= 350
    assert any("counted, not kept" in w for w in result.warnings)
    diagnosis = diagnose(correlate(result))
    assert diagnosis.flood is None and "flood" not in [f.rule for f in diagnosis.capture_findings]


LATE_PEER = "10.1.94.1"                     # many_sas's SA 350, 700 messages into the capture


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("scope", [Scope(peer=LATE_PEER), Scope(spi=(350).to_bytes(8, "big").hex())],
                         ids=["peer", "sa"])
def test_what_the_report_is_narrowed_to_is_kept_past_the_bounds(tmp_path, monkeypatch, jobs, scope):
    """--peer/--sa on a capture past the message bound: the SAs asked about are kept and diagnosed
    whole, however late they come, and the rest is bounded and counted as without them."""
    monkeypatch.setattr(native, "MAX_MESSAGES", 100)
    monkeypatch.setattr(native, "SPLIT_BYTES", 1 << 14)            # so that -j2 reads the file in ranges
    path = generate.many_sas(tmp_path / "busy.pcap", 400)          # 400 answered SAs, 800 messages
    whole = extract([str(path)], jobs=jobs)
    assert not any(LATE_PEER in (m.src, m.dst) for m in whole.messages)
    narrowed = extract([str(path)], jobs=jobs, scope=scope)
    late = [m for m in narrowed.messages if LATE_PEER in (m.src, m.dst)]
    assert [m.frame for m in late] == [701, 702]
    assert [m for m in narrowed.messages if m not in late] == whole.messages
    assert narrowed.overflow.messages == whole.overflow.messages - 2
    assert [m.frame for m in narrowed.messages] == sorted(m.frame for m in narrowed.messages)
    (sa,) = analyse(narrowed, messages=True, scope=scope, jobs=jobs).view["sas"]
    assert sa["initiator"]["address"] == LATE_PEER and sa["message_count"] == 2


def test_the_cli_keeps_the_peer_it_was_asked_about(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "MAX_MESSAGES", 100)
    path = generate.many_sas(tmp_path / "busy.pcap", 400)
    result = CliRunner().invoke(app, ["diagnose", "--quiet", "--jobs", "1", "--format", "json", "--peer", LATE_PEER,
                                      str(path)])
    (sa,) = json.loads(result.stdout)["sas"]
    assert sa["initiator"]["address"] == LATE_PEER


def test_answered_sas_past_the_sa_bound_are_no_flood(tmp_path, monkeypatch):
    """Correlation's own bound (SAs tracked) refuses SAs that progressed when none is a lone first
    message to evict: they are counted and said, not taken for a flood (a flood of no single-message
    SA had no time span, and the report stopped with a traceback)."""
    monkeypatch.setattr(sas, "MAX_SAS", 100)
    monkeypatch.setattr(correlate_module, "MAX_SAS", 100)
    monkeypatch.setattr(diagnose_module, "FLOOD_MIN_SAS", 50)
    path = generate.many_sas(tmp_path / "busy.pcap", 400)          # 400 answered SAs, 800 messages
    result = extract([str(path)], jobs=1)
    assert len(result.messages) == 800 and result.overflow.messages == 0
    diagnosis = diagnose(correlate(result))
    assert diagnosis.flood is None and len(diagnosis.sas) == 100
    assert any("more than 100 IKE SAs: 600 messages of at least 100 further SAs" in n for n in diagnosis.notes)
    view = analyse(result, messages=False, jobs=1).view
    assert view["flood"] is None and len(view["sas"]) == 100


def test_a_flood_past_the_sa_bound_is_counted_whole(tmp_path, monkeypatch):
    """The lone SAs correlation's bound evicts are the flood's: counted in it, with their times; past
    what the bound tells apart, the count is a lower bound."""
    monkeypatch.setattr(sas, "MAX_SAS", 100)
    monkeypatch.setattr(diagnose_module, "FLOOD_MIN_SAS", 50)
    for count, at_least in ((180, False), (1000, True)):
        path = _capture(tmp_path / "flood.pcap", _flood_frames(count, lambda n: f"203.0.{n // 250}.{n % 250 + 1}"))
        result = extract([str(path)], jobs=1)
        assert len(result.messages) == count and result.overflow.messages == 0
        flood = diagnose(correlate(result)).flood
        assert (flood.sas, flood.sas_at_least) == (min(count, 200), at_least)
        assert (flood.first_time, flood.last_time) == pytest.approx((1.0, 1.0 + (count - 1) * 1e-4))


@pytest.mark.parametrize("bounded", [False, True])
def test_single_message_sas_of_peers_that_complete_others_are_no_flood(tmp_path, monkeypatch, bounded):
    """A headend's own single-message SAs (a notification sent once, an attempt the capture's end
    cut) come from peers that complete other SAs: 250 of them are diagnosed one by one, kept or
    (past the bounds) counted, and make no flood; the same 250 from sources that never complete
    anything do."""
    if bounded:
        monkeypatch.setattr(native, "MAX_MESSAGES", 500)
    _, answered = generate.pcap_frames(generate.many_sas(tmp_path / "answered.pcap", 300))

    def lone(source_of) -> list[Frame]:
        return [Frame(10.0 + n * 0.01, packets.ethernet(packets.ip_udp(source_of(n), "198.51.100.10", 500, 500,
                ike.message((10_000 + n).to_bytes(8, "big"), bytes(8), 4, [(ike.V1_VID, b"v" * 16)]))))
                for n in range(250)]
    for sources, flood in ((lambda n: f"10.0.{n}.1", False), (lambda n: f"203.0.113.{n}", True)):
        path = tmp_path / "headend.pcap"
        write_pcap(path, answered + lone(sources))
        result = extract([str(path)], jobs=1)
        diagnosis = diagnose(correlate(result))
        assert (diagnosis.flood is not None) == flood, sources(0)
        if bounded:                                 # 500 of 850 messages kept: the lone ones all counted
            assert len(result.messages) == 500 and result.overflow.lone == (250 if flood else 0)
        elif not flood:
            assert len(diagnosis.sas) == 300 + 250


def _real_sa(report: dict) -> list[tuple]:
    return [(sa["initiator"]["address"], sa["responder"]["address"], sa["status"], sa["cause"], sa["stall"],
             len(sa["messages"])) for sa in report["sas"]]


def _analyse(path, jobs: int) -> dict:
    extraction = extract([str(path)], jobs=jobs)
    return json.loads(json.dumps(analyse(extraction, messages=True, jobs=jobs).view, default=str))


@pytest.mark.parametrize("real", ["v1-mm-psk-mismatch.pcap", "v2-auth-failed.pcap"])
def test_a_flood_before_a_real_failure_does_not_hide_it(tmp_path, monkeypatch, real):
    """Issue 16: 25,000 spoofed IKE_SA_INIT before a failed negotiation blinded the tool (0 IKE SAs).
    Read here with the bounds of that time, which the flood overruns; the CLI keeps it all."""
    monkeypatch.setattr(native, "SPLIT_BYTES", 1 << 20)            # so that -j2 reads the file in two ranges
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 20_000)
    monkeypatch.setattr(sas, "MAX_SAS", 20_000)
    flooded = generate.flood_before(tmp_path / "flooded.pcap", CAPTURES / real, 25_000)
    plain = _real_sa(json.loads(run("diagnose", "--no-keys", "--format", "json", str(CAPTURES / real)).stdout))
    assert len(plain) == 1
    reports = [_analyse(flooded, jobs) for jobs in (1, 2)]
    for report in reports:
        assert _real_sa(report) == plain
        assert report["flood"]["sas"] == 25_000 and report["flood"]["messages"] == 25_000
    assert reports[0]["flood"] == reports[1]["flood"]
    assert reports[0]["capture_findings"] == reports[1]["capture_findings"]
    cli = json.loads(run("diagnose", "--no-keys", "-j1", "--format", "json", "--peer",
                         plain[0][0], str(flooded)).stdout)
    assert _real_sa(cli) == plain


def test_a_flood_evicts_only_lone_first_messages(monkeypatch):
    """Answered, resent or responder-cookie conversations, and those from a source that progressed
    elsewhere, stay however long the flood goes on; the newest lone ones fill the rest."""
    sent: dict[int, budget.Opened] = {}         # what the keeper's store would say of each item

    def offer(item, key, source, answered, frame, time) -> bool:
        sent[item] = budget.Opened(source, "f", frame, time, 100)
        return keep.offer(item, key, 100, source, answered, "f", frame, time)

    keep = budget.Budget(sent.__getitem__, conversations=4)
    for n, (key, source, answered, time) in enumerate([
            ("answered", "a", False, 0.0), ("answered", "b", True, 0.1),        # answered by its peer
            ("resent", "c", False, 0.0), ("resent", "c", False, 1.0),           # resent after a second
            ("mid-sa", "d", True, 0.0),                                         # seen from its second message
            ("sibling", "a", False, 2.0)]):                                     # a lone one from a trusted source
        assert offer(n, (key,), source, answered, n + 1, time)
    assert len(keep.kept) == 4
    for n in range(1000):
        offer(100 + n, ("flood", n), f"s{n}", False, 10 + n, 3.0 + n)
    assert sorted(k[0] for k in keep.kept) == ["answered", "mid-sa", "resent", "sibling"]
    assert keep.overflow.messages == 1000 and keep.overflow.conversations == 1000
    assert keep.kept_items() == [0, 1, 2, 3, 4, 5]


def test_attributes_per_transform_are_bounded():
    """Issue 16: one transform with 16,000 attributes, repeated, took 3.8 GB and 423 s."""
    sa = ike.sa_v1([(1, b"", [(1, [(1, 7)] * 16_000)])])
    message = native_decode(packets_datagram(ike.message(ISPI, bytes(8), 2, [(ike.V1_SA, sa)])))
    (payload,) = [p for p in message.payloads if p.type == ike.V1_SA]
    assert len(payload.proposals[0].transforms[0].attributes) == attributes.MAX_ATTRIBUTES
    assert any("more than 64 attributes in one list" in w for w in message.warnings)
    many = ike.sa_v1([(n, b"", [(1, [(1, 7)])] * 200) for n in range(10)])     # 2,000 transforms
    message = native_decode(packets_datagram(ike.message(ISPI, bytes(8), 2, [(ike.V1_SA, many)])))
    (payload,) = [p for p in message.payloads if p.type == ike.V1_SA]
    assert sum(len(p.transforms) for p in payload.proposals) == 256


def packets_datagram(body: bytes):
    from ikepcap.read.model import Datagram
    return Datagram(file="t", frame=1, time=1.0, src=A, dst=B, sport=500, dport=500, payload=body, marker=False,
                    ip_length=28 + len(body))


@pytest.mark.parametrize("kind, what", [("esp", "ESP packets of further SPIs"),
                                        ("keepalives", "NAT-T keepalives of further flows")])
@pytest.mark.parametrize("jobs", [1, 2])
def test_esp_spis_and_keepalive_flows_are_bounded(tmp_path, monkeypatch, kind, what, jobs):
    """Issue 16: 3 M random ESP SPIs took 2.5 GB, 1 M keepalive flows 698 MB."""
    for module in (frames, prefilter, native, model):
        monkeypatch.setattr(module, "MAX_FLOWS", 100)
    monkeypatch.setattr(native, "SPLIT_BYTES", 20_000)
    path = getattr(generate, {"esp": "esp_spis", "keepalives": "keepalive_flows"}[kind])(tmp_path / "f.pcap", 1000)
    result = extract([str(path)], jobs=jobs)
    assert len(result.esp if kind == "esp" else result.keepalives) == 100
    assert any(f"more than 100 flows: 900 {what}" in w for w in result.warnings), result.warnings


def test_pcapng_interfaces_are_bounded_and_warnings_say_how_many_more(tmp_path):
    path = generate.pcapng_interfaces(tmp_path / "i.pcapng", 2000)
    result = extract([str(path)], jobs=1)
    assert len(result.warnings) == model.MAX_WARNINGS + 1
    assert result.warnings[-1].endswith("and 1900 more warning(s) about this file, not listed")


def test_a_gzip_bomb_stops_with_a_clear_warning(tmp_path, monkeypatch):
    """Issue 16: a 2 MB gzip bomb took 231 s of CPU."""
    monkeypatch.setattr(capture, "INFLATION_GRACE", 1 << 20)
    path = generate.gzip_bomb(tmp_path / "bomb.pcap.gz", 64)
    result = extract([str(path)], jobs=1)
    assert result.files[0].bytes < 2 << 20
    assert any("inflates more than 100 to 1" in w and "decompression bomb" in w for w in result.warnings)


def test_the_public_reflection_attack_capture(corpus):
    result = run("diagnose", "--format", "json", str(corpus / "stopddos" / "amp.UDP.isakmp.pcap"))
    report = json.loads(result.stdout)
    assert report["flood"] is not None and report["flood"]["sas"] >= 1000
    assert [f["rule"] for f in report["capture_findings"]] == ["flood"]
    assert len(report["sas"]) < report["flood"]["sas"]


# --- output safety ----------------------------------------------------------------------------

EVIL_ID = "gw\x1b[2J\x1b]0;pwned\x07\u202eevil\n| x | [click](javascript:alert(1)) <script>alert(1)</script> `code`"


def _evil_capture(tmp_path):
    idi = ike.id_v1(2, EVIL_ID.encode())
    vid = b"\x1b[31mRED\x1b[0m vendor"
    am1 = ike.message(ISPI, bytes(8), 4, [(ike.V1_SA, ike.sa_v1([(1, b"", [(1, [(1, 7), (3, 1)])])])),
                                          (ike.V1_KE, b"k" * 128), (ike.V1_NONCE, b"n" * 20), (ike.V1_ID, idi),
                                          (ike.V1_VID, vid)])
    return _capture(tmp_path / "evil.pcap", [Frame(1.0 + i, packets.ethernet(packets.ip_udp(A, B, 500, 500, am1)))
                                             for i in range(3)])


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_wire_strings_cannot_reach_the_terminal(tmp_path):
    path = str(_evil_capture(tmp_path))
    for args in (["decode", path], ["decode", "-v", path], ["diagnose", "-v", path], ["diagnose", path]):
        out = run(*args).stdout.decode()
        assert not CONTROL.search(out), (args, CONTROL.search(out))
    decoded = run("decode", path).stdout.decode()
    assert "\\x1b[2J" in decoded and "\\u202e" in decoded


def test_error_lines_and_warnings_on_stderr_are_escaped_too(tmp_path):
    """File names and capture contents reach stderr through fail() and decode's warnings."""
    name = "evil\x1b[2J\u202e"
    bad = tmp_path / f"{name}.pcap"
    bad.write_bytes(b"GIF89a, not a capture at all")
    cut = tmp_path / f"{name}-cut.pcap"
    cut.write_bytes((CAPTURES / "v1-mm-psk-mismatch.pcap").read_bytes()[:-30])
    for args, needle in ((["diagnose", str(bad)], "not a pcap"), (["decode", str(cut)], "cut off")):
        err = run(*args).stderr.decode()
        assert needle in err and "\\x1b[2J\\u202e" in err and not CONTROL.search(err), (args, err)


def test_wire_strings_cannot_break_out_of_markdown_or_json(tmp_path):
    path = str(_evil_capture(tmp_path))
    markdown = run("diagnose", "--format", "markdown", "-v", path).stdout.decode()
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "[click](javascript" not in markdown and "\\[click\\](javascript" in markdown
    assert not CONTROL.search(markdown)
    for line in markdown.split("```mermaid")[1].split("```")[0].splitlines()[1:]:
        assert ";" not in line.replace("#", "").split(":", 1)[-1] or "#" in line
    data = run("diagnose", "--format", "json", path).stdout
    report = json.loads(data.decode("utf-8"))                 # valid UTF-8, valid JSON
    ids = [p for m in report["sas"][0]["messages"] for p in m["payloads"] if p.startswith("ID(")]
    assert ids and EVIL_ID.split("\n")[0][:2] in ids[0]
    jsonl = run("decode", "--format", "jsonl", path).stdout.decode("utf-8")
    assert json.loads(jsonl.splitlines()[0])["payloads"][3]["value"] == EVIL_ID


def test_redact_on_every_format(tmp_path):
    path = str(_evil_capture(tmp_path))
    capture = str(CAPTURES / "v1-mm-cert-ip-fragments-dropped.pcap")
    for fmt in ("text", "json", "markdown"):
        for source in (path, capture):
            out = run("diagnose", "--redact", "-v", "--format", fmt, source).stdout.decode()
            for secret in (A, B, "192.0.2.10", "198.51.100.10", "gw\\x1b", "evil.pcap", "fragments-dropped.pcap"):
                assert secret not in out, (fmt, source, secret)
            assert "ip4-1" in out and "capture-1" in out
    redirect = ike.message(ISPI, bytes(range(8)), 34, [(ike.V2_N, ike.notify_v2(16407, data=bytes([3, 27]) +
                                                                     b"vpn-backup.acme-secret.test"))],
                           flags=0x20, version=0x20)
    redirected = _capture(tmp_path / "redirect.pcap", [Frame(1.0, packets.ethernet(packets.ip_udp(
        "2001:db8:bb::20", "2001:db8:aa::10", 500, 500, redirect)))])
    for fmt in ("text", "json", "markdown"):
        out = run("diagnose", "--redact", "-v", "--format", fmt, str(redirected)).stdout.decode()
        assert "acme-secret" not in out and "2001:db8" not in out, fmt       # RFC 5685 gateway FQDN
    report = json.loads(run("diagnose", "--redact", "--format", "json", capture).stdout)
    sa = report["sas"][0]
    assert (sa["initiator"]["address"], sa["responder"]["address"]) == ("ip4-1", "ip4-2")
    assert all(m["src"] in ("ip4-1", "ip4-2") for m in sa["messages"])
    assert report["tool"]["redacted"] is True


# --- edges (issue 16) ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["diagnose", "--bogus", "x.pcap"], "diagnose: No such option: --bogus"),
    (["diagnose"], "diagnose: Missing argument 'files'"),
    (["diagnose", "--format", "xml", "x.pcap"], "'xml' is not one of"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
])
def test_usage_errors_are_one_line(args, needle):
    one_line_error(run(*args), needle)


def test_the_sha256_is_of_what_was_read_on_stdin_and_fifos(tmp_path):
    import hashlib
    import os
    import threading
    data = (CAPTURES / "v1-mm-psk-mismatch.pcap").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    piped = run("diagnose", "--format", "markdown", "-", stdin=data).stdout.decode()
    assert f"`{digest}`" in piped
    gz = gzip.compress(data)
    assert f"`{hashlib.sha256(gz).hexdigest()}`" in run("diagnose", "--format", "markdown", "-", stdin=gz).stdout.decode()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    result = subprocess.run([*CLI, "diagnose", "--format", "markdown", str(fifo)], capture_output=True, timeout=60)
    writer.join()
    assert f"`{digest}`" in result.stdout.decode()


JSON_RAW = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def test_json_escapes_c1_bidi_and_line_separators(tmp_path):
    evil = "gw\x9b2J\x9d0;x\x07\u202e\u2028\u2029\u200b end"
    am1 = ike.message(ISPI, bytes(8), 4, [(ike.V1_SA, ike.sa_v1([(1, b"", [(1, [(1, 7), (3, 1)])])])),
                                          (ike.V1_ID, ike.id_v1(2, evil.encode()))])
    path = str(_capture(tmp_path / "c1.pcap", [Frame(1.0 + i, packets.ethernet(packets.ip_udp(A, B, 500, 500, am1)))
                                               for i in range(2)]))
    jsonl = run("decode", "--format", "jsonl", path).stdout.decode("utf-8")
    report = run("diagnose", "--format", "json", path).stdout.decode("utf-8")
    for out in (jsonl, report):
        assert not JSON_RAW.search(out) and "\\u009b" in out and "\\u2028" in out
    assert any(p.get("value") == evil for p in json.loads(jsonl.splitlines()[0])["payloads"])


def test_non_utf8_file_names_in_any_locale(tmp_path):
    import os
    directory = os.fsencode(tmp_path)
    name = os.path.join(directory, b"caf\xe9\xe2\x80\xae.pcap")
    with open(name, "wb") as f:
        f.write((CAPTURES / "v1-mm-psk-mismatch.pcap").read_bytes())
    out = os.path.join(directory, b"out\xff.json")
    for locale in ("C", "C.UTF-8"):
        env = {**os.environ, "LC_ALL": locale}
        result = subprocess.run([*CLI, "diagnose", "--format", "json", "-o", out, name], capture_output=True, env=env)
        assert result.returncode == 1, result.stderr
        with open(out, "rb") as f:
            report = json.loads(f.read().decode("utf-8"))              # strict: valid UTF-8
        assert os.fsencode(report["capture"]["files"][0]["name"]) == name
        for command in (["diagnose"], ["decode", "--format", "jsonl"], ["diagnose", "--format", "markdown"]):
            shown = subprocess.run([*CLI, *command, name], capture_output=True, env=env)
            text = shown.stdout.decode("utf-8")
            assert "Traceback" not in shown.stderr.decode() and not CONTROL.search(text), (command, shown.stderr)


def test_a_bad_file_in_a_directory_is_a_warning(tmp_path):
    for name in ("v1-mm-psk-mismatch.pcap", "v2-healthy.pcap"):
        (tmp_path / name).write_bytes((CAPTURES / name).read_bytes())
    (tmp_path / "empty.pcap").write_bytes(b"")
    (tmp_path / "junk.pcap").write_bytes(b"GIF89a, not a capture at all")
    for jobs in ("1", "2"):
        report = json.loads(run("diagnose", f"-j{jobs}", "--format", "json", str(tmp_path)).stdout)
        assert len(report["sas"]) == 2
        assert sorted(w.split(": ", 1)[1] for w in report["capture"]["warnings"]) == [
            "empty file: the file is skipped",
            "not a pcap or pcapng capture (starts with 47494638): the file is skipped"]
    one_line_error(run("diagnose", str(tmp_path / "empty.pcap")), "empty file")


def test_wire_urls_are_not_linked_in_markdown(tmp_path):
    idi = ike.id_v1(2, b"https://evil.example/login www.evil.test")
    am1 = ike.message(ISPI, bytes(8), 4, [(ike.V1_SA, ike.sa_v1([(1, b"", [(1, [(1, 7), (3, 1)])])])),
                                          (ike.V1_ID, idi)])
    path = str(_capture(tmp_path / "url.pcap", [Frame(1.0 + i, packets.ethernet(packets.ip_udp(A, B, 500, 500, am1)))
                                                for i in range(2)]))
    markdown = run("diagnose", "-v", "--format", "markdown", path).stdout.decode()
    assert "evil.example" in markdown and "https://" not in markdown and "www.evil" not in markdown
    assert "https&#8203;://evil.example" in markdown
