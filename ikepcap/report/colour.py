"""Colour for the text report on a terminal: severities, SA statuses, phase outcomes and states.

The report is rendered as plain text first (the same bytes as in a pipe or a file) and coloured
afterwards by pattern, so colour never changes a line's width or wrapping. Only the command
decides whether to colour (a terminal, no ``NO_COLOR``, no ``--no-color``); rich writes the
escape sequences for whatever the terminal supports.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.text import Text

# (pattern, style), applied in this order; a later style overrides an earlier one where they meet.
STYLES = (
    (r"(?m)^SA \d+:.*$", "bold"),
    (r"(?m)^ *(Phase [12] —|Evidence:|Likely causes:|Check on the \w+:|Message ladder:).*$", "bold"),
    (r"\[ERROR\]", "bold white on red"),
    (r"\[WARNING\]", "bold black on yellow"),
    (r"\[info\]", "bold cyan"),
    (r"\bPROBLEM\b", "bold red"),
    (r"\bHEALTHY\b", "bold green"),
    (r"\b(stalled|rejected|not reached|failed)\b", "yellow"),
    (r"\b(completed|established|deleted)\b", "green"),
    # states: the waiting ones, the settled ones, and no state at all
    (r"\b(MM_WAIT_MSG\d|AM_\w+|IN-NEG|STATE_\w+_[IR]\d?|MM_SA_SETUP|MM_KEY_EXCH|MM_NO_STATE)\b", "yellow"),
    (r"\b(MM_ACTIVE|READY|QM_IDLE)\b", "green"),
    (r"\bno SA\b", "red"),
    (r"rule: \S+", "dim"),
    (r"(?m)^ *Wireshark( \([^)]*\))?: .*$", "magenta"),
)


def write(report: str, stream: TextIO) -> None:
    """Write ``report`` to the terminal ``stream`` in colour, exactly as wrapped."""
    text = Text(report)
    for pattern, style in STYLES:
        text.highlight_regex(pattern, style)
    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True, emoji=False, markup=False)
    console.print(text, end="")
