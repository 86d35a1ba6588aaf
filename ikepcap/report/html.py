"""``--format html``: one self-contained page that opens in any browser and attaches to any ticket.

No JavaScript and nothing fetched: the styles are inline, the message ladders are inline SVG, the
decoded messages fold with ``<details>``, and a Content-Security-Policy forbids the page to load
anything at all. Ticket systems that render neither Markdown nor Mermaid show it as it is.

The ladder is drawn at its natural size (text 11 to 14 px, never scaled down: a wide page
scrolls it instead) and stays short however long the SA: a message's re-sends fold into its
row, runs of the same message into one row, and a very long SA shows its beginning and end
around a row that counts what it left out. Every string from the wire goes through
``escape.html_text``, in SVG text as in HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ikepcap.correlate.model import INITIATOR
from ikepcap.diagnose.facts import ERROR_NOTIFY_LIMIT
from ikepcap.diagnose.model import INFO, PROBLEM
from ikepcap.read.model import endpoint
from ikepcap.report.clock import span, utc
from ikepcap.report.escape import html_text as esc
from ikepcap.report.summary import top_finding
from ikepcap.report.text import STATE_ROWS, decryption_lines, group_problem_sas, implementation_name
from ikepcap.report.view import frame_name, sides_heading
from ikepcap.report.wireshark import labelled

# The decoded messages shown per SA: those its findings cite, first copies only.
MAX_DECODED = 8
# SA rows in the summary table without -v; the JSON report lists all.
TABLE_ROWS = 500
# Ladder rows: beyond MAX_ROWS the first HEAD_ROWS and last TAIL_ROWS are drawn.
MAX_ROWS, HEAD_ROWS, TAIL_ROWS = 60, 40, 15

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1b1b1b; background: #fff; margin: 0 auto; padding: 16px 24px; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 6px; padding-top: 8px;
     border-top: 2px solid #d0d4da; } h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 0; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { border: 1px solid #c9ced6; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
table.meta th { width: 11em; }
.status-problem { color: #a40000; font-weight: 700; } .status-healthy { color: #16632c; font-weight: 700; }
.sev { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 3px; padding: 0 6px;
       font-size: 12px; font-weight: 700; color: #fff; margin-right: 6px; }
.sev-error { background: #b00020; } .sev-warning { background: #9a5b00; } .sev-info { background: #4a5968; }
.verdict { font-size: 15px; background: #fff6e0; border-left: 4px solid #d08c00; padding: 6px 10px; margin: 8px 0; }
.finding { border: 1px solid #d0d4da; border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.finding p { margin: 6px 0; } .finding ul, .finding ol { margin: 4px 0; padding-left: 22px; }
.rule { color: #55606e; font-size: 12px; margin-left: 8px; }
.filter { background: #f3f5f8; border: 1px solid #d0d4da; padding: 3px 6px; display: block; overflow-wrap: anywhere; }
.ladder { overflow-x: auto; margin: 6px 0 10px; } .ladder svg { max-width: none; display: block; }
details { margin: 4px 0; } summary { cursor: pointer; }
.payloads { margin: 4px 0 8px 18px; padding-left: 12px; }
.note { color: #55606e; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-before: auto; break-after: avoid; } h3, h4 { break-after: avoid; }
  .finding, table, .ladder, .verdict { break-inside: avoid; }
  .ladder { overflow: visible; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; } a { color: inherit; text-decoration: none; }
}
@page { margin: 14mm; }
"""


def _time(epoch: float | None) -> str:
    return utc(epoch) + " UTC"


