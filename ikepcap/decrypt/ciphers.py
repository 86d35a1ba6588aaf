"""The few operations decryption needs, on the algorithms ``algorithms`` lists as data.

The primitives are those of ``cryptography`` (OpenSSL); only AES-XCBC (RFC 3566), which
OpenSSL does not offer, is built here from AES-ECB.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

try:                                            # cryptography >= 43 moved 3DES to the decrepit module
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:                             # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

from ikepcap.decrypt.algorithms import CHACHA, Encryption, Integrity


class CryptoError(Exception):
    """Why a ciphertext could not be opened: the text is the reason shown to the user."""


def v1_hash(name: str, *parts: bytes) -> bytes:
    digest = hashlib.new(name)
    for part in parts:
        digest.update(part)
    return digest.digest()


# --- operations ------------------------------------------------------------------------------

def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """AES-CBC (RFC 3602) or 3DES-CBC (RFC 2451), chosen by the IV's length (the block).

    Each plaintext block is the block cipher's decryption of its ciphertext block XORed with
    the ciphertext block before it (the IV for the first): so one ECB decryptor per key serves
    every message of an SA, where a CBC context set up per message (its IV is fixed at
    creation) cost seven times the decryption itself on a busy capture."""
    block = len(iv)
    if not ciphertext or len(ciphertext) % block:
        raise CryptoError(f"ciphertext of {len(ciphertext)} bytes is not a whole number of "
                          f"{block}-byte blocks")
    if block == 8 and len(key) != 24:
        raise CryptoError(f"a 3DES key has 24 bytes, not {len(key)}")     # shorter ones are DES in disguise
    decrypted = _ecb_decryptor(key, block)(ciphertext)
    chained = iv + ciphertext[:-block]
    return (int.from_bytes(decrypted, "little") ^ int.from_bytes(chained, "little")).to_bytes(len(decrypted), "little")


@lru_cache(maxsize=64)              # an SA's messages are decrypted one after another: a few keys at a time
def _ecb_decryptor(key: bytes, block: int) -> Callable[[bytes], bytes]:
    """Decrypt whole blocks under ``key``; ECB keeps no state between calls given whole blocks."""
    algorithm = TripleDES(key) if block == 8 else algorithms.AES(key)
    return Cipher(algorithm, modes.ECB()).decryptor().update


def ctr_decrypt(key: bytes, salt: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """AES-CTR as IKEv2 uses it (RFC 5930, RFC 3686 §4): counter block = nonce | IV | 1."""
    decryptor = Cipher(algorithms.AES(key), modes.CTR(salt + iv + b"\x00\x00\x00\x01")).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def aead_decrypt(encryption: Encryption, key: bytes, salt: bytes, iv: bytes, ciphertext: bytes, icv: bytes,
                 aad: bytes) -> bytes:
    """AES-GCM (RFC 5282 §4-5, nonce = salt | IV) or ChaCha20-Poly1305 (RFC 7634 §2-3)."""
    try:
        if encryption.mode == CHACHA:
            return ChaCha20Poly1305(key).decrypt(salt + iv, ciphertext + icv, aad)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(salt + iv, icv, min_tag_length=len(icv))).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise CryptoError("integrity check failed (AEAD tag)") from None


def aes_xcbc_mac(key: bytes, data: bytes) -> bytes:
    """AES-XCBC-MAC (RFC 3566 §4), full 128 bits; IKE truncates it to 96 (AES-XCBC-96)."""
    encrypt = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update
    k1, k2, k3 = (encrypt(bytes([n]) * 16) for n in (1, 2, 3))
    block_cipher = Cipher(algorithms.AES(k1), modes.ECB()).encryptor().update
    whole = len(data) and len(data) % 16 == 0
    last_key = k2 if whole else k3
    if not whole:
        data += b"\x80" + bytes(15 - len(data) % 16)
    state = bytes(16)
    for offset in range(0, len(data), 16):
        block = data[offset:offset + 16]
        if offset + 16 == len(data):
            block = bytes(a ^ b for a, b in zip(block, last_key))
        state = block_cipher(bytes(a ^ b for a, b in zip(state, block)))
    return state


def integrity_icv(integrity: Integrity, key: bytes, data: bytes) -> bytes:
    """The truncated checksum IKEv2 puts at the end of an SK payload (RFC 7296 §3.14)."""
    if integrity.hash is None:
        full = aes_xcbc_mac(key, data)
    else:
        full = hmac.new(key, data, integrity.hash).digest()
    return full[:integrity.icv_bytes]
