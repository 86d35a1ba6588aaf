"""The JSON writer: orjson's text is the standard library's, byte for byte, whichever writes it,
and a report is written an SA at a time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CAPTURES

from ikepcap.report import escape
from ikepcap.report.escape import json_document, json_text


def _stdlib(value, indented: bool) -> str:
    text = json.dumps(value, ensure_ascii=False, **({"indent": 2} if indented else {"separators": (",", ":")}))
    return escape._JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@pytest.fixture(scope="module")
def report() -> dict:
    result = subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", "--format", "json", "-v",
                             str(CAPTURES / "v1-concentrator-many-sas.pcap")], capture_output=True, text=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("with_orjson", [True, False])
def test_a_report_written_an_sa_at_a_time_is_the_standard_librarys_text(report, monkeypatch, with_orjson):
    if not with_orjson:
        monkeypatch.setattr(escape, "orjson", None)
    elif escape.orjson is None:
        pytest.skip("orjson is not installed")
    assert len(report["sas"]) == 24
    assert "".join(json_document(report, "sas")) == _stdlib(report, True)
    assert "".join(json_document({**report, "sas": []}, "sas")) == _stdlib({**report, "sas": []}, True)
    assert json_text(report) == _stdlib(report, False)


def test_what_orjson_refuses_is_written_by_the_standard_library():
    """A file name's undecodable byte, kept as a lone surrogate, and an integer beyond 64 bits."""
    value = {"file": "ring\udc80.pcap", "big": 1 << 70, "bidi": "a\u202eb", "c1": "\x85"}
    assert json_text(value) == '{"file":"ring\\udc80.pcap","big":1180591620717411303424,"bidi":"a\\u202eb",' \
                               '"c1":"\\u0085"}'
    assert json.loads("".join(json_document({"sas": [value], "x": 1}, "sas")))["sas"][0] == value
