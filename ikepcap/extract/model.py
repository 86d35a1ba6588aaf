"""What one engine extracts from a set of capture files: messages plus the evidence around them.

Extraction (frames -> these records) is kept apart from correlation and diagnosis (records
-> verdicts), so files can be extracted in parallel processes and the results merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ikepcap.decode.model import Message
from ikepcap.extract.budget import Overflow
from ikepcap.read.model import EspFlow, IcmpError, KeepaliveFlow, LostFragments, ReadStats


@dataclass(slots=True)
class Extraction:
    engine: str
    files: list[ReadStats] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    esp: list[EspFlow] = field(default_factory=list)
    keepalives: list[KeepaliveFlow] = field(default_factory=list)
    icmp_errors: list[IcmpError] = field(default_factory=list)
    lost_fragments: list[LostFragments] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)    # capture-level, each naming its file/frame
    overflow: Overflow = field(default_factory=Overflow)  # IKE counted but not kept (see budget)
    # decrypt.KeyUse records, one per key line that opened an SA (filled by decrypt.apply)
    key_uses: list = field(default_factory=list)
