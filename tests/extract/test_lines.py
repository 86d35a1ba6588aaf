"""``decode``'s lines rendered where each range was read are the lines of one sequential pass.

Each range's reader renders its own messages once it knows the frames before its range; when
one pass would not have kept every message as it came (a fragment set across a boundary, more
than the bounds hold), the readers hand their messages back and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from concurrent.futures.process import BrokenProcessPool

import pytest
from test_parallel import _frame_at, build, build_copied_capture, summary
from typer.testing import CliRunner

from ikepcap.cli import app
from ikepcap.extract import lines, native
from ikepcap.extract.lines import extract_rendered
from ikepcap.extract.native import extract, plan
from ikepcap.report.messages import message_json, message_line


@pytest.fixture
def small_split(monkeypatch):
    monkeypatch.setattr(native, "SPLIT_BYTES", 1024)


def _out() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")


def _text(out: io.TextIOWrapper) -> str:
    out.flush()
    return out.buffer.getvalue().decode()


def _lines(messages, render=message_json) -> str:
    return "".join(render(message) + "\n" for message in messages)


def _rendered(path, jobs, render=message_json, progress=None):
    out, read = _out(), []
    extraction, written = extract_rendered([str(path)], frozenset(), progress, jobs, render, out,
                                           lambda: read.append(len(_text(out))))
    return extraction, written, _text(out), read


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("render", [message_json, message_line], ids=["jsonl", "lines"])
def test_each_range_renders_its_own_lines(tmp_path, small_split, jobs, render):
    path = tmp_path / "c.pcap"
    build(path, 100)                        # the fragment set lies inside the first range
    sequential = extract([str(path)], jobs=1)
    assert len(plan([str(path)], jobs)) == jobs and len(sequential.messages) > 50
    extraction, written, text, read = _rendered(path, jobs, render)
    assert written and extraction.messages == []
    assert text == _lines(sequential.messages, render)
    assert read == [0]                      # told once, before anything was written
    assert summary(extraction)[1:] == summary(sequential)[1:]      # the counters and files, as one pass
    assert extraction.warnings == sequential.warnings


def test_a_fragment_set_across_a_boundary_hands_the_messages_back(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 3000)
    split_frame = _frame_at(path, plan([str(path)], 2)[1].span[0])
    build(path, split_frame - 2)
    sequential = extract([str(path)], jobs=1)
    extraction, written, text, read = _rendered(path, 2)
    assert not written and text == "" and read == [0]
    assert summary(extraction) == summary(sequential)
    assert any(min(m.fragments) < split_frame <= max(m.fragments) for m in extraction.messages if m.fragments)


def test_more_than_the_bounds_hold_hands_the_messages_back(tmp_path, small_split, monkeypatch):
    path = tmp_path / "c.pcap"
    build(path, 100)
    everything = len(extract([str(path)], jobs=1).messages)
    monkeypatch.setattr(native, "MAX_MESSAGES", everything - 1)
    sequential = extract([str(path)], jobs=1)
    extraction, written, text, _ = _rendered(path, 3)
    assert not written and text == ""
    assert summary(extraction) == summary(sequential) and extraction.warnings == sequential.warnings


def test_ranges_that_do_not_meet_hand_the_messages_back(tmp_path, small_split):
    """A split inside a frame that carries pcap records: the first range walks past it, and the
    file is read again in one pass, which prints what it always did."""
    path = tmp_path / "c.pcap"
    frames = build_copied_capture(path)
    extraction, written, text, _ = _rendered(path, 2)
    assert not written and text == ""
    assert [m.frame for m in extraction.messages] == [11, len(frames)]


def test_the_progress_is_shown_while_the_ranges_are_read(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 100)
    seen = []
    _, written, _, read = _rendered(path, 2, progress=lambda b, f, m: seen.append((b, f, m)))
    assert written and read == [0] and seen
    assert max(frames for _, frames, _ in seen) > 0


def test_a_small_or_single_range_capture_is_read_as_before(tmp_path):
    path = tmp_path / "c.pcap"
    build(path, 100)                        # under SPLIT_BYTES: one range
    extraction, written, text, _ = _rendered(path, 2)
    assert not written and text == ""
    assert summary(extraction) == summary(extract([str(path)], jobs=1))


def test_a_reader_whose_line_fails_says_so(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 100)
    last = extract([str(path)], jobs=1).messages[-1].frame

    def render(message) -> str:
        if message.frame == last:           # in the second range: the reader's
            raise ValueError("no line for the last frame")
        return message_json(message)

    with pytest.raises(ValueError, match="no line for the last frame"):
        _rendered(path, 2, render)


def test_a_reader_that_vanishes_says_so(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 100)
    last = extract([str(path)], jobs=1).messages[-1].frame

    def render(message) -> str:
        if message.frame == last:
            os._exit(3)
        return message_json(message)

    with pytest.raises(BrokenProcessPool):
        _rendered(path, 2, render)


@pytest.mark.parametrize("options", [["--format", "jsonl"], [], ["-v"]], ids=["jsonl", "lines", "tree"])
def test_decode_prints_what_one_pass_prints(tmp_path, small_split, monkeypatch, options):
    path = tmp_path / "c.pcap"
    build(path, 100)
    written = []

    def spy(*args):
        found = extract_rendered(*args)
        written.append(found[1])
        return found

    monkeypatch.setattr(lines, "extract_rendered", spy)
    one = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "1", *options, str(path)])
    two = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "2", *options, str(path)])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout.count("\n") > 50 and two.stdout == one.stdout
    assert written == [True]                # the second: rendered where it was read
    redacted = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "2", "--redact", *options, str(path)])
    assert redacted.exit_code == 0 and written == [True]    # the redactor names values in one process


class _GoneReader(io.RawIOBase):
    """A pipe whose reader went away (``| head``)."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_of_the_lines_that_goes_away_ends_the_writing_not_the_reading(tmp_path, small_split):
    path = tmp_path / "c.pcap"
    build(path, 100)
    out = io.TextIOWrapper(io.BufferedWriter(_GoneReader(), 64), encoding="utf-8")
    broken = []

    @contextlib.contextmanager
    def writing():
        try:
            yield
        except BrokenPipeError:
            broken.append(True)

    extraction, written = extract_rendered([str(path)], frozenset(), None, 2, message_json, out, lambda: None, writing)
    assert written and broken == [True, True]       # the first range's lines, then the copying of the others'
    assert summary(extraction)[1:] == summary(extract([str(path)], jobs=1))[1:]


def test_a_temporary_directory_without_room_is_one_line_that_names_it(tmp_path, small_split, monkeypatch):
    """The readers' lines wait in the temporary directory (a capture box's /tmp is often a small
    RAM disk): where it ran out, and how to move it, in one line (exit 2), not a traceback."""
    def full(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    path = tmp_path / "c.pcap"
    build(path, 100)
    monkeypatch.setattr(os, "pwrite", full)
    result = CliRunner().invoke(app, ["decode", "--quiet", "--jobs", "2", "--format", "jsonl", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "No space left on device in " in line and "where decode's lines are put together: set TMPDIR" in line
