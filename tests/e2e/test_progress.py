"""Progress on stderr: shown on a terminal, never in a pipe, never with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from conftest import CAPTURES

CAPTURE = str(CAPTURES / "sw-lsw-v1-mm-healthy.pcap")


def _stderr_on_a_terminal(*args: str) -> bytes:
    try:
        master, slave = pty.openpty()
    except OSError as error:                             # a container without /dev/ptmx
        pytest.skip(f"no pseudo-terminal here: {error}")
    process = subprocess.Popen([sys.executable, "-m", "ikepcap", *args], stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:                                  # the terminal closed: the command ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert process.wait(timeout=60) == 0
    return seen


def test_a_terminal_sees_the_reading_bar_and_the_diagnosis_spinner():
    seen = _stderr_on_a_terminal("diagnose", CAPTURE)
    assert b"reading" in seen and b"IKE messages" in seen
    assert b"diagnosing 6 IKE messages" in seen


def test_quiet_shows_nothing_on_a_terminal():
    assert _stderr_on_a_terminal("diagnose", "--quiet", CAPTURE) == b""


def test_a_pipe_gets_no_progress():
    result = subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", CAPTURE], capture_output=True)
    assert result.returncode == 0 and result.stderr == b""
