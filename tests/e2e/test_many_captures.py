"""Many captures: files recognised by their content, a ring read as one capture, --each file by file."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys

from conftest import CAPTURES, split_pcap

ASA = CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ikepcap", *args], capture_output=True, text=True, check=False)



def test_a_tcpdump_ring_in_a_directory_is_one_capture(tmp_path):
    """tcpdump -C/-W names its files trace.pcap0, trace.pcap1…; beside them a key table and notes."""
    split_pcap(ASA, tmp_path / "trace.pcap0", tmp_path / "trace.pcap1", 3)
    (tmp_path / "trace.ikev1_decryption_table").write_text("c205f30d14beada5,00\n")
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"not a capture"))
    view = json.loads(run("diagnose", "-f", "json", str(tmp_path)).stdout)
    assert [f["name"] for f in view["capture"]["files"]] == [str(tmp_path / "trace.pcap0"),
                                                             str(tmp_path / "trace.pcap1")]
    assert view["summary"] == {"status": "problem", "sas": 1, "problems": 1, "healthy": 0}


def test_rotated_and_compressed_files_are_found_by_content_in_natural_order(tmp_path):
    for n, source in ((10, "v2-healthy.pcap"), (2, "v1-mm-healthy.pcap")):
        (tmp_path / f"trace.pcap{n}.gz").write_bytes(gzip.compress((CAPTURES / source).read_bytes()))
    shutil.copyfile(CAPTURES / "variant-pcapng-two-interfaces.pcapng", tmp_path / "trace.pcap1")
    (tmp_path / "empty.pcap").write_bytes(b"")
    result = run("diagnose", "--each", "-f", "json", str(tmp_path))
    names = [json.loads(line)["capture"]["files"][0]["name"] for line in result.stdout.splitlines()]
    assert names == [str(tmp_path / n) for n in ("trace.pcap1", "trace.pcap2.gz", "trace.pcap10.gz")]


def test_each_reports_every_file_and_ends_with_a_table(tmp_path):
    healthy, problem = CAPTURES / "v2-healthy.pcap", ASA
    result = run("diagnose", "--each", str(healthy), str(problem))
    assert result.returncode == 1
    reports, table = result.stdout.rsplit("=" * 80 + "\n2 files:\n", 1)
    assert reports.count("ikepcap 0.1.0 — ") == 2 and "SA 1: 192.0.2.1 → 198.51.100.2" in reports
    lines = table.splitlines()
    assert lines[0].split() == ["file", "SAs", "problems", "top", "cause"]
    assert lines[2].split() == ["v2-healthy.pcap", "1", "0", "—"]
    assert lines[3].split()[:4] == ["asa-mm-wait-msg4-reproduction.pcap", "1", "1", "the"]
    assert "pre-shared key" in table
    assert max(len(line) for line in result.stdout.splitlines() if "Wireshark" not in line) <= 80
    markdown = run("diagnose", "--each", "-f", "markdown", str(healthy), str(problem)).stdout
    assert markdown.count("# IKE diagnosis: ") == 2 and "# All 2 files" in markdown
    assert "| v2-healthy.pcap | 1 | 0 | — |" not in markdown             # Markdown names the files in full
    assert f"| {healthy} | 1 | 0 | — |".replace("_", "\\_") in markdown
    summary = run("diagnose", "--each", "-f", "summary", str(healthy), str(problem)).stdout
    assert summary.count("Verdict: ") == 1 and "2 files:" in summary
    both = run("diagnose", "-f", "json", str(healthy), str(problem))
    assert json.loads(both.stdout)["summary"]["sas"] == 2                # without --each: one capture


def test_each_goes_on_past_a_file_it_cannot_read(tmp_path):
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"hello")
    result = run("diagnose", "--each", str(junk), str(CAPTURES / "v2-healthy.pcap"))
    assert result.returncode == 2
    assert "not read: not a pcap or pcapng capture" in result.stdout and "ikepcap: " in result.stderr
    assert "1 IKE SA(s): 0 with problems, 1 healthy." in result.stdout


def test_each_with_html_and_filters(tmp_path):
    result = run("diagnose", "--each", "-f", "html", str(ASA))
    assert result.returncode == 2 and "--each and --format html" in result.stderr and not result.stdout
    result = run("diagnose", "--each", "--peer", "203.0.113.99", str(ASA), str(CAPTURES / "v2-healthy.pcap"))
    assert result.returncode == 2 and "no IKE SA in any of the 2 file(s) matches --peer 203.0.113.99" in result.stderr
    result = run("diagnose", "--each", "--peer", "192.0.2.1", str(ASA), str(CAPTURES / "v2-healthy.pcap"))
    assert result.returncode == 1 and "0 IKE SA(s)" in result.stdout
