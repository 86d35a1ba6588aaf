"""``--format summary``: a ticket paragraph per problem SA, in plain text.

Jira, ServiceNow and e-mail render neither Markdown nor HTML reliably, and a failing SA's full
report is 40 lines or more. This is the part a ticket needs — the verdict, where each side
stands, the most likely cause, the evidence frames with their Wireshark filter, and the first
thing to check on each side — in at most a dozen unwrapped lines per SA, with no markup at all,
so that it pastes cleanly anywhere. SAs that failed the same way share one paragraph.
"""

from __future__ import annotations

from ikepcap.correlate.model import INITIATOR, RESPONDER
from ikepcap.diagnose.model import COMPLETED, ERROR, INFO, PROBLEM
from ikepcap.report.escape import terminal
from ikepcap.report.text import group_problem_sas, implementation_name
from ikepcap.report.view import frame_name
from ikepcap.report.wireshark import labelled

# SAs named one by one after "the same holds for"; the rest are counted.
NAMED_OTHERS = 5
# A capture-wide finding's details shown (the SPIs and peers of ESP without IKE, say).
CAPTURE_DETAILS = 5


def _phase(sa: dict) -> dict:
    """The phase the problem is in: phase 1 unless it completed and a phase 2 was seen."""
    p1, p2 = sa["phase1"], sa["phase2"]
    return p2 if p1["outcome"] in COMPLETED and p2["initiator"] is not None else p1


def _side(state: dict | None, role: str, address: str) -> str:
    """One side's line of the state table: what it last sent, what it waits for, and its state
    in Cisco ASA's, libreswan's and strongSwan's words."""
    if state is None:
        return f"{role.capitalize()} {address}: not seen in this phase."
    waiting = f", waits for {state['waiting_for']}" if state["waiting_for"] else ""
    vendors = "".join(f"; {name}: {state[key]}" for name, key in (
        ("Cisco ASA", "cisco_asa"), ("libreswan", "libreswan"), ("strongSwan log", "strongswan")) if state[key])
    return f"{role.capitalize()} {address}: last sent {state['last_sent'] or '—'}{waiting}{vendors}."


def top_finding(sa: dict) -> dict | None:
    """The finding that decides the verdict: the first error, else the first warning, else the first."""
    ranked = sorted(sa["findings"], key=lambda f: (f["severity"] != ERROR, f["severity"] == INFO))
    return ranked[0] if ranked else None


def sa_paragraph(index: int, sa: dict, others: list[tuple[int, dict]], several_files: bool) -> list[str]:
    roles = ", roles inferred" if sa["roles_inferred"] else ""
    lines = [(f"SA {index}: {sa['initiator']['address']} -> {sa['responder']['address']}, IKEv{sa['version']} "
              f"{sa['mode']}, ispi {sa['ispi']} rspi {sa['rspi']}{roles}"),
             f"Verdict: {sa['headline']}"]
    phase = _phase(sa)
    lines.append(_side(phase["initiator"], INITIATOR, sa["initiator"]["address"]))
    lines.append(_side(phase["responder"], RESPONDER, sa["responder"]["address"]))
    lines.append(f"Implementations: initiator {implementation_name(sa['initiator'])}, responder "
                 f"{implementation_name(sa['responder'])}.")
    finding = top_finding(sa)
    if finding is not None:
        if finding["causes"]:
            cause = finding["causes"][0]
            lines.append(f"Top cause ({cause['likelihood']}): {cause['title']}.")
        lines.append(f"Finding: {finding['title']} (rule {finding['rule']}"
                     + (", inferred" if finding["inferred"] else "") + ").")
        if finding["evidence"]:
            frames = ", ".join(frame_name(e, several_files) for e in finding["evidence"])
            lines.append(f"Evidence frames: {frames}.")
        for file, expression in labelled(finding, several_files):
            lines.append(f"Wireshark filter{f' for {file}' if file else ''}: {expression}")
        for side in (INITIATOR, RESPONDER):
            checks = finding["checks"].get(side)
            if checks:
                lines.append(f"First check on the {side}: {checks[0]}")
    if others:
        named = ", ".join(f"SA {i} ({s['initiator']['address']} -> {s['responder']['address']})"
                          for i, s in others[:NAMED_OTHERS])
        more = f" and {len(others) - NAMED_OTHERS} more" if len(others) > NAMED_OTHERS else ""
        lines.append(f"The same holds for {len(others)} other SA(s): {named}{more}.")
    return [terminal(line) for line in lines]


def render(view: dict, verbose: bool = False) -> str:
    """``verbose`` adds a line per healthy SA."""
    files = view["capture"]["files"]
    several = len(files) > 1
    summary = view["summary"]
    names = ", ".join(f["name"] for f in files)
    out = [terminal(f"ikepcap {view['tool']['version']}: {names}: {summary['sas']} IKE SA(s), "
                    f"{summary['problems']} with problems, {summary['healthy']} healthy.")]
    for finding in view["capture_findings"]:
        out.append(terminal(f"{finding['severity'].upper()}: {finding['title']} (rule {finding['rule']})."))
        out += [terminal(detail) for detail in finding["details"][:CAPTURE_DETAILS]]
        out += [terminal(f"Wireshark filter{f' for {file}' if file else ''}: {expression}")
                for file, expression in labelled(finding, several)]
        out += [terminal(f"First check on the {side}: {checks[0]}") for side, checks in finding["checks"].items()
                if checks]
    for members in group_problem_sas(view):
        (index, sa), others = members[0], members[1:]
        out.append("")
        out += sa_paragraph(index, sa, others, several)
    if verbose:
        healthy = [(i, sa) for i, sa in enumerate(view["sas"], 1) if sa["status"] != PROBLEM]
        if healthy:
            out.append("")
            out += [terminal(f"SA {i}: {sa['initiator']['address']} -> {sa['responder']['address']}, healthy: "
                             f"{sa['headline']}") for i, sa in healthy]
    return "\n".join(out) + "\n"
