"""Who is talking: a passive fingerprint of each side of an IKE SA, with its evidence.

The rules need the implementation on each side because implementations answer the same failure
differently (``implementations.BEHAVIOURS``). Nothing here sends a packet: every clue is read
from what the side put on the wire, and each clue names its frames so that the reader can
check it.

Clues and their weight (``implementations.PRODUCT`` / ``SIGNATURE`` / ``HINT``):

* a vendor ID that names the product (strongSwan, Libreswan 4.10, FortiGate ...): PRODUCT;
  one that belongs to a family or is also sent by others (Cisco Unity): HINT;
* the exact default VID sequence or IKEv2 notify order of an implementation: SIGNATURE;
* the formatting of an unencrypted error notify (message ID, responder cookie, SPI size): SIGNATURE;
* the retransmission timer -- the intervals between timer copies of one message -- matching
  one implementation's schedule: SIGNATURE with three intervals or more, HINT with fewer;
* an IKEv1 Main Mode responder that re-sends its reply on its own timer: HINT;
* an own NAT-D hash that cannot be right for a side at the capture point while its peer's hash
  of the same address is, with the SA floating to 4500 anyway (forced encapsulation): HINT.

Per implementation the strongest clue of each kind counts, and a family's clues (Cisco) count
for its members too. The implementation with the highest score is named, with a confidence:

* ``certain`` -- a vendor ID names the product;
* ``likely`` -- no such VID, but a score of 2 or more: a default only that implementation has,
  or two independent clues that agree;
* ``possible`` -- a single hint.

Two implementations with the same best score name neither: the side stays unknown, with the
clues kept as evidence.
"""

from __future__ import annotations

import functools
import itertools

from ikepcap.correlate.model import (
    INITIATOR,
    MAIN,
    MM2,
    MM4,
    RESPONDER,
    TIMER,
    IkeSa,
    NatCheck,
    Step,
)
from ikepcap.decode.model import V1_FLAG_ENCRYPTION, Message, Notification, VendorID
from ikepcap.diagnose import capture_point
from ikepcap.diagnose.implementations import (
    CISCO,
    CISCO_ASA,
    CISCO_IOS,
    HINT,
    IMPLEMENTATIONS,
    NOTIFY_FORMATS,
    NOTIFY_ORDERS,
    PLUTO_LINEAGE,
    PLUTO_VID_LENGTH,
    PLUTO_VID_PREFIX,
    PRODUCT,
    SCHEDULES,
    SIGNATURE,
    VID_RULES,
    VID_SETS,
    NotifyFormat,
    Schedule,
    Sequence,
    VidRule,
)
from ikepcap.marks import wire
from ikepcap.values import value_class

CERTAIN, LIKELY, POSSIBLE, UNKNOWN = "certain", "likely", "possible", "unknown"

# Members whose family's clues count for them too: a Cisco Unity VID supports "Cisco ASA" as much
# as "Cisco (ASA or IOS)", and the specific name wins once anything tells the platform.
FAMILIES: dict[str, str] = {CISCO_ASA: CISCO, CISCO_IOS: CISCO}

# A timer interval matches a schedule's within ike-scan's default 100 ms plus 5 % of the interval:
# enough for the capture point's scheduling noise on short timers and the jitter of long ones.
ABSOLUTE_TOLERANCE = 0.1
RELATIVE_TOLERANCE = 0.05
# From this many intervals a schedule match is a signature; fewer fit too many timers by chance.
SIGNATURE_INTERVALS = 3
IKEV1_INFORMATIONAL = 5


@value_class
class Implementation:
    """One side's implementation as the wire shows it; ``name`` is None when nothing identified it
    (``confidence`` is then ``unknown``)."""

    name: str | None
    version: str | None
    confidence: str
    evidence: tuple[str, ...]


