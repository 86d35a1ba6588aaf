"""Opening IKEv2 SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) payloads.

A fragment is protected on its own exactly like a whole SK payload, only the fragment number
and total sit before its IV; so one function opens both, told where the IV starts. Integrity is
checked before anything is decrypted: a wrong key or a damaged message is refused, not turned
into garbage payloads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ikepcap.decrypt.algorithms import CBC, CTR, Encryption, Integrity
from ikepcap.decrypt.ciphers import CryptoError, aead_decrypt, cbc_decrypt, ctr_decrypt, integrity_icv

GENERIC_HEADER = 4
SKF_FIELDS = 4                      # Fragment Number and Total Fragments (RFC 7383 §2.5)


@dataclass(frozen=True, slots=True)
class Opened:
    """The plaintext of one SK payload or fragment: its inner payloads, padding removed."""

    chain: bytes


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


@dataclass(frozen=True, slots=True)
class Direction:
    """The keys of one direction: initiator to responder uses SK_ei/SK_ai (RFC 7296 §2.14)."""

    encryption: Encryption
    integrity: Integrity | None
    sk_e: bytes
    sk_a: bytes


def open_encrypted(data: bytes, iv_start: int, end: int, keys: Direction) -> Opened | Refused:
    """Open the SK/SKF payload whose IV starts at ``iv_start`` and whose body ends at ``end`` in
    the message ``data``. Never raises: what went wrong is the Refused reason."""
    try:
        return Opened(_open(data, iv_start, end, keys))
    except CryptoError as error:
        return Refused(str(error))
    except (ValueError, TypeError) as error:         # a key of a size the primitive refuses
        return Refused(f"the key does not fit {keys.encryption.name}: {error}")


def _open(data: bytes, iv_start: int, end: int, keys: Direction) -> bytes:
    encryption = keys.encryption
    icv_bytes = encryption.icv_bytes if encryption.aead else keys.integrity.icv_bytes if keys.integrity else 0
    if end > len(data) or iv_start > end:
        raise CryptoError(f"truncated: the payload ends at {end}, the message has {len(data)} bytes")
    if end - iv_start < encryption.iv_bytes + icv_bytes + 1:
        raise CryptoError(f"truncated: {end - iv_start} bytes cannot hold IV, data and checksum")
    iv = data[iv_start:iv_start + encryption.iv_bytes]
    ciphertext = data[iv_start + encryption.iv_bytes:end - icv_bytes]
    icv = data[end - icv_bytes:end]
    key = keys.sk_e[:len(keys.sk_e) - encryption.salt_bytes]
    salt = keys.sk_e[len(keys.sk_e) - encryption.salt_bytes:]
    if encryption.aead:
        # RFC 5282 §5.1: the AAD is the IKE header and everything before the IV.
        plain = aead_decrypt(encryption, key, salt, iv, ciphertext, icv, data[:iv_start])
    else:
        if keys.integrity is None:
            raise CryptoError(f"{encryption.name} needs an integrity algorithm and the key names none")
        # RFC 7296 §3.14: the checksum covers the message from the IKE header to the Pad Length.
        if integrity_icv(keys.integrity, keys.sk_a, data[:end - icv_bytes]) != icv:
            raise CryptoError(f"integrity check failed ({keys.integrity.name})")
        if encryption.mode == CBC:
            plain = cbc_decrypt(key, iv, ciphertext)
        elif encryption.mode == CTR:
            plain = ctr_decrypt(key, salt, iv, ciphertext)
        else:                                         # pragma: no cover - every row has a mode above
            raise CryptoError(f"no decryption for {encryption.name}")
    pad = plain[-1] if plain else 0
    if pad + 1 > len(plain):
        raise CryptoError(f"bad padding: pad length {pad} in {len(plain)} bytes of plaintext")
    return plain[:len(plain) - pad - 1]


def sk_iv_start(payload_offset: int, fragment: bool) -> int:
    """Where the IV starts in an SK (after the generic header) or SKF payload (after the
    fragment number and total as well)."""
    return payload_offset + GENERIC_HEADER + (SKF_FIELDS if fragment else 0)
