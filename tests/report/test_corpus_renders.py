"""Every capture of the public corpus (malformed ones included) renders in the new formats."""

from __future__ import annotations

import json

import pytest

from ikepcap.report import each, html, summary, text
from report.conftest import diagnose
from report.test_schema import SCHEMA


def test_the_corpus_in_every_new_format(corpus):
    validator = pytest.importorskip("jsonschema").Draft202012Validator(SCHEMA)
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name.endswith((".pcap", ".pcapng", ".cap")))
    assert len(files) >= 60
    rendered = 0
    for path in files:
        code, out = diagnose("--format", "json", str(path))
        if code == 2:                       # not a capture ikepcap can read: one line on stderr, tested elsewhere
            continue
        view = json.loads(out)
        assert not list(validator.iter_errors(view)), path
        page = html.render(view, verbose=True)
        assert page.rstrip().endswith("</html>") and "<script" not in page
        assert summary.render(view, verbose=True).startswith("ikepcap ")
        assert text.render(view, False, 60) and text.render(view, True, 200)
        assert each.row(view)[1] == view["summary"]["sas"]
        rendered += 1
    assert rendered >= 50
