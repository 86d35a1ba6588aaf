"""Decryption applied to an extraction: what the keys opened goes into the messages themselves.

A message the keys opened carries what was inside in ``Message.plaintext``, whose payloads it
decodes when asked (``Message.inner``, each marked ``decrypted``), so every rule and report sees
them as it sees clear ones; a message they did not open says why in ``Message.undecrypted``. The
key lines that opened each SA are kept on the extraction for the report ("decrypted with
file:line"), and what went wrong with the keys (a key that matches no SA, a malformed line, a
failed integrity check) joins the capture's warnings.

``apply`` decrypts a whole capture in one go; the diagnosis of a busy capture decrypts each of
its shares of SAs where that share is diagnosed (``ikepcap.pipeline``), with ``fill`` and
``record`` doing the same for each part.
"""

from __future__ import annotations

from collections.abc import Iterable

from ikepcap.decode.model import Message
from ikepcap.decrypt.decrypt import Decryption, Failed, decrypt
from ikepcap.decrypt.keys import KeyStore
from ikepcap.extract.model import Extraction


def apply(extraction: Extraction, keys: KeyStore) -> None:
    """Decrypt the SAs ``keys`` covers (no work at all without keys) and fill the messages in."""
    if not keys and not keys.warnings:
        return
    result = decrypt(extraction.messages, keys)             # capture order: files by time, frames in order
    fill(extraction.messages, result)
    record(extraction, result)


def fill(messages: Iterable[Message], result: Decryption) -> None:
    """Open the messages the keys opened; say why of those they did not."""
    for message in messages:
        found = result.of(message)
        if found is None:
            continue
        if isinstance(found, Failed):
            message.undecrypted = f"{found.reason} (key {found.source})"
        else:
            message.open_with(found.plaintext)


def record(extraction: Extraction, result: Decryption) -> None:
    """Which key opened which SA, and what went wrong with the keys, for the report."""
    extraction.key_uses.extend(result.uses)
    extraction.warnings.extend(result.warnings)
