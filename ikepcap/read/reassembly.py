"""IP fragment reassembly for IKE, bounded in memory and in capture time.

Certificates and large KE payloads push IKE messages past the path MTU, and dropped fragments
are a classic reason for a stall, so fragments are reassembled and the finished datagram keeps
the frame numbers of all of them. A capture can hold endless or overlapping fragments, by
accident or on purpose: every buffer has limits, and a set that breaks one is dropped with a
note rather than allowed to grow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_DATAGRAM = 65535 + 40          # IPv6 jumbograms are not reassembled
MAX_FRAGMENTS_PER_SET = 128
MAX_PENDING_SETS = 4096
MAX_PENDING_BYTES = 32 * 1024 * 1024
MAX_AGE_SECONDS = 60.0             # RFC 791 suggests 15 s; hosts keep fragments up to 60 s


@dataclass(slots=True)
class OpenSet:
    """A fragment set still being collected; also what a partial read hands over for merging."""

    started: float
    meta: tuple                        # what the caller needs once the datagram is whole
    pieces: dict[int, tuple[bytes, int, float]] = field(default_factory=dict)   # offset -> (data, frame, time)
    total: int | None = None           # known once the last fragment (MF=0) arrives
    size: int = 0
    overlap: bool = False


@dataclass(frozen=True, slots=True)
class Reassembled:
    payload: bytes
    frames: tuple[int, ...]            # in offset order
    overlap: bool
    meta: tuple
    frame: int                         # the fragment that completed it: the last to arrive
    time: float


@dataclass(frozen=True, slots=True)
class Lost:
    """A fragment set given up on: what arrived of it, and why it was given up."""

    key: tuple
    first: bytes | None                # the offset-0 fragment, whose UDP header names ports
    frames: tuple[int, ...]
    time: float
    received: int
    total: int | None
    reason: str
    bound: bool                        # given up on to keep memory bounded, not for its own sake


class Reassembler:
    """Collects fragments by (source, destination, protocol, identification).

    ``add`` returns the whole payload once the set is complete, else None. Sets given up on
    (too old, over a limit, evicted) are handed to ``on_lost``: fragments that never made a
    whole IKE message are evidence for a diagnosis, not just noise.
    """

    def __init__(self, on_lost) -> None:
        self._sets: dict[tuple, OpenSet] = {}
        self._bytes = 0
        self._on_lost = on_lost
        self._ignored: dict[tuple, float] = {}      # sets whose first fragment showed they are not IKE

    def add(self, key: tuple, offset: int, more: bool, data: bytes, frame: int, time: float,
            meta: tuple = ()) -> Reassembled | None:
        self._expire(time)
        if key in self._ignored:
            if offset:
                return None                # the rest of a datagram already known not to be IKE
            del self._ignored[key]         # a new first fragment: the identification was reused
        if key not in self._sets and len(self._sets) >= MAX_PENDING_SETS:
            self._evict_oldest()
        while self._sets and self._bytes + len(data) > MAX_PENDING_BYTES:
            self._evict_oldest()
        entry = self._sets.get(key)
        if entry is None:
            entry = self._sets[key] = OpenSet(started=time, meta=meta)
        end = offset + len(data)
        if end > MAX_DATAGRAM or len(entry.pieces) >= MAX_FRAGMENTS_PER_SET:
            self._drop(key, f"more than {MAX_FRAGMENTS_PER_SET} fragments or {MAX_DATAGRAM} bytes", bound=True)
            return None
        if offset in entry.pieces:
            entry.overlap = True           # a duplicate; the first copy stays
            return None
        entry.pieces[offset] = (data, frame, time)
        entry.size += len(data)
        self._bytes += len(data)
        if not more:
            entry.total = end
        if entry.total is None or entry.size < entry.total:
            return None
        return self._assemble(key, entry)

    def merge(self, key: tuple, other: OpenSet, frame_offset: int) -> Reassembled | None:
        """Fold in a set another partial read left open (its frames shifted by ``frame_offset``)."""
        result = None
        for offset, (data, frame, time) in sorted(other.pieces.items(), key=lambda item: item[1][1]):
            more = not (other.total is not None and offset + len(data) == other.total)
            result = self.add(key, offset, more, data, frame + frame_offset, time, other.meta) or result
        return result

    def take_open(self) -> dict[tuple, OpenSet]:
        """Hand over every open set (a partial read's end is not the capture's end)."""
        sets, self._sets, self._bytes = self._sets, {}, 0
        return sets

    def _assemble(self, key: tuple, entry: OpenSet) -> Reassembled | None:
        payload = bytearray()
        frames = []
        overlap = entry.overlap
        for offset in sorted(entry.pieces):
            data, frame, _ = entry.pieces[offset]
            if offset > len(payload):
                return None                # a hole: wait for the missing piece
            if offset < len(payload):
                overlap = True             # keep what arrived first at each position
                data = data[len(payload) - offset:]
            payload += data
            frames.append(frame)
        if len(payload) < (entry.total or 0):
            return None
        del self._sets[key]
        self._bytes -= entry.size
        _, last_frame, last_time = max(entry.pieces.values(), key=lambda piece: piece[1])
        return Reassembled(bytes(payload[:entry.total]), tuple(frames), overlap, entry.meta, last_frame, last_time)

    def _expire(self, now: float) -> None:
        ignored = self._ignored
        while ignored and now - next(iter(ignored.values())) > MAX_AGE_SECONDS:
            del ignored[next(iter(ignored))]
        if not self._sets:
            return
        oldest_key = next(iter(self._sets))
        while self._sets and now - self._sets[oldest_key].started > MAX_AGE_SECONDS:
            self._drop(oldest_key, f"not completed within {MAX_AGE_SECONDS:.0f} s")
            if not self._sets:
                return
            oldest_key = next(iter(self._sets))

    def _evict_oldest(self) -> None:
        self._drop(next(iter(self._sets)),
                   f"evicted: over {MAX_PENDING_SETS} sets or {MAX_PENDING_BYTES} bytes pending", bound=True)

    def _drop(self, key: tuple, reason: str, bound: bool = False) -> None:
        entry = self._sets.pop(key, None)
        if entry is None:
            return
        self._bytes -= entry.size
        first = entry.pieces.get(0)
        self._on_lost(Lost(
            key=key,
            first=first[0] if first else None,
            frames=tuple(frame for _, (_, frame, _) in sorted(entry.pieces.items())),
            time=entry.started,
            received=entry.size,
            total=entry.total,
            reason=reason,
            bound=bound,
        ))

    def discard(self, key: tuple, time: float) -> None:
        """Forget a set quietly, and its later fragments too: its first fragment showed it is not
        IKE (fragmented DNS or NFS must not fill the buffers and pass for lost IKE fragments)."""
        entry = self._sets.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size
        self._ignored.pop(key, None)
        self._ignored[key] = time
        if len(self._ignored) > MAX_PENDING_SETS:
            del self._ignored[next(iter(self._ignored))]

    def finish(self) -> None:
        """The capture ended: every set still open lost fragments (or the capture missed them)."""
        for key in list(self._sets):
            self._drop(key, "still incomplete at the end of the capture")
