"""``decode``'s lines rendered by the process that read each byte range of the capture.

A line depends on nothing but its message and its frame number. ``extract`` would have each
range's reader pickle its messages back to this process (on a capture that is almost all IKE
that costs what reading them did), and ``decode`` would then fork again to render them (and the
forked process copies every page of the messages it touches). Here each reader renders its own
messages, once this process has told it how many frames lie before its range, into an unnamed
file of its own; this process renders the first range's lines meanwhile and then copies the
files out in order. Nothing is pickled, and each message exists in one process only.

That is the output of one pass only when one pass would have kept every message as it came:
together the ranges' messages fit the bounds, no IP fragment set waits for another range to
complete it, and each range ended where the next began. Each reader says so before it renders;
when any of it fails, the readers hand their messages back as ``extract``'s do, and the caller
renders them as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import struct
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TextIO

from ikepcap.decode.model import Message
from ikepcap.extract.model import Extraction
from ikepcap.extract.native import (
    PROGRESS_POLL_SECONDS,
    Part,
    Progress,
    Task,
    _init_worker,
    _run_shared,
    extract,
    held_whole,
    merge,
    plan,
    ranges_meet,
    show_progress,
)
from ikepcap.extract.store import Store
from ikepcap.forking import processes, rendered_chunks
from ikepcap.read.errors import CaptureError
from ikepcap.report.spool import close_all, unnamed, write_at

PURPOSE = "decode's lines are put together"
# What a reader says once it has read its range: that it read it, its frames, the conversations,
# messages and bytes it kept, whether a fragment set waits for another range, and its bytes read.
SUMMARY = struct.Struct("=?qqqq?q")
OFFSET = struct.Struct("=q")            # the frames before the reader's range; HAND_BACK: no rendering
HAND_BACK = -1
COPY_BYTES = 1 << 20

_render: Callable[[Message], str] | None = None     # inherited by the readers (forked)


@dataclass(frozen=True, slots=True)
class _Channel:
    """One reader's pipes and file, opened before it is forked. Once it is, this process closes
    the reader's ends (so that a reader gone shows as the end of its pipe) and keeps its own."""

    summary: tuple[int, int]            # (read, write): its summary, to this process
    offset: tuple[int, int]             # (read, write): the frames before its range, to it
    output: int                         # the unnamed file it renders into


def extract_rendered(paths: list[str], extra_ports: frozenset[int], progress: Progress | None, jobs: int | None,
                     render: Callable[[Message], str], out: TextIO, read: Callable[[], None],
                     writing: Callable[[], AbstractContextManager] = contextlib.nullcontext) \
        -> tuple[Extraction, bool]:
    """``extract(paths, ...)``, and True when each message's ``render(message)`` line has been
    written to ``out`` already, in order (its messages are then not in the extraction); False:
    nothing was written, and the extraction holds the messages. ``read`` is called once every
    range is read, before anything is written (it takes the progress bar away); the writing is
    done inside ``writing()`` (the CLI's: a reader of ``out`` that goes away ends it, not the
    reading, whose warnings are still said)."""
    global _render
    jobs = processes(jobs)
    tasks = plan(paths, jobs)
    if jobs < 2 or len(tasks) < 2 or len({task.path for task in tasks}) > 1:
        return extract(paths, extra_ports, progress, jobs), False
    channels = [_Channel(os.pipe(), os.pipe(), unnamed(PURPOSE)) for _ in tasks[1:]]
    context = multiprocessing.get_context("fork")
    shared = context.Array("d", 3 * len(tasks), lock=False) if progress is not None else None
    _init_worker(shared)
    _render = render
    mine = [descriptor for channel in channels for descriptor in (channel.summary[0], channel.output)]
    telling = [channel.offset[1] for channel in channels]
    try:
        with ProcessPoolExecutor(len(channels), mp_context=context, initializer=_init_worker,
                                 initargs=(shared,)) as pool:
            try:
                futures = [pool.submit(_read_and_render, task, extra_ports, slot, channel, out.encoding,
                                       out.errors or "strict", tuple(mine + telling))
                           for slot, (task, channel) in enumerate(zip(tasks[1:], channels), 1)]
            finally:                    # the readers are forked (all at the first submit) and hold their ends
                close_all(descriptor for channel in channels for descriptor in (channel.summary[1], channel.offset[0]))
            try:
                first = _run_shared(tasks[0], extra_ports, 0, progress)
                offsets = _offsets(tasks, first, _summaries(channels, futures, shared, progress))
                read()
                for descriptor, offset in zip(telling, offsets):
                    _tell(descriptor, offset)
            finally:                    # a reader still waiting (this process failed) hands its part back
                close_all(telling)
            rendered = offsets[0] != HAND_BACK
            if rendered:
                with writing():
                    out.writelines(rendered_chunks(first.store.messages(), _render))
                first.store = Store()
            parts = [first] + [future.result() for future in futures]
        if rendered:
            with writing():
                out.flush()
                for channel in channels:
                    _copy(channel.output, out.buffer)
    finally:
        _render = None
        close_all(mine)
    return merge(paths, tasks, parts, extra_ports, None), rendered


