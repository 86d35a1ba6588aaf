"""The JSON report of every capture in captures/, computed once for the report tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CAPTURES
from typer.testing import CliRunner

from ikepcap.cli import app

CAPTURE_FILES = sorted(p for p in CAPTURES.iterdir() if p.name.endswith((".pcap", ".pcapng", ".pcap.gz")))


def diagnose(*args: str) -> tuple[int, str]:
    """``ikepcap diagnose ARGS`` in this process (one job: no worker processes)."""
    result = CliRunner().invoke(app, ["diagnose", "--quiet", "--jobs", "1", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


@pytest.fixture(scope="session")
def views() -> dict[Path, dict]:
    """``diagnose --format json`` of each capture, with the key tables beside it."""
    return {path: json.loads(diagnose("--format", "json", str(path))[1]) for path in CAPTURE_FILES}
