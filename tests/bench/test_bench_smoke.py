"""The benchmark's own smoke test: it runs end to end on a tiny size. No timing is asserted."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def test_benchmark_runs_on_a_tiny_capture(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--frames", "3000", "--repeat", "1", "--scales", "1",
         "--ike-heavy", "600", "--keyed", "800", "--flood", "400", "--headend", "1200", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "span-3000.pcap: 3,000 frames" in out and "ikepcap" in out
    assert "scaling" in out and "IKE flood, 400 distinct initiator cookies" in out
    assert "py-floor" in out and "bench/floor.py) takes" in out
    # run.py stops unless every replica of the keyed capture decrypts as its lab conversation does
    assert re.search(r"keyed-800\.pcap: [\d,]+ frames, \d+ replicas", out) and "decrypting every SA adds" in out
    assert "as in the lab" in out
    assert "ike-heavy-1200.pcap: 1,200 frames" in out and "flood finding: no" in out
    if "tshark" in out:                                  # ikepcap's JSON outputs beside tshark's
        assert "ike-heavy-600.pcap, machine-readable output" in out
        assert re.search(r"JSON report: ikepcap is [\d.]+× (faster|slower) than tshark", out)
        assert re.search(r"JSON lines: ikepcap is [\d.]+× (faster|slower) than tshark", out)
