"""No report states a cause that its own evidence disproves (issue 13, item 4).

Every capture in captures/ and ../shared/corpus is diagnosed, and each SA's ranked causes are
held against what the same report shows: a cause the wire rules out must not be offered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import capture_files

# The causes that blame the path between the peers, or a peer that is down.
PATH = {"forward-path-blocked", "return-path-blocked", "peer-down", "udp4500-blocked"}


@pytest.fixture(scope="module")
def reports() -> dict[Path, dict]:
    def one(path: Path) -> tuple[Path, dict]:
        result = subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", "-j1", "--format", "json", str(path)],
                                capture_output=True, text=True)
        return path, json.loads(result.stdout) if result.returncode in (0, 1) else {"sas": []}
    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, capture_files()))


def _offered(sa: dict) -> set[str]:
    return {c["id"] for f in sa["findings"] for c in f["causes"]}


# Stalls on a message the initiator never sent (the responder's answer passed, nothing followed).
NOT_SENT = {"init-no-auth", "mm4-unanswered"}


def _disproved(sa: dict) -> list[str]:
    """The causes this SA's own evidence rules out, each with why."""
    found = []
    peers = {sa["initiator"]["address"], sa["responder"]["address"]}
    if any(e["src"] in peers and "port unreachable" in e["description"] for e in sa["icmp_errors"]):
        # the peer's own host answered: it is up and the path to it and back works
        found += [f"{c}: the peer's own host sent ICMP port unreachable" for c in _offered(sa) & PATH]
    near = (sa["capture_point"] or {}).get("near")
    stalls = {f["rule"]: f for f in sa["findings"]}
    for rule in NOT_SENT & set(stalls):
        if near == "initiator" and stalls[rule]["causes"][0]["id"] in PATH:
            found.append(f"{rule}: captured next to the initiator, a message it did not send was not lost")
    nat = stalls.get("nat-detected")
    if nat and near is not None:
        # the capture was taken on that side (no router between them, or its private side of the NAT):
        # nothing translated it before the capture point
        found += [f"nat-detected: {d}" for d in nat["details"] if f"the {near} is behind a NAT" in d]
    one_way = stalls.get("one-way")
    answered = any(m["sender"] == "initiator" and m["name"] not in ("MM1", "AM1", "IKE_SA_INIT request")
                   for m in sa["messages"]) and sa["rspi"] != "0" * 16
    if one_way and answered and "forward-path-blocked" in {c["id"] for c in one_way["causes"]}:
        found.append("one-way: the initiator carries the responder's SPI, so its packets reached the responder")
    responses = [m for m in sa["messages"] if m["sender"] == "responder" and m["name"].endswith("response")]
    if one_way and responses and "forward-path-blocked" in {c["id"] for c in one_way["causes"]}:
        found.append(f"one-way: the responder's {responses[0]['name']} answers a request that reached it")
    for message_id in {m["message_id"] for m in sa["messages"] if m["name"] == "QM3"}:
        quick = [m["name"] for m in sa["messages"] if m["message_id"] == message_id and m["name"] in ("QM2", "QM3")]
        if sa["phase2"]["outcome"] == "established" and quick[-1] == "QM2" and \
                len({m["message_id"] for m in sa["messages"] if m["name"] == "QM3"}) == 1:
            found.append("phase 2 established: the responder re-sent QM2 after the last QM3")
    return found


def test_no_report_offers_a_cause_its_evidence_disproves(reports) -> None:
    wrong = {f"{path.name} SA {sa['ispi']}": _disproved(sa)
             for path, report in reports.items() for sa in report["sas"] if _disproved(sa)}
    assert not wrong, wrong
    assert len(reports) >= 30
