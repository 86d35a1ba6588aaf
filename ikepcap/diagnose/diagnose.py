"""Correlation -> Diagnosis: for each SA a verdict and its findings, most important first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Sequence
from dataclasses import replace

from ikepcap.correlate.model import (
    AGGRESSIVE,
    IKE_AUTH_MESSAGES,
    IKE_SA_INIT,
    INITIATOR,
    MAIN,
    QM1,
    QM2,
    QM3,
    QUICK,
    RESPONDER,
    TIMER,
    Correlation,
    IkeSa,
    Step,
)
from ikepcap.decode.model import Message
from ikepcap.diagnose import facts
from ikepcap.diagnose.capture_point import locate
from ikepcap.diagnose.causes import CAUSES
from ikepcap.diagnose.facts import seconds
from ikepcap.diagnose.fingerprint import Fingerprint, Implementation, fingerprint
from ikepcap.diagnose.implementations import behaviours
from ikepcap.diagnose.model import (
    COMPLETED,
    DELETED,
    ERROR,
    ESTABLISHED,
    HEALTHY,
    INFO,
    LIKELIHOOD,
    NOT_SEEN,
    PROBLEM,
    REJECTED,
    SEVERITY_ORDER,
    STALLED,
    Diagnosis,
    Evidence,
    Finding,
    Flood,
    PhaseVerdict,
    RankedCause,
    SaDiagnosis,
    SideState,
    Verdict,
)
from ikepcap.diagnose.patterns import DECRYPTED_VARIANTS, Match, delete
from ikepcap.diagnose.progress import ORDERS, Progress, phase1, quick_mode
from ikepcap.diagnose.rules import HEALTHY_CAUSES, OBSERVATIONS, PHASE2_FLOWS, RULES, SIGNATURE_CAUSES, STALLS, Rule
from ikepcap.diagnose.scan import Sent, scans
from ikepcap.diagnose.states import (
    ANSWERS_DUPLICATE,
    DELETED_PHASE1,
    DELETED_PHASE2,
    DONE,
    NO_NAME,
    REPLY_ON_TIMER,
    UNSEEN,
    StateNames,
    state,
    strongswan_received,
)
from ikepcap.marks import wire

# How a headline names the SA's mode.
MODE_NAMES = {MAIN: "Main Mode", AGGRESSIVE: "Aggressive Mode", IKE_SA_INIT: "IKEv2"}
# What an inferred finding says it rests on, and how to settle it.
INFERRED_NOTE = ("Inferred from the sizes and timing of encrypted messages: decrypt with --keys (a key table or the "
                 "peers' logs, see the README's 'Decrypting'), or read the peer's log, to confirm.")
# So many SAs without one completed negotiation is not a tunnel problem but a flood.
FLOOD_MIN_SAS = 200
FLOOD_TOP_SOURCES = 10
FLOOD_SAMPLE = 3                        # lone SAs the finding shows as evidence
# A source stands out in a flood when it sent at least this share of the messages; when none
# does, the sources are spoofed or spread (a botnet, a reflection), and listing them says nothing.
FLOOD_STANDOUT_SHARE = 0.01


def finding(rule_id: str, match: Match, sa: IkeSa | None = None, sides: Fingerprint | None = None) -> Finding:
    rule = RULES[rule_id]
    order = rule.ranking(match.variant)
    checks, details = rule.checks, list(match.details)
    # the responder's implementation is worked out only for a rule that ranks by it
    responder = sides.responder if sides is not None and rule.by_responder else None
    if responder is not None and responder.name in rule.by_responder and match.variant not in DECRYPTED_VARIANTS:
        order = rule.by_responder[responder.name]
        details += _behaviour(responder, order[0])
    signatures = facts.signature_methods(sa) if sa is not None and any(c in SIGNATURE_CAUSES for c in order) else []
    if signatures:
        order = tuple(dict.fromkeys(SIGNATURE_CAUSES.get(cause, cause) for cause in order))
        checks = rule.signature_checks or checks
        details.append(f"Phase 1 authenticates with {' / '.join(signatures)} (offered by the initiator): no "
                       "pre-shared key is involved.")
    causes = tuple(RankedCause(cause, CAUSES[cause].title, LIKELIHOOD[min(rank, len(LIKELIHOOD) - 1)])
                   for rank, cause in enumerate(order))
    # the note is part of the key: one frame can show two things (both NAT-D hashes of one
    # message), and a set's order would change with the hash seed
    evidence = tuple(sorted(dict.fromkeys(match.evidence), key=lambda e: (e.time, e.file, e.frame, e.note)))
    inferred = rule.inferred if match.inferred is None else match.inferred
    if inferred:
        details.append(INFERRED_NOTE)
    refusal = rule.refusal if match.refusal is None else match.refusal
    return Finding(rule.id, rule.severity, rule.title, rule.explanation, tuple(details), evidence, causes,
                   checks, inferred, match.variant, refusal)


def _behaviour(responder: Implementation, cause: str) -> list[str]:
    """Why the responder's implementation makes ``cause`` the most likely one: its own way with it."""
    rows = behaviours(responder.name, cause, RESPONDER)
    why = f": {responder.evidence[0]}" if responder.evidence else ""
    said = f"The responder is {responder.name} ({responder.confidence}{why})."
    return [said + (f" On {CAUSES[cause].title}, {responder.name}: {rows[0].wire}." if rows else "")]


