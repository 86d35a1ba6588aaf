"""Decryption applied to an extraction: what the keys opened goes into the messages themselves.

A message the keys opened carries the payloads found inside in ``Message.inner`` (each marked
``decrypted``), so every rule and report sees them as it sees clear ones; a message they did not
open says why in ``Message.undecrypted``. The key lines that opened each SA are kept on the
extraction for the report ("decrypted with file:line"), and what went wrong with the keys (a key
that matches no SA, a malformed line, a failed integrity check) joins the capture's warnings.
"""

from __future__ import annotations

from ikepcap.decrypt.decrypt import Failed, decrypt
from ikepcap.decrypt.keys import KeyStore
from ikepcap.extract.model import Extraction


def apply(extraction: Extraction, keys: KeyStore) -> None:
    """Decrypt the SAs ``keys`` covers (no work at all without keys) and fill the messages in."""
    if not keys and not keys.warnings:
        return
    result = decrypt(extraction.messages, keys)             # capture order: files by time, frames in order
    for message in extraction.messages:
        found = result.of(message)
        if found is None:
            continue
        if isinstance(found, Failed):
            message.undecrypted = f"{found.reason} (key {found.source})"
            continue
        message.opened = True
        message.inner = found.payloads                     # marked decrypted when decoded
        if found.warnings:
            message.notes = message.notes + tuple(f"decrypted: {w}" for w in found.warnings)
    extraction.key_uses.extend(result.uses)
    extraction.warnings.extend(result.warnings)
