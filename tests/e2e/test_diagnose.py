"""The real CLI on every capture in captures/, against the diagnosis stored beside it.

Each ``<name>.expected.json`` was written from what the daemons logged and what tshark shows
(or, for the reproduction, from its write-up), never from ikepcap's output. The JSON report
must agree on every SA: phase outcomes, stall point and ASA state, cause, retransmitted
messages and their counts, clear notifies, one-way traffic, and the exact set of finding ids.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import CAPTURES, bench_span, split_pcap

CLI = [sys.executable, "-m", "ikepcap"]
EXPECTED = sorted(CAPTURES.glob("*.expected.json"))


def _cases(paths: list[Path]) -> list:
    """One case per expected file, named by its capture's stem."""
    return [pytest.param(path, id=path.name.replace(".expected.json", "")) for path in paths]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[int, dict]]:
    """``diagnose --format json`` for every capture with an expected diagnosis, run in parallel."""
    def one(path: Path) -> tuple[str, tuple[int, dict]]:
        capture = CAPTURES / json.loads(path.read_text())["capture"]
        result = run("diagnose", "--format", "json", "--no-keys", str(capture))
        assert "Traceback" not in result.stderr, result.stderr
        return path.name, (result.returncode, json.loads(result.stdout))
    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, EXPECTED))


def test_there_are_enough_captures():
    assert len(EXPECTED) >= 16


def _top_causes(sa: dict, n: int) -> list[str]:
    leading = next((f for f in sa["findings"] if f["severity"] == "error" and f["causes"]), None)
    return [c["id"] for c in leading["causes"][:n]] if leading else []


@pytest.mark.parametrize("expected_path", _cases(EXPECTED))
def test_diagnosis_matches_ground_truth(expected_path: Path, reports) -> None:
    expected = json.loads(expected_path.read_text())
    code, report = reports[expected_path.name]
    assert report["schema_version"] == 1
    ours = {sa["ispi"]: sa for sa in report["sas"]}
    assert set(ours) == {sa["ispi"] for sa in expected["sas"]}, "SAs differ"
    problem = False
    for truth in expected["sas"]:
        sa = ours[truth["ispi"]]
        where = f"SA {truth['ispi']}"
        assert (sa["version"], sa["mode"], sa["initiator"]["address"], sa["responder"]["address"]) == \
            (truth["version"], truth["exchange"], truth["initiator"], truth["responder"]), where
        assert sa["phase1"]["outcome"] == truth["outcome"], where
        assert sa["stall"] == truth["stall"], where
        if truth["phase2"] is None:
            assert sa["phase2"]["outcome"] == "not seen", where
        else:
            assert sa["phase2"]["outcome"] == truth["phase2"]["outcome"], where
            if truth["phase2"]["outcome"] != "established":
                assert sa["phase2"]["last_message"] == truth["phase2"]["last_message"], where
        alternatives = truth.get("cause_alternatives", {}).get("causes", [])
        if sa["cause"] != truth["cause"]:
            # The capture cannot tell these causes apart (the expected file says why): the report
            # leads with one of them, and the true one is among as many most likely causes as
            # the capture cannot tell apart.
            alike = len({truth["cause"], *alternatives})
            assert sa["cause"] in alternatives and truth["cause"] in _top_causes(sa, alike), where
        assert sorted((r["message"], r["sender"], r["copies"]) for r in sa["retransmissions"]) == \
            sorted((r["message"], r["sender"], r["copies"]) for r in truth["retransmissions"]), where
        clear = sorted((n["type"], n["sender"], n["count"]) for n in sa["notifies"] if not n["encrypted"])
        assert clear == sorted((n["type"], n["sender"], n["count"]) for n in truth["notifies"]
                               if not n["encrypted"] and n["type"] is not None), where
        assert sa["one_way"] == truth["one_way"], where
        assert sorted(f["rule"] for f in sa["findings"]) == sorted(truth["findings"]), where
        for finding in sa["findings"]:
            assert finding["evidence"], f"{where}: {finding['rule']} names no frames"
        problem = problem or truth["cause"] not in ("none", "nat-t", "dh-group-retry", "deleted")
    assert code == (1 if problem else 0)