def _stall(sa: IkeSa, progress: Progress, stalls: tuple[Rule, ...], sides: Fingerprint) -> Finding | None:
    for rule in stalls:
        match = rule.pattern(sa, progress)
        if match is not None:
            return finding(rule.id, match, sa, sides)
    return None


def _side(sa: IkeSa, flow: str, role: str, side: str, last: str | None, steps: list[Step],
          stall: Finding | None, mid: int = 0) -> SideState:
    """Where ``side`` (an IKE peer) stands after sending ``last`` among ``steps``. ``role`` picks
    the state names: Quick Mode's starter is its initiator whichever IKE peer it is."""
    names = state(flow, role, last)
    if last is None and flow != QUICK and not any(s.sender == side for s in sa.steps):
        names = UNSEEN
    phase1 = state(AGGRESSIVE if sa.mode == AGGRESSIVE else MAIN, role, DONE).cisco_asa
    return SideState(side, sa.address(side), None if last == DONE else last, names.waiting_for,
                     names.cisco_asa.format(phase1=phase1), names.cisco_ios, names.libreswan,
                     _strongswan(sa, names, role, side, last, steps, stall, mid))


def _deleted_side(state: SideState, deleter: str, rows: dict[str, StateNames]) -> SideState:
    names = rows["sent" if state.side == deleter else "received"]
    return replace(state, last_sent=None, waiting_for=None, cisco_asa=names.cisco_asa, cisco_ios=names.cisco_ios,
                   libreswan=names.libreswan, strongswan=names.strongswan)


def _strongswan(sa: IkeSa, names: StateNames, role: str, side: str, last: str | None, steps: list[Step],
                stall: Finding | None, mid: int) -> str:
    """The line a strongSwan on ``side`` would have logged last, from the most telling evidence:
    the stall's own pattern, an error notification it received in clear and did not answer, the
    copies it sent of ``last`` (retransmissions counted over the exchange concerned), or none."""
    if last == DONE:
        return names.strongswan
    own = next((s for s in steps if s.sender == side and s.base == last), None)
    if own is None and last is not None and sa.version == 2:
        # a request of its the capture point never saw (sent_unseen): the one after its last request seen
        mid = max((s.message.message_id + 1 for s in steps if s.sender == side and not s.message.is_response),
                  default=mid)
    fields = {"mid": own.message.message_id if own else mid, "me": wire(sa.address(side)),
              "peer": wire(sa.address(sa.other(side))), "port": own.message.dport if own else "",
              "length": own.message.length if own else ""}
    by_rule = next((entry[1] for entry in RULES[stall.rule].strongswan
                    if entry[0] == role and entry[2:] in ((), (stall.variant,))), None) if stall else None
    if by_rule:
        return by_rule.format(**fields) + (" (inferred)" if stall.inferred else "")
    refused = _clear_error_received(side, steps)
    if refused is not None:
        return strongswan_received(sa.version, refused)
    if own is None and last is not None:
        # a message of its the capture point never saw (sent_unseen): a requester re-sends it
        return names.strongswan.format(**{**fields, "n": "…", "port": "…", "length": "…"})
    mine = [s for s in steps if s.sender == side and s.base == last and s.copy_of is not None]
    if not mine and names.strongswan_once:
        return names.strongswan_once.format(**fields)
    if mine and names.strongswan == ANSWERS_DUPLICATE and all(s.resend == TIMER for s in mine):
        return REPLY_ON_TIMER
    return names.strongswan.format(n=max((s.copy_number - 1 for s in mine), default=1), **fields)