def _read_and_render(task: Task, extra_ports: frozenset[int], slot: int, channel: _Channel, encoding: str,
                     errors: str, parents: tuple[int, ...]) -> Part | CaptureError:
    """A reader: its range read, its summary said, and, told the frames before it, its lines
    rendered into its file (the part comes back without its messages); else the part as read.
    ``parents``: this process's ends of every channel, which the reader lets go of (but its own
    file): holding another's, it would keep that reader from seeing this process gone."""
    close_all(descriptor for descriptor in parents if descriptor != channel.output)
    part = _run_shared(task, extra_ports, slot)
    if isinstance(part, CaptureError):
        os.write(channel.summary[1], SUMMARY.pack(False, 0, 0, 0, 0, False, 0))
        return part
    os.write(channel.summary[1], SUMMARY.pack(True, part.stats.frames, *part.held, bool(part.open_fragments),
                                              part.stats.bytes))
    told = _exactly(channel.offset[0], OFFSET.size)
    if len(told) < OFFSET.size or OFFSET.unpack(told)[0] == HAND_BACK:
        return part
    offset = OFFSET.unpack(told)[0]
    end = 0
    for text in rendered_chunks(part.store.messages(offset), _render):
        end = write_at(channel.output, text.encode(encoding, errors), end, PURPOSE)
    part.store = Store()
    return part


def _summaries(channels: list[_Channel], futures: list[Future], shared, progress: Progress | None) \
        -> list[tuple | None]:
    """Each reader's summary, as it comes (the progress shown meanwhile); None for a reader that
    ended without one (its future says why)."""
    found: dict[int, tuple | None] = {}
    waiting = {channel.summary[0]: index for index, channel in enumerate(channels)}
    while waiting:
        if progress is not None:
            show_progress(shared, progress)
        ready, _, _ = select.select(list(waiting), [], [], PROGRESS_POLL_SECONDS)
        for descriptor in ready:
            data = _exactly(descriptor, SUMMARY.size)
            found[waiting.pop(descriptor)] = SUMMARY.unpack(data) if len(data) == SUMMARY.size else None
        for descriptor, index in list(waiting.items()):
            if futures[index].done():
                found[waiting.pop(descriptor)] = None
    return [found[index] for index in range(len(channels))]


def _offsets(tasks: list[Task], first: Part | CaptureError, summaries: list[tuple | None]) -> list[int]:
    """The frames before each reader's range, when every range was read, fits with the others
    into one pass's bounds, leaves no fragment set open and met the next end to end; else
    HAND_BACK for each."""
    refused = [HAND_BACK] * len(summaries)
    if isinstance(first, CaptureError) or any(summary is None or not summary[0] for summary in summaries):
        return refused
    ranges = [(first.stats.frames, *first.held, bool(first.open_fragments), first.stats.bytes)]
    ranges += [summary[1:] for summary in summaries]
    whole = held_whole([r[1:4] for r in ranges]) and not any(r[4] for r in ranges)
    if not whole or not ranges_meet(tasks, [r[5] for r in ranges]):
        return refused
    offsets, before = [], 0
    for frames, *_ in ranges[:-1]:
        before += frames
        offsets.append(before)
    return offsets


def _copy(descriptor: int, into) -> None:
    offset = 0
    while chunk := os.pread(descriptor, COPY_BYTES, offset):
        into.write(chunk)
        offset += len(chunk)


def _tell(descriptor: int, offset: int) -> None:
    with contextlib.suppress(BrokenPipeError):          # a reader that is gone says why through its future
        os.write(descriptor, OFFSET.pack(offset))


def _exactly(descriptor: int, size: int) -> bytes:
    """``size`` bytes from a pipe, or fewer when its writer is gone."""
    data = b""
    while len(data) < size:
        chunk = os.read(descriptor, size - len(data))
        if not chunk:
            break
        data += chunk
    return data
