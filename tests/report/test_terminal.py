"""The text report on a terminal and off it; -h, --version and the examples in --help."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios

import pytest
from conftest import CAPTURES, REPO

from ikepcap.report import colour, text

ASA = str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def on_terminal(*args: str, columns: int = 120, env: dict | None = None) -> str:
    """The CLI's standard output on a pseudo-terminal ``columns`` wide."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    process = subprocess.Popen([sys.executable, "-m", "ikepcap", *args], stdout=follower, stderr=subprocess.DEVNULL,
                               cwd=REPO, env={**environment, "TERM": "xterm-256color", **(env or {})})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:                 # the terminal closes with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def piped(*args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-m", "ikepcap", *args], capture_output=True, text=True, cwd=REPO,
                          env=environment, check=False)


def test_off_a_terminal_the_report_is_plain_and_80_columns_wide():
    out = piped("diagnose", ASA).stdout
    assert not ANSI.search(out)
    assert max(len(line) for line in out.splitlines() if "Wireshark" not in line) <= 80
    assert "Wireshark: isakmp.ispi == c205f30d14beada5 && frame.number in {3, 4, 5, 6}\n" in out


def test_on_a_terminal_it_is_coloured_and_as_wide_as_the_terminal():
    out = on_terminal("diagnose", ASA, columns=132)
    assert "\x1b[" in out and "[ERROR]" in ANSI.sub("", out)
    plain = ANSI.sub("", out)
    widest = max(len(line) for line in plain.splitlines() if "Wireshark" not in line)
    assert 100 < widest <= 132
    # the wide table with its own version, mode and re-sent columns
    assert re.search(r"#\s+initiator → responder\s+ver\s+mode\s+status\s+phase 1\s+phase 2\s+msgs\s+resent", plain)
    assert plain == text.render(_json_view(), False, 132)


def _json_view() -> dict:
    import json
    return json.loads(piped("diagnose", "-f", "json", ASA).stdout)


def test_no_color_and_the_option_turn_colour_off():
    assert not ANSI.search(on_terminal("diagnose", ASA, env={"NO_COLOR": "1"}))
    assert not ANSI.search(on_terminal("diagnose", "--no-color", ASA))
    assert ANSI.search(on_terminal("diagnose", ASA, env={"NO_COLOR": ""}))     # set but empty: no effect


def test_colour_changes_no_character():
    report = text.render(_json_view(), True)
    import io
    stream = io.StringIO()
    colour.write(report, stream)
    assert ANSI.sub("", stream.getvalue()) == report
    assert "\x1b[1;37;41m[ERROR]\x1b[0m" in stream.getvalue()


def test_help_version_and_examples():
    assert piped("--version").stdout == piped("-V").stdout
    assert re.fullmatch(r"ikepcap \d+\.\d+\.\d+ \((compiled|Python) reader\)\n", piped("--version").stdout)
    for command in ([], ["diagnose"], ["decode"]):
        result = piped(*command, "-h")
        assert result.returncode == 0 and result.stdout == piped(*command, "--help").stdout
        examples = result.stdout.split("Examples:")[1]
        assert examples.count("ikepcap ") >= 4
        assert all(len(line.rstrip()) <= 80 for line in result.stdout.splitlines())
    assert "--install-completion" in piped("-h").stdout
    assert "--no-color" in piped("diagnose", "-h").stdout


def test_shell_completion_script_for_the_shell_it_runs_in():
    """typer detects the shell (shellingham) from the parent process: here bash."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    result = subprocess.run(["bash", "-c", f"'{sys.executable}' -m ikepcap --show-completion; true"], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert "complete -o default -F" in result.stdout and "IKEPCAP_COMPLETE=complete_bash" in result.stdout


def test_many_key_uses_are_counted_per_key_file_unless_every_one_is_asked_for():
    from ikepcap.report.text import LISTED_KEY_USES, decryption_lines
    uses = [{"key": f"keys/x.ikev1_decryption_table:{n}", "version": 1, "ispi": f"{n:016x}", "rspi": "00" * 8,
             "decrypted": 5, "failed": n % 2} for n in range(1, LISTED_KEY_USES + 2)]
    uses.append({"key": "a:b.log:7", "version": 2, "ispi": "ff" * 8, "rspi": "00" * 8, "decrypted": 2, "failed": 0})
    view = {"decryption": uses}
    assert decryption_lines(view) == [
        f"Decrypted with keys/x.ikev1_decryption_table: {LISTED_KEY_USES + 1} IKEv1 SA(s), "
        f"{5 * (LISTED_KEY_USES + 1)} message(s), {sum(n % 2 for n in range(1, LISTED_KEY_USES + 2))} the keys did not open; -v or the "
        "JSON name each SA's key line.",
        "Decrypted with a:b.log: 1 IKEv2 SA(s), 2 message(s); -v or the JSON name each SA's key line."]
    every = decryption_lines(view, every=True)
    assert len(every) == len(uses) and every[-1] == f"Decrypted with a:b.log:7: IKEv2 SA {'ff' * 8}, 2 message(s)."
    assert decryption_lines({"decryption": uses[:LISTED_KEY_USES]}) == every[:LISTED_KEY_USES]


def test_a_capture_whose_records_are_out_of_order_spans_from_its_earliest_to_its_latest_time():
    """nDPI's ipsec_isakmp_esp: its first record is 40 minutes later than its last."""
    from ikepcap.report.clock import span
    assert span([{"first_time": 200.0, "last_time": 100.0}]) == (100.0, 200.0)
    assert span([{"first_time": 10.0, "last_time": 20.0}, {"first_time": 5.0, "last_time": None}]) == (5.0, 20.0)
    assert span([{"first_time": None, "last_time": None}]) == (None, None)
