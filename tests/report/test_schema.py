"""The JSON report's JSON Schema: shipped in the package, printed by 'ikepcap schema', and true
of the report of every capture."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import CAPTURES, REPO

from report.conftest import CAPTURE_FILES, diagnose

jsonschema = pytest.importorskip("jsonschema")


SCHEMA = json.loads((REPO / "ikepcap" / "report" / "schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    """The schema as 'ikepcap schema' prints it (from the installed package's data)."""
    from typer.testing import CliRunner

    from ikepcap.cli import app
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == SCHEMA
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, view) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(view)]


def test_every_capture_report_is_valid(validator, views):
    assert len(views) == len(CAPTURE_FILES) >= 30
    for path, view in views.items():
        assert not _errors(validator, view), (path.name, _errors(validator, view)[:5])


def test_redacted_multi_file_and_esp_only_reports_are_valid(validator, tmp_path):
    asa = str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap")
    for args in (["--redact", asa], [asa, str(CAPTURES / "v2-healthy.pcap")],
                 ["--no-keys", str(CAPTURES / "v1-concentrator-many-sas.pcap")]):
        view = json.loads(diagnose("--format", "json", *args)[1])
        assert not _errors(validator, view), args


def test_the_schema_says_no_to_what_is_not_a_report(validator, views):
    view = views[CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"]
    for path, value in ((("sas", 0, "findings", 0, "severity"), "fatal"), (("sas", 0, "ispi"), "C205"),
                        (("summary", "sas"), -1), (("sas", 0, "phase1", "outcome"), "stuck"),
                        (("sas", 0, "messages", 0, "frame"), "3")):
        broken = copy.deepcopy(view)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert _errors(validator, broken), path
    del (broken := copy.deepcopy(view))["sas"][0]["findings"][0]["wireshark_filter"]
    assert _errors(validator, broken)
