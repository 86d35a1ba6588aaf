"""Extraction -> Correlation: SAs with named steps, copies, NAT checks and attached evidence."""

from __future__ import annotations

from ikepcap.correlate.exchanges import ExchangeTracker
from ikepcap.correlate.model import (
    AGGRESSIVE,
    IKE_SA_INIT,
    INITIATOR,
    MAIN,
    OTHER,
    RESPONDER,
    Correlation,
    Exchange,
    IkeSa,
    Step,
)
from ikepcap.correlate.nat import nat_checks
from ikepcap.correlate.sas import MAX_SAS, MAX_STEPS_PER_SA, Roles, group, roles
from ikepcap.decode.model import Message
from ikepcap.extract.model import Extraction
from ikepcap.read.frames import NAT_T_PORT
from ikepcap.read.model import frame_label

# The exchanges that set up an IKE SA: the first of them seen names the SA's mode.
MODES = (MAIN, AGGRESSIVE, IKE_SA_INIT)


def _sender(roles_: Roles, src: str, sport: int) -> str:
    if roles_.initiator_port is not None:          # both peers on one address: ports tell them apart
        return INITIATOR if sport == roles_.initiator_port else RESPONDER
    return INITIATOR if src == roles_.initiator else RESPONDER


def _mode(exchanges: list[Exchange]) -> str:
    return next((x.kind for x in exchanges if x.kind in MODES), OTHER)


# The same bytes from the same sender this soon again are one packet captured twice: retransmission
# timers start at half a second, and an answer to a duplicate needs the duplicate first.
CAPTURE_DUPLICATE_SECONDS = 0.002


def correlate(extraction: Extraction) -> Correlation:
    messages = sorted(extraction.messages, key=lambda m: (m.time, m.file, m.frame))
    grouping = group(messages)
    sas: list[IkeSa] = []
    twice: list[Message] = []
    for bucket in grouping.buckets:
        who = roles(bucket.messages)
        tracker = ExchangeTracker()
        steps: list[Step] = []
        ports: dict[str, set[int]] = {INITIATOR: set(), RESPONDER: set()}
        float_step = None
        off_nat_t = False                           # a message not on UDP 4500 came before
        rspi = bytes(8)
        last_seen: dict[tuple[bytes, str], float] = {}
        # a capture whose timestamps were zeroed (anonymised) says nothing about timing
        timed = bucket.messages[0].time != bucket.messages[-1].time
        for message in bucket.messages:
            seen = last_seen.get((message.digest, message.src))
            last_seen[(message.digest, message.src)] = message.time
            if timed and seen is not None and message.time - seen < CAPTURE_DUPLICATE_SECONDS:
                twice.append(message)
                continue
            sender = _sender(who, message.src, message.sport)
            step = tracker.place(message, sender, steps)
            steps.append(step)
            ports[sender].add(message.sport)
            if message.rspi != bytes(8) and rspi == bytes(8):
                rspi = message.rspi
            on_nat_t = NAT_T_PORT in (message.sport, message.dport)
            if float_step is None and on_nat_t and off_nat_t:
                float_step = step.index
            off_nat_t = off_nat_t or not on_nat_t
        several_files = len({step.message.file for step in steps}) > 1
        for step in steps:
            frame = step.message.frame
            step.label = frame_label(step.message.file, frame) if several_files else str(frame)
        version = bucket.key[0]
        sa = IkeSa(
            version=version, ispi=bucket.key[1], rspi=rspi, initiator=who.initiator, responder=who.responder,
            roles_inferred=who.inferred, mode=_mode(tracker.exchanges), steps=steps, exchanges=tracker.exchanges,
            ports=ports, float_step=float_step, truncated_messages=bucket.truncated,
        )
        sa.nat_checks = nat_checks(steps)
        sas.append(sa)
    _attach(sas, extraction)
    notes = [f"IKE SA {sa.ispi.hex()} ({sa.initiator} → {sa.responder}): more than {MAX_STEPS_PER_SA} messages; "
             f"{sa.truncated_messages} later ones were counted, not diagnosed" for sa in sas if sa.truncated_messages]
    if twice:
        first = min(twice, key=lambda m: (m.time, m.file, m.frame))
        notes.append(f"{len(twice)} IKE message(s) were captured twice, the copy less than "
                     f"{CAPTURE_DUPLICATE_SECONDS * 1000:.0f} ms after the original ({first.file} frame {first.frame} "
                     "first), and were left out: a span port copying both directions of a link, or two capture "
                     "points, shows one packet twice, while no IKE peer re-sends that fast")
    if grouping.dropped_sas:
        notes.append(f"more than {MAX_SAS} IKE SAs: {grouping.dropped_messages} messages of {grouping.dropped_sas} "
                     "further SAs were counted, not diagnosed")
    return Correlation(sas, grouping.dropped_messages, grouping.dropped_sas, extraction.overflow, notes)


def _attach(sas: list[IkeSa], extraction: Extraction) -> None:
    """Hang ICMP errors, lost fragments, ESP and keepalives on the SAs between the same peers;
    what concerns no SA in the capture has nothing to explain and is left out."""
    by_pair: dict[frozenset[str], list[IkeSa]] = {}
    for sa in sas:
        by_pair.setdefault(frozenset((sa.initiator, sa.responder)), []).append(sa)

    def pick(src: str, dst: str, ispi: bytes | None, time: float) -> IkeSa | None:
        candidates = by_pair.get(frozenset((src, dst)), [])
        if ispi is not None:
            exact = [sa for sa in candidates if sa.ispi == ispi]
            if exact:
                return exact[0]
        before = [sa for sa in candidates if sa.steps and sa.steps[0].message.time <= time]
        return (before or candidates or [None])[-1]

    for error in extraction.icmp_errors:
        sa = pick(error.quoted.src, error.quoted.dst, error.quoted.ispi, error.time)
        if sa is not None:
            sa.icmp_errors.append(error)
    for lost in extraction.lost_fragments:
        sa = pick(lost.src, lost.dst, lost.ispi, lost.time)
        if sa is not None:
            sa.lost_fragments.append(lost)
    for flow in extraction.esp:
        for sa in by_pair.get(frozenset((flow.src, flow.dst)), []):
            sa.esp.append(flow)
    for keepalive in extraction.keepalives:
        for sa in by_pair.get(frozenset((keepalive.src, keepalive.dst)), []):
            sa.keepalives.append(keepalive)