class Fingerprint:
    """Both sides' implementations, each worked out when first asked for. Most SAs of a busy
    capture are shown as a row of the text report, which reads no side's implementation; a
    finding asks for the responder's only when its rule ranks causes by responder. Equal when
    both sides are."""

    __slots__ = ("_sa", "_adjacent", "_found")

    def __init__(self, sa: IkeSa, adjacent: frozenset[str] | None) -> None:
        self._sa = sa
        self._adjacent = adjacent
        self._found: dict[str, Implementation] = {}

    def side(self, side: str) -> Implementation:
        found = self._found.get(side)
        if found is None:
            if self._adjacent is None:
                self._adjacent = capture_point.adjacent(self._sa)
            found = self._found[side] = identify(clues(self._sa, side, self._adjacent))
        return found

    @property
    def initiator(self) -> Implementation:
        return self.side(INITIATOR)

    @property
    def responder(self) -> Implementation:
        return self.side(RESPONDER)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return (self.initiator, self.responder) == (other.initiator, other.responder)

    __hash__ = None     # type: ignore[assignment]  # what it equals is worked out, not held

    def __repr__(self) -> str:
        return f"Fingerprint(initiator={self.initiator!r}, responder={self.responder!r})"


@value_class
class Clue:
    implementation: str
    kind: str                   # one kind counts once per implementation: its strongest clue
    weight: int
    text: str
    version: str | None = None


def fingerprint(sa: IkeSa, adjacent: frozenset[str] | None = frozenset()) -> Fingerprint:
    """Both sides' implementations. ``adjacent``: the sides known to sit at the capture point,
    None to read them from the SA's TTLs (``capture_point.adjacent``) when a side is first asked
    for; only for those can an own NAT-D hash that does not match be told from a NAT and read as
    forced encapsulation."""
    return Fingerprint(sa, adjacent)


def clues(sa: IkeSa, side: str, adjacent: frozenset[str] = frozenset()) -> list[Clue]:
    originals = [s for s in sa.steps if s.sender == side and s.copy_of is None]
    found = _vid_clues(originals) + _sequence_clues(originals) + _notify_clues(originals)
    found += _schedule_clues(sa, side) + _responder_timer_clues(sa, side)
    if side in adjacent:
        found += _natd_clues(sa, side)
    return found


def identify(found: list[Clue]) -> Implementation:
    """The best-scoring implementation and its confidence (see the module's docstring)."""
    if not found:
        return Implementation(None, None, UNKNOWN, ())
    name, version, confidence, own = _verdict(tuple((c.implementation, c.kind, c.weight, c.version) for c in found))
    return Implementation(name, version, confidence, tuple(dict.fromkeys(found[i].text for i in own)))


@functools.lru_cache(maxsize=4096)
def _verdict(found: tuple[tuple[str, str, int, str | None], ...]
             ) -> tuple[str | None, str | None, str, tuple[int, ...]]:
    """``identify``'s scoring, which reads everything of a clue but its text (frames differ from SA
    to SA; a busy capture repeats a few sets of clues): the name, version and confidence, and which
    clues are its evidence."""
    scored = {name: _score(found, name) for name in {implementation for implementation, *_ in found}}
    best = max(scored.values())
    leaders = [name for name, score in scored.items() if score == best]
    # A member tied with its own family is the more specific name for the same clues.
    leaders = [name for name in leaders if not any(FAMILIES.get(other) == name for other in leaders)]
    if len(leaders) != 1:
        return None, None, UNKNOWN, tuple(range(len(found)))
    name = leaders[0]
    own = [i for i, (implementation, *_) in enumerate(found) if implementation in (name, FAMILIES.get(name))]
    if any(found[i][2] == PRODUCT and found[i][0] == name for i in own):
        confidence = CERTAIN
    else:
        confidence = LIKELY if best >= SIGNATURE else POSSIBLE
    versions = [found[i][3] for i in sorted(own, key=lambda i: -found[i][2]) if found[i][3]]
    return name, versions[0] if versions else None, confidence, tuple(own)


def _score(found: tuple[tuple[str, str, int, str | None], ...], name: str) -> int:
    kinds: dict[str, int] = {}
    for implementation, kind, weight, _ in found:
        if implementation in (name, FAMILIES.get(name)):
            kinds[kind] = max(kinds.get(kind, 0), weight)
    return sum(kinds.values())


def _frames(steps: list[Step]) -> str:
    labels = list(dict.fromkeys(s.label for s in steps))
    return f"frame{'s' if len(labels) > 1 else ''} {', '.join(labels)}"


# Vendor IDs ------------------------------------------------------------------------------------

def _rule(vid: VendorID) -> VidRule | None:
    return _rule_named(vid.vendor) if vid.vendor else None


