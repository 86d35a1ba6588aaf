"""What one engine extracts from a set of capture files: messages plus the evidence around them.

Extraction (frames -> these records) is kept apart from correlation and diagnosis (records
-> verdicts), so files can be extracted in parallel processes and the results merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ikepcap.decode.model import Message
from ikepcap.extract.budget import Overflow
from ikepcap.read.model import EspFlow, IcmpError, KeepaliveFlow, LostFragments, ReadStats


@dataclass(frozen=True, slots=True)
class Scope:
    """What the report is narrowed to (--peer, --sa: an SPI prefix, initiator's or responder's).

    Extraction keeps the messages it covers within bounds of their own, so that on a capture
    too large to keep whole the SAs asked about are still diagnosed whole."""

    peer: str | None = None
    spi: str | None = None

    @property
    def narrows(self) -> bool:
        return self.peer is not None or self.spi is not None

    def covers(self, one: str, other: str, ispi: bytes, rspi: bytes) -> bool:
        """An SA or a message between ``one`` and ``other`` under these SPIs is asked about."""
        return ((self.peer is None or self.peer in (one, other))
                and (self.spi is None or ispi.hex().startswith(self.spi) or rspi.hex().startswith(self.spi)))


@dataclass(slots=True)
class Extraction:
    engine: str
    files: list[ReadStats] = field(default_factory=list)
    # the native engine's: an extract.store.Store; another engine's, or a test's: a list
    messages: Sequence[Message] = field(default_factory=list)
    esp: list[EspFlow] = field(default_factory=list)
    keepalives: list[KeepaliveFlow] = field(default_factory=list)
    icmp_errors: list[IcmpError] = field(default_factory=list)
    lost_fragments: list[LostFragments] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)    # capture-level, each naming its file/frame
    overflow: Overflow = field(default_factory=Overflow)  # IKE counted but not kept (see budget)
    # decrypt.KeyUse records, one per key line that opened an SA (filled by decrypt.apply)
    key_uses: list = field(default_factory=list)
