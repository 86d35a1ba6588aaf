"""The terminal report: a summary table of all SAs, then the findings of each problem SA.

Drawn from the view (``view.build_view``); every string is passed through ``escape.terminal``
because identities and notes can carry bytes from the wire.
"""

from __future__ import annotations

import textwrap
from collections import Counter

from tabulate import tabulate

from ikepcap.correlate.model import INITIATOR
from ikepcap.diagnose.model import ERROR, INFO, PROBLEM, WARNING
from ikepcap.report.clock import DATE_TIME, TIME, span, utc
from ikepcap.report.escape import terminal
from ikepcap.report.view import failure_signature, frame_name, sides_heading
from ikepcap.report.wireshark import labelled

# Without a terminal to measure (a pipe, a file), lines are this long; narrower than this the
# tables cannot be read, so a smaller terminal still gets this.
WIDTH = 80
MIN_WIDTH = 60
# Key uses listed one by one; above this, one line per key file (all of them with -v).
LISTED_KEY_USES = 8
STATE_ROWS = (("last sent", "last_sent"), ("waiting for", "waiting_for"), ("Cisco ASA", "cisco_asa"),
              ("Cisco IOS", "cisco_ios"), ("libreswan", "libreswan"), ("strongSwan log", "strongswan"))
SEVERITY_LABEL = {ERROR: "ERROR", WARNING: "WARNING", INFO: "info"}


def _time(epoch: float | None) -> str:
    return utc(epoch, DATE_TIME, 3)


def _clock(epoch: float) -> str:
    return utc(epoch, TIME, 3)


def _wrap(text: str, indent: str, hang: int = 0, width: int = WIDTH) -> list[str]:
    """Wrapped at ``width``; ``hang`` extra spaces for continuation lines (bullets, evidence rows)."""
    return textwrap.wrap(terminal(text), width, initial_indent=indent,
                         subsequent_indent=indent + " " * hang) or [indent]


def _phase1_cell(sa: dict) -> str:
    stall = sa["stall"]
    return sa["phase1"]["summary"] + (f" [{stall['asa_state']}]" if stall and stall["asa_state"] else "")


# On a busy capture the table lists this many SAs one by one; the rest are counted.
TABLE_ROWS = 30
# Problem SAs with the same diagnosis are shown in full once, the others named in a line each.
GROUP_NAMES = 10


