"""Every input the fuzz harnesses (fuzz/) ever found a failure with, replayed through the same
targets. The file name says which target: ``capture-…`` or ``message-…``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
from targets import capture_target, message_target

FINDINGS = sorted((Path(__file__).parent / "fuzz_findings").iterdir())


@pytest.mark.parametrize("path", FINDINGS, ids=lambda p: p.name)
def test_fuzz_finding_no_longer_fails(path: Path) -> None:
    target = capture_target if path.name.startswith("capture-") else message_target
    target(path.read_bytes())