@functools.lru_cache(maxsize=1024)
def _rule_named(vendor: str) -> VidRule | None:
    """The first rule that names this vendor ID (a busy capture repeats a handful of them)."""
    for rule in VID_RULES:
        if vendor == rule.name or (rule.prefix and vendor.startswith(rule.name)):
            return rule
    return None


def _version(rule: VidRule, vid: VendorID) -> str | None:
    if rule.ascii_after and vid.data.startswith(rule.ascii_after):
        text = vid.data[len(rule.ascii_after):]
        if text and all(0x20 < b < 0x7F for b in text):
            return text.decode()
    if rule.versioned:
        return vid.vendor[len(rule.name):].strip() or None
    return None


def _is_pluto_vid(data: bytes) -> bool:
    return (len(data) == PLUTO_VID_LENGTH and data.startswith(PLUTO_VID_PREFIX)
            and all(0x20 < b < 0x7F for b in data[len(PLUTO_VID_PREFIX):]))


def _vid_clues(steps: list[Step]) -> list[Clue]:
    found = []
    for step in steps:
        for vid in step.message.vendor_ids():
            if vid.vendor is None:
                if _is_pluto_vid(vid.data):
                    found.append(Clue(PLUTO_LINEAGE, "vid", PRODUCT,
                                      f"VID {vid.data.decode()!r} ({_frames([step])}): the FreeS/WAN-lineage VID form"))
                continue
            rule = _rule(vid)
            if rule is not None:
                version = _version(rule, vid)
                shown = vid.data.decode() if rule.ascii_after and version else vid.vendor
                found.append(Clue(rule.implementation, "vid", rule.weight, f"VID {shown!r} ({_frames([step])})",
                                  version))
    return found


# The messages whose VIDs or notify order a sequence row reads: no other message is asked.
_SEQUENCED = {"VIDs": frozenset().union(*(row.messages for row in VID_SETS)),
              "notify order": frozenset().union(*(row.messages for row in NOTIFY_ORDERS))}


def _sequence_clues(steps: list[Step]) -> list[Clue]:
    found = []
    for step in steps:
        if step.base in _SEQUENCED["VIDs"]:
            found += _sequence(step, "VIDs", VID_SETS, tuple(v.vendor for v in step.message.vendor_ids()))
        if step.base in _SEQUENCED["notify order"] and step.message.is_v2:
            found += _sequence(step, "notify order", NOTIFY_ORDERS,
                               tuple(n.notify_name for n in step.message.notifications()))
    return found


def _sequence(step: Step, what: str, table: tuple[Sequence, ...], seen: tuple[str | None, ...]) -> list[Clue]:
    found = []
    for row in table:
        if step.base in row.messages and seen == row.names:
            found.append(Clue(row.implementation, "sequence", SIGNATURE,
                              f"{what} {', '.join(seen)} in {step.base} ({_frames([step])}): "
                              f"{row.implementation}'s default"))
    return found


# Notify formatting -----------------------------------------------------------------------------

def _clear_v1_informational(message: Message) -> bool:
    return not message.is_v2 and message.exchange_type == IKEV1_INFORMATIONAL and \
        not message.flags & V1_FLAG_ENCRYPTION


def notify_formats(message: Message, notification: Notification) -> list[NotifyFormat]:
    """The implementations whose way of sending an unencrypted IKEv1 error Informational this one
    has (NOTIFY_FORMATS): message ID, responder cookie and SPI size."""
    if not _clear_v1_informational(message):
        return []
    return [row for row in NOTIFY_FORMATS
            if row.notify == notification.notify_name and (message.message_id == 0) == row.message_id_zero
            and (message.rspi == bytes(8)) == row.rspi_zero and row.spi_size in (None, len(notification.spi))]


def _notify_clues(steps: list[Step]) -> list[Clue]:
    return [Clue(row.implementation, "notify", SIGNATURE,
                 f"{n.notify_name} with {_format(step.message.message_id, step.message.rspi, n.spi)} "
                 f"({_frames([step])}): {row.implementation}'s format -- {row.meaning}")
            for step in steps if _clear_v1_informational(step.message) for n in step.message.notifications()
            for row in notify_formats(step.message, n)]


def _format(message_id: int, rspi: bytes, spi: bytes) -> str:
    mid = "message ID 0" if message_id == 0 else f"message ID {message_id:#010x}"
    cookie = "responder cookie 0" if rspi == bytes(8) else "a responder cookie"
    return f"{mid}, {cookie} and a {len(spi)}-byte SPI"


