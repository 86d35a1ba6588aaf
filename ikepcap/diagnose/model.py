"""What a diagnosis says: per SA a verdict (where each side stands), and findings with evidence.

Every finding names the rule that produced it and the frames it rests on; its causes are
ranked and worded as likelihoods, never as certainties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ikepcap.correlate.model import IkeSa
from ikepcap.diagnose.capture_point import CapturePoint
from ikepcap.diagnose.fingerprint import Fingerprint
from ikepcap.values import value_class

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# Likelihood words by rank: the first cause of a finding is "most likely", and so on.
LIKELIHOOD = ("most likely", "likely", "possible", "less likely", "unlikely")

ESTABLISHED = "established"
STALLED = "stalled"
REJECTED = "rejected"
DELETED = "deleted"
NOT_SEEN = "not seen"
# Phase 1 got through (and may have been torn down since).
COMPLETED = frozenset({ESTABLISHED, DELETED})
HEALTHY = "healthy"
PROBLEM = "problem"


@value_class
class Evidence:
    file: str
    frame: int
    time: float
    note: str                           # what this frame shows, in a few words


@value_class
class RankedCause:
    id: str
    title: str
    likelihood: str


@value_class
class Finding:
    rule: str
    severity: str
    title: str
    explanation: str
    details: tuple[str, ...]            # what this capture shows, sentence by sentence
    evidence: tuple[Evidence, ...]
    causes: tuple[RankedCause, ...]
    checks: tuple[tuple[str, tuple[str, ...]], ...]   # (side, what to check there)
    inferred: bool                      # rests on sizes/timing of encrypted messages
    variant: str | None = None          # the rule's cause variant the evidence called for
    refusal: bool = False               # a stall that is an explicit refusal: the phase is rejected


@value_class
class SideState:
    """Where one peer stands, in the words each vendor's tools print."""

    side: str                           # initiator / responder
    address: str
    last_sent: str | None
    waiting_for: str | None
    cisco_asa: str
    cisco_ios: str
    libreswan: str
    strongswan: str                     # the log line an engineer would see


@value_class
class PhaseVerdict:
    outcome: str                        # ESTABLISHED / STALLED / REJECTED / DELETED / NOT_SEEN
    last_message: str | None            # the furthest message of the phase seen
    waiting_for: str | None
    waiting_side: str | None
    inferred: bool
    summary: str
    initiator: SideState | None         # for phase 2: the side that started Quick Mode / the child SA
    responder: SideState | None

    @property
    def waiting(self) -> SideState | None:
        """The state of the side that waits for the next message, if one does."""
        return next((s for s in (self.initiator, self.responder) if s is not None and s.side == self.waiting_side),
                    None)


@value_class
class Verdict:
    status: str                         # HEALTHY or PROBLEM
    phase1: PhaseVerdict
    phase2: PhaseVerdict
    cause: str                          # the most likely cause id ("none" when nothing is wrong)
    headline: str
    asa_state: str | None               # Cisco ASA state of the side phase 1 waits on, where ASA names one


@dataclass(slots=True)
class SaDiagnosis:
    sa: IkeSa
    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)
    implementations: Fingerprint | None = None      # who each side most likely is, with its evidence
    capture_point: CapturePoint | None = None       # which side the capture was taken near


@dataclass(slots=True)
class Flood:
    sas: int
    sas_at_least: bool                  # more distinct SAs than were counted one by one
    messages: int
    sources: list[tuple[str, int]]      # top sources by messages
    source_undercount: int              # each source's count may fall short by this much
    first_time: float
    last_time: float


@dataclass(slots=True)
class Diagnosis:
    sas: list[SaDiagnosis]
    capture_findings: list[Finding] = field(default_factory=list)
    flood: Flood | None = None
    notes: list[str] = field(default_factory=list)      # bounds hit on the way (shown with the capture warnings)