def _clear_error_received(side: str, steps: list[Step]) -> int | None:
    """The type of a clear error notification ``side`` received after the last message it sent,
    if any (the first of the latest message that has one): a strongSwan side logs it and gives
    up, before keys exist."""
    since = max((i for i, step in enumerate(steps) if step.sender == side), default=-1) + 1
    errors = facts.clear_errors(steps[since:])
    if not errors:
        return None
    latest = errors[-1][0]
    return next(n.notify_type for step, n in errors if step is latest)


def _phase1_verdict(sa: IkeSa, progress: Progress, stall: Finding | None) -> PhaseVerdict:
    sent = {INITIATOR: progress.initiator_last, RESPONDER: progress.responder_last}
    unseen = RULES[stall.rule].sent_unseen.get(stall.variant) if stall is not None else None
    if unseen is not None:
        sent[unseen[0]] = unseen[1]             # sent, as the evidence shows, but not seen here
    initiator = _side(sa, progress.flow, INITIATOR, INITIATOR, sent[INITIATOR], sa.steps, stall)
    responder = _side(sa, progress.flow, RESPONDER, RESPONDER, sent[RESPONDER], sa.steps, stall)
    if unseen is not None:
        seen_not = f"{unseen[1]} (sent, not seen here)"
        initiator, responder = (replace(s, last_sent=seen_not) if s.side == unseen[0] else s
                                for s in (initiator, responder))
    stopped = RULES[stall.rule].stopped.get(stall.variant) if stall is not None else None
    answer = next((s for s in reversed(sa.steps) if s.sender != stopped[0]), None) if stopped is not None else None
    if answer is not None:
        answer = sa.steps[answer.copy_of] if answer.copy_of is not None else answer     # the first of its copies
        went_no_further = f"nothing: it received {answer.base} (frame {answer.label}) and {stopped[1]}"
        initiator, responder = (replace(s, waiting_for=went_no_further) if s.side == stopped[0] else s
                                for s in (initiator, responder))
    if progress.established:
        summary = "completed before the capture started" if progress.before_capture else "completed"
        return PhaseVerdict(ESTABLISHED, None, None, None, progress.before_capture, summary, initiator, responder)
    furthest = progress.furthest
    last = furthest.base if furthest else None
    order = ORDERS[progress.flow]
    waiting = order[order.index(last) + 1] if last in order and order.index(last) + 1 < len(order) else None
    side = furthest.sender if furthest else None
    outcome = REJECTED if stall and stall.refusal else STALLED
    if outcome == REJECTED and sa.version == 2 and furthest is not None and furthest.message.is_response:
        # the refusal is the response itself: nobody waits, the requester was turned down
        waiting, side = None, sa.other(furthest.sender)
    inferred = bool(stall and stall.inferred)
    if outcome == REJECTED:
        summary = f"rejected after {last}" + (" (inferred)" if inferred else "")
    elif last is None:
        summary = "no phase-1 message in the capture"
    else:
        summary = f"stalled after {last}: the {side} waits for {waiting}"
    return PhaseVerdict(outcome, last, waiting, side, inferred, summary, initiator, responder)


