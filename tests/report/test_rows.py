"""The text report without -v reads rows, and gives what it gives from every SA's whole view.

On a busy headend that report shows one SA in full for each way of failing; ``analyse(...,
whole=False)`` builds the whole view for just those SAs, and a row (``sa_row``) for the others.
These tests hold that to the report of whole views, text and ``--each`` line, byte for byte, on
every capture in captures/ and the corpus, on a busy capture dealt out to several processes,
and redacted; and a row to its SA's whole view cut.
"""

from __future__ import annotations

import pytest
from conftest import read_captures, same

from ikepcap import pipeline
from ikepcap.correlate.correlate import correlate
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.diagnose.model import PROBLEM
from ikepcap.extract.model import Extraction
from ikepcap.pipeline import analyse
from ikepcap.report import each, text
from ikepcap.report.redact import redact
from ikepcap.report.view import failure_signature, sa_row, sa_view


def _report(extraction: Extraction, whole: bool, jobs: int = 1, redacted: bool = False) -> str:
    """The text report and, after it, the --each line."""
    view = analyse(extraction, False, jobs=jobs, whole=whole).view
    if redacted:
        view = redact(view, extraction)
    return text.render(view) + repr(each.row(view))


def _cut(row, whole) -> bool:
    """``row`` is ``whole`` with keys left out, at every level (lists item by item)."""
    if isinstance(row, dict):
        return isinstance(whole, dict) and all(k in whole and _cut(v, whole[k]) for k, v in row.items())
    if isinstance(row, list):
        return isinstance(whole, list) and len(row) == len(whole) and all(map(_cut, row, whole))
    return row == whole


def test_every_capture_gives_the_report_of_whole_views() -> None:
    compared = 0
    for path, extraction in read_captures():
        same(_report(extraction, whole=False), _report(extraction, whole=True), f"the reports of {path.name}")
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("redacted", [False, True])
def test_a_busy_capture_gives_the_report_of_whole_views(busy, jobs, redacted, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 5_000)        # the firsts are also settled across chunks
    same(_report(busy, False, jobs, redacted), _report(busy, True, jobs, redacted))


def test_only_the_first_sa_of_each_way_of_failing_is_whole(busy) -> None:
    sas = analyse(busy, False, jobs=1, whole=False).view["sas"]
    ways = {}
    for index, sa in enumerate(sas):
        if sa["status"] == PROBLEM:
            ways.setdefault(failure_signature(sa), index)
    whole = [index for index, sa in enumerate(sas) if "headline" in sa]
    assert len(sas) > 10 * len(whole) > 0
    assert whole == sorted(ways.values())


def test_a_row_is_its_sas_whole_view_cut(busy) -> None:
    diagnoses = diagnose(correlate(busy)).sas
    assert len(diagnoses) > 100
    for d in diagnoses:
        row, whole = sa_row(d), sa_view(d, False)
        assert _cut(row, whole) and set(row) < set(whole)
    assert not _cut({"status": "x"}, {"status": "y"}) and not _cut({"findings": [{}]}, {"findings": []})
