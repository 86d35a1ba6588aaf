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

    def add(self, key: tuple, offset: int, more: bool, data: bytes, frame: int, time: float,
            meta: tuple = ()) -> Reassembled | None:
        self._expire(time)
        entry = self._sets.get(key)
        if entry is None:
            if len(self._sets) >= MAX_PENDING_SETS or self._bytes + len(data) > MAX_PENDING_BYTES:
                self._evict_oldest()
            entry = self._sets[key] = OpenSet(started=time, meta=meta)
        end = offset + len(data)
        if end > MAX_DATAGRAM or len(entry.pieces) >= MAX_FRAGMENTS_PER_SET:
            self._drop(key, f"more than {MAX_FRAGMENTS_PER_SET} fragments or {MAX_DATAGRAM} bytes")
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
                   f"evicted: over {MAX_PENDING_SETS} sets or {MAX_PENDING_BYTES} bytes pending")

    def _drop(self, key: tuple, reason: str) -> None:
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
        ))

    def discard(self, key: tuple) -> None:
        """Forget a set quietly: its first fragment showed it is not IKE."""
        entry = self._sets.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def finish(self) -> None:
        """The capture ended: every set still open lost fragments (or the capture missed them)."""
        for key in list(self._sets):
            self._drop(key, "still incomplete at the end of the capture")