def _table(headers: list[str], rows: list[list[str]], css: str = "") -> list[str]:
    """Cells are HTML already (escaped by the caller)."""
    out = [f'<table class="{css}">' if css else "<table>"]
    if headers:
        out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    out += ["<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows]
    return out + ["</tbody></table>"]


def _metadata(view: dict) -> list[str]:
    rows = []
    for f in view["capture"]["files"]:
        rows += [["File", esc(f["name"])], ["Format", esc(f["format"])],
                 ["SHA-256", f"<code>{esc(f['sha256'])}</code>" if f.get("sha256") else "—"],
                 ["Frames", f"{f['frames']:,}"], ["Bytes", f"{f['bytes']:,}"],
                 ["IKE datagrams", f"{f['ike_datagrams']:,}"],
                 ["Time span", " → ".join(esc(_time(t)) for t in span([f]))]]
    tool = view["tool"]
    rows.append(["ikepcap", esc(f"{tool['version']} ({tool['engine']} engine)"
                                + (", redacted" if tool.get("redacted") else ""))])
    return ['<table class="meta"><tbody>'] + [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows] + \
        ["</tbody></table>"]


def _cause(sa: dict) -> str:
    """The summary table's cause: the decisive finding's most likely cause, in words."""
    finding = top_finding(sa)
    if finding is not None and finding["causes"]:
        return esc(finding["causes"][0]["title"])
    return esc(sa["cause"] or "—")


def _summary(view: dict, sections: dict[int, int], verbose: bool) -> list[str]:
    rows = []
    listed = view["sas"] if verbose else view["sas"][:TABLE_ROWS]
    for index, sa in enumerate(listed, 1):
        p1, stall = sa["phase1"], sa["stall"]
        asa = f" [{stall['asa_state']}]" if stall and stall["asa_state"] else ""
        peers = esc(f"{sa['initiator']['address']} → {sa['responder']['address']}")
        if index in sections:
            peers = f'<a href="#sa-{sections[index]}">{peers}</a>'
        resent = sum(r["copies"] - 1 for r in sa["retransmissions"])
        rows.append([str(index), peers, esc(f"IKEv{sa['version']} {sa['mode']}"),
                     f'<span class="status-{esc(sa["status"])}">{esc(sa["status"].upper())}</span>',
                     esc(p1["summary"] + asa), esc(sa["phase2"]["summary"]),
                     _cause(sa) if sa["status"] == PROBLEM else "—", str(sa["message_count"]), str(resent)])
    out = _table(["#", "initiator → responder", "version", "status", "phase 1", "phase 2", "most likely cause",
                  "messages", "re-sent"], rows, "summary")
    if len(view["sas"]) > len(listed):
        out.append(f'<p class="note">… and {len(view["sas"]) - len(listed):,} more SA(s); -v or --format json '
                   "lists all, --peer/--sa narrows.</p>")
    return out


def _states(phase: dict) -> list[str]:
    sides = [phase["initiator"], phase["responder"]]
    headers = [""] + [esc(f"{s['side']} {s['address']}") if s else "—" for s in sides]
    rows = [[label] + [esc(s[key] or "—") if s else "—" for s in sides] for label, key in STATE_ROWS]
    return _table(headers, rows, "states")


# -- the message ladder --------------------------------------------------------------------------

WIDTH = 720                     # fits an A4 page's printable width at 96 dpi: printing needs no scaling
LEFT, RIGHT = 160, 700          # the initiator's and the responder's lifelines
ROW, TOP = 40, 52               # row height; where the first row starts
LABEL_CHARS = 64                # at 13 px, what fits between the lifelines
SENDER_COLOUR = {INITIATOR: "#1f4e9c"}
RESPONDER_COLOUR, ERROR_COLOUR, EVIDENCE_FILL = "#2b6a36", "#b00020", "#fff3c4"


@dataclass
class Row:
    """One ladder row: a message, its re-sends folded in, and the same message following it."""
    first: dict
    frames: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    copies: int = 0             # re-sends folded in
    repeats: int = 1            # the same message (by sender, name and notifications) one after another
    evidence: bool = False

    @property
    def key(self) -> tuple:
        m = self.first
        return m["sender"], m["name"], tuple(n["name"] for n in m["notify"])


def _rows(sa: dict, evidence: set[tuple[str, int]], several_files: bool) -> list[Row]:
    rows: list[Row] = []
    by_frame: dict[tuple[str, int], Row] = {}
    for m in sa["messages"]:
        where = (m["file"], m["frame"])
        row = by_frame.get((m["file"], m["copy_of_frame"])) if m["copy_of_frame"] is not None else None
        if row is not None:
            row.copies += 1
        else:
            candidate = Row(m)
            if rows and rows[-1].key == candidate.key and not rows[-1].copies:
                row = rows[-1]
                row.repeats += 1
            else:
                row = candidate
                rows.append(row)
        by_frame[where] = row
        row.frames.append(frame_name(m, several_files))
        row.times.append(m["time"])
        row.evidence = row.evidence or where in evidence
    return rows


def _error_notify(m: dict) -> bool:
    return any(0 < n["type"] < ERROR_NOTIFY_LIMIT for n in m["notify"])


def _label(row: Row) -> str:
    """Name and counts first: a label too long for the ladder loses its end, not its counts."""
    m = row.first
    label = m["name"]
    if row.copies:
        label += f" · sent {row.copies + 1}×"
    if row.repeats > 1:
        label += f" · ×{row.repeats}"
    label += f" · {m['length']} B"
    if m["encrypted"]:
        label += " · encrypted" if not m.get("decrypted") else " · decrypted"
    if m["notify"]:
        label += " · N(" + ", ".join(n["name"] for n in m["notify"]) + ")"
    return label


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1] + "…"


