"""The JSON report written from its SAs' JSON as the shards made it is the report of the views.

``analyse(..., spooled=True)`` has each share write its SAs' JSON items to a file of its own and
hand back where each lies; ``json_document`` writes the pieces in report order. These tests hold
that document to the one written from the views, byte for byte, on every capture of captures/
and the corpus, and on a busy capture dealt out to several processes, written to the files an SA
at a time and all at once; and they check that the files go when the report is let go.
"""

from __future__ import annotations

import errno
import gc
import os

import pytest
from conftest import REPO, read_captures, same
from typer.testing import CliRunner

from ikepcap import pipeline
from ikepcap.cli import app
from ikepcap.extract.model import Extraction
from ikepcap.pipeline import analyse
from ikepcap.report import spool as spool_module
from ikepcap.report.escape import json_document, json_item
from ikepcap.report.spool import Piece, Spool


def _document(extraction: Extraction, spooled: bool, jobs: int = 1) -> str:
    view = analyse(extraction, True, jobs=jobs, spooled=spooled).view
    assert all(isinstance(sa, Piece) == spooled for sa in view["sas"])
    return "".join(json_document(view, "sas"))


def test_every_capture_gives_the_document_of_the_views() -> None:
    compared = 0
    for path, extraction in read_captures():
        same(_document(extraction, True), _document(extraction, False), f"the reports of {path.name}")
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("write_bytes", [1, 1 << 30])
def test_a_busy_capture_gives_the_document_of_the_views(busy, jobs, write_bytes, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 5_000)
    monkeypatch.setattr(spool_module, "WRITE_BYTES", write_bytes)
    spooled = _document(busy, True, jobs)
    assert len(spooled) > 1_000_000
    same(spooled, _document(busy, False, jobs))


def test_a_piece_is_its_item_where_it_was_written() -> None:
    spool = Spool(2)
    views = [{"status": "problem", "n": n, "text": "é\u2028" * n} for n in range(5)]
    places = [(n % 2, spool.add(n % 2, view)) for n, view in enumerate(views)]
    spool.flush(0)
    spool.flush(1)
    assert [spool.piece(share, "problem", *place).text() for share, place in places] == list(map(json_item, views))
    assert places[2][1][0] == places[0][1][1]           # after the first piece of share 0


def test_the_files_go_with_the_last_piece() -> None:
    spool = Spool(2)
    piece = spool.piece(0, "healthy", *spool.add(0, {"a": 1}))
    spool.flush(0)
    descriptors = list(spool.files)
    del spool
    gc.collect()
    assert piece.text() == json_item({"a": 1})
    del piece
    gc.collect()
    for descriptor in descriptors:
        with pytest.raises(OSError):
            os.fstat(descriptor)


def test_only_whole_views_are_spooled(busy) -> None:
    with pytest.raises(ValueError):
        analyse(busy, False, jobs=1, whole=False, spooled=True)


def test_a_temporary_directory_without_room_is_one_line_that_names_it(monkeypatch) -> None:
    """A capture box's /tmp is often a small RAM disk: the report says where it ran out, and how
    to move it, in one line (exit 2), not a traceback."""
    def full(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwrite", full)
    capture = str(REPO / "captures" / "asa-mm-wait-msg4-reproduction.pcap")
    result = CliRunner().invoke(app, ["diagnose", "-j1", "--format", "json", capture])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "No space left on device in " in line and "set TMPDIR" in line
