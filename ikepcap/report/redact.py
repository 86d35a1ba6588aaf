"""``--redact``: a report that can go to a vendor or a public forum.

Every IP address, identity, certificate subject/issuer/authority, security label and capture
file name is replaced by a pseudonym that stays the same throughout the report (``ip4-1`` is
the same host wherever it appears), so the diagnosis still reads.

The replacement is made by construction, not by searching the text: while redacting, every
wire value is marked where it enters a sentence or a field of the report (``ikepcap.marks``),
and each marked span becomes the pseudonym of what it holds. The pseudonyms are drawn from the
structured values, in capture order: the addresses of every message, ESP flow, keepalive flow
and ICMP error, and the identities, certificate names, gateways, mode-config values and
TS_SECLABEL labels the decoder read. A marked value that none of them names (a subnet, a
range) has its addresses replaced; anything else marked gets a pseudonym of its own.

Behind the marks stand two nets, for a value a future sentence might forget to mark: the
known values as phrases (one trie-shaped pattern, time linear in the report) and address
literals by their shape. A test runs every capture with the nets off and finds nothing, so
they catch nothing today. The file's SHA-256 would name the file: it is left out. Times stay
(see the README).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from pathlib import PurePath

from ikepcap.decode.model import (
    Certificate,
    CertificateRequest,
    Configuration,
    Identification,
    Message,
    Notification,
    TrafficSelectors,
)
from ikepcap.decode.notify import WIRE_DETAILS
from ikepcap.extract.model import Extraction
from ikepcap.marks import CLOSE, OPEN, unmarked
from ikepcap.report.escape import terminal

_IPV4 = r"(?<![\d])(?<!\d\.)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\d)(?!\.\d)"
_IPV6 = (r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?"
         r"(?![0-9A-Za-z:])")
_MARKED = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")
_ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")
# The report's own words that must not be taken for a value: a one-letter identity or a file
# named "ike" would otherwise turn every "ike" of the text into a pseudonym.
MIN_PHRASE = 3


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression matching any of ``phrases``, the longest at each place, shaped as a
    trie so that matching costs the depth of the trie, not the number of phrases. Runs of a single
    child are written out flat: only branches and phrase ends nest."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        run = []
        while len(node) == 1 and "" not in node:            # one way on: no group needed
            ((ch, node),) = node.items()
            run.append(re.escape(ch))
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        body = "" if not branches else branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "".join(run) + (f"(?:{body})?" if "" in node and body else body)

    return build(trie)


def _phrase_pattern(phrases: list[str]) -> str:
    """The trie pattern; for phrases that nest too deep for it (each a prefix of the next, a
    capture built for it), a flat alternation, longest first: slower, as correct."""
    try:
        pattern = _trie_pattern(phrases)
        re.compile(pattern)
        return pattern
    except (RecursionError, re.error, OverflowError):
        return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


class Redactor:
    def __init__(self, extraction: Extraction, nets: bool = True, first_capture: int = 1) -> None:
        """``nets``: also search the text for known values and address shapes (off only to
        prove that the marks alone leave nothing); ``first_capture``: the first file's number."""
        self.nets = nets
        self.names: dict[str, str] = {}
        self.counters: dict[str, int] = {"capture": first_capture - 1}
        for stats in extraction.files:
            self._name(stats.file, "capture")             # numbered in the capture's file order
        for stats in extraction.files:              # a ring's findings name its files by their base name
            self.names.setdefault(PurePath(stats.file).name, self.names[stats.file])
        for address in _addresses(extraction):
            self._address(address)
        found: dict[str, str] = {}
        # Every message, encrypted ones too: with keys, --engine tshark decodes what they carry.
        for message in extraction.messages:
            for value, kind in _values(message):
                if value and not _is_address(value):
                    found.setdefault(value, kind)
        for value, kind in found.items():
            self._name(value, kind)
            self.names.setdefault(unmarked(value), self.names[value])     # as a mark spells it
            self.names.setdefault(terminal(value), self.names[value])     # as decode's escaped lines do
        # addresses are found by their shape, with their boundaries: as phrases, 10.0.0.1 would match in 10.0.0.12
        phrases = {text: name for text, name in self.names.items()
                   if len(text) >= MIN_PHRASE and not name.startswith("ip")}
        # decode's lines are escaped for the terminal before they can be redacted: the escaped spelling too
        for text, name in list(phrases.items()):
            phrases.setdefault(terminal(text), name)
        self.phrases = phrases
        alternatives = [f"(?P<v4>{_IPV4})", f"(?P<v6>{_IPV6})"]
        if phrases:
            alternatives.insert(0, f"(?P<known>{_phrase_pattern(list(phrases))})")
        self.pattern = re.compile("|".join(alternatives))

    def _name(self, text: str, kind: str) -> str:
        name = self.names.get(text)
        if name is None:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            name = self.names[text] = f"{kind}-{self.counters[kind]}"
        return name

    def _address(self, text: str) -> str:
        try:
            address = ipaddress.ip_address(text.strip("[]"))
        except ValueError:
            return text                                   # a time of day, a ratio: not an address
        canonical = str(address)
        name = self._name(canonical, f"ip{address.version}")
        self.names.setdefault(text, name)                 # the spelling as found, too
        return name

    def _replace(self, match: re.Match[str]) -> str:
        if match.lastgroup == "known":
            return self.phrases[match.group()]
        return self._address(match.group())

    def _marked(self, match: re.Match[str]) -> str:
        value = match.group(1)
        name = self.names.get(value)
        if name is not None:
            return name
        if not value:
            return value
        inside = _ADDRESS.sub(lambda m: self._address(m.group()), value)    # a subnet, a range, [address]
        return inside if inside != value else self._name(value, "value")

    def text(self, value: str) -> str:
        if OPEN in value:
            value = _MARKED.sub(self._marked, value)
        return self.pattern.sub(self._replace, value) if self.nets else value

    def apply(self, value):
        """A copy of a view or a record (dicts, lists, strings, numbers) with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: None if key == "sha256" else self.apply(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.apply(item) for item in value]
        return value


def _addresses(extraction: Extraction) -> Iterable[str]:
    """Every address the extraction carries, in capture order (the pseudonyms' numbering)."""
    for message in extraction.messages:
        yield message.src
        yield message.dst
    for flow in (*extraction.esp, *extraction.keepalives):
        yield flow.src
        yield flow.dst
    for error in extraction.icmp_errors:
        yield error.src
        yield error.dst


def _values(message: Message) -> Iterable[tuple[str, str]]:
    """The names a message carries, each with the kind of pseudonym it gets."""
    for payload in message.payloads:
        if isinstance(payload, Identification):
            yield payload.value, "id"
        elif isinstance(payload, Notification):
            for key, value in payload.details:
                if key in WIRE_DETAILS and isinstance(value, str):      # REDIRECT's gateway (RFC 5685)
                    yield value, "id"
        elif isinstance(payload, Certificate):
            yield payload.subject, "subject"
            yield payload.issuer, "subject"
        elif isinstance(payload, CertificateRequest):
            for authority in payload.authorities:
                yield authority, "ca"
        elif isinstance(payload, Configuration):
            for attribute in payload.attributes:
                if (attribute.meaning and isinstance(attribute.value, bytes) and attribute.meaning.isprintable()
                        and not _is_address(attribute.meaning.split("/")[0])):
                    yield attribute.meaning, "config"
        elif isinstance(payload, TrafficSelectors):
            for selector in payload.selectors:
                if selector.start_address is None and selector.body:
                    yield selector.body, "label"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def redact(view: dict, extraction: Extraction, first_capture: int = 1) -> dict:
    redacted = Redactor(extraction, first_capture=first_capture).apply(view)
    redacted["tool"]["redacted"] = True
    return redacted
