"""The ticket report: capture metadata, summary, and per problem SA a Mermaid message ladder,
findings with evidence and next checks, and the decoded key messages.

Every string from the wire goes through ``escape.markdown`` (or ``escape.mermaid`` inside the
diagram), so a hostile identity cannot break out of a table, a code block or the diagram.
"""

from __future__ import annotations

from ikepcap.correlate.model import INITIATOR
from ikepcap.diagnose.model import PROBLEM
from ikepcap.read.model import endpoint
from ikepcap.report.clock import span, utc
from ikepcap.report.escape import markdown as md
from ikepcap.report.escape import mermaid
from ikepcap.report.text import STATE_ROWS, decryption_lines, implementation_name
from ikepcap.report.view import frame_name, sides_heading
from ikepcap.report.wireshark import labelled

# The key messages of a stall: the ones a reader should see decoded.
MAX_DECODED = 8


def _time(epoch: float | None) -> str:
    return utc(epoch) + " UTC"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in rows]
    return lines


def _metadata(view: dict) -> list[str]:
    rows = []
    for f in view["capture"]["files"]:
        rows += [["File", md(f["name"])], ["Format", md(f["format"])],
                 ["SHA-256", f"`{f['sha256']}`" if f.get("sha256") else "—"],
                 ["Frames", str(f["frames"])], ["IKE datagrams", str(f["ike_datagrams"])],
                 ["Time span", " → ".join(md(_time(t)) for t in span([f]))]]
    rows.append(["ikepcap", md(f"{view['tool']['version']} ({view['tool']['engine']} engine)")])
    return _table(["", ""], rows)


def _summary(view: dict) -> list[str]:
    rows = []
    for index, sa in enumerate(view["sas"], 1):
        p1, stall = sa["phase1"], sa["stall"]
        asa = f" ({stall['asa_state']})" if stall and stall["asa_state"] else ""
        rows.append([str(index), md(f"{sa['initiator']['address']} → {sa['responder']['address']}"),
                     f"IKEv{sa['version']} {md(sa['mode'])}", f"**{sa['status'].upper()}**",
                     md(p1["summary"] + asa), md(sa["phase2"]["summary"]), str(len(sa["messages"])),
                     str(sum(r["copies"] - 1 for r in sa["retransmissions"])), md(sa["cause"])])
    return _table(["#", "initiator → responder", "version", "status", "phase 1", "phase 2", "messages",
                   "re-sent", "most likely cause"], rows)


def _states(phase: dict) -> list[str]:
    sides = [phase["initiator"], phase["responder"]]
    headers = [""] + [md(f"{s['side']} {s['address']}") if s else "—" for s in sides]
    rows = [[label] + [md(s[key] or "—") if s else "—" for s in sides] for label, key in STATE_ROWS]
    return _table(headers, rows)


def _ladder(sa: dict, several_files: bool) -> list[str]:
    lines = ["```mermaid", "sequenceDiagram",
             f"    participant I as {mermaid('Initiator ' + sa['initiator']['address'])}",
             f"    participant R as {mermaid('Responder ' + sa['responder']['address'])}"]
    for m in sa["messages"]:
        arrow = "I->>R" if m["sender"] == INITIATOR else "R->>I"
        label = f"{m['name']}" + (f" copy {m['copy']}" if m["copy"] > 1 else "")
        if m["notify"]:
            label += " N(" + " ".join(n["name"] for n in m["notify"]) + ")"
        label += f" - frame {frame_name(m, several_files)}, {m['length']} B"
        lines.append(f"    {arrow}: {mermaid(label)}")
    lines.append("```")
    return lines


def _finding(finding: dict, several_files: bool) -> list[str]:
    inferred = " *(inferred)*" if finding["inferred"] else ""
    lines = [f"#### {finding['severity'].upper()}: {md(finding['title'])}{inferred}", "",
             f"Rule `{finding['rule']}`. {md(finding['explanation'])}", ""]
    lines += [f"- {md(detail)}" for detail in finding["details"]]
    if finding["evidence"]:
        lines += ["", "**Evidence**", ""]
        lines += _table(["frame", "time", "what it shows"],
                        [[md(frame_name(e, several_files)), md(_time(e["time"])), md(e["note"])]
                         for e in finding["evidence"]])
        for file, expression in labelled(finding, several_files):
            lines += ["", f"Wireshark display filter{f' for {md(file)}' if file else ''}: `{expression}`"]
    if finding["causes"]:
        lines += ["", "**Likely causes, ranked**", ""]
        lines += [f"{rank}. *{c['likelihood']}*: {md(c['title'])}" for rank, c in enumerate(finding["causes"], 1)]
    for side, checks in finding["checks"].items():
        lines += ["", f"**Check on the {side}**", ""]
        lines += [f"- {md(check)}" for check in checks]
    return lines + [""]


