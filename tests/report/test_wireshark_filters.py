"""Every finding's display filter, run through tshark, selects exactly its evidence frames."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import CAPTURES, split_pcap

from ikepcap.report.wireshark import display_filter
from report.conftest import diagnose

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")


def selected(capture: Path, expression: str) -> set[int]:
    """The frame numbers tshark's display filter selects in ``capture``."""
    result = subprocess.run([TSHARK, "-n", "-r", str(capture), "-Y", expression, "-T", "fields", "-e", "frame.number"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{expression}: {result.stderr}"
    return {int(line) for line in result.stdout.split()}


def _findings(view: dict):
    yield from view["capture_findings"]
    for sa in view["sas"]:
        yield from sa["findings"]


def test_filters_are_written_for_every_wireshark_version():
    assert display_filter([(4, "c205f30d14beada5"), (3, "c205f30d14beada5")]) == \
        "isakmp.ispi == c205f30d14beada5 && frame.number in {3, 4}"
    assert display_filter([(7, None)]) == "frame.number == 7"
    assert display_filter([(9, None), (2, "00000000000000aa"), (8, None)]) == \
        "(isakmp.ispi == 00000000000000aa && frame.number == 2) || (frame.number in {8, 9})"


def test_every_finding_with_evidence_has_a_filter_in_every_format(views):
    counted = 0
    for view in views.values():
        for finding in _findings(view):
            files = {e["file"] for e in finding["evidence"]}
            assert [f["file"] for f in finding["wireshark_filters"]] == list(dict.fromkeys(
                e["file"] for e in finding["evidence"]))
            assert (finding["wireshark_filter"] is None) == (len(files) != 1)
            counted += bool(files)
    assert counted >= 40
    path = CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"
    expression = "isakmp.ispi == c205f30d14beada5 && frame.number in {3, 4, 5, 6}"
    assert f"Wireshark: {expression}\n" in diagnose(str(path))[1]
    assert f"Wireshark display filter: `{expression}`" in diagnose("--format", "markdown", str(path))[1]


def _check(views: dict[Path, dict]) -> tuple[list[str], list[str]]:
    """Run every distinct filter of ``views`` through tshark; the filters, and those that select
    other frames than their evidence (as text)."""
    jobs = {(capture, f["filter"]): {e["frame"] for e in finding["evidence"] if e["file"] == f["file"]}
            for capture, view in views.items() for finding in _findings(view) for f in finding["wireshark_filters"]}
    with ThreadPoolExecutor(2) as pool:
        got = dict(zip(jobs, pool.map(lambda job: selected(*job), jobs)))
    wrong = [f"{capture.name}: {expression} selects {sorted(got[capture, expression])}, evidence {sorted(frames)}"
             for (capture, expression), frames in jobs.items() if got[capture, expression] != frames]
    return [expression for _, expression in jobs], wrong


@needs_tshark
def test_each_filter_selects_exactly_its_evidence_in_tshark(views):
    expressions, wrong = _check(views)
    assert not wrong, wrong
    assert len(expressions) >= 30 and all("isakmp.ispi == " in e for e in expressions)


@needs_tshark
def test_evidence_without_an_ike_message_is_selected_by_frame_number(corpus):
    """ESP, and an IKE message of another SA, in the public corpus."""
    files = [corpus / "arkime" / "IKEv1.pcap", corpus / "arkime" / "ike-cert_synthetic.pcap",
             corpus / "tcpdump" / "isakmp4500.pcap"]
    views = {path: json.loads(diagnose("--format", "json", str(path))[1]) for path in files}
    expressions, wrong = _check(views)
    assert not wrong, wrong
    assert {"frame.number == 2", "frame.number == 5", "frame.number == 12"} <= set(expressions)



@needs_tshark
def test_a_ring_gets_one_filter_per_file(tmp_path):
    """Frame numbers restart in each file: evidence over two files gets a filter for each."""
    first, second = tmp_path / "ring-1.pcap", tmp_path / "ring-2.pcap"
    split_pcap(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap", first, second, 3)
    view = json.loads(diagnose("--format", "json", str(first), str(second))[1])
    stall = view["sas"][0]["findings"][0]
    assert stall["wireshark_filter"] is None
    assert stall["wireshark_filters"] == [
        {"file": str(first), "filter": "isakmp.ispi == c205f30d14beada5 && frame.number == 3"},
        {"file": str(second), "filter": "isakmp.ispi == c205f30d14beada5 && frame.number in {1, 2, 3}"}]
    for f in stall["wireshark_filters"]:
        assert selected(Path(f["file"]), f["filter"]) == {e["frame"] for e in stall["evidence"] if e["file"] == f["file"]}
    text = diagnose(str(first), str(second))[1]
    assert "Wireshark (ring-1.pcap): isakmp.ispi == c205f30d14beada5 && frame.number == 3\n" in text
    assert "Wireshark (ring-2.pcap): isakmp.ispi == c205f30d14beada5 && frame.number in {1, 2, 3}\n" in text