def _text(x: float, y: float, text: str, size: int, anchor: str = "start", colour: str = "#1b1b1b",
          weight: str = "normal", cls: str = "") -> str:
    """An SVG text element; its size is an attribute, so that a test can read it from the DOM."""
    extra = (f' font-weight="{weight}"' if weight != "normal" else "") + (f' class="{cls}"' if cls else "")
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" fill="{colour}"{extra}>'
            f"{esc(text)}</text>")


def ladder_svg(sa: dict, several_files: bool = False) -> str:
    """The SA's messages as an SVG sequence diagram (see the module's docstring)."""
    evidence = {(e["file"], e["frame"]) for f in sa["findings"] if f["severity"] != INFO for e in f["evidence"]}
    rows = _rows(sa, evidence, several_files)
    gap = None
    if len(rows) > MAX_ROWS:
        left_out = rows[HEAD_ROWS:len(rows) - TAIL_ROWS]
        gap = (HEAD_ROWS, sum(len(r.frames) for r in left_out), left_out[0].frames[0], left_out[-1].frames[-1])
        rows = rows[:HEAD_ROWS] + rows[len(rows) - TAIL_ROWS:]
    start = sa["messages"][0]["time"] if sa["messages"] else 0.0
    drawn = len(rows) + (1 if gap else 0)
    height = TOP + ROW * drawn + 12
    title = f"Message ladder: initiator {sa['initiator']['address']}, responder {sa['responder']['address']}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ladder-svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{esc(title)}" '
           'font-family="DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif">',
           _text(4, 16, "frame", 12, colour="#55606e"), _text(4, 30, "+time", 12, colour="#55606e"),
           _text(LEFT, 16, "Initiator", 13, "middle", SENDER_COLOUR[INITIATOR], "bold"),
           _text(LEFT, 32, sa["initiator"]["address"], 12, "middle", SENDER_COLOUR[INITIATOR]),
           _text(RIGHT, 16, "Responder", 13, "end", RESPONDER_COLOUR, "bold"),
           _text(RIGHT, 32, sa["responder"]["address"], 12, "end", RESPONDER_COLOUR)]
    bottom = height - 6
    for x, colour in ((LEFT, SENDER_COLOUR[INITIATOR]), (RIGHT, RESPONDER_COLOUR)):
        out.append(f'<line x1="{x}" y1="{TOP - 10}" x2="{x}" y2="{bottom}" stroke="{colour}" stroke-width="2"/>')
    y = TOP
    for position, row in enumerate(rows):
        if gap and position == gap[0]:
            out.append(_text((LEFT + RIGHT) / 2, y + 24, f"… {gap[1]} more message(s), frames {gap[2]} to {gap[3]} …",
                             12, "middle", "#55606e", cls="gap"))
            y += ROW
        m = row.first
        if row.evidence:
            out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW}" fill="{EVIDENCE_FILL}"/>')
        colour = ERROR_COLOUR if _error_notify(m) else SENDER_COLOUR.get(m["sender"], RESPONDER_COLOUR)
        frames = row.frames[0] if len(row.frames) == 1 else f"{row.frames[0]} (+{len(row.frames) - 1})"
        out.append(f"<g><title>{esc('frames ' + ', '.join(row.frames))}</title>")
        out.append(_text(4, y + 18, _clip(frames, 20), 12, cls="frame"))
        out.append(_text(4, y + 33, f"{row.times[0] - start:+.3f} s", 11, colour="#55606e", cls="time"))
        out.append(_text((LEFT + RIGHT) / 2, y + 16, _clip(_label(row), LABEL_CHARS), 13, "middle", colour,
                         "bold" if row.evidence else "normal", cls="label"))
        arrow_y = y + 25
        tip, tail = (RIGHT - 2, LEFT + 2) if m["sender"] == INITIATOR else (LEFT + 2, RIGHT - 2)
        head = -10 if tip > tail else 10
        dash = ' stroke-dasharray="6 4"' if row.copies or row.repeats > 1 else ""
        out.append(f'<line x1="{tail}" y1="{arrow_y}" x2="{tip + head}" y2="{arrow_y}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<polygon points="{tip},{arrow_y} {tip + head},{arrow_y - 5} {tip + head},{arrow_y + 5}" '
                   f'fill="{colour}"/></g>')
        y += ROW
    out.append("</svg>")
    return "\n".join(out)