KEYED = [p for p in EXPECTED if any(p.with_name(p.name.replace(".expected.json", f".{kind}_decryption_table")).exists()
                                   for kind in ("ikev1", "ikev2"))]


@pytest.mark.parametrize("expected_path", _cases(KEYED))
def test_with_its_key_table_the_cause_is_exact_and_not_inferred(expected_path: Path) -> None:
    """The key table beside a lab capture is used without asking: the most likely cause is the true
    one (no alternatives), the finding that decides it rests on what the keys showed, every
    notification the keys revealed is one the daemons' logs say was sent, and the report names the
    key that opened each SA."""
    expected = json.loads(expected_path.read_text())
    result = run("diagnose", "--format", "json", str(CAPTURES / expected["capture"]))
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    ours = {sa["ispi"]: sa for sa in report["sas"]}
    opened = {use["ispi"] for use in report["decryption"]}
    for truth in expected["sas"]:
        sa, where = ours[truth["ispi"]], f"SA {truth['ispi']}"
        keyed = {**truth, **truth.get("with_keys", {})}
        assert sa["cause"] == keyed["cause"], where
        assert sorted(f["rule"] for f in sa["findings"]) == sorted(keyed["findings"]), where
        leading = next((f for f in sa["findings"] if f["severity"] == "error" and f["causes"]), None)
        assert leading is None or not leading["inferred"], f"{where}: {leading['rule']} still inferred"
        if truth["phase2"] is None:
            assert sa["phase2"]["outcome"] == "not seen", where
        sent = {(n["name"], n["sender"]) for n in truth["notifies"] if n["encrypted"]}
        assert {(n["name"], n["sender"]) for n in sa["notifies"] if n["encrypted"]} <= sent, where
        if any(m["encrypted"] for m in sa["messages"]):
            assert truth["ispi"] in opened, f"{where}: no key named for it"


# A strongSwan (charon) log line, as the lab keeps them beside each capture.
CHARON_LOG = re.compile(r"\d\d\[(?:IKE|NET|ENC|CFG)\] ")
# A libreswan (pluto) log line: the connection's name and state number.
PLUTO_LOG = re.compile(r'"lab" #\d+: ')


def _log_pattern(line: str) -> re.Pattern:
    """A reported strongSwan line as a pattern over the daemon's log: '…' and '...' stand for what
    the capture point cannot know, ' / ' separates alternatives, and the marks ikepcap adds
    (' (inferred)', a registry name in brackets) are not part of the line."""
    line = re.sub(r" \[[A-Z_]+\]$", "", line.removesuffix(" (inferred)"))
    return re.compile("|".join(re.escape(a).replace("…", ".*").replace(r"\.\.\.", ".*") for a in line.split(" / ")))


@pytest.mark.parametrize("expected_path", _cases(EXPECTED))
def test_strongswan_lines_are_what_the_daemons_logged(expected_path: Path, reports) -> None:
    """Each side's strongSwan line is one its charon logged in the lab before the capture stopped,
    and a libreswan side's state is one its pluto logged. Not checkable: lines in brackets, which
    are states rather than log lines or, like the half-open timeout (30 s), come after every lab
    capture ends."""
    _, report = reports[expected_path.name]
    stem = expected_path.name.replace(".expected.json", "")
    for sa in report["sas"]:
        for phase in ("phase1", "phase2"):
            for place in ("initiator", "responder"):
                side = sa[phase][place]
                log = CAPTURES / f"{stem}.{side['side']}.log" if side else None
                if log is None or not log.exists():
                    continue
                text = log.read_text()
                if PLUTO_LOG.search(text) and side["libreswan"].startswith("STATE_"):
                    assert side["libreswan"].split()[0] in text, (sa["ispi"], phase, place, side["libreswan"])
                if not CHARON_LOG.search(text):
                    continue
                line = side["strongswan"]
                if line.startswith("("):
                    continue
                before = text.split("capture stopped here")[0]
                assert _log_pattern(line).search(before), (sa["ispi"], phase, place, line)


