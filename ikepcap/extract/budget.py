"""How much of a capture's IKE is kept: bounded, so that a flood cannot exhaust memory.

A capture can hold a million spoofed initiator cookies (an IKE flood, reflected responses) or
simply more IKE than fits in memory. Messages are kept until a bound is reached (conversations,
messages or bytes); after that, room is made by evicting the oldest conversation that is still a
lone first message — never one that progressed (answered, resent, or carrying a responder
cookie), nor one from a source whose other conversations progressed. A flood placed before a real
negotiation thus cannot push it out: the real one progresses, the flood's members do not. What is
evicted or refused is only counted — how many, how many distinct conversations, from which
sources — which is what a flood finding needs. Admission looks at the conversation alone and what
is kept is held as it came (the caller decodes the survivors), so an evicted or refused message
costs a header read, not a decode.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

ZERO_SPI = bytes(8)
# The bounds are on memory. A kept message costs its bytes and some 40 bytes of columns in the
# process that holds the capture (extract.store); its Message, and its SA's correlation and
# diagnosis, exist only while a worker works on a chunk of SAs. What stays per SA is its bucket
# and its row in the report. So a headend's honest capture of a million messages, some 120,000
# SAs, is kept whole and diagnosed in under 1 GB (bench/), while a flood is still bounded: past
# MAX_CONVERSATIONS its lone first messages make room and are counted.
MAX_CONVERSATIONS = 200_000
MAX_MESSAGES = 2_000_000
# Real messages are a few hundred bytes to a few kilobytes (a headend's million come to some 240 MB);
# without this, two million reassembled 64 KB datagrams would ask for 128 GB.
MAX_MESSAGE_BYTES = 384 * 1024 * 1024
MAX_SOURCES = 10_000                    # counters of the heavy-hitter summary of sources
MAX_COUNTED = 200_000                   # distinct conversations counted exactly; past it, "at least"
LONE, PROGRESSED = 1, 2


@dataclass(slots=True)
class Overflow:
    """IKE messages counted but not kept.

    ``sources`` is a Misra–Gries summary of the flood-like ones (first messages from sources that
    progressed nowhere): any source that sent more than messages / MAX_SOURCES of them is in it,
    and each count falls short of the truth by at most ``undercount`` — so a spoofed flood, where
    no source repeats, leaves it nearly empty in bounded memory while a real attacker among a
    million packets still stands out.
    """

    messages: int = 0
    # distinct conversations among them (hashes, at most MAX_COUNTED), each LONE while all that was
    # seen of it is one unanswered first message from a source that progressed nowhere, else
    # PROGRESSED: keyed, so that the parts of a capture read in parallel add up to what one pass
    # counts. Only the lone ones look like a flood; an honest headend past the bounds refuses
    # conversations that progressed, and first messages of peers that complete others.
    counted: dict[int, int] = field(default_factory=dict)
    capped: bool = False                # more than MAX_COUNTED: ``conversations`` is a lower bound
    beyond_lone: int = 0                # messages past the count that came as unanswered first messages
    sources: dict[str, int] = field(default_factory=dict)
    undercount: int = 0
    first: tuple[str, int, float] | None = None   # file, frame, time of the first one not kept
    last_time: float | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        return len(self.counted)

    @property
    def lone(self) -> int:
        """Conversations counted that never went past one unanswered first message."""
        return sum(1 for state in self.counted.values() if state == LONE)

    def note(self, digest: int, progressed: bool) -> None:
        """A message of conversation ``digest``; ``progressed``: an answer, or not its first message."""
        state = self.counted.get(digest)
        if state is not None:
            if progressed:
                self.counted[digest] = PROGRESSED
            return
        if len(self.counted) >= MAX_COUNTED:
            self.capped = True
            self.beyond_lone += not progressed
            return
        self.counted[digest] = PROGRESSED if progressed else LONE

    def count(self, source: str) -> None:
        sources = self.sources
        if source in sources:
            sources[source] += 1
            return
        sources[source] = 1
        if len(sources) > MAX_SOURCES:
            self._shrink()

    def _shrink(self) -> None:
        """Take the (MAX_SOURCES+1)-th largest count off every counter and drop those left at zero."""
        cut = heapq.nlargest(MAX_SOURCES + 1, self.sources.values())[-1]
        self.sources = {source: n - cut for source, n in self.sources.items() if n > cut}
        self.undercount += cut

    def merge(self, other: Overflow, frame_offset: int = 0) -> None:
        self.messages += other.messages
        self.beyond_lone += other.beyond_lone
        self.capped = self.capped or other.capped
        for digest, state in other.counted.items():
            if digest in self.counted:
                self.counted[digest] = PROGRESSED       # seen in both parts: more than one message
            elif len(self.counted) >= MAX_COUNTED:
                self.capped = True
                break
            else:
                self.counted[digest] = state
        for source, n in other.sources.items():
            self.sources[source] = self.sources.get(source, 0) + n
        self.undercount += other.undercount
        if len(self.sources) > MAX_SOURCES:
            self._shrink()
        if other.first is not None and (self.first is None or other.first[2] < self.first[2]):
            file, frame, time = other.first
            self.first = (file, frame + frame_offset, time)
        if other.last_time is not None:
            self.last_time = max(self.last_time or other.last_time, other.last_time)
        self.reasons += [r for r in other.reasons if r not in self.reasons]


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n and not n & 0xFFFFF else f"{n} bytes"


class Opened(NamedTuple):
    """What a budget needs of a conversation's first message once a second one comes or it is
    evicted: who sent it, where and when, and its size (``Budget.describe`` reads it back)."""

    source: str
    file: str
    frame: int
    time: float
    size: int


@dataclass(slots=True)
class _Kept:
    """A kept conversation of more than one message: where its items are, who opened it (where and
    when), and whether it progressed."""

    indices: list[int]
    source: str
    file: str
    frame: int
    time: float
    size: int
    progressed: bool


# The same sender again this soon is a copy the capture point made, not a resend (see correlate.sas).
RESEND_SECONDS = 0.002


class Budget:
    """Keeps the items of an extraction (what stands for a message: its place in a store) within the bounds."""

    def __init__(self, describe: Callable[[object], Opened], conversations: int = MAX_CONVERSATIONS,
                 messages: int = MAX_MESSAGES, message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.describe = describe            # what an item kept says of its message (the keeper's store)
        self.max_conversations = conversations
        self.max_messages = messages
        self.max_bytes = message_bytes
        self.too_many_sas = f"more than {conversations} IKE SAs"
        self.too_many_messages = f"more than {messages} IKE messages"
        self.too_many_bytes = f"more than {_size(message_bytes)} of IKE messages"
        # A conversation of one message (most of a flood's, which come by the hundred thousand) is
        # only its item's place in ``items``; the second message makes it a _Kept, read back from the first.
        self.kept: dict[tuple, _Kept | int] = {}
        self.items: list = []               # in arrival order; None where an item was evicted
        self.holes = 0
        self.lone: deque[tuple] = deque()   # conversations kept as a first message, oldest first
        self.trusted: set[str] = set()      # sources of conversations that progressed
        self.kept_messages = 0
        self.kept_bytes = 0
        self.overflow = Overflow()

    def offer(self, item, key: tuple, size: int, source: str, answered: bool, file: str, frame: int,
              time: float) -> bool:
        """Keep ``item`` (a message of ``size`` bytes of conversation ``key``, see
        ``Message.conversation``; ``answered``: it carries a responder cookie) or count it."""
        kept = self.kept.get(key)
        if kept is None and hash(key) in self.overflow.counted:                # evicted or refused before
            return self._refuse(key, source, file, frame, time, None, progressed=True)
        while True:
            reason = self._full(kept is None, size)
            if reason is None:
                break
            if not self._evict(reason, key):
                return self._refuse(key, source, file, frame, time, reason, progressed=kept is not None or answered)
            kept = self.kept.get(key)
        if kept is None:
            if answered:
                self.kept[key] = _Kept([len(self.items)], source, file, frame, time, size, True)
                self.trusted.add(source)
            else:
                self.kept[key] = len(self.items)
                self.lone.append(key)
        else:
            if type(kept) is int:
                kept = self.kept[key] = self._opened(kept)
            if not kept.progressed and (answered or source != kept.source or time - kept.time >= RESEND_SECONDS):
                kept.progressed = True
                self.trusted.add(kept.source)
            kept.indices.append(len(self.items))
            kept.size += size
        self.items.append(item)
        self.kept_messages += 1
        self.kept_bytes += size
        return True

    def _opened(self, place: int) -> _Kept:
        """The conversation whose one message is at ``place``, as one of more."""
        first = self.describe(self.items[place])
        return _Kept([place], first.source, first.file, first.frame, first.time, first.size, False)

    def kept_items(self) -> list:
        return [item for item in self.items if item is not None]

    def renumber(self, new: dict) -> None:
        """Each kept item as ``new`` names it (its store was compacted)."""
        self.items = [None if item is None else new[item] for item in self.items]

    def _full(self, new: bool, size: int) -> str | None:
        if new and len(self.kept) >= self.max_conversations:
            return self.too_many_sas
        if self.kept_messages >= self.max_messages:
            return self.too_many_messages
        if self.kept_bytes + size > self.max_bytes:
            return self.too_many_bytes
        return None

    def _evict(self, reason: str, spare: tuple) -> bool:
        """Count the oldest conversation that is still a lone first message from an untrusted
        source (other than ``spare``, the one making room) instead of keeping it; False when there is none."""
        while self.lone:
            key = self.lone.popleft()
            kept = self.kept.get(key)
            if kept is None or key == spare:
                continue
            if type(kept) is int:
                kept = self._opened(kept)
            if kept.progressed or kept.source in self.trusted:
                continue
            del self.kept[key]
            for index in kept.indices:
                self.items[index] = None
            self.holes += len(kept.indices)
            self.kept_messages -= len(kept.indices)
            self.kept_bytes -= kept.size
            for _ in kept.indices:          # copies the capture point made, at most: still lone
                self._refuse(key, kept.source, kept.file, kept.frame, kept.time, reason, progressed=False)
            if self.holes > 1024 and self.holes * 2 > len(self.items):
                self._compact()
            return True
        return False

    def _compact(self) -> None:
        """Drop the evicted slots (keeping the list linear in what is kept)."""
        where: dict[int, tuple] = {}
        for key, kept in self.kept.items():
            if type(kept) is int:
                where[kept] = key
                continue
            for index in kept.indices:
                where[index] = key
            kept.indices = []
        items: list = []
        for index, item in enumerate(self.items):
            if item is not None:
                key = where[index]
                kept = self.kept[key]
                if type(kept) is int:
                    self.kept[key] = len(items)
                else:
                    kept.indices.append(len(items))
                items.append(item)
        self.items, self.holes = items, 0

    def _refuse(self, key: tuple, source: str, file: str, frame: int, time: float, reason: str | None,
                progressed: bool) -> bool:
        o = self.overflow
        o.messages += 1
        # a first message from a source whose other conversations progressed is a busy peer's, not a flood's
        flood_like = not progressed and source not in self.trusted
        o.note(hash(key), not flood_like)   # a number, not the tuple: a tenth of the memory
        if flood_like:
            o.count(source)
        if o.first is None or time < o.first[2]:
            o.first = (file, frame, time)
        o.last_time = time if o.last_time is None else max(o.last_time, time)
        if reason is not None and reason not in o.reasons:
            o.reasons.append(reason)
        return False