# Timers ----------------------------------------------------------------------------------------

def timer_series(sa: IkeSa, side: str) -> list[list[Step]]:
    """Each message the side re-sent on its own timer, as [original, copy, copy ...] in time order.
    Duplicate replies are left out: their rhythm is the peer's timer, not this side's."""
    series: dict[int, list[Step]] = {}
    for step in sa.steps:
        if step.sender == side and step.copy_of is not None and step.resend == TIMER:
            series.setdefault(step.copy_of, [sa.steps[step.copy_of]]).append(step)
    return list(series.values())


def intervals(series: list[Step]) -> tuple[float, ...]:
    return tuple(round(b.message.time - a.message.time, 3) for a, b in itertools.pairwise(series))


def matches(observed: tuple[float, ...], schedule: Schedule) -> bool:
    """Every observed interval within tolerance of the schedule's at the same place; a series
    longer than the schedule (more re-sends than it makes) does not match."""
    if not observed or len(observed) > len(schedule.intervals):
        return False
    for i, (seen, expected) in enumerate(zip(observed, schedule.intervals)):
        tolerance = schedule.tolerance if schedule.tolerance is not None else (
            ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * expected)
        if abs(seen - expected) > tolerance:
            return False
    return True


def schedules_matching(observed: tuple[float, ...]) -> list[Schedule]:
    return [s for s in SCHEDULES if matches(observed, s)]


def _schedule_clues(sa: IkeSa, side: str) -> list[Clue]:
    series = max(timer_series(sa, side), key=len, default=None)
    if series is None:
        return []
    observed = intervals(series)
    fitting = schedules_matching(observed)
    weight = SIGNATURE if len(observed) >= SIGNATURE_INTERVALS else HINT
    shown = ", ".join(f"{t:g}" for t in observed)
    found = []
    for implementation in dict.fromkeys(s.implementation for s in fitting):
        settings = " or ".join(s.setting for s in fitting if s.implementation == implementation)
        others = len({s.implementation for s in fitting}) > 1
        found.append(Clue(implementation, "schedule", HINT if others else weight,
                          f"{series[0].base} re-send intervals {shown} s ({_frames(series)}) match "
                          f"{implementation}'s {settings}"))
    return found


def _responder_timer_clues(sa: IkeSa, side: str) -> list[Clue]:
    """Libreswan's Main Mode responder re-sends MM2/MM4 on its own timer; strongSwan's answers each
    duplicate once. A responder copy marked TIMER (no duplicate request came first) tells them apart."""
    if side != RESPONDER or sa.mode != MAIN:
        return []
    copies = [s for s in sa.steps if s.sender == RESPONDER and s.resend == TIMER and s.base in (MM2, MM4)]
    if not copies:
        return []
    text = f"{copies[0].base} re-sent on the responder's own timer ({_frames(copies)})"
    return [Clue(p.name, "responder-timer", HINT, f"{text}: {p.name} does so")
            for p in IMPLEMENTATIONS.values() if p.main_mode_responder_timer]


# Forced encapsulation --------------------------------------------------------------------------

def forced_encapsulation(sa: IkeSa, side: str) -> tuple[NatCheck, NatCheck] | None:
    """The side's own NAT-D hash that does not match its address, and the peer's hash of the same
    address that does, on an SA that floated to 4500: the side hashed something else on purpose.
    Valid only for a side at the capture point (no NAT can sit between them); the caller knows."""
    if sa.float_step is None:
        return None
    for own in sa.nat_checks:
        if own.sender == side and own.about == "sender" and not own.matches:
            for peer in sa.nat_checks:
                if peer.sender != side and peer.about == "receiver" and peer.address == own.address and peer.matches:
                    return own, peer
    return None


def _natd_clues(sa: IkeSa, side: str) -> list[Clue]:
    checks = forced_encapsulation(sa, side)
    if checks is None:
        return []
    own, peer = checks
    steps = [sa.steps[i] for i in sorted({own.step, peer.step})]
    return [Clue(p.name, "natd", HINT,
                 f"own NAT-D hash does not match its address {wire(own.address)} while the peer's does "
                 f"({_frames(steps)}), and the SA floats to 4500: NAT-D faked to force UDP encapsulation "
                 f"({p.fakes_natd})")
            for p in IMPLEMENTATIONS.values() if p.fakes_natd]
