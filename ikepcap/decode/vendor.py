"""Naming a Vendor ID payload from the table in ``vendor_ids``.

Many vendors append a version or capability flags to a fixed prefix, so an exact match is
tried first and then the longest matching prefix; an unmatched VID stays unnamed and the
report shows its hex and any ASCII in it.
"""

from __future__ import annotations

from functools import lru_cache

from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import VendorID
from ikepcap.decode.vendor_ids import VENDOR_IDS

_EXACT: dict[bytes, str] = {bytes.fromhex(h): name for h, name, prefix in VENDOR_IDS if not prefix}
_PREFIXES: tuple[tuple[bytes, str], ...] = tuple(sorted(
    ((bytes.fromhex(h), name) for h, name, prefix in VENDOR_IDS if prefix),
    key=lambda entry: -len(entry[0]),
))


@lru_cache(maxsize=4096)
def vendor_name(data: bytes) -> str | None:
    name = _EXACT.get(data)
    if name is not None:
        return name
    for prefix, prefixed_name in _PREFIXES:
        if data.startswith(prefix):
            return prefixed_name
    return None


def decode_vid(head: Head, body: bytes, ctx: Context) -> VendorID:
    if not body:
        ctx.warn(head, "empty vendor ID")
    return VendorID(*head, data=body, vendor=vendor_name(body))
