"""--redact leaves nothing to find: for every capture (captures/ and ../shared/corpus) and every
output format, none of the addresses, identities, certificate names or the file name that
tshark — independently of ikepcap — reads from the capture appears in the redacted output."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import generate
import pytest
from conftest import CAPTURES, CORPUS
from typer.testing import CliRunner

from ikepcap.cli import app

SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "isakmp.id.data.fqdn", "isakmp.id.data.user_fqdn",
          "isakmp.id.data.ipv4_addr", "isakmp.id.data.ipv6_addr", "x509sat.printableString", "x509sat.uTF8String",
          "x509sat.IA5String", "x509sat.teletexString", "isakmp.notify.data.redirect.new_resp_gw_ident.fqdn"]
FORMATS = [["diagnose", "-v"], ["diagnose", "--format", "json"], ["diagnose", "-v", "--format", "markdown"],
           ["decode", "-v"], ["decode", "--format", "jsonl"]]


def _captures() -> list[Path]:
    found = [p for p in sorted(CAPTURES.iterdir()) if p.name.endswith(SUFFIXES)]
    if CORPUS.is_dir():
        found += [p for p in sorted(CORPUS.rglob("*")) if p.name.endswith(SUFFIXES)]
    return found


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


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_redact_leaves_no_original_in_any_format(tmp_path):
    runner = CliRunner()
    started = time.monotonic()
    failures = []
    for path in _captures():
        secrets = originals(path)
        for command in FORMATS:
            result = runner.invoke(app, [*command, "--redact", "-q", str(path)])
            output = result.stdout + (result.stderr or "")
            leaked = _leaks(output, secrets)
            if leaked:
                failures.append((path.name, command, sorted(leaked)[:5]))
    assert not failures, failures[:10]
    assert time.monotonic() - started < 600


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