def _phase2_verdict(sa: IkeSa, p1: PhaseVerdict, stall: Finding | None) -> PhaseVerdict:
    if sa.version == 1:
        children = quick_mode(sa)
        if not children:
            return PhaseVerdict(NOT_SEEN, None, None, None, False, "no Quick Mode seen", None, None)
        done = [c for c in children if c.completed]
        child = done[-1] if done else children[-1]
        requester = child.exchange.requester
        mid = child.exchange.message_id
        steps = [sa.steps[i] for i in child.exchange.steps]
        starter = _side(sa, QUICK, INITIATOR, requester, child.requester_last, steps, stall, mid)
        other = _side(sa, QUICK, RESPONDER, sa.other(requester), child.responder_last, steps, stall, mid)
        if done:
            return PhaseVerdict(ESTABLISHED, None, None, None, False,
                                f"established ({len(done)} of {len(children)} Quick Mode)", starter, other)
        last = child.furthest.base if child.furthest else None
        waiting = {QM1: QM2, QM2: QM3}.get(last or "")
        waiting_side = child.furthest.sender if child.furthest else None
        return _open_phase2(last, waiting, waiting_side, stall, starter, other)
    if p1.outcome not in COMPLETED:
        return PhaseVerdict(NOT_SEEN, None, None, None, False, "not reached", None, None)
    if stall is not None:
        last, waiting = RULES[stall.rule].stands_at
        return _open_phase2(last, waiting, None, stall, None, None)
    if p1.inferred and not facts.named(sa, IKE_AUTH_MESSAGES):
        return PhaseVerdict(ESTABLISHED, None, None, None, True, "established before the capture", None, None)
    childless = facts.childless(sa)
    if childless:
        return PhaseVerdict(NOT_SEEN, None, None, None, False,
                            f"no child SA negotiated: a childless IKE SA (RFC 6023), {childless}", None, None)
    both_ways = facts.esp_both_ways(sa)
    return PhaseVerdict(ESTABLISHED, None, None, None, not both_ways,
                        "established" + (" (ESP both ways)" if both_ways else " (inferred from sizes)"), None, None)


def _open_phase2(last, waiting, waiting_side, stall, starter, other) -> PhaseVerdict:
    outcome = REJECTED if stall and stall.refusal else STALLED
    inferred = bool(stall and stall.inferred)
    if outcome == REJECTED:
        summary = f"rejected after {last}" + (" (inferred)" if inferred else "")
    else:
        summary = f"stalled after {last}" + (f": waiting for {waiting}" if waiting else "")
    return PhaseVerdict(outcome, last, waiting, waiting_side, inferred, summary, starter, other)


def _asa_state(sa: IkeSa, p1: PhaseVerdict) -> str | None:
    """What 'show crypto isakmp sa' shows for the side phase 1 waits on. IKEv1 only: ASA's IKEv2
    status (IN-NEG) does not say where the negotiation stands."""
    waiting = p1.waiting
    if sa.version != 1 or p1.outcome in COMPLETED or waiting is None or waiting.cisco_asa == NO_NAME:
        return None
    return waiting.cisco_asa


def _headline(sa: IkeSa, p1: PhaseVerdict, p2: PhaseVerdict, stall: Finding | None, leading: Finding | None,
              cause: str, asa_state: str | None) -> str:
    """One sentence on where the SA stands, then the problem when it is not the stall itself
    (dead peer detection on an established SA), then the most likely cause."""
    mode = MODE_NAMES.get(sa.mode, "IKE")
    if p1.outcome not in COMPLETED and p1.last_message is None:
        where = p1.summary[0].upper() + p1.summary[1:]          # "No phase-1 message in the capture"
    elif p1.outcome not in COMPLETED:
        where = f"{mode} {p1.summary}"
        if asa_state is not None:
            where += f" ({p1.waiting_side} in {asa_state})"
    elif p2.outcome in (STALLED, REJECTED):
        where = f"{mode} up; phase 2 {p2.summary}"
    elif p2.outcome == NOT_SEEN:
        where = f"{mode} {p1.summary}; {p2.summary}"
    else:
        where = f"{mode} {p1.summary}; phase 2 {p2.summary}"
    if stall is None and leading is not None:
        where += f". Problem: {_sentence_inside(leading.title)}"
    if cause != "none" and (stall or leading) is not None:
        return f"{where}. Most likely: {CAUSES[cause].title}."
    return where + "."


