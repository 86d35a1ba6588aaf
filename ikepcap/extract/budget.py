"""How much of a capture's IKE is kept: bounded, so that a flood cannot exhaust memory.

A capture can hold a million spoofed initiator cookies (an IKE flood, reflected responses) or
simply more IKE than fits in memory. Messages are kept until either bound is reached; after
that, messages of conversations already kept are still kept (within the message and byte
bounds), and the rest are only counted — how many, how many distinct conversations, from which sources —
which is what a flood finding needs. Admission looks at the conversation alone, so a refused
message costs a header read, not a decode.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ikepcap.decode.model import Message

MAX_CONVERSATIONS = 20_000
MAX_MESSAGES = 150_000
# Bytes of IKE messages kept. Real messages are a few hundred bytes to a few kilobytes; without
# this, 150,000 reassembled 64 KB datagrams would ask for 9.6 GB.
MAX_MESSAGE_BYTES = 128 * 1024 * 1024
MAX_SOURCES = 10_000                    # counters of the heavy-hitter summary of sources
MAX_COUNTED = 200_000                   # distinct conversations counted exactly; past it, "at least"


@dataclass(slots=True)
class Overflow:
    """IKE messages counted but not kept.

    ``sources`` is a Misra–Gries summary: any source that sent more than messages / MAX_SOURCES
    of them is in it, and each count falls short of the truth by at most ``undercount`` — so
    a spoofed flood, where no source repeats, leaves it nearly empty in bounded memory while a
    real attacker among a million packets still stands out.
    """

    messages: int = 0
    conversations: int = 0              # distinct conversations among them (per file range)
    capped: bool = False                # more than MAX_COUNTED: ``conversations`` is a lower bound
    sources: dict[str, int] = field(default_factory=dict)
    undercount: int = 0
    first: tuple[str, int, float] | None = None   # file, frame, time of the first one not kept
    last_time: float | None = None
    reasons: list[str] = field(default_factory=list)

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
        self.conversations += other.conversations
        self.capped = self.capped or other.capped
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


class Budget:
    """Admits messages into an extraction until the bounds are reached.

    ``share`` tasks read one capture in parallel, each with its share of the bounds; the
    reasons quote the capture's bounds, which is what a user can relate to.
    """

    def __init__(self, conversations: int = MAX_CONVERSATIONS, messages: int = MAX_MESSAGES,
                 share: int = 1, message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.max_conversations = conversations // share
        self.max_messages = messages // share
        self.max_bytes = message_bytes // share
        self.too_many_sas = f"more than {conversations} IKE SAs"
        self.too_many_messages = f"more than {messages} IKE messages"
        self.too_many_bytes = f"more than {_size(message_bytes)} of IKE messages"
        self.kept: set[tuple] = set()
        self.kept_messages = 0
        self.kept_bytes = 0
        self.counted: set[int] = set()
        self.overflow = Overflow()

    def admit(self, key: tuple, size: int, source: str, file: str, frame: int, time: float) -> bool:
        """Whether to keep a message of ``size`` bytes of conversation ``key`` (see ``Message.conversation``)."""
        if key not in self.kept and len(self.kept) >= self.max_conversations:
            return self._refuse(key, source, file, frame, time, self.too_many_sas)
        if self.kept_messages >= self.max_messages:
            return self._refuse(key, source, file, frame, time, self.too_many_messages)
        if self.kept_bytes + size > self.max_bytes:
            return self._refuse(key, source, file, frame, time, self.too_many_bytes)
        self.kept.add(key)
        self.kept_messages += 1
        self.kept_bytes += size
        return True

    def admit_message(self, message: Message) -> bool:
        return self.admit(message.conversation, len(message.data), message.src, message.file, message.frame,
                          message.time)

    def _refuse(self, key: tuple, source: str, file: str, frame: int, time: float, reason: str) -> bool:
        o = self.overflow
        o.messages += 1
        digest = hash(key)                  # a number, not the tuple: a tenth of the memory
        if digest not in self.counted:
            if len(self.counted) < MAX_COUNTED:
                self.counted.add(digest)
                o.conversations += 1
            else:
                o.capped = True
        o.count(source)
        if o.first is None:
            o.first = (file, frame, time)
        o.last_time = time
        if reason not in o.reasons:
            o.reasons.append(reason)
        return False
