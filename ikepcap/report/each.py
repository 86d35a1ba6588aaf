"""``diagnose --each``: the closing table of a run over many unrelated captures.

A directory of captures from different sites is, by default, one capture (right for the files
of a tcpdump ring, which are one conversation cut in pieces); with ``--each`` every file gets
its own report, and this table at the end says in a line per file how many SAs it holds, how
many failed and the cause most of them failed with.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from tabulate import tabulate

from ikepcap.diagnose.model import PROBLEM
from ikepcap.report.escape import markdown as md
from ikepcap.report.escape import terminal
from ikepcap.report.summary import top_finding

HEADERS = ["file", "SAs", "problems", "top cause"]


def row(view: dict) -> list:
    """A capture's line: its file, SAs, problem SAs and their commonest most likely cause."""
    causes = Counter()
    for sa in view["sas"]:
        if sa["status"] == PROBLEM:
            finding = top_finding(sa)
            causes[finding["causes"][0]["title"] if finding and finding["causes"] else sa["cause"] or "?"] += 1
    top = "—"
    if causes:
        (cause, count), = causes.most_common(1)
        top = cause + (f" ({count} of {view['summary']['problems']})" if len(causes) > 1 else "")
    elif view["capture_findings"]:
        top = view["capture_findings"][0]["title"]
    name = ", ".join(f["name"] for f in view["capture"]["files"])
    return [name, view["summary"]["sas"], view["summary"]["problems"], top]


def unreadable(name: str, reason: str) -> list:
    return [name, "—", "—", f"not read: {reason}"]


def text_table(rows: list[list], width: int) -> str:
    """The files by their names alone when those tell them apart (each report above names its path)."""
    names = [PurePath(r[0]).name for r in rows]
    if len(set(names)) == len(names):
        rows = [[name, *r[1:]] for name, r in zip(names, rows)]
    # the columns' widths and the gaps between them: the cause gets the rest
    cause = max(width - max([len(HEADERS[0]), *(len(str(r[0])) for r in rows)]) - 3 - 5 - 10 - 6, 24)
    table = tabulate(rows, headers=HEADERS, tablefmt="simple", maxcolwidths=[None, None, None, cause])
    return "\n".join(terminal(line) for line in table.splitlines()) + "\n"


def markdown_table(rows: list[list]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(md(str(cell)) for cell in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