def _key_messages(sa: dict, several_files: bool) -> list[str]:
    # a frame number names a frame only within its file: an SA read from a ring of files has
    # frame 3 in each of them
    frames = {(e["file"], e["frame"]) for f in sa["findings"] for e in f["evidence"]}
    chosen = [m for m in sa["messages"] if (m["file"], m["frame"]) in frames and m["copy"] == 1][:MAX_DECODED]
    if not chosen:
        return []
    lines = ["### Decoded key messages", ""]
    for m in chosen:
        source, destination = endpoint(m["src"], m["sport"]), endpoint(m["dst"], m["dport"])
        lines.append(f"- frame {md(frame_name(m, several_files))}: **{md(m['name'])}** {md(source)} → "
                     f"{md(destination)}, message ID {m['message_id']}, {m['length']} bytes"
                     + (", encrypted" if m["encrypted"] else ""))
        lines += [f"  - {md(payload)}" for payload in m["payloads"]]
        lines += [f"  - warning: {md(w)}" for w in m["warnings"]]
    return lines + [""]


def _commands(sa: dict) -> list[str]:
    out = ["### Commands to run", ""]
    for role in ("initiator", "responder"):
        side = sa[role]
        out.append(f"On the {role} ({md(implementation_name(side))}, {md(side['address'])}):")
        out.append("")
        out += [f"- `{command['command']}` — {md(command['shows'])}" for command in side["commands"]]
        out.append("")
    return out


def render(view: dict, verbose: bool = False) -> str:
    names = ", ".join(f["name"] for f in view["capture"]["files"])
    several = len(view["capture"]["files"]) > 1
    out = [f"# IKE diagnosis: {md(names)}", "", "## Capture", ""] + _metadata(view) + ["", "## Summary", ""]
    summary = view["summary"]
    out.append(f"{summary['sas']} IKE SA(s): **{summary['problems']} with problems**, {summary['healthy']} "
               "healthy.")
    out.append("")
    decrypted = decryption_lines(view, verbose)
    if decrypted:
        out += [f"- {md(line)}" for line in decrypted] + [""]
    for finding in view["capture_findings"]:
        out += _finding(finding, several)
    if view["sas"]:
        out += _summary(view) + [""]
    for index, sa in enumerate(view["sas"], 1):
        if sa["status"] != PROBLEM and not verbose:
            continue
        roles = " (roles inferred)" if sa["roles_inferred"] else ""
        out += [f"## SA {index}: {md(sa['initiator']['address'])} → {md(sa['responder']['address'])}, "
                f"IKEv{sa['version']} {md(sa['mode'])}: {sa['status'].upper()}", "",
                f"**Verdict:** {md(sa['headline'])}", "",
                f"Initiator SPI `{sa['ispi']}`, responder SPI `{sa['rspi']}`{roles}.", "",
                f"**Implementations:** initiator {md(implementation_name(sa['initiator']))}, responder "
                f"{md(implementation_name(sa['responder']))}.", "",
                f"**Capture point:** {md(sa['capture_point']['unseen'])}", "",
                f"### Phase 1: {sides_heading(sa['phase1'])}", ""] + _states(sa["phase1"]) + [""]
        if sa["phase2"]["initiator"] is not None:
            out += [f"### Phase 2: {md(sa['phase2']['summary'])}", ""] + _states(sa["phase2"]) + [""]
        out += ["### Message ladder", ""] + _ladder(sa, several) + ["", "### Findings", ""]
        for finding in sa["findings"]:
            out += _finding(finding, several)
        out += _commands(sa)
        out += _key_messages(sa, several)
    warnings = view["capture"]["warnings"]
    if warnings:
        out += ["## Capture warnings", ""] + [f"- {md(w)}" for w in warnings] + [""]
    return "\n".join(out)