def _sentence_inside(title: str) -> str:
    """A title continued mid-sentence: its first word in lower case, unless it is an acronym
    ('ICMP error ...', 'ESP flows ...', 'IKE flood ...' keep theirs)."""
    first = title.split(" ", 1)[0]
    return title if first.isupper() else title[0].lower() + title[1:]


def diagnose_sa(sa: IkeSa) -> SaDiagnosis:
    progress = phase1(sa)
    sides = fingerprint(sa, None)
    stall1 = None if progress.established else _stall(sa, progress, STALLS[progress.flow], sides)
    p1 = _phase1_verdict(sa, progress, stall1)
    deleted = delete(sa) if p1.outcome == ESTABLISHED else None
    deleter = None
    if deleted is not None:
        p1 = replace(p1, outcome=DELETED, summary="established, then deleted"
                     + (" (inferred)" if deleted.inferred else ""))
        first = min(deleted.evidence, key=lambda e: (e.time, e.frame))
        deleter = next(s.sender for s in sa.steps if (s.message.file, s.message.frame) == (first.file, first.frame))
        p1 = replace(p1, initiator=_deleted_side(p1.initiator, deleter, DELETED_PHASE1),
                     responder=_deleted_side(p1.responder, deleter, DELETED_PHASE1))
    stall2 = None
    if p1.outcome in (ESTABLISHED, DELETED):
        stall2 = _stall(sa, progress, STALLS[PHASE2_FLOWS[sa.version]], sides)
    p2 = _phase2_verdict(sa, p1, stall2)
    if deleter is not None and p2.outcome == ESTABLISHED and p2.initiator is not None and \
            (deleted.inferred or facts.child_deleted(sa)):
        p2 = replace(p2, summary=p2.summary + ", then deleted",
                     initiator=_deleted_side(p2.initiator, deleter, DELETED_PHASE2),
                     responder=_deleted_side(p2.responder, deleter, DELETED_PHASE2))
    findings = [f for f in (stall1, stall2) if f is not None]
    stall_frames = {(e.file, e.frame) for f in findings for e in f.evidence}
    for rule in OBSERVATIONS:
        match = rule.pattern(sa)
        if match is None:
            continue
        if rule.covered_by_stall and findings and all((e.file, e.frame) in stall_frames for e in match.evidence):
            continue
        findings.append(finding(rule.id, match, sa, sides))
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    problem = any(f.severity == ERROR for f in findings)
    cause = "none"
    leading = None
    if problem:
        leading = next(f for f in findings if f.severity == ERROR and f.causes)
        cause = leading.causes[0].id
    else:
        present = {f.rule for f in findings}
        cause = next((rule.healthy_cause for rule in HEALTHY_CAUSES if rule.id in present), "none")
    stall = stall1 or stall2
    asa_state = _asa_state(sa, p1)
    headline = _headline(sa, p1, p2, stall, leading, cause, asa_state)
    verdict = Verdict(PROBLEM if problem else HEALTHY, p1, p2, cause, headline, asa_state)
    return SaDiagnosis(sa, verdict, findings, sides, locate(sa))


