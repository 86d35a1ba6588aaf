"""ikepcap's own engine: the streaming reader and the ISAKMP decoder, in parallel where it pays.

Work is split into tasks: a whole file, or — for a large plain pcap — byte ranges of it that
start on record boundaries. Tasks run in worker processes (``jobs``) and their results are
merged in order: frame numbers are shifted by the frames of the ranges before, ESP and
keepalive counters are added up, and IP fragment sets a range left open are finished
together, so the merged result is the one a single sequential pass would give.

Files are taken in the time order of their first frame, so a ring of files is one capture.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import struct
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace

from ikepcap.decode.message import conversation_of
from ikepcap.decode.wire import Header
from ikepcap.extract.budget import MAX_CONVERSATIONS, MAX_MESSAGE_BYTES, MAX_MESSAGES, Budget, Opened, Overflow
from ikepcap.extract.model import Extraction, Scope
from ikepcap.extract.store import Store
from ikepcap.forking import processes
from ikepcap.marks import wire
from ikepcap.read.capture import STDIN, read_capture
from ikepcap.read.errors import CaptureError, reason
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import MAX_FLOWS, Datagram, KeepaliveFlow, ReadStats
from ikepcap.read.pcap import GLOBAL_HEADER, MAGICS, PcapFormat, read_format, resync
from ikepcap.read.reassembly import OpenSet

# A plain pcap this large is split into ranges read in parallel; smaller ones are not worth it
# (the second process costs some 30 ms to start; a capture that is mostly IKE is read at ~10 MB/s).
SPLIT_BYTES = 8 * 1024 * 1024
ZERO_SPI = bytes(8)
RSPI = slice(Header.offsets["rspi"], Header.offsets["next_payload"])
MAX_SHORT_NOTES = 100                   # "too short for an ISAKMP header" notes kept per task
COMPACT_SLACK = 4096                    # evicted datagrams a store may hold beyond as many as are kept

Progress = Callable[[int, int, int], None]


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    index: int                          # position among the parts of its file
    span: tuple[int, int] | None        # byte range of a plain pcap, or the whole file
    digest: bool = False                # take the file's SHA-256 while reading it (a whole file only)
    scope: Scope | None = None          # what was asked about: kept within bounds of its own


@dataclass(slots=True)
class Part:
    """What one task found; picklable, so that it can come back from a worker process (its
    datagrams as a store's few buffers)."""

    task: Task
    store: Store = field(default_factory=Store)
    esp: dict[bytes, list] = field(default_factory=dict)
    esp_udp: dict[bytes, list] = field(default_factory=dict)
    keepalives: dict[tuple, KeepaliveFlow] = field(default_factory=dict)
    icmp_errors: list = field(default_factory=list)
    lost_fragments: list = field(default_factory=list)
    open_fragments: dict[tuple, OpenSet] = field(default_factory=dict)
    stats: ReadStats | None = None
    short: list[str] = field(default_factory=list)
    overflow: Overflow = field(default_factory=Overflow)
    cut_short: int = 0                  # IKE datagrams the capture's snaplen cut
    held: tuple[int, int, int] = (0, 0, 0)      # conversations, messages and bytes its bounds held


def _short_datagram(datagram: Datagram) -> str:
    return (f"{wire(datagram.file)} frame {datagram.frame}: {len(datagram.payload)} bytes on UDP "
            f"{datagram.sport}->{datagram.dport} are too short for an ISAKMP header")


def _skipped(path: str, error: CaptureError) -> str:
    """A file of a ring or a directory that cannot be read, said with its name marked."""
    return f"{wire(path)}: {reason(error, path)}: the file is skipped"


def _attempt(task: Task, extra_ports: frozenset[int], progress: Progress | None = None) -> Part | CaptureError:
    """The task's part, or why its file cannot be read (a ring or directory reads on without it)."""
    try:
        return run_task(task, extra_ports, progress)
    except CaptureError as error:
        return error


def run_task(task: Task, extra_ports: frozenset[int], progress: Progress | None = None) -> Part:
    part = Part(task)
    # Each range of a split file has the whole capture's bounds: what a range evicts, one pass over
    # the file would evict too, so the merge (which applies the bounds again) ends as one pass does.
    keeper = _Keeper(task.scope)

    def on_datagram(datagram: Datagram) -> None:
        if not keeper.offer(datagram) and len(part.short) < MAX_SHORT_NOTES:
            part.short.append(_short_datagram(datagram))

    report = None
    if progress is not None:
        def report(bytes_read: int, frames: int) -> None:
            progress(bytes_read, frames, keeper.budgets.kept_messages)

    decoder = read_capture(task.path, on_datagram, extra_ports, report, span=task.span, finish=task.span is None,
                           digest=task.digest and task.span is None)
    # what the bounds kept is stored as it came, decoded where it is worked on: a flood's evicted
    # members cost a header read
    part.store = keeper.kept()
    part.cut_short = part.store.truncated()
    part.esp, part.esp_udp = decoder.esp, decoder.esp_udp
    part.keepalives = decoder.keepalives
    part.icmp_errors = decoder.icmp_errors
    part.lost_fragments = decoder.lost_fragments
    part.open_fragments = decoder.reassembler.take_open()
    part.stats = decoder.stats
    part.overflow = keeper.budgets.overflow()
    part.held = keeper.budgets.held
    return part


class _Keeper:
    """The bounds, and the store of what they keep: a datagram is stored once it is kept, so that
    what is kept costs its place in the store, not a datagram object. What the bounds evict later
    (a flood's oldest lone first messages) is dropped from the store whenever it weighs as much
    as what is kept."""

    def __init__(self, scope: Scope | None) -> None:
        self.store = Store()
        self.budgets = _Budgets(scope, self.store.opened)

    def offer(self, datagram: Datagram) -> bool:
        """Offer ``datagram`` to the bounds (they keep it, or count it); False: it is too short for
        an ISAKMP header, and nothing was offered."""
        key = conversation_of(datagram)
        if key is None:
            return False
        payload, store = datagram.payload, self.store
        rspi = payload[RSPI]
        if self.budgets.of(datagram.src, datagram.dst, key[1], rspi).offer(
                len(store), key, len(payload), datagram.src, rspi != ZERO_SPI, datagram.file, datagram.frame,
                datagram.time):
            store.add(datagram)
            if len(store) > 2 * self.budgets.kept_messages + COMPACT_SLACK:
                self._compact()
        return True

    def kept(self) -> Store:
        """What the bounds kept, in the order it came."""
        if len(self.store) > self.budgets.kept_messages:
            self._compact()
        return self.store

    def _compact(self) -> None:
        kept = self.budgets.kept_items()
        self.store.keep(kept)
        new = {old: at for at, old in enumerate(kept)}
        for budget in self.budgets.both:
            budget.renumber(new)


class _Budgets:
    """The bounds for the capture, and when the report is narrowed (--peer, --sa), bounds of their
    own for what it was narrowed to: past the capture's bounds, the SAs asked about are still kept
    whole (up to as many again), and what is asked about cannot push the rest out either."""

    def __init__(self, scope: Scope | None, describe: Callable[[int], Opened]) -> None:
        self.scope = scope if scope is not None and scope.narrows else None
        self.rest = Budget(describe, MAX_CONVERSATIONS, MAX_MESSAGES, MAX_MESSAGE_BYTES)
        self.asked = Budget(describe, MAX_CONVERSATIONS, MAX_MESSAGES, MAX_MESSAGE_BYTES) if self.scope else None

    def of(self, src: str, dst: str, ispi: bytes, rspi: bytes) -> Budget:
        """The budget a message between ``src`` and ``dst`` under these SPIs is offered to."""
        return self.asked if self.scope is not None and self.scope.covers(src, dst, ispi, rspi) else self.rest

    @property
    def kept_messages(self) -> int:
        return self.rest.kept_messages + (self.asked.kept_messages if self.asked else 0)

    @property
    def held(self) -> tuple[int, int, int]:
        """The conversations, messages and bytes both hold."""
        both = self.both
        return (sum(len(b.kept) for b in both), sum(b.kept_messages for b in both), sum(b.kept_bytes for b in both))

    @property
    def both(self) -> list[Budget]:
        return [self.rest] + ([self.asked] if self.asked else [])

    def kept_items(self) -> list[int]:
        """What both kept: places in the keeper's store, in the order it came."""
        if self.asked is None:
            return self.rest.kept_items()
        return list(heapq.merge(self.rest.kept_items(), self.asked.kept_items()))

    def overflow(self) -> Overflow:
        """What both counted and did not keep; asked for once, at the end (the narrowed count is
        merged into the capture's)."""
        if self.asked is not None:
            self.rest.overflow.merge(self.asked.overflow)
        return self.rest.overflow


def _first_time(path: str) -> float:
    """The first frame's time, to order a ring of files; unknown formats sort by name."""
    try:
        with open(path, "rb") as f:
            head = f.read(GLOBAL_HEADER + 8)
        if head[:4] in MAGICS and len(head) == GLOBAL_HEADER + 8:
            fmt = PcapFormat.parse(head[:GLOBAL_HEADER])
            sec, frac = struct.unpack_from(fmt.order + "II", head, GLOBAL_HEADER)
            return sec + frac * fmt.unit
    except (OSError, CaptureError):
        pass
    return float("inf")


def plan(paths: list[str], jobs: int) -> list[Task]:
    """Files in time order; a large plain pcap split into ranges on record boundaries."""
    if len(paths) > 1 and STDIN not in paths:
        paths = sorted(paths, key=lambda p: (_first_time(p), p))
    tasks: list[Task] = []
    for path in paths:
        size = os.path.getsize(path) if path != STDIN and os.path.isfile(path) else 0
        if jobs < 2 or size < SPLIT_BYTES:
            tasks.append(Task(path, 0, None))
            continue
        try:
            fmt = read_format(path)
        except (CaptureError, OSError):
            tasks.append(Task(path, 0, None))        # not a plain pcap: one task, the reader says why
            continue
        starts = [GLOBAL_HEADER]
        for k in range(1, jobs):
            boundary = resync(path, fmt, size * k // jobs)
            if boundary is not None and boundary > starts[-1]:
                starts.append(boundary)
        ends = starts[1:] + [size]
        tasks += [Task(path, i, (start, end)) for i, (start, end) in enumerate(zip(starts, ends))]
    return tasks


def _frame(datagram: Datagram) -> int:
    return datagram.frame


def _merge_counts(into: dict[bytes, list], counts: dict[bytes, list], offset: int, stats: ReadStats) -> None:
    for key, (packets, first_frame, first_time, last_frame, last_time) in counts.items():
        mine = into.get(key)
        if mine is None:
            if len(into) >= MAX_FLOWS:
                stats.esp_unflowed += packets
                continue
            into[key] = [packets, first_frame + offset, first_time, last_frame + offset, last_time]
        else:
            mine[0] += packets
            mine[3], mine[4] = last_frame + offset, last_time


def ranges_meet(tasks: list[Task], read: list[int]) -> bool:
    """Each range ended exactly where the next began (``read``: the bytes each task read). A split
    point that only looked like a record boundary (a frame carrying pcap records: a capture copied
    over the network) makes the range before it walk on past it, and the frame numbers after it
    would be wrong."""
    return all(a.span[0] + size == b.span[0] for a, b, size in zip(tasks, tasks[1:], read))


def _merge_file(parts: list[Part], extra_ports: frozenset[int], take: Callable[[Datagram], object],
                into: Store | None) -> Extraction:
    """One file's parts, in order, as if read in one pass; its datagrams are handed to ``take``
    in frame order as they are merged, not kept in the result (``into``: the store ``take`` adds
    to, when it does nothing else, which then takes a part whole)."""
    result = Extraction(engine="native")
    late: list[Datagram] = []
    cut_short = sum(part.cut_short for part in parts)

    def on_datagram(datagram: Datagram) -> None:
        nonlocal cut_short
        if conversation_of(datagram) is None:
            result.warnings.append(_short_datagram(datagram))
        else:
            late.append(datagram)
            cut_short += datagram.truncated

    whole = FrameDecoder(parts[0].stats.file, on_datagram, extra_ports)
    stats = whole.stats
    stats.format = parts[0].stats.format
    stats.sha256 = parts[0].stats.sha256 if len(parts) == 1 else None      # a range hashes nothing
    # ranges count their own bytes; what lies before the first (the pcap global header) is read too
    stats.bytes = parts[0].task.span[0] if parts[0].task.span else 0
    offset = 0
    for part in parts:
        s = part.stats
        result.warnings += part.short
        _merge_counts(whole.esp, part.esp, offset, stats)
        _merge_counts(whole.esp_udp, part.esp_udp, offset, stats)
        for key, flow in part.keepalives.items():
            mine = whole.keepalives.get(key)
            if mine is None and len(whole.keepalives) >= MAX_FLOWS:
                stats.keepalives_unflowed += flow.packets
            elif mine is None:
                whole.keepalives[key] = replace(flow, first_frame=flow.first_frame + offset,
                                                last_frame=flow.last_frame + offset)
            else:
                mine.packets += flow.packets
                mine.last_frame, mine.last_time = flow.last_frame + offset, flow.last_time
        result.icmp_errors += [replace(e, frame=e.frame + offset) for e in part.icmp_errors]
        result.lost_fragments += [replace(f, frames=tuple(x + offset for x in f.frames)) for f in part.lost_fragments]
        # Fragment sets this part completes are whole at its frames (a set's last piece names it):
        # they join the part's own datagrams, both in frame order, in their place.
        whole.adopt(part.open_fragments, offset)
        completed = sorted(late, key=_frame)
        late.clear()
        if into is not None and not completed:
            into.absorb(part.store, offset)
        else:
            for datagram in heapq.merge(part.store.datagrams(offset), completed, key=_frame):
                take(datagram)
        part.store = Store()
        result.overflow.merge(part.overflow, offset)
        stats.frames += s.frames
        stats.bytes += s.bytes
        stats.first_time = s.first_time if stats.first_time is None else stats.first_time
        stats.last_time = s.last_time if s.last_time is not None else stats.last_time
        for link_type, count in s.link_types.items():
            stats.link_types[link_type] = stats.link_types.get(link_type, 0) + count
        for name in ("ike_datagrams", "fragments", "reassembled", "incomplete_fragments", "truncated_frames",
                     "undecodable_frames", "esp_unflowed", "keepalives_unflowed", "unlisted"):
            setattr(stats, name, getattr(stats, name) + getattr(s, name))
        for warning in s.warnings:
            stats.note(warning)
        offset += s.frames
    whole.finish()
    for datagram in sorted(late, key=_frame):  # none today: finishing only counts what was lost
        take(datagram)
    result.esp = whole.esp_flows()
    result.keepalives = list(whole.keepalives.values())
    result.lost_fragments += whole.lost_fragments
    result.files.append(stats)
    result.warnings += [f"{wire(stats.file)}: {w}" for w in stats.all_warnings()]
    if cut_short:
        # Said once for the file: each message's own warnings are only in `decode`.
        result.warnings.append(
            f"{wire(stats.file)}: the capture cut {cut_short} IKE message(s) short (snaplen): what lies past the cut "
            "is not decoded, so sizes are taken from the headers and payloads there are missing")
    return result


# Shared with worker processes: per task, (bytes read, frames, IKE messages) so far.
_shared_progress = None
PROGRESS_POLL_SECONDS = 0.1


def _init_worker(shared) -> None:
    global _shared_progress
    _shared_progress = shared


def show_progress(shared, display: Progress) -> None:
    """Bytes, frames and messages of every task's slot, added up, shown."""
    display(*(int(sum(shared[i::3])) for i in range(3)))


def _run_shared(task: Task, extra_ports: frozenset[int], slot: int,
                display: Progress | None = None) -> Part | CaptureError:
    """Run a task and post its progress in its slot; ``display`` (in the parent) shows all slots."""
    def report(bytes_read: int, frames: int, messages: int) -> None:
        _shared_progress[3 * slot:3 * slot + 3] = [bytes_read, frames, messages]
        if display is not None:
            show_progress(_shared_progress, display)
    return _attempt(task, extra_ports, report if _shared_progress is not None else None)


def _run_parallel(tasks: list[Task], extra_ports: frozenset[int], jobs: int,
                  progress: Progress | None) -> list[Part | CaptureError]:
    """The first task runs here while worker processes take the others: one process fewer to
    start, and the results of the largest share need no trip through a pipe."""
    context = multiprocessing.get_context("fork")
    shared = context.Array("d", 3 * len(tasks), lock=False) if progress is not None else None
    _init_worker(shared)
    with ProcessPoolExecutor(min(jobs - 1, len(tasks) - 1), mp_context=context, initializer=_init_worker,
                             initargs=(shared,)) as pool:
        futures = [pool.submit(_run_shared, task, extra_ports, slot) for slot, task in enumerate(tasks) if slot]
        first = _run_shared(tasks[0], extra_ports, 0, progress)
        while progress is not None:
            show_progress(shared, progress)
            if not wait(futures, timeout=PROGRESS_POLL_SECONDS).not_done:
                break
        return [first] + [future.result() for future in futures]


def extract(paths: Iterable[str], extra_ports: frozenset[int] = frozenset(), progress: Progress | None = None,
            jobs: int | None = None, digest: bool = False, scope: Scope | None = None) -> Extraction:
    """Every IKE message and counter in ``paths``, read by up to ``jobs`` processes; ``digest``:
    with each whole file's SHA-256, which only the ticket reports print (hashing a span capture
    costs a fifth of reading it); ``scope``: what the report is narrowed to, kept within bounds of
    its own."""
    paths = list(paths)
    jobs = processes(jobs)
    tasks = [replace(task, digest=digest, scope=scope) for task in plan(paths, jobs)]
    if jobs < 2 or len(tasks) < 2:
        done_bytes = done_frames = done_messages = 0
        parts = []
        for task in tasks:
            report = None
            if progress is not None:
                def report(b: int, f: int, m: int, base=(done_bytes, done_frames, done_messages)) -> None:
                    progress(base[0] + b, base[1] + f, base[2] + m)
            part = _attempt(task, extra_ports, report)
            parts.append(part)
            if isinstance(part, CaptureError):
                continue
            done_bytes += part.stats.bytes
            done_frames += part.stats.frames
            done_messages += len(part.store)
    else:
        parts = _run_parallel(tasks, extra_ports, jobs, progress)
    return merge(paths, tasks, parts, extra_ports, scope)


def held_whole(held: list[tuple[int, int, int]]) -> bool:
    """What parts held (conversations, messages, bytes each) fits the capture's bounds together:
    one pass would have kept all of it, as it came (every prefix of it fits them too)."""
    conversations, messages, size = [sum(counts) for counts in zip(*held)] or [0, 0, 0]
    return conversations <= MAX_CONVERSATIONS and messages <= MAX_MESSAGES and size <= MAX_MESSAGE_BYTES


def merge(paths: list[str], tasks: list[Task], parts: list[Part | CaptureError], extra_ports: frozenset[int],
          scope: Scope | None) -> Extraction:
    """What ``tasks`` found (``parts``, in order), as one pass over ``paths`` would have found it."""
    merged = Extraction(engine="native")
    unreadable = [part for part in parts if isinstance(part, CaptureError)]
    if unreadable and (len(unreadable) == len(parts) or len(paths) == 1):
        raise unreadable[0]
    # one bad file in a ring or a directory is said, and the others are read
    merged.warnings += [_skipped(task.path, part) for task, part in zip(tasks, parts)
                        if isinstance(part, CaptureError)]
    by_file: dict[str, list[Part]] = {}
    for part in parts:
        if not isinstance(part, CaptureError):
            by_file.setdefault(part.task.path, []).append(part)
    files = []
    for path, file_parts in by_file.items():
        file_parts.sort(key=lambda p: p.task.index)
        if not ranges_meet([part.task for part in file_parts], [part.stats.bytes for part in file_parts]):
            file_parts = [run_task(Task(path, 0, None, file_parts[0].task.digest, scope), extra_ports)]
        files.append(file_parts)
    keeper = _Keeper(scope)                 # the whole capture's bounds, over all files
    # What the reads kept is offered to the capture's bounds again, unless it all fits them together
    # (one read alone does, but for what a narrowed report keeps past them) and no fragment set waits
    # for another range to complete it: offered, it would all be kept, in the order it comes.
    every = [part for file_parts in files for part in file_parts]
    kept_all: Store | None = None
    if held_whole([part.held for part in every]) and not any(part.open_fragments for part in every):
        kept_all = Store()

    for file_parts in files:
        one = _merge_file(file_parts, extra_ports, keeper.offer if kept_all is None else kept_all.add, kept_all)
        merged.files += one.files
        merged.esp += one.esp
        merged.keepalives += one.keepalives
        merged.icmp_errors += one.icmp_errors
        merged.lost_fragments += one.lost_fragments
        merged.warnings += one.warnings
        merged.overflow.merge(one.overflow)
    merged.messages = kept_all if kept_all is not None else keeper.kept()
    merged.overflow.merge(keeper.budgets.overflow())
    overflow = merged.overflow
    if overflow.messages:
        file, frame, _ = overflow.first
        merged.warnings.append(
            f"{wire(file)} frame {frame} on: {'; '.join(overflow.reasons)} — {overflow.messages} further IKE "
            f"message(s) of {'at least ' if overflow.capped else ''}{overflow.conversations} conversation(s) were "
            "counted, not kept")
    return merged