def test_a_snaplen_cut_capture_says_so(reports):
    """Findings from a 96-byte snaplen capture rest on headers: the report must say the messages
    were cut, not only `decode`."""
    _, report = reports["variant-snaplen-96.expected.json"]
    assert any("the capture cut 4 IKE message(s) short (snaplen)" in w for w in report["capture"]["warnings"])
    _, whole = reports["v1-mm-no-psk-for-peer.expected.json"]
    assert not any("snaplen" in w for w in whole["capture"]["warnings"])


@pytest.mark.parametrize(("capture", "heading"), [
    ("v2-auth-failed.pcap", "where each side stood when the negotiation was refused"),
    ("v1-mm-udp4500-blocked.pcap", "where each side stands"),
])
def test_the_state_table_says_when_it_shows_the_moment_of_a_refusal(capture, heading):
    """After a refusal the rows are where each side stood then: the refused side was still waiting."""
    text = run("diagnose", str(CAPTURES / capture)).stdout
    markdown = run("diagnose", "--format", "markdown", str(CAPTURES / capture)).stdout
    assert f"  Phase 1 — {heading}:" in text and f"### Phase 1: {heading}" in markdown


def test_the_asa_case_on_one_screen():
    """The case from the diagnosis issue, as an engineer reads it in the terminal."""
    result = run("diagnose", str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"))
    assert result.returncode == 1
    text = result.stdout
    assert len(text.splitlines()) <= 80
    for needed in ("MM_WAIT_MSG4", "stalled after MM3", "MM3 was sent 2 times (frames 3, 4; interval 8.0 s)",
                   "INVALID_COOKIE", "frames 5, 6", "most likely: the responder has no pre-shared key / tunnel-group "
                   "for the initiator's address", "Check on the responder", "Check on the initiator"):
        assert needed in " ".join(text.split()), needed
    # A rule id is never split over two lines: it is what one searches the README for.
    rules = {"mm3-invalid-cookie", "unencrypted-error-notify", "retransmissions", "weak-algorithms"}
    assert set(re.findall(r"rule: (\S+)", text)) == rules
    # beside the problem, information is one line each; -v tells the details
    assert "  [info] The IKE SA uses weak algorithms   rule: weak-algorithms\n  [info] Messages were re-sent" in text
    assert "MODP-1024 (1024-bit group): chosen in MM2" in run("diagnose", "-v", str(CAPTURES /
                                                                 "asa-mm-wait-msg4-reproduction.pcap")).stdout


def test_markdown_report_for_a_ticket(tmp_path):
    out = tmp_path / "report.md"
    result = run("diagnose", "--format", "markdown", "-o", str(out),
                 str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"))
    assert result.returncode == 1 and result.stdout == ""
    text = out.read_text()
    assert "```mermaid\nsequenceDiagram" in text
    assert "I->>R: MM3 copy 2 - frame 4, 256 B" in text
    assert "R->>I: Informational (unprotected) N(INVALID_COOKIE) - frame 5, 68 B" in text
    assert "SHA-256" in text and len(text.split("SHA-256 | `")[1].split("`")[0]) == 64
    assert "### Decoded key messages" in text



def test_markdown_key_messages_are_matched_by_file_and_frame(tmp_path):
    """Frame numbers restart in each file: evidence in file two, frame 1 is not file one's frame 1."""
    first, second = tmp_path / "ring-1.pcap", tmp_path / "ring-2.pcap"
    split_pcap(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap", first, second, 3)
    text = run("diagnose", "--format", "markdown", str(first), str(second)).stdout
    decoded = text.split("### Decoded key messages")[1]
    assert "**MM3**" in decoded and "**Informational (unprotected)**" in decoded
    # file two's frames 1 and 2 are not file one's MM1 and MM2 (MM2 is there once, as the weak-algorithms evidence)
    assert "**MM1**" not in decoded and decoded.count("**MM2**") == 1


def test_a_ring_of_files_names_each_frame_with_its_file(tmp_path):
    first, second = tmp_path / "ring-1.pcap", tmp_path / "ring-2.pcap"
    split_pcap(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap", first, second, 3)
    text = run("diagnose", "-v", str(first), str(second)).stdout
    assert "frame ring-1.pcap:3 " in text and "frame ring-2.pcap:1 " in text     # evidence: MM3, its copy
    assert " ring-2.pcap:1 " in text.split("Message ladder:")[1]
    markdown = run("diagnose", "--format", "markdown", str(first), str(second)).stdout
    assert "| ring-1.pcap:3 |" in markdown and "- frame ring-2.pcap:2: **Informational" in markdown
    # the findings' own sentences name file and frame too
    flat = " ".join(text.split())
    assert "MM3 was sent 2 times (frames ring-1.pcap:3, ring-2.pcap:1;" in flat
    redacted = run("diagnose", "--redact", str(first), str(second)).stdout
    assert "ring-" not in redacted and "(frames capture-1:3, capture-2:1;" in " ".join(redacted.split())
    single = run("diagnose", str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap")).stdout
    assert "frame     3  " in single and "reproduction.pcap:3" not in single
    assert "(frames 3, 4;" in single


def test_filters_and_exit_codes():
    healthy = str(CAPTURES / "v1-mm-healthy.pcap")
    assert run("diagnose", healthy).returncode == 0
    both = [healthy, str(CAPTURES / "v1-mm-psk-mismatch.pcap")]
    assert run("diagnose", *both).returncode == 1
    narrowed = run("diagnose", "--format", "json", "--sa", json.loads(
        (CAPTURES / "v1-mm-healthy.expected.json").read_text())["sas"][0]["ispi"][:8], *both)
    assert narrowed.returncode == 0 and json.loads(narrowed.stdout)["summary"]["sas"] == 1
    nobody = run("diagnose", "--format", "json", "--peer", "203.0.113.250", *both)
    assert nobody.returncode == 2 and nobody.stdout == ""
    assert nobody.stderr == "ikepcap: no IKE SA matches --peer 203.0.113.250 (2 SA(s) in the capture)\n"
    for bad, reason in (("--peer", "not an IPv4 or IPv6 address"), ("--sa", "not a hexadecimal SPI")):
        refused = run("diagnose", bad, "zz", healthy)
        assert refused.returncode == 2 and reason in refused.stderr
    # any spelling of an IPv6 peer; an SPI with a 0x prefix
    ipv6 = str(CAPTURES / "v2-healthy-ipv6.pcap")
    peer = json.loads((CAPTURES / "v2-healthy-ipv6.expected.json").read_text())["sas"][0]["responder"]
    for spelling in (peer.upper(), f"[{peer}]", ipaddress.ip_address(peer).exploded):
        assert run("diagnose", "--peer", spelling, ipv6).returncode == 0, spelling
    ispi = json.loads((CAPTURES / "v1-mm-healthy.expected.json").read_text())["sas"][0]["ispi"]
    assert run("diagnose", "--sa", "0x" + ispi[:6], healthy).returncode == 0


def _cut_short(*args: str) -> subprocess.CompletedProcess:
    """The command with its output read through a one-page pipe closed after a byte: whatever it
    writes past the pipe's room finds the reader gone."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)     # before the command starts: no race to fill more
    process = subprocess.Popen([*CLI, *args], stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    assert os.read(read_end, 1)
    os.close(read_end)
    stderr = process.stderr.read()
    return subprocess.CompletedProcess(args, process.wait(), b"", stderr)


@pytest.fixture(scope="module")
def headend(tmp_path_factory) -> Path:
    """More messages than one process renders alone (forking.PARALLEL_MESSAGES)."""
    span = bench_span()
    path = tmp_path_factory.mktemp("headend") / "ike-heavy.pcap"
    span.build_ike_heavy(path, 24_000)
    return path


@pytest.mark.parametrize("args, code", [
    (["diagnose", "--format", "json", "v1-mm-healthy.pcap"], 0),
    (["diagnose", "--format", "json", "-v", "v1-concentrator-many-sas.pcap"], 1),
    (["decode", "-v", "v1-concentrator-many-sas.pcap"], 0),
    (["decode", "--format", "jsonl", "--jobs", "2", "headend"], 0),
], ids=["healthy", "problem", "decode", "decode-on-two-cores"])
def test_a_reader_that_goes_away_leaves_the_exit_code_its_meaning(args, code, headend):
    """``| head``: the command stops quietly and its exit code is still the verdict (click alone
    says 1, "a problem found", for any broken pipe), also with workers rendering lines."""
    args[-1] = str(headend if args[-1] == "headend" else CAPTURES / args[-1])
    whole = run(*args)
    assert len(whole.stdout.encode()) > 3 * 4096          # more than the pipe holds: the write must break
    cut = _cut_short(*args)
    assert (cut.returncode, cut.stderr) == (code, whole.stderr.encode())   # its warnings, nothing of the pipe
    assert whole.returncode == code


def test_a_file_named_twice_is_read_once(tmp_path):
    """Again, through its directory, or by another path: frames must not count twice."""
    capture = CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"
    once = json.loads(run("diagnose", "--format", "json", str(capture)).stdout)
    for args in ((str(capture), str(capture)), (str(CAPTURES), str(capture)),
                 (str(capture), str(CAPTURES / "." / capture.name))):
        result = run("diagnose", "--format", "json", *args)
        assert result.returncode == 1, (args, result.stderr)
        twice = json.loads(result.stdout)
        sa = next(s for s in twice["sas"] if s["ispi"] == once["sas"][0]["ispi"])
        assert sa["retransmissions"] == once["sas"][0]["retransmissions"], args


def test_standard_input_redirected_from_a_file(tmp_path):
    """`ikepcap diagnose - < file.pcap`: stdin is then a seekable file, and still not a path."""
    with open(CAPTURES / "v2-healthy.pcap", "rb") as f:
        result = subprocess.run([*CLI, "diagnose", "--format", "json", "-"], stdin=f, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["sas"] == 1


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a capture")
    for args in (["diagnose", str(bad)], ["diagnose", str(tmp_path / "missing.pcap")], ["decode", str(bad)],
                 ["diagnose", str(tmp_path)]):
        result = run(*args)
        assert result.returncode == 2, args
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_json_is_byte_identical_across_runs():
    capture = str(CAPTURES / "v1-am-psk-mismatch.pcap")
    assert run("diagnose", "--format", "json", capture).stdout == run("diagnose", "--format", "json", capture).stdout


def test_reports_name_each_side_and_what_to_run_there():
    """The implementation the wire shows for each side, with its evidence, in every format; and the
    commands that show the negotiation on that implementation (generic ones for an unknown side)."""
    capture = str(CAPTURES / "sw-lsw-v1-mm-psk-mismatch.pcap")
    sa = json.loads(run("diagnose", "--format", "json", capture).stdout)["sas"][0]
    assert (sa["initiator"]["implementation"]["name"], sa["responder"]["implementation"]["name"]) == \
        ("strongSwan", "Libreswan")
    assert any("frame" in e for e in sa["responder"]["implementation"]["evidence"])
    assert sa["initiator"]["commands"][0]["command"] == "swanctl --list-sas"
    assert any(c["command"] == "ipsec status" for c in sa["responder"]["commands"])
    text = run("diagnose", capture).stdout
    assert "Implementations: initiator strongSwan (likely), responder Libreswan (likely)." in text
    assert "Run on the responder (Libreswan (likely), 198.51.100.10): ipsec status;" in " ".join(text.split())
    assert "**Implementations:** initiator strongSwan (likely)" in run("diagnose", "--format", "markdown",
                                                                       capture).stdout
    unknown = json.loads(run("diagnose", "--format", "json", str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"))
                         .stdout)["sas"][0]["responder"]
    assert unknown["implementation"]["name"] is None and len(unknown["commands"]) >= 3


@pytest.mark.parametrize(("stem", "row"), [
    ("v1-mm-mm3-lost-responder-side", ("MM3 (sent, not seen here)", "MM4", "MM_WAIT_MSG4")),
    ("v1-mm-udp4500-blocked-responder-side", ("MM5 (sent, not seen here)", "MM6", "MM_WAIT_MSG6")),
    ("v2-auth-udp4500-blocked-responder-side", ("IKE_AUTH request (sent, not seen here)", "IKE_AUTH response",
                                                "IN-NEG")),
])
def test_the_state_table_follows_what_the_evidence_shows_was_sent(stem, row):
    """Captured at the responder: the initiator stopped re-sending its request, so the answer reached
    it, and its next message (MM3 after a transform it offered; MM5 or IKE_AUTH due on UDP 4500
    after NAT detection) went out and was lost on the way. Its row says so, not the wait its last
    message seen here would give (MM_WAIT_MSG2, MM_WAIT_MSG4)."""
    initiator = json.loads(run("diagnose", "--format", "json", "--no-keys", str(CAPTURES / f"{stem}.pcap")).stdout)[
        "sas"][0]["phase1"]["initiator"]
    assert (initiator["last_sent"], initiator["waiting_for"], initiator["cisco_asa"]) == row


def test_what_a_report_says_of_a_side_fits_the_side():
    """strongSwan's reading of a NO_PROPOSAL_CHOSEN without an SPI is not offered for Libreswan's
    format of it; an Aggressive Mode initiator that refused AM2 waits for nothing; a lost MM3's
    finding does not say the initiator never sent it."""
    def report(stem: str) -> dict:
        return json.loads(run("diagnose", "--format", "json", "--no-keys", str(CAPTURES / f"{stem}.pcap")).stdout)
    def details(stem: str) -> str:
        return " ".join(d for sa in report(stem)["sas"] for f in sa["findings"] for d in f["details"])
    assert "strongSwan sends it like this" in details("v1-mm-peer-not-configured")
    assert "strongSwan sends it like this" not in details("sw-lsw-v1-mm-p1-proposal-mismatch")
    for stem in ("v1-am-psk-mismatch", "sw-lsw-v1-am-psk-mismatch"):
        initiator = report(stem)["sas"][0]["phase1"]["initiator"]
        assert initiator["waiting_for"] == "nothing: it received AM2 (frame 2) and refused it with a notification"
    stall = next(f for f in report("v1-mm-mm3-lost-responder-side")["sas"][0]["findings"]
                 if f["rule"] == "mm2-unanswered")
    assert "never sent MM3" not in stall["title"] and "did not accept it." not in stall["explanation"]
    # with its key table: Libreswan refused the identity, and strongSwan, which could not read the
    # refusal, re-sent MM5 and logged what its log beside the capture holds
    keyed = json.loads(run("diagnose", "--format", "json", str(CAPTURES / "sw-lsw-v1-mm-id-refused.pcap")).stdout)
    line = keyed["sas"][0]["phase1"]["initiator"]["strongswan"]
    assert line == "invalid HASH_V1 payload length, decryption failed?"
    assert line in (CAPTURES / "sw-lsw-v1-mm-id-refused.initiator.log").read_text()
