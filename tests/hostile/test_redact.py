"""--redact leaves nothing to find: for every capture (captures/ and ../shared/corpus, and the
generated hostile ones) and every output format, none of the addresses, identities, certificate
names or the file name that tshark — independently of ikepcap — reads from the capture appears
in the redacted output. The redactor runs without its nets (the text searches for known values
and address shapes), so what is proved is that the marks set where values enter sentences
(ikepcap.marks) reach every one of them."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import generate
import pytest
from conftest import CAPTURES, bench_span, capture_files
from typer.testing import CliRunner

from ikepcap.cli import app
from ikepcap.decrypt.apply import apply
from ikepcap.decrypt.keys import gather
from ikepcap.extract.native import extract
from ikepcap.marks import CLOSE, OPEN, marked, wire

FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "isakmp.id.data.fqdn", "isakmp.id.data.user_fqdn",
          "isakmp.id.data.ipv4_addr", "isakmp.id.data.ipv6_addr", "isakmp.id.data.ipv4_subnet",
          "isakmp.id.data.ipv6_subnet", "isakmp.id.data.ipv4_range_start", "isakmp.id.data.ipv4_range_end",
          "isakmp.id.data.ipv6_range_start", "isakmp.id.data.ipv6_range_end", "isakmp.id.data.key_id",
          "isakmp.ts.start_ipv4", "isakmp.ts.end_ipv4", "isakmp.ts.start_ipv6", "isakmp.ts.end_ipv6",
          "x509sat.printableString", "x509sat.uTF8String", "x509sat.IA5String", "x509sat.teletexString",
          "isakmp.notify.data.redirect.new_resp_gw_ident.fqdn"]
FORMATS = [["diagnose", "-v"], ["diagnose", "--format", "json"], ["diagnose", "-v", "--format", "markdown"],
           ["decode", "-v"], ["decode", "--format", "jsonl"]]


def originals(path: Path) -> set[str]:
    """What tshark reads from the capture that --redact must hide (strings long enough to mean
    something: a 2-letter country code is also in every report's words)."""
    result = subprocess.run(["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "separator=\t",
                             "-E", "aggregator=\t", *[a for f in FIELDS for a in ("-e", f)]],
                            capture_output=True, timeout=120)
    values = set(result.stdout.decode("utf-8", "replace").split())
    values |= {line for line in result.stdout.decode("utf-8", "replace").split("\t") if " " in line}
    return {v.strip() for v in values if len(v.strip()) >= 4 and not v.strip().isdigit()} | {path.name}


ADDRESS_TOKEN = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")
TOOL_WORDS = {"ikepcap"}                # the tool's own name, in every report (and in the test certificates)


def _leaks(output: str, secrets: set[str]) -> list[str]:
    """The secrets in ``output``: an address as a whole token (not inside a longer number, a
    trailing full stop allowed), any other value anywhere."""
    tokens = {token.strip(".:") for token in ADDRESS_TOKEN.findall(output)}
    leaks = []
    for secret in secrets - TOOL_WORDS:
        if re.fullmatch(r"[0-9A-Fa-f:.]+", secret) and re.search("[:.]", secret):
            if secret in tokens:
                leaks.append(secret)
        elif secret in output:
            leaks.append(secret)
    return leaks


@pytest.fixture
def marks_only(monkeypatch):
    """The redactor without its nets: only what was marked is replaced."""
    from ikepcap.report import redact
    monkeypatch.setattr(redact.Redactor.__init__, "__defaults__", (False, 1))


def _generated(folder: Path) -> list[Path]:
    """The hostile generator's captures, small: a flood before a real failure (flood and scan
    findings), ESP and keepalive flows without IKE, many identities."""
    return [generate.KINDS["flood"](folder / "flood.pcap", 3000), generate.esp_spis(folder / "esp.pcap", 50),
            generate.keepalive_flows(folder / "keepalives.pcap", 50), generate.many_sas(folder / "ids.pcap", 20)]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_redact_leaves_no_original_in_any_format(tmp_path, marks_only):
    runner = CliRunner()
    started = time.monotonic()
    failures = []
    for path in capture_files() + _generated(tmp_path):
        secrets = originals(path)
        for command in FORMATS:
            result = runner.invoke(app, [*command, "--redact", "-q", str(path)])
            output = result.stdout + (result.stderr or "")
            leaked = _leaks(output, secrets)
            if leaked or OPEN in output or CLOSE in output:
                failures.append((path.name, command, sorted(leaked)[:5], OPEN in output))
    assert not failures, failures[:10]
    assert time.monotonic() - started < 600


def test_marks_become_pseudonyms_by_what_they_hold(marks_only, tmp_path):
    """Known values by their table, addresses inside a subnet or a range one by one, anything
    else marked by a pseudonym of its own; unmarked text is left alone (no net), and a value
    carrying the marks themselves cannot end its span early."""
    from ikepcap.report.redact import Redactor
    extraction = extract([str(generate.many_sas(tmp_path / "ids.pcap", 2))], jobs=1)
    redactor = Redactor(extraction)
    with marked(True):
        sentence = (f"IDi {wire('peer1.example.net')} from {wire(extraction.messages[0].src)}, selector "
                    f"{wire('10.1.0.0/24')}-{wire('2001:db8::1')}, label {wire('secret' + OPEN + 'x' + CLOSE)}, "
                    f"again {wire('secretx')}, plain 192.0.2.99")
    assert redactor.text(sentence) == ("IDi id-2 from ip4-1, selector ip4-4/24-ip6-1, label value-1, again value-1, "
                                       "plain 192.0.2.99")
    assert wire("peer1.example.net") == "peer1.example.net"            # not redacting: nothing is marked


def test_redact_is_linear(tmp_path):
    """Issue 16: 2,000 SAs with distinct identities took 79 s instead of 2.6 s."""
    from ikepcap.extract.native import extract
    from ikepcap.pipeline import analyse
    from ikepcap.report.redact import redact
    costs = []
    for count in (250, 1000):
        extraction = extract([str(generate.many_sas(tmp_path / f"{count}.pcap", count))], jobs=1)
        view = analyse(extraction, messages=True, jobs=1).view
        started = time.process_time()
        redacted = redact(view, extraction)
        costs.append(time.process_time() - started)
        assert "peer1.example.net" not in str(redacted) and "id-1" in str(redacted)
    assert costs[1] < 4 * costs[0] * 2, costs          # four times the SAs: not sixteen times the time


def test_redact_draws_pseudonyms_from_what_the_keys_open_also_when_the_shards_decrypt(monkeypatch, tmp_path):
    """With keys, a busy capture is decrypted in the diagnosis shards, each in its own process;
    the redactor, in the main process, must still see every message the keys open, or an
    identity that only travelled encrypted would keep its real name."""
    from ikepcap import pipeline
    from ikepcap.report import redact

    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)
    seen = []
    built = redact.Redactor.__init__

    def spy(self, extraction, **options):
        seen.append({(m.file, m.frame) for m in extraction.messages if m.opened})
        built(self, extraction, **options)

    monkeypatch.setattr(redact.Redactor, "__init__", spy)
    span = bench_span()
    capture = tmp_path / "keyed.pcap"          # the lab's keyed conversations, over several peer pairs
    span.build_keyed(capture, 600)                         # with their key tables beside it
    result = CliRunner().invoke(app, ["diagnose", "--redact", "-q", "-j2", "--format", "json", str(capture)])
    assert result.exit_code in (0, 1), result.output
    whole = extract([str(capture)], jobs=1)
    apply(whole, gather([], [str(capture)]))
    (opened,) = seen
    assert opened == {(m.file, m.frame) for m in whole.messages if m.opened} and len(opened) > 100


