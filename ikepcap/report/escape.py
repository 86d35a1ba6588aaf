"""Making text that came off the wire safe for where it is going.

An identity, a vendor ID or a certificate subject in a hostile capture can carry terminal
escape sequences or Markdown/HTML that breaks out of a report. Each destination gets its own
escaping here, and every renderer uses it for every wire string.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

try:    # the same text some 30 times faster: json.dumps with an indent runs in pure Python
    import orjson
except ImportError:                             # pragma: no cover - the standard library will do
    orjson = None

# C0 controls, DEL, C1 controls, the Unicode characters that reorder or hide text (bidi
# overrides, zero-width marks, line/paragraph separators), and lone surrogates: the bytes of a
# file name that is not valid in the locale's encoding (os.fsdecode's surrogateescape).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
# What json.dumps(ensure_ascii=False) leaves raw but a terminal or a JavaScript parser acts on.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:                # a byte of a file name, as surrogateescape kept it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """No control or reordering character reaches the terminal; each shows as an escape."""
    return _UNSAFE.sub(_escape_char, text)


def json_text(value: object, indented: bool = False) -> str:
    """JSON that is valid UTF-8 whatever it holds, with C1 controls, bidi and zero-width marks,
    line separators and lone surrogates as \\u escapes: the same value for a JSON reader, nothing
    for a terminal (``decode --format jsonl`` goes to one) or a JavaScript parser to act on.
    Indented by two spaces, or compact (one record a line)."""
    text = _dumps(value, indented)
    if text.isascii() and "\x7f" not in text:     # most records: nothing to look for
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _dumps(value: object, indented: bool) -> str:
    """orjson's text, which is the standard library's byte for byte with these options; the
    standard library where orjson is missing or refuses (a file name's undecodable bytes kept as
    lone surrogates, an integer beyond 64 bits)."""
    if orjson is not None:
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indented else 0).decode()
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, ensure_ascii=False, **({"indent": 2} if indented else {"separators": (",", ":")}))


def json_item(item: object) -> str:
    """An item of ``json_document``'s list as that document shows it, indented under the list."""
    # JSON strings hold no raw line break: every line of the item is a line of its structure
    return json_text(item, indented=True).replace("\n", "\n    ")


def json_document(document: dict, key: str) -> Iterator[str]:
    """``json_text(document, indented=True)`` in pieces, the list under ``key`` an item at a
    time: a report of 100,000 SAs is never one string of hundreds of megabytes. An item that is
    not a dict has its text made already (``spool.Piece``)."""
    items = document[key]
    if not items:
        yield json_text(document, indented=True)
        return
    keys = list(document)
    at = keys.index(key)
    before, after = ({k: document[k] for k in part} for part in (keys[:at], keys[at + 1:]))
    yield "{\n"
    if before:
        yield json_text(before, indented=True)[2:-2] + ",\n"         # its members, without "{\n" and "\n}"
    yield f"  {json_text(key)}: [\n"
    for number, item in enumerate(items):
        yield ("    " if number == 0 else ",\n    ") + (json_item(item) if isinstance(item, dict) else item.text())
    yield "\n  ]"
    if after:
        yield ",\n" + json_text(after, indented=True)[2:-2]
    yield "\n}"


# Characters that start emphasis, code, links, tables, headings or strikethrough inline. Wire
# strings never start a line in the reports, so list and block markers (-, +, 1.) stay as they are.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


# What GitHub's autolinking turns into a live link without any Markdown syntax (GFM "autolinks
# (extension)"): a scheme's "://" and "www.". A zero-width space, as an entity, breaks the match
# and shows nothing.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|www)(:|\.)")


def markdown(text: str) -> str:
    """Inline Markdown: controls escaped, HTML neutralised, Markdown syntax backslashed, bare
    URLs not linked."""
    escaped = html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", terminal(text)), quote=False)
    return _AUTOLINK.sub(r"\1&#8203;\2", escaped)


def html_text(text: str) -> str:
    """HTML or SVG text and attribute values: controls escaped, markup and quotes neutralised."""
    return html.escape(terminal(text), quote=True)


def mermaid(text: str) -> str:
    """A Mermaid label: no line breaks, no characters that end a statement or start markup."""
    cleaned = terminal(text)
    return "".join(ch if ch.isalnum() or ch in " .,:/=-_()" else f"#{ord(ch)};" for ch in cleaned)