def summary_table(view: dict, verbose: bool, width: int = WIDTH) -> list[str]:
    """One row per SA: a table from 120 columns, below that a line per SA with its phases under it."""
    rows = []
    many = len(view["sas"]) > TABLE_ROWS and not verbose
    shown = [(i, sa) for i, sa in enumerate(view["sas"], 1) if not many or sa["status"] == PROBLEM]
    if not verbose:
        shown = shown[:TABLE_ROWS]
    for index, sa in shown:
        resent = sum(r["copies"] - 1 for r in sa["retransmissions"])
        rows.append([index, f"{sa['initiator']['address']} → {sa['responder']['address']}", f"v{sa['version']}",
                     sa["mode"], sa["status"].upper(), _phase1_cell(sa), sa["phase2"]["summary"],
                     sa["message_count"], resent])
    if width >= 120:
        flexible = width - 120 + 96               # what the three wrapped columns share at 120 columns and beyond
        table = tabulate(rows, headers=["#", "initiator → responder", "ver", "mode", "status", "phase 1", "phase 2",
                                        "msgs", "resent"], tablefmt="simple",
                         maxcolwidths=[None, flexible * 36 // 96, None, None, None, flexible * 34 // 96,
                                       flexible * 26 // 96, None, None])
    else:
        narrow = [[r[0], r[4], f"{r[2]} {r[3]}", r[1], r[7], r[8]] for r in rows]
        headers = ["#", "status", "IKE", "initiator → responder", "msgs", "resent"]
        # tabulate pads a header by 2 and puts 2 spaces between columns; the addresses get the rest
        used = sum(max([len(headers[i]) + 2, *(len(str(r[i])) for r in narrow)]) for i in (0, 1, 2, 4, 5)) + 10
        table_lines: list[str] = []
        pending: list[str] = []
        numbered = {str(r[0]): r for r in rows}
        lines = tabulate(narrow, headers=headers, tablefmt="simple",
                         maxcolwidths=[None, None, None, max(width - used, 16), None, None]).splitlines()
        first = len(lines[1].split(" ")[0])      # the "#" column's width, from the rule under the headers
        for number, line in enumerate(lines):
            key = line[:first].strip()
            if number > 1 and key in numbered:
                # under each SA's line (and its addresses' continuation), its phases
                table_lines += pending
                row = numbered.pop(key)
                pending = _wrap(f"phase 1: {row[5]}", "     ", 9, width) + \
                    _wrap(f"phase 2: {row[6]}", "     ", 9, width)
            table_lines.append(line)
        table = "\n".join(table_lines + pending)
    lines = [terminal(line) for line in table.splitlines()]
    rest = len(view["sas"]) - len(shown)
    if rest:
        healthy = sum(1 for sa in view["sas"] if sa["status"] != PROBLEM)
        lines += _wrap(f"… and {rest} more SA(s) not listed ({healthy} healthy); --verbose or --format json lists "
                       "all, --peer/--sa narrows.", "", 2, width)
    return lines


def group_problem_sas(view: dict) -> list[list[tuple[int, dict]]]:
    """The problem SAs as (number, SA), those that failed the same way together, in report order."""
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for index, sa in enumerate(view["sas"], 1):
        if sa["status"] == PROBLEM:
            groups.setdefault(failure_signature(sa), []).append((index, sa))
    return list(groups.values())


def state_table(phase: dict, width: int = WIDTH) -> list[str]:
    sides = [phase["initiator"], phase["responder"]]
    headers = [""] + [f"{s['side']} {s['address']}" if s else "" for s in sides]
    rows = [[label] + [(s[key] or "—") if s else "—" for s in sides] for label, key in STATE_ROWS]
    # indent, the row labels, two gaps; a side that needs less than half leaves the rest to the other
    room = max(width - 4 - 14 - 4, 40)
    natural = [max(len(str(row[i])) for row in [headers, *rows]) for i in (1, 2)]
    narrow = min(range(2), key=lambda i: natural[i])
    columns = [0, 0]
    columns[narrow] = min(natural[narrow], room // 2)
    columns[1 - narrow] = room - columns[narrow]
    table = tabulate(rows, headers=headers, tablefmt="plain", maxcolwidths=[None, *columns])
    return ["    " + terminal(line) for line in table.splitlines()]


def finding_lines(finding: dict, several_files: bool = False, brief: bool = False, explain: bool = True,
                  width: int = WIDTH) -> list[str]:
    """A finding as the terminal shows it; ``brief``: its title and rule only (an informational
    finding beside a problem, whose details ``-v`` shows); ``explain=False``: a problem SA's
    further finding, without the explanation, the ranked causes and the checks (the first
    finding's, which decide the verdict, are above) and with its evidence frames in one line
    (``-v`` shows all)."""
    label = SEVERITY_LABEL[finding["severity"]]
    inferred = " (inferred)" if finding["inferred"] else ""
    lines = _wrap(f"[{label}] {finding['title']}{inferred}", "  ", width=width)
    # The rule id is what one searches the README for: it stays whole, on the title's last line if it fits.
    tag = terminal(f"rule: {finding['rule']}")
    if len(lines[-1]) + 3 + len(tag) <= width:
        lines[-1] += "   " + tag
    else:
        lines.append("      " + tag)
    if finding["severity"] == INFO:
        if brief:
            return lines
        return lines + [line for detail in finding["details"] for line in _wrap(detail, "      ", width=width)] + \
            wireshark_lines(finding, several_files)
    if explain:
        lines += _wrap(finding["explanation"], "      ", width=width)
    for detail in finding["details"]:
        lines += _wrap("• " + detail, "      ", 2, width=width)
    if finding["evidence"] and not explain:
        frames = ", ".join(frame_name(e, several_files) for e in finding["evidence"])
        lines += _wrap(f"Evidence: frame(s) {frames}", "      ", 2, width=width)
        lines += wireshark_lines(finding, several_files)
    elif finding["evidence"]:
        lines.append("      Evidence:")
        for e in finding["evidence"]:
            lines += _wrap(f"frame {frame_name(e, several_files):>5}  {_clock(e['time'])}  {e['note']}",
                           "        ", 13, width=width)
        lines += wireshark_lines(finding, several_files)
    if finding["causes"] and explain:
        lines.append("      Likely causes:")
        for rank, cause in enumerate(finding["causes"], 1):
            lines += _wrap(f"{rank}. {cause['likelihood']}: {cause['title']}", "        ", 3, width=width)
    for side, checks in finding["checks"].items() if explain else ():
        lines.append(f"      Check on the {side}:")
        for check in checks:
            lines += _wrap("- " + check, "        ", 2, width=width)
    return lines


def wireshark_lines(finding: dict, several_files: bool) -> list[str]:
    """The evidence's display filters, never wrapped: they are for copying into Wireshark."""
    return [terminal(f"      Wireshark{f' ({file})' if file else ''}: {expression}")
            for file, expression in labelled(finding, several_files)]


def ladder(sa: dict, several_files: bool = False) -> list[str]:
    """The message ladder: who sent what, when, in order."""
    start = sa["messages"][0]["time"] if sa["messages"] else 0.0
    lines = [f"    {'frame':>6}  {'+time':>9}  initiator {sa['initiator']['address']:<28} responder "
             f"{sa['responder']['address']}"]
    for m in sa["messages"]:
        label = m["name"] + (f" (copy {m['copy']})" if m["copy"] > 1 else "") + f" {m['length']}B"
        if m["notify"]:
            label += " N(" + ",".join(n["name"] for n in m["notify"]) + ")"
        arrow = f"{label} ──▶" if m["sender"] == INITIATOR else f"◀── {label}"
        pad = "" if m["sender"] == INITIATOR else " " * 20
        lines.append(terminal(f"    {frame_name(m, several_files):>6}  {m['time'] - start:>+9.3f}  {pad}{arrow}"))
    return lines


# Commands per side in the default report; -v lists them all.
BRIEF_COMMANDS = 3


def implementation_name(side: dict) -> str:
    """'strongSwan 5.9.8 (certain)', or 'unknown'."""
    found = side["implementation"]
    if not found or not found["name"]:
        return "unknown"
    return f"{found['name']}{' ' + found['version'] if found['version'] else ''} ({found['confidence']})"


def implementation_lines(sa: dict, verbose: bool, width: int = WIDTH) -> list[str]:
    """Who each side most likely is, and where the capture was taken; the evidence with -v."""
    lines = _wrap(f"Implementations: initiator {implementation_name(sa['initiator'])}, responder "
                  f"{implementation_name(sa['responder'])}.", "  ", width=width)
    point = sa["capture_point"]
    if point and point["near"]:
        lines += _wrap(f"Capture point: near the {point['near']} ({point['evidence'][0]}).", "  ", width=width)
        if verbose:
            lines += _wrap(point["unseen"], "    ", width=width)
    if verbose:
        for role in ("initiator", "responder"):
            found = sa[role]["implementation"]
            for evidence in (found or {}).get("evidence", []):
                lines += _wrap(f"{role}: {evidence}", "    ", 2, width)
    return [terminal(line) for line in lines]


def command_lines(sa: dict, verbose: bool, width: int = WIDTH) -> list[str]:
    """What to run on each side to see the negotiation there, for its implementation."""
    lines = [] if not verbose else ["  Commands to run:"]
    for role in ("initiator", "responder"):
        side = sa[role]
        where = f"on the {role} ({implementation_name(side)}, {side['address']})"
        if not verbose:             # the first few, on one line (what each shows with -v)
            known = side["implementation"] and side["implementation"]["name"]
            brief = "; ".join(c["command"] for c in side["commands"][:BRIEF_COMMANDS]) if known else \
                "its IKE SA list, its IKE debug log and its configuration for this peer (-v lists how)"
            lines += [terminal(line) for line in _wrap(f"Run {where}: {brief}", "  ", 2, width)]
            continue
        lines.append(terminal(f"    {where}:"))
        for command in side["commands"]:
            lines += [terminal(line) for line in _wrap(f"- {command['command']}  ({command['shows']})", "      ", 2,
                                                       width)]
    return lines


def decryption_lines(view: dict, every: bool = False) -> list[str]:
    """Which key opened which SA, one line each (no line without keys); beyond LISTED_KEY_USES, unless
    ``every`` is asked for, one line per key file with its counts: on a headend's capture the list
    would bury the report (the JSON keeps each)."""
    uses = view["decryption"]
    if every or len(uses) <= LISTED_KEY_USES:
        return [f"Decrypted with {use['key']}: IKEv{use['version']} SA {use['ispi']}, {use['decrypted']} message(s)"
                + (f", {use['failed']} the key did not open" if use["failed"] else "") + "."
                for use in uses]
    by_file: dict[str, list[dict]] = {}
    for use in uses:
        by_file.setdefault(use["key"].rpartition(":")[0], []).append(use)
    lines = []
    for file, group in by_file.items():
        versions = sorted(Counter(u["version"] for u in group).items())
        sas = f"{len(group)} IKEv{versions[0][0]} SA(s)" if len(versions) == 1 else \
            f"{len(group)} SA(s) ({', '.join(f'IKEv{v}: {n}' for v, n in versions)})"
        failed = sum(u["failed"] for u in group)
        lines.append(f"Decrypted with {file}: {sas}, {sum(u['decrypted'] for u in group)} message(s)"
                     + (f", {failed} the keys did not open" if failed else "")
                     + "; -v or the JSON name each SA's key line.")
    return lines


def render(view: dict, verbose: bool = False, width: int = WIDTH) -> str:
    """The report with its prose wrapped at ``width`` columns (never fewer than MIN_WIDTH)."""
    width = max(width, MIN_WIDTH)
    files = view["capture"]["files"]
    several = len(files) > 1
    out = []
    names = ", ".join(f["name"] for f in files)
    frames = sum(f["frames"] for f in files)
    first, last = span(files)
    when = f", {_time(first)} → {_time(last)} UTC" if first is not None and last is not None else ""
    out += _wrap(f"ikepcap {view['tool']['version']} — {names}: {frames} frames, "
                 f"{view['capture']['messages']} IKE messages{when}", "", 2, width)
    summary = view["summary"]
    out.append(f"{summary['sas']} IKE SA(s): {summary['problems']} with problems, {summary['healthy']} healthy.")
    out += [wrapped for line in decryption_lines(view, verbose) for wrapped in _wrap(line, "", 2, width)]
    for finding in view["capture_findings"]:
        out.append("")
        out += finding_lines(finding, several, width=width)
    if view["sas"]:
        out.append("")
        out += summary_table(view, verbose, width)
    groups = [[(i, sa)] for i, sa in enumerate(view["sas"], 1)] if verbose else group_problem_sas(view)
    for members in groups:
        index, sa = members[0]
        out.append("")
        roles = " (roles inferred)" if sa["roles_inferred"] else ""
        heading = f"SA {index}: {sa['initiator']['address']} → {sa['responder']['address']}  IKEv{sa['version']} " \
            f"{sa['mode']}"
        spis = f"ispi {sa['ispi']} rspi {sa['rspi']}{roles}"
        # the SPIs stay together, on the heading's line when it has room
        out += [terminal(f"{heading}  {spis}")] if len(heading) + 2 + len(spis) <= width else \
            _wrap(heading, "", 2, width) + _wrap(spis, "  ", 2, width)
        out += _wrap(sa["headline"], "  ", width=width)
        if len(members) > 1:
            others = ", ".join(f"SA {i} ({s['initiator']['address']} → {s['responder']['address']})"
                               for i, s in members[1:GROUP_NAMES + 1])
            more = f" and {len(members) - 1 - GROUP_NAMES} more" if len(members) - 1 > GROUP_NAMES else ""
            out += _wrap(f"The same diagnosis holds for {len(members) - 1} other SA(s): {others}{more}.", "  ",
                         width=width)
        out += implementation_lines(sa, verbose, width)
        out.append(f"  Phase 1 — {sides_heading(sa['phase1'])}:")
        out += state_table(sa["phase1"], width)
        if sa["phase2"]["initiator"] is not None:
            out += _wrap(f"Phase 2 — {sa['phase2']['summary']} (initiator below = the side that started it):", "  ",
                         2, width)
            out += state_table(sa["phase2"], width)
        # beside a problem, what is only information keeps to its title unless -v asks for more
        brief = sa["status"] == PROBLEM and not verbose
        for i, finding in enumerate(sa["findings"]):
            listed = brief and finding["severity"] == INFO and i and sa["findings"][i - 1]["severity"] == INFO
            if not listed:
                out.append("")
            out += finding_lines(finding, several, brief, explain=not brief or i == 0, width=width)
        if sa["status"] == PROBLEM:
            out.append("")
            out += command_lines(sa, verbose, width)
        if verbose:
            out.append("")
            out.append("  Message ladder:")
            out += ladder(sa, several)
    warnings = view["capture"]["warnings"]
    if warnings:
        out.append("")
        out.append(f"Capture warnings ({len(warnings)}):")
        out += [line for w in warnings[:20] for line in _wrap(w, "  ", 2, width)]
        if len(warnings) > 20:
            out.append(f"  … and {len(warnings) - 20} more (--format json lists all)")
    return "\n".join(out) + "\n"
