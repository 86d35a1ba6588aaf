"""The benchmark's own smoke test: it runs end to end on a tiny size. No timing is asserted."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO


def test_benchmark_runs_on_a_tiny_capture(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--frames", "3000", "--repeat", "1", "--scales", "1",
         "--ike-heavy", "600", "--keyed", "800", "--flood", "400", "--headend", "1200", "--workdir", str(tmp_path),
         "--results", str(tmp_path / "results.json")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "span-3000.pcap: 3,000 frames" in out and "ikepcap" in out
    assert "scaling" in out and "IKE flood, 400 distinct initiator cookies" in out
    assert "py-floor" in out and "bench/floor.py) takes" in out
    assert re.search(r"ikepcap up to its rules \(bench/made\.py: [^)]*\) \d+\.\d+ s", out)
    # run.py stops unless every replica of the keyed capture decrypts as its lab conversation does
    assert re.search(r"keyed-800\.pcap: [\d,]+ frames, \d+ replicas", out) and "decrypting every SA adds" in out
    assert "as in the lab" in out
    assert "ike-heavy-1200.pcap: 1,200 frames" in out and "flood finding: no" in out
    if "tshark" in out:                                  # ikepcap's JSON outputs beside tshark's
        assert "ike-heavy-600.pcap, machine-readable output" in out
        assert re.search(r"JSON report: ikepcap is [\d.]+× (faster|slower) than tshark", out)
        assert re.search(r"JSON lines: ikepcap is [\d.]+× (faster|slower) than tshark", out)
    # every figure printed is written too: what the README quotes comes from this file
    figures = json.loads((tmp_path / "results.json").read_text())
    assert figures["reader"] in ("compiled", "python") and figures["cpus"] >= 1
    assert figures["span"]["frames"] == 3000 and figures["span"]["tools"]["ikepcap"]["seconds"] > 0
    assert [row["scale"] for row in figures["scaling"]] == [1]
    assert figures["headend"]["kept"]["flood_finding"] is False and figures["headend"]["kept"]["messages"] > 0
    assert figures["keyed"]["decrypted_as_in_the_lab"] and figures["flood"]["messages"] == 400
    assert "headend" in figures["targets"] and all(isinstance(t["met"], bool) for t in figures["targets"].values())
    assert "targets (from this run's figures)" in out and f"figures written to {tmp_path / 'results.json'}" in out


def _tools(**figures: tuple[float, float]) -> dict:
    return {"tools": {name: {"seconds": s, "peak_mib": m} for name, (s, m) in figures.items()}}


def test_the_targets_are_judged_from_the_figures():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import run
    finally:
        sys.path.remove(str(REPO / "bench"))
    figures = {
        "span": _tools(ikepcap=(1.0, 80.0), tshark=(30.0, 1600.0), tcpdump=(0.5, 4.0)),
        "ike_heavy": _tools(ikepcap=(1.0, 170.0), tshark=(1.6, 180.0)),
        "outputs": {"JSON report": {"ikepcap": {"seconds": 7.0, "peak_mib": 150.0},
                                    "tshark": {"seconds": 14.0, "peak_mib": 180.0}},
                    "JSON lines": {"ikepcap": {"seconds": 3.0, "peak_mib": 200.0},
                                   "tshark": {"seconds": 14.0, "peak_mib": 180.0}}},
        "headend": {**_tools(ikepcap=(20.0, 456.0), tshark=(22.0, 414.0)),
                    "kept": {"messages": 150_000, "sas": 20_000, "flood_finding": False,
                             "counted_not_kept": ["… 777,000 further IKE message(s) … were counted, not kept"]}},
    }
    found = run.targets(figures)
    assert {name: target["met"] for name, target in found.items()} == {
        "ike_heavy_diagnose": True,             # 1.6×
        "ike_heavy_json_report": True,          # 2×
        "ike_heavy_json_lines": False,          # 4.67×, not 5×
        "ike_heavy_memory": False,              # the JSON lines' 200 MiB is above tshark's 180
        "headend": False,                       # fast and small, but not every message kept
        "span": True,                           # 30× tshark, 2× tcpdump, 80 MiB
    }
    assert found["ike_heavy_json_lines"]["measured"] == "4.67× tshark's speed"
    assert found["ike_heavy_diagnose"]["measured"] == "1.60× tshark's speed"
    figures["ike_heavy"]["tools"]["made"] = {"seconds": 0.8, "peak_mib": 100.0}
    assert run.targets(figures)["ike_heavy_diagnose"]["measured"] == \
        "1.60× tshark's speed (before correlation and rules, bench/made.py: 2.00×)"
    assert "150,000 messages kept (not all)" in found["headend"]["measured"]
    figures["headend"]["kept"]["counted_not_kept"] = []
    figures["outputs"]["JSON lines"]["ikepcap"] = {"seconds": 2.5, "peak_mib": 120.0}
    found = run.targets(figures)
    assert found["headend"]["met"] and found["ike_heavy_json_lines"]["met"] and found["ike_heavy_memory"]["met"]
    assert run.targets({}) == {}                # nothing measured: nothing judged
