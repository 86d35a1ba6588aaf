"""How much of a capture's IKE is kept: bounded, so that a flood cannot exhaust memory.

A capture can hold a million spoofed initiator cookies (an IKE flood, reflected responses) or
simply more IKE than fits in memory. Messages are kept until either bound is reached; after
that, messages of conversations already kept are still kept (within the message bound), and
the rest are only counted — how many, how many distinct conversations, from which sources —
which is what a flood finding needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ikepcap.decode.model import Message

MAX_CONVERSATIONS = 20_000
MAX_MESSAGES = 150_000
MAX_SOURCES = 10_000                    # distinct sources counted one by one; the rest are "others"
MAX_COUNTED = 200_000                   # distinct conversations counted beyond the budget ("at least" past it)
OTHERS = "(other sources)"


@dataclass(slots=True)
class Overflow:
    """IKE messages counted but not kept."""

    messages: int = 0
    conversations: int = 0              # distinct conversations among them (counted up to MAX_COUNTED)
    sources: dict[str, int] = field(default_factory=dict)
    first: tuple[str, int, float] | None = None   # file, frame, time of the first one not kept
    last_time: float | None = None
    reasons: list[str] = field(default_factory=list)

    def merge(self, other: Overflow, frame_offset: int = 0) -> None:
        self.messages += other.messages
        self.conversations += other.conversations
        for source, count in other.sources.items():
            self._count(source, count)
        if other.first is not None and (self.first is None or other.first[2] < self.first[2]):
            file, frame, time = other.first
            self.first = (file, frame + frame_offset, time)
        if other.last_time is not None:
            self.last_time = max(self.last_time or other.last_time, other.last_time)
        self.reasons += [r for r in other.reasons if r not in self.reasons]

    def _count(self, source: str, count: int = 1) -> None:
        if source in self.sources or len(self.sources) < MAX_SOURCES:
            self.sources[source] = self.sources.get(source, 0) + count
        else:
            self.sources[OTHERS] = self.sources.get(OTHERS, 0) + count


class Budget:
    """Admits messages into an extraction until the bounds are reached."""

    def __init__(self, conversations: int = MAX_CONVERSATIONS, messages: int = MAX_MESSAGES) -> None:
        self.max_conversations = conversations
        self.max_messages = messages
        self.kept: set[tuple] = set()
        self.kept_messages = 0
        self.counted: set[tuple] = set()
        self.overflow = Overflow()

    def admit(self, message: Message) -> bool:
        key = message.conversation
        if key not in self.kept:
            if len(self.kept) >= self.max_conversations:
                return self._refuse(message, key, f"more than {self.max_conversations} IKE SAs")
            if self.kept_messages >= self.max_messages:
                return self._refuse(message, key, f"more than {self.max_messages} IKE messages")
            self.kept.add(key)
        elif self.kept_messages >= self.max_messages:
            return self._refuse(message, key, f"more than {self.max_messages} IKE messages")
        self.kept_messages += 1
        return True

    def _refuse(self, message: Message, key: tuple, reason: str) -> bool:
        o = self.overflow
        o.messages += 1
        if key not in self.counted and len(self.counted) < MAX_COUNTED:
            self.counted.add(key)
            o.conversations += 1
        o._count(message.src)
        if o.first is None:
            o.first = (message.file, message.frame, message.time)
        o.last_time = message.time
        if reason not in o.reasons:
            o.reasons.append(reason)
        return False