def flood_of(correlation: Correlation, lone: Sequence[Sent]) -> Flood | None:
    """A flood: many SAs that consist of a single message (``lone``: their messages, or what the
    store says of them, in capture order), plus
    whatever extraction and correlation only counted. Its members are summarised, not diagnosed
    one by one — a real tunnel, even a failing one, re-sends or gets an answer and so is never a
    single message."""
    overflow = correlation.overflow
    # only conversations that never went past one first message: a busy headend past the memory
    # bounds refuses honest conversations too, and those are no flood
    counted_lone = overflow.lone if overflow else 0
    uncounted = counted_lone + correlation.dropped_lone
    if len(lone) + uncounted < FLOOD_MIN_SAS:
        return None
    sources: Counter = Counter(overflow.sources if overflow else {})
    times = [overflow.first[2], overflow.last_time] if overflow and overflow.first else []
    times += correlation.dropped_lone_span or ()
    for message in lone:
        sources[message.src] += 1
        times.append(message.time)
    at_least = bool(overflow and overflow.capped) or correlation.dropped_capped
    return Flood(sas=len(lone) + uncounted, sas_at_least=at_least,
                 messages=(len(lone) + counted_lone + (overflow.beyond_lone if overflow else 0)
                           + correlation.dropped_lone),
                 sources=sources.most_common(FLOOD_TOP_SOURCES),
                 source_undercount=overflow.undercount if overflow else 0,
                 first_time=min(times), last_time=max(times))


def is_lone(sa: IkeSa) -> bool:
    return len(sa.steps) == 1


def flood_like(source: Hashable, progressed: Container) -> bool:
    """A lone SA from ``source`` looks like a flood's: none of that source's SAs went further
    (``progressed``: the initiators of SAs of more than one message, as addresses or as the
    store's indexes of them). A busy headend's own single-message SAs — a notification sent
    once, an attempt the capture's end cut — come from peers that complete others, and are
    diagnosed one by one."""
    return source not in progressed


def _flood_sources(flood: Flood) -> str:
    """The sources that stand out, or that none does (with the most any one can have sent)."""
    top, short = flood.sources, flood.source_undercount
    busiest = (top[0][1] if top else 0) + short
    if busiest < FLOOD_STANDOUT_SHARE * flood.messages:
        return (f"no source stands out (none sent more than {busiest} of the {flood.messages} messages): "
                "the sources are spoofed or widely spread")
    standing = [(source, n) for source, n in top if n + short >= FLOOD_STANDOUT_SHARE * flood.messages]
    bound = "at least " if short else ""
    return "top sources: " + ", ".join(f"{wire(source)} ({bound}{n} messages)" for source, n in standing)


def diagnose(correlation: Correlation) -> Diagnosis:
    progressed = {sa.steps[0].message.src for sa in correlation.sas if not is_lone(sa)}
    lone = [sa for sa in correlation.sas if is_lone(sa) and flood_like(sa.steps[0].message.src, progressed)]
    flood = flood_of(correlation, [sa.steps[0].message for sa in lone])
    members = {id(sa) for sa in lone} if flood is not None else set()
    diagnoses = diagnose_sas([sa for sa in correlation.sas if id(sa) not in members])
    diagnoses.sort(key=order)
    found = scan_findings([s.message for s in sa.steps] for sa in correlation.sas)
    return Diagnosis(diagnoses, flood_findings(correlation, flood, lone[:FLOOD_SAMPLE]) + found, flood,
                     list(correlation.notes))


def diagnose_sas(sas: list[IkeSa]) -> list[SaDiagnosis]:
    """Every SA of ``sas``, in their order. Besides each SA's own messages only the SAs between
    the same two peers matter (a later one may supersede an attempt), so any set of SAs that holds
    every SA of its peer pairs is diagnosed as it would be in the whole capture."""
    return [d for _, d in sorted(diagnose_each(sas), key=lambda item: item[0])]


# Finds the SA that supersedes an unanswered attempt, given the attempt and those of the SAs
# diagnosed together that completed phase 1 (by peer pair, in their order); None when no later
# SA between the same peers completed.
Later = Callable[[IkeSa, dict[frozenset, list[IkeSa]]], IkeSa | None]