def test_each_file_of_a_redacted_run_is_numbered_by_its_place(tmp_path):
    """--each --redact: every file is capture-N in its own report and in the closing table, an
    unreadable one too (its name was printed as it is)."""
    folder = tmp_path / "acme-vpn-sites"
    folder.mkdir()
    for name, source in (("site-a.pcap", "v1-mm-psk-mismatch.pcap"), ("site-b.pcap", "v2-healthy.pcap")):
        (folder / name).write_bytes((CAPTURES / source).read_bytes())
    (folder / "site-c.pcap").write_bytes(b"")
    result = CliRunner().invoke(app, ["diagnose", "--each", "--redact", str(folder)])
    output = result.stdout + (result.stderr or "")
    assert result.exit_code == 2 and "site-" not in output and "acme" not in output, output
    table = result.stdout[result.stdout.index("3 files:"):].splitlines()
    assert [line.split()[0] for line in table[3:]] == ["capture-1", "capture-2", "capture-3"], table
    assert "capture-3: empty file" in output


def test_marking_ends_with_the_command_even_when_it_fails(tmp_path):
    """A redacted command that stops on bad input leaves nothing marked for the next one run in
    the same process (the tests', a library caller's)."""
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    for command in ("diagnose", "decode"):
        result = CliRunner().invoke(app, [command, "--redact", str(empty)])
        assert result.exit_code == 2
        assert wire("192.0.2.1") == "192.0.2.1"
