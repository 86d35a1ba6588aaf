"""Making text that came off the wire safe for where it is going.

An identity, a vendor ID or a certificate subject in a hostile capture can carry terminal
escape sequences or Markdown/HTML that breaks out of a report. Each destination gets its own
escaping here, and every renderer uses it for every wire string.
"""

from __future__ import annotations

import html
import re

# C0 controls, DEL, C1 controls, and the Unicode characters that reorder or hide text
# (bidi overrides, zero-width marks, line/paragraph separators).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """No control or reordering character reaches the terminal; each shows as an escape."""
    return _UNSAFE.sub(_escape_char, text)


# Characters that start emphasis, code, links, tables, headings or strikethrough inline. Wire
# strings never start a line in the reports, so list and block markers (-, +, 1.) stay as they are.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def markdown(text: str) -> str:
    """Inline Markdown: controls escaped, HTML neutralised, Markdown syntax backslashed."""
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", terminal(text)), quote=False)


def html_text(text: str) -> str:
    """HTML or SVG text and attribute values: controls escaped, markup and quotes neutralised."""
    return html.escape(terminal(text), quote=True)


def mermaid(text: str) -> str:
    """A Mermaid label: no line breaks, no characters that end a statement or start markup."""
    cleaned = terminal(text)
    return "".join(ch if ch.isalnum() or ch in " .,:/=-_()" else f"#{ord(ch)};" for ch in cleaned)
