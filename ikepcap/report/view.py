"""The one view of a diagnosis that every report format renders.

It is plain data (dicts, lists, strings, numbers) in a fixed order, which is also exactly the
``--format json`` document: scripts and dashboards read the same structure the text and
Markdown reports are drawn from. The schema is versioned; see README "JSON report". Nothing in
it depends on when or where ikepcap ran, so the same capture always gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from ikepcap import __version__
from ikepcap.correlate.model import INITIATOR, RESPONDER, IkeSa, Step
from ikepcap.decode import iana
from ikepcap.diagnose.facts import is_error, notifications, resent
from ikepcap.diagnose.implementations import commands
from ikepcap.diagnose.model import (
    COMPLETED,
    ERROR,
    HEALTHY,
    PROBLEM,
    Diagnosis,
    Finding,
    Flood,
    PhaseVerdict,
    RankedCause,
    SaDiagnosis,
    SideState,
)
from ikepcap.extract.model import Extraction
from ikepcap.extract.store import as_store
from ikepcap.marks import wire
from ikepcap.read.model import frame_label
from ikepcap.report.messages import payload_summary
from ikepcap.report.spool import Piece
from ikepcap.report.wireshark import evidence_filters, ike_frames

SCHEMA_VERSION = 1



def sides_heading(phase: dict) -> str:
    """After a refusal both sides may have dropped the SA: their rows are where they stood then."""
    if phase["outcome"] == "rejected":
        return "where each side stood when the negotiation was refused"
    return "where each side stands"


def frame_name(item: dict, several_files: bool) -> str:
    """How a report names a message's or an evidence row's frame: by number, and by file too
    when the capture is several files (frame numbers restart in each file of a ring)."""
    return frame_label(item["file"], item["frame"]) if several_files else str(item["frame"])

def _side_state(state: SideState | None) -> dict | None:
    if state is None:
        return None
    return {
        "side": state.side,
        "address": wire(state.address),
        "last_sent": state.last_sent,
        "waiting_for": state.waiting_for,
        "cisco_asa": state.cisco_asa,
        "cisco_ios": state.cisco_ios,
        "libreswan": state.libreswan,
        "strongswan": state.strongswan,
    }


def _side(d: SaDiagnosis, side: str) -> dict:
    """A peer of the SA: its address and ports, the implementation the wire shows (with its
    evidence) and the commands that show the negotiation on it (the generic ones when unknown)."""
    sa = d.sa
    found = d.implementations.side(side) if d.implementations is not None else None
    return {
        "address": wire(sa.address(side)),
        "ports": sorted(sa.ports.get(side, ())),
        "implementation": None if found is None else {
            "name": found.name, "version": found.version, "confidence": found.confidence,
            "evidence": list(found.evidence)},
        "commands": _commands(found.name if found is not None else None, side),
    }


# The parts of a view that come from the tables whole (commands, causes, checks) are built once and
# shared by every SA and finding that shows them: on a busy headend they were a quarter of the
# views' memory, which grows with the SAs. A view is only ever read; the redactor makes a copy.

@lru_cache(maxsize=None)                # an implementation name (or None), and a side
def _commands(name: str | None, side: str) -> list[dict]:
    return [{"command": c.command, "shows": c.shows} for c in commands(name, side)]


@lru_cache(maxsize=1024)
def _causes(causes: tuple[RankedCause, ...]) -> list[dict]:
    return [{"id": c.id, "title": c.title, "likelihood": c.likelihood} for c in causes]


@lru_cache(maxsize=1024)
def _checks(checks: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    return {side: list(items) for side, items in checks}


def _phase(verdict: PhaseVerdict) -> dict:
    return {
        "outcome": verdict.outcome,
        "last_message": verdict.last_message,
        "waiting_for": verdict.waiting_for,
        "waiting_side": verdict.waiting_side,
        "inferred": verdict.inferred,
        "summary": verdict.summary,
        "initiator": _side_state(verdict.initiator),
        "responder": _side_state(verdict.responder),
    }


def _finding(finding: Finding, spis: dict[tuple[str, int], str]) -> dict:
    """``spis``: the initiator SPI of each evidence frame that is a dissected IKE message, for the
    display filters (one per file: frame numbers restart in each file of a ring)."""
    filters = evidence_filters(finding.evidence, spis)
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "title": finding.title,
        "explanation": finding.explanation,
        "details": list(finding.details),
        "inferred": finding.inferred,
        "evidence": [{"file": wire(e.file), "frame": e.frame, "time": e.time, "note": e.note}
                     for e in finding.evidence],
        "causes": _causes(finding.causes),
        "checks": _checks(finding.checks),
        "wireshark_filter": filters[0]["filter"] if len(filters) == 1 else None,
        "wireshark_filters": filters,
    }


def _message(sa: IkeSa, step: Step) -> dict:
    m = step.message
    copy_of = sa.steps[step.copy_of].message.frame if step.copy_of is not None else None
    return {
        "file": wire(m.file),
        "frame": m.frame,
        "time": m.time,
        "sender": step.sender,
        "src": wire(m.src),
        "dst": wire(m.dst),
        "sport": m.sport,
        "dport": m.dport,
        "name": step.name,
        "exchange": sa.exchanges[step.exchange].kind,
        "message_id": m.message_id,
        "length": m.length,
        "ip_length": m.ip_length,
        "encrypted": m.encrypted,
        "decrypted": m.opened,                  # the keys opened it: its payloads include what was inside
        "fragments": list(m.fragments),
        "copy": step.copy_number,
        "copy_of_frame": copy_of,
        "resend": step.resend,
        "payloads": [payload_summary(p) for p in m.payloads],
        "notify": [{"type": n.notify_type, "name": n.notify_name, "decrypted": n.decrypted}
                   for n in notifications(step)],
        "warnings": list(m.warnings),
    }


def _notifies(sa: IkeSa) -> list[dict]:
    """Error and notable notifications readable on the wire, counted per type and sender."""
    counter: Counter = Counter()
    frames: dict[tuple, list[int]] = {}
    for step in sa.steps:
        for n in notifications(step):
            if not is_error(n) and n.notify_type not in NOTABLE_STATUS[sa.version]:
                continue
            key = (n.notify_type, n.notify_name, step.message.encrypted, step.sender)
            counter[key] += 1
            frames.setdefault(key, []).append(step.message.frame)
    return [{"type": t, "name": name, "encrypted": enc, "sender": sender, "count": counter[(t, name, enc, sender)],
             "frames": frames[(t, name, enc, sender)]} for (t, name, enc, sender) in counter]


# Status notifications worth listing beside the errors: they change what a reader concludes. Each
# version's numbers come from its own registry: 16384 is IKEv2's INITIAL_CONTACT but IKEv1's
# CONNECTED, and IKEv1's INITIAL_CONTACT is 24578 (RFC 2407 §4.6.3).
NOTABLE_STATUS = {
    1: frozenset(iana.V1_NOTIFY_TYPES.number(name) for name in ("INITIAL_CONTACT", "R_U_THERE", "R_U_THERE_ACK")),
    2: frozenset(iana.V2_NOTIFY_TYPES.number(name) for name in ("INITIAL_CONTACT", "COOKIE")),
}


def _stall(sa_diagnosis: SaDiagnosis) -> dict | None:
    p1 = sa_diagnosis.verdict.phase1
    if p1.outcome in COMPLETED or p1.last_message is None:
        return None
    return _stalled(p1.last_message, p1.waiting_for, sa_diagnosis.verdict.asa_state, p1.waiting_side)


# An SA's row (sa_row) is mostly parts that a busy headend's rows repeat: built once and shared.
@lru_cache(maxsize=1024)
def _stalled(last_message: str, waiting_for: str | None, asa_state: str | None, side: str | None) -> dict:
    return {"last_message": last_message, "waiting_for": waiting_for, "asa_state": asa_state, "side": side}


@lru_cache(maxsize=4096, typed=True)      # typed: {"copies": 1} is not {"copies": True}
def _only(key: str, value: object) -> dict:
    return {key: value}


@lru_cache(maxsize=1024)
def _finding_row(rule: str, severity: str, causes: tuple[RankedCause, ...]) -> dict:
    return {"rule": rule, "severity": severity, "causes": _causes(causes)}


def sa_view(d: SaDiagnosis, messages: bool = True) -> dict:
    """One SA; ``messages=False`` leaves out the per-message list and the notify counts (the
    text report's summary shows neither; on a busy capture the list is most of the work, and
    the counts decode every notify, also those that only keys revealed)."""
    sa = d.sa
    spis = ike_frames(s.message for s in sa.steps) if d.findings else {}
    return {
        "ispi": sa.ispi.hex(),
        "rspi": sa.rspi.hex(),
        "version": sa.version,
        "mode": sa.mode,
        "initiator": _side(d, INITIATOR),
        "responder": _side(d, RESPONDER),
        "roles_inferred": sa.roles_inferred,
        "status": d.verdict.status,
        "cause": d.verdict.cause,
        "headline": d.verdict.headline,
        "phase1": _phase(d.verdict.phase1),
        "phase2": _phase(d.verdict.phase2),
        "stall": _stall(d),
        "capture_point": None if d.capture_point is None else {
            "near": d.capture_point.near, "evidence": list(d.capture_point.evidence),
            "unseen": d.capture_point.unseen},
        "message_count": len(sa.steps),
        "messages": [_message(sa, s) for s in sa.steps] if messages else [],
        "exchanges": [{"kind": x.kind, "message_id": x.message_id, "requester": x.requester, "messages": x.names}
                      for x in sa.exchanges],
        "retransmissions": [{"message": g.name, "sender": g.sender, "copies": len(g.steps),
                             "frames": [s.message.frame for s in g.steps], "intervals": list(g.intervals),
                             "kinds": list(g.kinds)} for g in resent(sa)],
        "notifies": _notifies(sa) if messages else [],
        "one_way": len({s.sender for s in sa.steps}) == 1,
        "float_frame": sa.steps[sa.float_step].message.frame if sa.float_step is not None else None,
        "nat_detection": [{"frame": sa.steps[c.step].message.frame, "sender": c.sender, "about": c.about,
                           "address": wire(c.address), "port": c.port, "matches": c.matches} for c in sa.nat_checks],
        "esp": [{"src": wire(f.src), "dst": wire(f.dst), "spi": f"{f.spi:08x}", "encapsulated": f.encapsulated,
                 "packets": f.packets, "first_frame": f.first_frame, "last_frame": f.last_frame} for f in sa.esp],
        "icmp_errors": [{"frame": e.frame, "src": wire(e.src), "description": e.description, "mtu": e.mtu}
                        for e in sa.icmp_errors],
        "findings": [_finding(f, spis) for f in d.findings],
    }


def sa_row(d: SaDiagnosis) -> dict:
    """An SA as the text report reads it where it does not show it in full: its row of the table,
    what groups it with the SAs that failed the same way (``failure_signature``), and what the
    summary and ``--each`` count. Each key is ``sa_view``'s, a nested one cut to those parts: on a
    busy headend the report shows a few SAs in full, and the whole views of the others (their
    findings' evidence and details) were most of what a run held."""
    sa = d.sa
    return {
        "version": sa.version,
        "mode": sa.mode,
        "initiator": _only("address", wire(sa.address(INITIATOR))),
        "responder": _only("address", wire(sa.address(RESPONDER))),
        "status": d.verdict.status,
        "cause": d.verdict.cause,
        "phase1": _only("summary", d.verdict.phase1.summary),
        "phase2": _only("summary", d.verdict.phase2.summary),
        "stall": _stall(d),
        "message_count": len(sa.steps),
        "retransmissions": [_only("copies", len(g.steps)) for g in resent(sa)],
        "findings": [_finding_row(f.rule, f.severity, f.causes) for f in d.findings],
    }


def failure_signature(sa: dict) -> tuple:
    """SAs that failed the same way: same mode, phase summaries, cause and rules (of a view or a row)."""
    return (sa["version"], sa["mode"], sa["phase1"]["summary"], sa["phase2"]["summary"], sa["cause"],
            tuple(sorted(f["rule"] for f in sa["findings"])))


def _capture_spis(extraction: Extraction, findings: list[Finding]) -> dict[tuple[str, int], str]:
    """The SPIs of the capture-wide findings' evidence frames that are IKE messages."""
    wanted = {(e.file, e.frame) for f in findings for e in f.evidence}
    return ike_frames(as_store(extraction.messages).at_frames(wanted)) if wanted else {}


def build_view(diagnosis: Diagnosis, extraction: Extraction, digests: dict[str, str] | None = None,
               messages: bool = True) -> dict:
    return document(extraction, [sa_view(d, messages) for d in diagnosis.sas], diagnosis.capture_findings,
                    diagnosis.flood, diagnosis.notes, digests)


def document(extraction: Extraction, sas: list[dict | Piece], capture_findings: list[Finding], flood: Flood | None,
             notes: list[str], digests: dict[str, str] | None = None) -> dict:
    """The whole view around the SAs' own (``sa_view``, in report order; or their JSON, spooled)."""
    files = []
    for stats in extraction.files:
        entry = {"name": wire(stats.file), "format": stats.format, "frames": stats.frames, "bytes": stats.bytes,
                 "ike_datagrams": stats.ike_datagrams, "first_time": stats.first_time, "last_time": stats.last_time}
        if digests is not None:
            entry["sha256"] = digests.get(stats.file)
        files.append(entry)
    problems = sum(1 for sa in sas if (sa.status if isinstance(sa, Piece) else sa["status"]) == PROBLEM)
    capture_spis = _capture_spis(extraction, capture_findings)
    status = PROBLEM if problems or any(f.severity == ERROR for f in capture_findings) else HEALTHY
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ikepcap", "version": __version__, "engine": extraction.engine},
        "capture": {"files": files, "messages": len(extraction.messages),
                    "warnings": list(extraction.warnings) + list(notes)},
        "summary": {"status": status, "sas": len(sas), "problems": problems, "healthy": len(sas) - problems},
        # which key (file:line) opened which SA, and how many of its encrypted messages
        "decryption": [{"key": str(use.source), "version": use.version, "ispi": use.ispi.hex(),
                        "rspi": use.rspi.hex(), "decrypted": use.decrypted, "failed": use.failed}
                       for use in extraction.key_uses],
        "sas": sas,
        "capture_findings": [_finding(f, capture_spis) for f in capture_findings],
        "flood": None if flood is None else {
            "sas": flood.sas, "sas_at_least": flood.sas_at_least, "messages": flood.messages,
            "sources": [{"address": wire(a), "messages": n} for a, n in flood.sources],
            "source_undercount": flood.source_undercount,
            "first_time": flood.first_time, "last_time": flood.last_time},
    }
