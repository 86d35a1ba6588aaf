"""A scanner among the initiators: one request to each of many responders, never re-sent.

An IKE daemon that starts a negotiation re-sends its request until it gets an answer, and goes
on when it gets one; a scanner (ike-scan and its kind) sends one request per address, records
what comes back and moves on. Its SAs are not tunnels: each stops after the first message
whether or not it was answered, which per SA reads as "unanswered" or "the initiator did not
go on". Named for the whole capture, so that an engineer sees the probe for what it is.

Decided from each SA's messages alone, so that the sequential diagnosis (its SAs) and the
sharded pipeline (its buckets, before they are shared out) find the same scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Responders a source must have probed, each with one request and nothing more, to be called a scanner.
SCAN_MIN_RESPONDERS = 10
SCAN_SAMPLE = 3                         # requests shown as evidence


class Sent(Protocol):
    """What a scan reads of a message: a Message, or the store's ``Seen`` of one."""

    src: str
    dst: str
    time: float


@dataclass(slots=True)
class Scan:
    source: str
    sas: int = 0
    responders: set[str] = field(default_factory=set)
    answered: int = 0                   # SAs in which the probed address sent something back
    sample: list[Sent] = field(default_factory=list)
    first_time: float = 0.0
    last_time: float = 0.0


def scans(sas: Iterable[Sequence[Sent]]) -> list[Scan]:
    """The sources every SA of which holds exactly one message of theirs (the SA's first), sent to
    at least SCAN_MIN_RESPONDERS addresses; ``sas``: each SA's messages in capture order (or what
    the store's columns say of them: only sender, addressee and time are read)."""
    found: dict[str, Scan] = {}
    disqualified: set[str] = set()
    for messages in sas:
        source = messages[0].src
        if source in disqualified:
            continue
        if sum(m.src == source for m in messages) != 1:
            disqualified.add(source)            # re-sent or went on: an IKE daemon, not a probe
            found.pop(source, None)
            continue
        scan = found.setdefault(source, Scan(source, first_time=messages[0].time))
        scan.sas += 1
        scan.responders.add(messages[0].dst)
        scan.answered += len(messages) > 1
        if len(scan.sample) < SCAN_SAMPLE:
            scan.sample.append(messages[0])
        scan.first_time = min(scan.first_time, messages[0].time)
        scan.last_time = max(scan.last_time, messages[0].time)
    return [scan for scan in found.values() if len(scan.responders) >= SCAN_MIN_RESPONDERS]
