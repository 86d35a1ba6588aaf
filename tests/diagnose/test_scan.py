"""A scanner is named as such: one first request to each of many responders, never re-sent.

Built SA by SA with ``sequences.Conversation`` (each with its own initiator SPI); the sharded
pipeline must find the same scan as the sequential diagnosis, since a scan spans peer pairs
that end up in different shards.
"""

from __future__ import annotations

import json

import pytest
from sequences import Conversation

from ikepcap import pipeline
from ikepcap.correlate.correlate import correlate
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.diagnose.scan import SCAN_MIN_RESPONDERS
from ikepcap.extract.model import Extraction
from ikepcap.report.view import build_view

SCANNER = "192.0.2.66"


def _probes(responders: int, answered: int, resend_one: bool = False, version: int = 2) -> Extraction:
    messages = []
    for n in range(responders):
        c = Conversation(version, initiator=SCANNER, responder=f"198.51.100.{n + 1}")
        t = 0.05 * n
        if version == 2:
            c.init_request(t)
            if resend_one and n == 0:
                c.init_request(t + 1.0)
            if n < answered:
                c.init_response(t + 0.01)
        else:
            c.mm(1, t)
            if n < answered:
                c.mm(2, t + 0.01)
        messages += c.renamed(n.to_bytes(8, "big"))
    return Extraction(engine="native", messages=messages)


def _scan_findings(extraction: Extraction) -> list:
    return [f for f in diagnose(correlate(extraction)).capture_findings if f.rule == "scan"]


@pytest.mark.parametrize("version", [1, 2])
def test_one_request_to_each_of_many_responders_is_a_scan(version) -> None:
    (found,) = _scan_findings(_probes(12, answered=5, version=version))
    assert found.causes[0].id == "scan" and len(found.evidence) == 3
    assert list(found.details) == [f"{SCANNER} sent one first request to each of 12 addresses (12 IKE SAs in 550 ms; 5 "
                             "answered) and never re-sent or continued any: a scanner probing for IKE responders, "
                             "not an IKE daemon setting up tunnels."]


def test_a_daemon_that_re_sends_is_not_a_scanner() -> None:
    assert _scan_findings(_probes(12, answered=5, resend_one=True)) == []


def test_a_few_probes_are_not_a_scan() -> None:
    assert _scan_findings(_probes(SCAN_MIN_RESPONDERS - 1, answered=3)) == []


def test_the_shards_find_the_scan_the_sequential_diagnosis_finds(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)
    extraction = _probes(12, answered=5)
    sequential = build_view(diagnose(correlate(extraction)), extraction)
    sharded = pipeline.analyse(extraction, True, jobs=3).view
    assert json.dumps(sharded) == json.dumps(sequential)
    assert [f["rule"] for f in sharded["capture_findings"]] == ["scan"]
