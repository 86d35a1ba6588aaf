"""What a payload decoder is told, and where it reports what it could not read.

Decoders never raise on bad input: a capture from the wild is allowed to be wrong, and one bad
payload must not cost the rest of the message. They append a warning here and return what
they could read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Head(NamedTuple):
    """The fields every Payload starts with, in the dataclass's order (splat with ``*head``)."""

    type: int
    name: str
    length: int
    critical: bool


@dataclass(slots=True)
class Context:
    major: int                          # 1 or 2: which RFC's layouts apply
    exchange_type: int
    warnings: list[str] = field(default_factory=list)

    def warn(self, head: Head | None, text: str) -> None:
        self.warnings.append(f"{head.name} payload: {text}" if head else text)
