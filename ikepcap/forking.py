"""Work dealt out in shares to forked processes, for the stages that pay for a second core.

The first share runs here and the others in worker processes forked from this one, so they
inherit what this process holds (a capture's messages, the keys): only each share's
arguments and its result are pickled. What a share needs beyond its arguments is put where
``work`` finds it (a module global) before the call, and taken away after.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import itertools
import multiprocessing
import os
import struct
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TextIO, TypeVar

# Below this many messages a second process costs more than it saves.
PARALLEL_MESSAGES = 20_000

Share = TypeVar("Share")
Result = TypeVar("Result")
Item = TypeVar("Item")


def processes(jobs: int | None) -> int:
    """How many processes ``--jobs`` asks for: one per CPU when it is not given."""
    return jobs or os.cpu_count() or 1


def release_freed() -> None:
    """Collect the stages' garbage and give the C heap's free pages back before workers are forked.

    Reading a busy capture frees tens of megabytes in the middle of glibc's heap (datagrams held
    until they were stored, the parts' buffers after the merge), which glibc keeps mapped; every
    forked worker would share those pages, and each is counted in its proportional memory. On the
    bench's IKE-heavy capture this takes the peak from 181 to 167 MiB. ctypes is loaded here, not
    at start-up (6 ms), and the C library is the process's own, not looked up (ldconfig)."""
    import ctypes
    gc.collect()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):   # not glibc: its allocator gives back what it gives back
        return
    trim(0)


def map_forked(work: Callable[[Share], Result], shares: Sequence[Share]) -> list[Result]:
    """``work(share)`` for each share, in order; one share runs here alone."""
    if len(shares) <= 1:
        return [work(share) for share in shares]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(shares) - 1, mp_context=context) as pool:
        futures = [pool.submit(work, share) for share in shares[1:]]
        first = work(shares[0])
        return [first] + [future.result() for future in futures]


class Dealer:
    """Hands out 0, 1, … ``count - 1``, each once, to whichever process asks next: made before the
    workers are forked, it is shared with them (a counter in shared memory, under a lock). Work
    dealt this way ends at about the same time in every process even when one is slower, as one
    is on a machine that runs other work too."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.count = count
        self._next = context.RawValue("q", 0)
        self._lock = context.Lock()

    def take(self) -> int | None:
        """The next item no process has taken, or None when all are taken."""
        with self._lock:
            item = self._next.value
            if item >= self.count:
                return None
            self._next.value = item + 1
        return item

    def taken(self) -> Iterator[int]:
        """What this process takes, until all are taken."""
        return iter(self.take, None)


def balanced(weights: Sequence[int], count: int) -> list[list[int]]:
    """The indices of ``weights`` dealt into at most ``count`` shares of about the same weight
    (the heaviest first, each onto the lightest share), each share in ascending order."""
    shares: list[list[int]] = [[] for _ in range(min(count, len(weights)))]
    loads = [0] * len(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += weights[index]
    return [sorted(share) for share in shares]


# Lines a process renders before handing them on: enough to keep a pipe's cost small, few
# enough that a worker a chunk ahead holds a megabyte or so.
CHUNK_LINES = 1_000
PIPE_BYTES = 1 << 20                    # Linux's largest pipe for a process without privileges
_HEAD = struct.Struct("=q")             # a chunk's length in bytes; negative: a worker's error text


def write_ordered(out: TextIO, items: Sequence[Item], render: Callable[[Item], str], jobs: int) -> None:
    """``out.write(render(item) + "\\n")`` for each item, in order, rendered by ``jobs`` processes.

    Chunk ``k`` of the items is rendered by process ``k % jobs``, this one being process 0;
    forked workers send each chunk, encoded as ``out`` encodes, through a pipe of their own,
    and this process writes the chunks in order. A worker renders its next chunk while this
    process writes or renders the one before, and waits on the pipe when it is a chunk ahead:
    output begins at once, and a slow reader of ``out`` (a pager) holds up the workers rather
    than filling memory.
    """
    chunks = [items[at:at + CHUNK_LINES] for at in range(0, len(items), CHUNK_LINES)]
    jobs = min(jobs, len(chunks))
    if jobs < 2:
        for chunk in chunks:
            out.write(_lines(chunk, render))
        return
    out.flush()
    readers, children = [], []
    try:
        for worker in range(1, jobs):
            read_end, write_end = os.pipe()
            with contextlib.suppress(OSError):                  # room for a chunk: the worker runs ahead
                fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            pid = os.fork()
            if pid == 0:                                        # the worker: it never returns
                os.close(read_end)
                for other in readers:
                    other.close()
                _render_chunks(write_end, chunks[worker::jobs], render, out.encoding, out.errors or "strict")
            os.close(write_end)
            readers.append(os.fdopen(read_end, "rb"))
            children.append(pid)
        for index, chunk in enumerate(chunks):
            if index % jobs == 0:
                out.write(_lines(chunk, render))
                continue
            data = _received(readers[index % jobs - 1])
            out.flush()
            out.buffer.write(data)
        out.flush()
    finally:
        for reader in readers:
            reader.close()                                      # a worker still writing gets EPIPE and ends
        for pid in children:
            os.waitpid(pid, 0)


def _lines(chunk: Sequence[Item], render: Callable[[Item], str]) -> str:
    return "".join(render(item) + "\n" for item in chunk)


def rendered_chunks(items: Iterable[Item], render: Callable[[Item], str]) -> Iterator[str]:
    """``render(item) + "\n"`` for each item, joined CHUNK_LINES at a time (what one process
    writes at once)."""
    items = iter(items)
    while chunk := list(itertools.islice(items, CHUNK_LINES)):
        yield _lines(chunk, render)


def _render_chunks(fd: int, chunks: list[Sequence[Item]], render: Callable[[Item], str], encoding: str,
                   errors: str) -> None:
    pipe = os.fdopen(fd, "wb")
    code = 0
    try:
        for chunk in chunks:
            data = _lines(chunk, render).encode(encoding, errors)
            pipe.write(_HEAD.pack(len(data)))
            pipe.write(data)
            pipe.flush()
    except BrokenPipeError:                                     # the writer stopped: nothing to say
        code = 1
    except BaseException:                                       # noqa: BLE001 - reported through the pipe
        code = 1
        text = traceback.format_exc().encode("utf-8", "backslashreplace")
        try:
            pipe.write(_HEAD.pack(-len(text)))
            pipe.write(text)
            pipe.flush()
        except OSError:
            pass
    os._exit(code)


def _received(reader) -> bytes:
    head = reader.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise RuntimeError("a worker rendering lines stopped before its end")
    length = _HEAD.unpack(head)[0]
    data = reader.read(abs(length))
    if length < 0:
        raise RuntimeError("a worker rendering lines failed:\n" + data.decode("utf-8", "replace"))
    if len(data) < length:
        raise RuntimeError("a worker rendering lines stopped before its end")
    return data