def diagnose_each(sas: list[IkeSa], later: Later | None = None) -> Iterator[tuple[int, SaDiagnosis]]:
    """``diagnose_sas``'s diagnoses, each with its place in ``sas``, as soon as it is settled: an
    unanswered attempt, which a later SA between the same peers may supersede, after all the others.
    A caller that lets each go before the next holds one SA's diagnosis at a time, not those of a
    busy peer pair's thousands of SAs. ``later``: how to find the superseding SA when ``sas`` holds
    only some of a pair's SAs (by default it is looked for among ``sas``)."""
    completed: dict[frozenset, list[IkeSa]] = {}
    attempts = []
    for place, sa in enumerate(sas):
        d = diagnose_sa(sa)
        if d.verdict.phase1.outcome in COMPLETED:
            completed.setdefault(frozenset((sa.initiator, sa.responder)), []).append(sa)
        if d.verdict.status == PROBLEM and all(s.sender == INITIATOR for s in sa.steps):
            attempts.append((place, d))
        else:
            yield place, d
    find = later or completed_later
    for place, d in attempts:
        yield place, _superseded(d, find(d.sa, completed))


def completed_later(attempt: IkeSa, completed: dict[frozenset, list[IkeSa]]) -> IkeSa | None:
    """The first SA between the same peers, among those diagnosed together, that completed phase 1
    and began after the attempt ended."""
    end = attempt.steps[-1].message.time
    return next((sa for sa in completed.get(frozenset((attempt.initiator, attempt.responder)), [])
                 if sa.steps[0].message.time > end), None)


def _superseded(d: SaDiagnosis, later: IkeSa | None) -> SaDiagnosis:
    """An attempt that got no answer at all, followed by an SA between the same peers that
    completed phase 1 (``later``), was given up in favour of that one: told as such, not as a
    failure the tunnel still has. Its findings stay, as information."""
    if later is None:
        return d
    first = later.steps[0]
    match = Match([facts.evidence(first)], [
        f"This attempt got no answer; the SA with initiator SPI {later.ispi.hex()} between the same peers, "
        f"started at frame {first.label}, completed phase 1."])
    findings = [finding("superseded", match)] + [replace(f, severity=INFO) for f in d.findings]
    verdict = replace(d.verdict, status=HEALTHY, cause="superseded",
                      headline=d.verdict.headline.split(". Most likely")[0] + "; a later SA between the same "
                      "peers completed.")
    return replace(d, verdict=verdict, findings=findings)


def order(d: SaDiagnosis) -> tuple:
    """Problems first, then in the order the SAs began."""
    return (d.verdict.status != PROBLEM, d.sa.steps[0].message.time)


def scan_findings(sas: Iterable[Sequence[Sent]], made: Callable[[Sent], Message] = lambda message: message) \
        -> list[Finding]:
    """The scanners among the initiators (``scan.scans``; ``sas``: each SA's messages in order, or
    what the store says of them, which ``made`` makes the messages of for the evidence)."""
    return [finding("scan", Match(
        [Evidence(m.file, m.frame, m.time, f"{m.exchange} request from {wire(m.src)} to {wire(m.dst)}")
         for m in map(made, scan.sample)],
        [f"{wire(scan.source)} sent one first request to each of {len(scan.responders)} addresses ({scan.sas} IKE "
         f"SAs in {seconds(scan.last_time - scan.first_time)}; {scan.answered} answered) and never re-sent or "
         "continued any: a scanner probing for IKE responders, not an IKE daemon setting up tunnels."]))
            for scan in scans(sas)]


def flood_findings(correlation: Correlation, flood: Flood | None, sample: list[IkeSa]) -> list[Finding]:
    """The flood's finding, with the first lone SAs (``sample``, FLOOD_SAMPLE of them) as evidence."""
    if flood is None:
        return []
    shown = [facts.evidence(sa.steps[0]) for sa in sample]
    overflow = correlation.overflow
    if overflow is not None and overflow.first is not None:
        file, frame, time = overflow.first
        shown.append(Evidence(file, frame, time, "the first IKE message counted but not kept"))
    match = Match(shown, [
        f"{'at least ' if flood.sas_at_least else ''}{flood.sas} IKE SAs of a single message each "
        f"({flood.messages} messages in {seconds(flood.last_time - flood.first_time)}); "
        f"{_flood_sources(flood)}."])
    return [finding("flood", match)]
