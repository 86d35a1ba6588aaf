"""Turning wire bytes into text a person can read, without losing what was there."""

from __future__ import annotations

import string

# The reader names addresses too, and read comes before decode: the helper lives there.
from ikepcap.read.model import address

_PRINTABLE = frozenset(string.printable.encode()) - frozenset(b"\t\n\r\x0b\x0c")


def prefix_length(mask: bytes) -> int | None:
    """The prefix length of a contiguous netmask, None when the mask has holes."""
    bits = int.from_bytes(mask, "big")
    width = len(mask) * 8
    ones = bin(bits).count("1")
    if bits != ((1 << ones) - 1) << (width - ones):
        return None
    return ones


def subnet(addr: bytes, mask: bytes) -> str:
    length = prefix_length(mask)
    if length is None:
        return f"{address(addr)}/{address(mask)}"
    return f"{address(addr)}/{length}"


def wire_text(data: bytes) -> str:
    """Text from a field the RFC calls a string (FQDN, user FQDN, banner).

    Invalid UTF-8 is kept as \\xNN escapes so the result is always valid UTF-8 and
    nothing is silently dropped.
    """
    return data.decode("utf-8", "backslashreplace")


def hex_and_ascii(data: bytes) -> str:
    """Hex, plus the printable ASCII reading when there is one worth showing.

    Vendor IDs are often a vendor's name or version in plain ASCII ("OpenIKED-7.4"); showing
    that beside the hex is what makes an unknown VID identifiable.
    """
    text = data.hex()
    printable = sum(1 for b in data if b in _PRINTABLE)
    if data and printable >= max(4, len(data) * 3 // 4):
        shown = "".join(chr(b) if b in _PRINTABLE else "." for b in data)
        return f"{text} ({shown!r})"
    return text
