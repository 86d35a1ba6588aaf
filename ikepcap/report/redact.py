"""``--redact``: a report that can go to a vendor or a public forum.

Every IP address, identity, certificate subject/issuer and capture file name in the report is
replaced by a pseudonym that stays the same throughout the report (``ip4-1`` is the same host
wherever it appears), so the diagnosis still reads. What gets replaced is found two ways: the
identities the decoder read from the messages, and any IPv4/IPv6 address literal in any string
of the report (an address can appear inside a sentence, a traffic selector, a subnet).
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePath

from ikepcap.decode.model import Certificate, CertificateRequest, Configuration, Identification, Notification
from ikepcap.extract.model import Extraction

_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
_IPV6_CANDIDATE = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])")


class Redactor:
    def __init__(self, extraction: Extraction) -> None:
        self.names: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self.phrases: list[tuple[str, str]] = []
        found: dict[str, str] = {}
        # Every message, encrypted ones too: with keys, --engine tshark decodes what they carry.
        for message in extraction.messages:
            for payload in message.payloads:
                if isinstance(payload, Identification) and payload.value:
                    found.setdefault(payload.value, "id")
                elif isinstance(payload, Notification):
                    for key, value in payload.details:
                        # REDIRECT's gateway (RFC 5685), under the key decode.notify._gateway gives it
                        if key == "gateway" and isinstance(value, str) and value:
                            found.setdefault(value, "id")
                elif isinstance(payload, Certificate):
                    for dn in (payload.subject, payload.issuer):
                        if dn:
                            found.setdefault(dn, "subject")
                elif isinstance(payload, CertificateRequest):
                    for authority in payload.authorities:
                        found.setdefault(authority, "ca")
                elif isinstance(payload, Configuration):
                    for attribute in payload.attributes:
                        if (attribute.meaning and not _is_address(attribute.meaning.split("/")[0])
                                and isinstance(attribute.value, bytes) and attribute.meaning.isprintable()):
                            found.setdefault(attribute.meaning, "config")
        for stats in extraction.files:
            found.setdefault(stats.file, "capture")
            self._name(stats.file, "capture")             # numbered in the capture's file order
        # the longest first, so that a name inside a longer one does not break it up
        for text, kind in sorted(found.items(), key=lambda item: -len(item[0])):
            if _is_address(text):
                continue                                  # addresses get their own, consistent, pseudonyms
            self.phrases.append((text, self._name(text, kind)))
        # findings name a ring's files by their base name ('ring_00002.pcap:17'): the same pseudonym
        basenames = [(PurePath(stats.file).name, self.names[stats.file]) for stats in extraction.files
                     if stats.file in self.names and PurePath(stats.file).name != stats.file]
        self.phrases += sorted(basenames, key=lambda item: -len(item[0]))

    def _name(self, text: str, kind: str) -> str:
        name = self.names.get(text)
        if name is None:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            name = self.names[text] = f"{kind}-{self.counters[kind]}"
        return name

    def text(self, value: str) -> str:
        for phrase, name in self.phrases:
            if phrase in value:
                value = value.replace(phrase, name)
        value = _IPV4.sub(lambda m: self._name(m.group(), "ip4"), value)
        return _IPV6_CANDIDATE.sub(self._ipv6, value)

    def _ipv6(self, match: re.Match[str]) -> str:
        token = match.group()
        try:
            canonical = str(ipaddress.IPv6Address(token))
        except ValueError:
            return token                                  # a time of day, a ratio: not an address
        return self._name(canonical, "ip6")

    def apply(self, value):
        """A copy of a view (dicts, lists, strings, numbers) with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.apply(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        return value


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def redact(view: dict, extraction: Extraction) -> dict:
    redacted = Redactor(extraction).apply(view)
    redacted["tool"]["redacted"] = True
    return redacted
