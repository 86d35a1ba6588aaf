"""Wire values marked where they enter a sentence, so that ``--redact`` replaces them by what
they are rather than by how they look.

A finding's sentence is built long before any report: "IDi ID_FQDN vpn.example.net (frame 5)
does not match …". Under ``--redact`` every value that came off the wire or names the capture
(an address, an identity, a certificate name, a file name, a selector) is wrapped, where the
sentence is built, in two private-use characters; the redactor swaps each marked span for its
pseudonym and nothing else. Without ``--redact`` nothing is marked and every sentence is the
plain text it always was. The mode is set once per command, before any work is forked, so the
workers inherit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

OPEN, CLOSE = "\ue000", "\ue001"
_marking = False


@contextmanager
def marked(on: bool) -> Iterator[None]:
    """Marking while a command builds its report (``--redact``), and never after it, whatever
    happens in between."""
    global _marking
    _marking = on
    try:
        yield
    finally:
        _marking = False


def marking() -> bool:
    """Whether wire values are being marked: without it, ``wire`` is ``str``."""
    return _marking


def wire(value: object) -> str:
    """``value`` as it goes into a sentence: marked while redacting. A value that itself holds
    the marks (a hostile identity) loses them, so it cannot end its span early."""
    text = str(value)
    if not _marking:
        return text
    return OPEN + text.replace(OPEN, "").replace(CLOSE, "") + CLOSE


def unmarked(text: str) -> str:
    """The spelling a marked value had: what the redactor looks up."""
    return text.replace(OPEN, "").replace(CLOSE, "")