# -- findings and messages -------------------------------------------------------------------------

def _finding(finding: dict, several_files: bool) -> list[str]:
    severity = finding["severity"]
    inferred = ' <span class="note">(inferred)</span>' if finding["inferred"] else ""
    out = [f'<div class="finding finding-{esc(severity)}">',
           f'<h4><span class="sev sev-{esc(severity)}">{esc(severity.upper())}</span>{esc(finding["title"])}'
           f'{inferred}<span class="rule">rule <code>{esc(finding["rule"])}</code></span></h4>',
           f"<p>{esc(finding['explanation'])}</p>"]
    if finding["details"]:
        out += ["<ul>"] + [f"<li>{esc(d)}</li>" for d in finding["details"]] + ["</ul>"]
    if finding["evidence"]:
        out.append("<p><strong>Evidence</strong></p>")
        out += _table(["frame", "time", "what it shows"],
                      [[esc(frame_name(e, several_files)), esc(_time(e["time"])), esc(e["note"])]
                       for e in finding["evidence"]], "evidence")
        for file, expression in labelled(finding, several_files):
            out.append(f"<p>Wireshark display filter{esc(f' for {file}') if file else ''}:"
                       f'<code class="filter">{esc(expression)}</code></p>')
    if finding["causes"]:
        out.append("<p><strong>Likely causes, ranked</strong></p><ol>")
        out += [f"<li><em>{esc(c['likelihood'])}</em>: {esc(c['title'])}</li>" for c in finding["causes"]]
        out.append("</ol>")
    for side, checks in finding["checks"].items():
        out.append(f"<p><strong>Check on the {esc(side)}</strong></p><ul>")
        out += [f"<li>{esc(check)}</li>" for check in checks] + ["</ul>"]
    return out + ["</div>"]


def _key_messages(sa: dict, several_files: bool) -> list[str]:
    # frame numbers restart in each file of a ring: match file and frame
    frames = {(e["file"], e["frame"]) for f in sa["findings"] for e in f["evidence"]}
    chosen = [m for m in sa["messages"] if (m["file"], m["frame"]) in frames and m["copy"] == 1][:MAX_DECODED]
    if not chosen:
        return []
    out = ["<h3>Decoded key messages</h3>"]
    for m in chosen:
        source, destination = endpoint(m["src"], m["sport"]), endpoint(m["dst"], m["dport"])
        head = (f"frame {frame_name(m, several_files)}: {m['name']}, {source} → {destination}, message ID "
                f"{m['message_id']}, {m['length']} bytes" + (", encrypted" if m["encrypted"] else ""))
        out.append(f'<details><summary class="mono">{esc(head)}</summary><ul class="payloads">')
        out += [f'<li class="mono">{esc(p)}</li>' for p in m["payloads"]]
        out += [f'<li class="mono">warning: {esc(w)}</li>' for w in m["warnings"]]
        out.append("</ul></details>")
    return out


