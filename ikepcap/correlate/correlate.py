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
from ikepcap.correlate.sas import (
    CAPTURE_DUPLICATE_SECONDS,
    MAX_BYTES_PER_SA,
    MAX_SAS,
    MAX_STEPS_PER_SA,
    Bucket,
    Grouping,
    Roles,
    group,
    roles,
)
from ikepcap.extract.model import Extraction
from ikepcap.extract.store import Store, as_store
from ikepcap.marks import wire
from ikepcap.read.model import NAT_T_PORT, IcmpError, LostFragments, frame_label

# The exchanges that set up an IKE SA: the first of them seen names the SA's mode.
MODES = (MAIN, AGGRESSIVE, IKE_SA_INIT)


def _sender(roles_: Roles, src: str, sport: int) -> str:
    if roles_.initiator_port is not None:          # both peers on one address: ports tell them apart
        return INITIATOR if sport == roles_.initiator_port else RESPONDER
    return INITIATOR if src == roles_.initiator else RESPONDER


def _mode(exchanges: list[Exchange]) -> str:
    return next((x.kind for x in exchanges if x.kind in MODES), OTHER)


def correlate(extraction: Extraction) -> Correlation:
    store = as_store(extraction.messages)
    grouping = group(store)
    sas = [ike_sa(bucket, store) for bucket in grouping.buckets]
    attach(sas, extraction)
    return Correlation(sas, grouping.dropped_lone, grouping.dropped_lone_span, grouping.dropped_capped,
                       extraction.overflow, notes(grouping))


def ike_sa(bucket: Bucket, store: Store) -> IkeSa:
    """One SA's messages (made from ``store``) as named steps, with its roles, ports, float and NAT
    checks. Nothing here looks beyond the bucket, so that SAs can be correlated in any order or process."""
    messages = bucket.messages(store)
    who = roles(messages)
    tracker = ExchangeTracker()
    steps: list[Step] = []
    ports: dict[str, set[int]] = {INITIATOR: set(), RESPONDER: set()}
    float_step = None
    off_nat_t = False                           # a message not on UDP 4500 came before
    rspi = bytes(8)
    for message in messages:
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
    sa = IkeSa(
        version=bucket.key[0], ispi=bucket.key[1], rspi=rspi, initiator=who.initiator, responder=who.responder,
        roles_inferred=who.inferred, mode=_mode(tracker.exchanges), steps=steps, exchanges=tracker.exchanges,
        ports=ports, float_step=float_step, truncated_messages=bucket.truncated,
    )
    sa.nat_checks = nat_checks(steps)
    return sa


def notes(grouping: Grouping) -> list[str]:
    """What correlation left out, said once for the capture."""
    said = []
    for bucket in grouping.buckets:
        if bucket.truncated:
            who = roles(bucket.messages(grouping.store))
            said.append(f"IKE SA {bucket.key[1].hex()} ({wire(who.initiator)} → {wire(who.responder)}): more than "
                        f"{MAX_STEPS_PER_SA} messages or {MAX_BYTES_PER_SA >> 20} MiB of them; {bucket.truncated} "
                        "later ones were counted, not diagnosed")
    twice, store = grouping.twice, grouping.store
    if twice:
        first = min(twice, key=lambda i: (store.time[i], store.files[store.file[i]], store.frame[i]))
        said.append(f"{len(twice)} IKE message(s) were captured twice, the copy less than "
                    f"{CAPTURE_DUPLICATE_SECONDS * 1000:.0f} ms after the original "
                    f"({wire(store.files[store.file[first]])} frame {store.frame[first]} "
                    "first), and were left out: a span port copying both directions of a link, or two capture "
                    "points, shows one packet twice, while no IKE peer re-sends that fast")
    if grouping.clock_steps:
        worst = min(grouping.clock_steps, key=lambda pair: pair[1].time - pair[0].time)
        said.append(f"the capture's clock steps back between IKE messages {len(grouping.clock_steps)} time(s) "
                    f"(the largest by {worst[0].time - worst[1].time:.3f} s, from {wire(worst[0].file)} frame "
                    f"{worst[0].frame} to frame {worst[1].frame}): messages are taken in the file's order there, "
                    "and an interval across the step is not a real one")
    if grouping.dropped_sas:
        many = f"at least {grouping.dropped_sas}" if grouping.dropped_capped else grouping.dropped_sas
        said.append(f"more than {MAX_SAS} IKE SAs: {grouping.dropped_messages} messages of {many} "
                    "further SAs were counted, not diagnosed")
    return said


# An SA as evidence is attached to it: its peer pair, initiator SPI and first message's time.
Begun = tuple[frozenset[str], bytes, float]
# The ICMP errors and the lost fragment sets that go to each SA, by its index.
Items = tuple[dict[int, list[IcmpError]], dict[int, list[LostFragments]]]


def begun(sa: IkeSa) -> Begun:
    return frozenset((sa.initiator, sa.responder)), sa.ispi, sa.steps[0].message.time


def placed(sas: list[Begun], extraction: Extraction) -> Items:
    """Which of ``sas`` (in capture order) each ICMP error and each lost fragment set goes to, by
    index: among the SAs between the same peers, the one with the SPI it quotes, else the latest
    that began before it, else the last. What concerns no SA is left out."""
    by_pair: dict[frozenset[str], list[int]] = {}
    for index, (pair, _, _) in enumerate(sas):
        by_pair.setdefault(pair, []).append(index)

    def pick(src: str, dst: str, ispi: bytes | None, time: float) -> int | None:
        candidates = by_pair.get(frozenset((src, dst)), [])
        if ispi is not None:
            exact = next((i for i in candidates if sas[i][1] == ispi), None)
            if exact is not None:
                return exact
        before = [i for i in candidates if sas[i][2] <= time]
        return (before or candidates or [None])[-1]

    errors: dict[int, list[IcmpError]] = {}
    for error in extraction.icmp_errors:
        index = pick(error.quoted.src, error.quoted.dst, error.quoted.ispi, error.time)
        if index is not None:
            errors.setdefault(index, []).append(error)
    lost: dict[int, list[LostFragments]] = {}
    for fragments in extraction.lost_fragments:
        index = pick(fragments.src, fragments.dst, fragments.ispi, fragments.time)
        if index is not None:
            lost.setdefault(index, []).append(fragments)
    return errors, lost


def attach(sas: list[IkeSa], extraction: Extraction, items: Items | None = None) -> None:
    """Hang ICMP errors, lost fragments, ESP and keepalives on the SAs between the same peers;
    what concerns no SA in the capture has nothing to explain and is left out. Only SAs between
    the same two peers compete for an item, so any set of SAs that holds every SA of its peer
    pairs gets what it would in the whole capture; ``items``: where the ICMP errors and lost
    fragments go (``placed``, by index into ``sas``), decided over every SA of the capture when
    ``sas`` holds only some of a pair's."""
    errors, lost = placed([begun(sa) for sa in sas], extraction) if items is None else items
    for index, found in errors.items():
        sas[index].icmp_errors += found
    for index, found in lost.items():
        sas[index].lost_fragments += found
    by_pair: dict[frozenset[str], list[IkeSa]] = {}
    for sa in sas:
        by_pair.setdefault(frozenset((sa.initiator, sa.responder)), []).append(sa)
    for flow in extraction.esp:
        for sa in by_pair.get(frozenset((flow.src, flow.dst)), []):
            sa.esp.append(flow)
    for keepalive in extraction.keepalives:
        for sa in by_pair.get(frozenset((keepalive.src, keepalive.dst)), []):
            sa.keepalives.append(keepalive)