def _sa_section(index: int, sa: dict, others: list[tuple[int, dict]], several_files: bool) -> list[str]:
    roles = " (roles inferred)" if sa["roles_inferred"] else ""
    out = [f'<section class="sa" id="sa-{index}">',
           f"<h2>SA {index}: {esc(sa['initiator']['address'])} → {esc(sa['responder']['address'])}, "
           f"IKEv{sa['version']} {esc(sa['mode'])}: "
           f'<span class="status-{esc(sa["status"])}">{esc(sa["status"].upper())}</span></h2>',
           f'<p class="verdict"><strong>Verdict:</strong> {esc(sa["headline"])}</p>',
           f"<p>Initiator SPI <code>{esc(sa['ispi'])}</code>, responder SPI <code>{esc(sa['rspi'])}</code>"
           f"{esc(roles)}.</p>",
           f"<p><strong>Implementations:</strong> initiator {esc(implementation_name(sa['initiator']))}, responder "
           f"{esc(implementation_name(sa['responder']))}. <strong>Capture point:</strong> "
           f"{esc(sa['capture_point']['unseen'])}</p>"]
    if others:
        named = ", ".join(f"SA {i} ({s['initiator']['address']} → {s['responder']['address']})" for i, s in others)
        out.append(f"<p>The same diagnosis holds for {len(others)} other SA(s): {esc(named)}.</p>")
    out += [f"<h3>Phase 1: {esc(sides_heading(sa['phase1']))}</h3>"] + _states(sa["phase1"])
    if sa["phase2"]["initiator"] is not None:
        out += [f"<h3>Phase 2: {esc(sa['phase2']['summary'])}</h3>"] + _states(sa["phase2"])
    if sa["messages"]:
        out += ['<h3>Message ladder</h3><div class="ladder">', ladder_svg(sa, several_files), "</div>",
                '<p class="note">Highlighted rows are the findings\' evidence; a dashed arrow stands for a message '
                "sent more than once (hover for its frames).</p>"]
    if sa["findings"]:
        out.append("<h3>Findings</h3>")
        for finding in sa["findings"]:
            out += _finding(finding, several_files)
    out += _key_messages(sa, several_files)
    return out + ["</section>"]


def render(view: dict, verbose: bool = False) -> str:
    files = view["capture"]["files"]
    several = len(files) > 1
    names = ", ".join(f["name"] for f in files)
    summary = view["summary"]
    if verbose:
        groups = [[(i, sa)] for i, sa in enumerate(view["sas"], 1)]
    else:
        groups = group_problem_sas(view)
    sections = {i: members[0][0] for members in groups for i, _ in members}
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           # nothing loads: no script, no image, no font, no connection — only the inline styles
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>IKE diagnosis: {esc(names)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>IKE diagnosis: {esc(names)}</h1>",
           f'<p class="headline">{summary["sas"]} IKE SA(s): '
           f'<span class="status-{"problem" if summary["problems"] else "healthy"}">{summary["problems"]} with '
           f"problems</span>, {summary['healthy']} healthy.</p>",
           "<h2>Capture</h2>"] + _metadata(view)
    decrypted = decryption_lines(view, verbose)
    if decrypted:
        out += ["<ul>"] + [f"<li>{esc(line)}</li>" for line in decrypted] + ["</ul>"]
    if view["capture_findings"]:
        out.append("<h2>Capture findings</h2>")
        for finding in view["capture_findings"]:
            out += _finding(finding, several)
    if view["sas"]:
        out += ["<h2>Summary</h2>"] + _summary(view, sections, verbose)
    for members in groups:
        (index, sa), others = members[0], members[1:]
        out += _sa_section(index, sa, others, several)
    warnings = view["capture"]["warnings"]
    if warnings:
        out += ["<h2>Capture warnings</h2>", "<ul>"] + [f"<li>{esc(w)}</li>" for w in warnings] + ["</ul>"]
    out += [f'<p class="note">ikepcap {esc(view["tool"]["version"])}</p>', "</body>", "</html>"]
    return "\n".join(out) + "\n"

