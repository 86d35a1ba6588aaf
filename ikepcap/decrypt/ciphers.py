"""The ciphers and integrity checks of IKE, as data, and the few operations decryption needs.

One row per algorithm, with every name under which a key file may mention it: the IANA name,
the number on the wire, Wireshark's ``ikev2_decryption_table`` string (which strongSwan's
save-keys plugin writes verbatim) and strongSwan's log name (``selected proposal: IKE:...``).
The primitives are those of ``cryptography`` (OpenSSL); only AES-XCBC (RFC 3566), which
OpenSSL does not offer, is built here from AES-ECB.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

try:                                            # cryptography >= 43 moved 3DES to the decrepit module
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:                             # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES


class CryptoError(Exception):
    """Why a ciphertext could not be opened: the text is the reason shown to the user."""


CBC, CTR, GCM, CHACHA = "cbc", "ctr", "gcm", "chacha20-poly1305"


@dataclass(frozen=True, slots=True)
class Encryption:
    """An IKEv2 encryption transform at one key size (RFC 7296 §3.3.2, IANA "Transform Type 1")."""

    name: str                       # IANA name and key size
    transform_id: int
    key_bits: int
    mode: str
    block: int                      # the cipher's block: padding aligns to it (1: none needed)
    iv_bytes: int                   # the explicit IV that opens the SK payload
    salt_bytes: int                 # taken from the end of SK_e (RFC 5930 §2, RFC 5282 §7.1, RFC 7634 §2)
    icv_bytes: int                  # AEAD tag; 0 when a separate integrity transform is used
    wireshark: str | None           # the name in Wireshark's table; None where Wireshark has none
    strongswan: tuple[str, ...]     # names in charon's "selected proposal" line
    tcpdump: tuple[str, ...]        # names in tcpdump -E key lines, which Libreswan logs (name + key bits)

    @property
    def key_bytes(self) -> int:
        """How long SK_e is: the cipher key and its salt."""
        return self.key_bits // 8 + self.salt_bytes

    @property
    def aead(self) -> bool:
        return self.icv_bytes > 0


@dataclass(frozen=True, slots=True)
class Integrity:
    """An IKEv2 integrity transform (IANA "Transform Type 3")."""

    name: str
    transform_id: int
    key_bytes: int
    icv_bytes: int                  # the truncated MAC at the end of the SK payload
    hash: str | None                # hashlib name for HMAC; None for AES-XCBC
    wireshark: str | None
    strongswan: tuple[str, ...]
    tcpdump: str


def _aes(mode: str, bits: int, transform_id: int, icv: int = 0, wireshark: str | None = None,
         strongswan: tuple[str, ...] = (), tcpdump: str = "") -> Encryption:
    salt = 0 if mode == CBC else 4
    return Encryption(f"ENCR_AES_{mode.upper()}" + (f"_{icv}" if icv else "") + f"-{bits}", transform_id, bits,
                      mode, 16 if mode == CBC else 1, 16 if mode == CBC else 8, salt, icv, wireshark, strongswan,
                      (f"{tcpdump}{bits}",))


ENCRYPTIONS: tuple[Encryption, ...] = (
    Encryption("ENCR_3DES", 3, 192, CBC, 8, 8, 0, 0, "3DES [RFC2451]", ("3DES_CBC",), ("3des", "3des192")),
    *(_aes(CBC, b, 12, wireshark=f"AES-CBC-{b} [RFC3602]", strongswan=(f"AES_CBC_{b}",), tcpdump="aes")
      for b in (128, 192, 256)),
    *(_aes(CTR, b, 13, wireshark=f"AES-CTR-{b} [RFC5930]", strongswan=(f"AES_CTR_{b}",), tcpdump="aes_ctr")
      for b in (128, 192, 256)),
    # Libreswan calls GCM with the 8-byte ICV plain "aes_gcm".
    *(_aes(GCM, b, tid, icv, f"AES-GCM-{b} with {icv} octet ICV [RFC5282]", (f"AES_GCM_{icv}_{b}",), tcpdump)
      for tid, icv, tcpdump in ((18, 8, "aes_gcm"), (19, 12, "aes_gcm_12"), (20, 16, "aes_gcm_16"))
      for b in (128, 192, 256)),
    # Wireshark's IKEv2 table has no ChaCha20-Poly1305 (RFC 7634): only charon's name reaches it.
    Encryption("ENCR_CHACHA20_POLY1305", 28, 256, CHACHA, 1, 8, 4, 16, None,
               ("CHACHA20_POLY1305", "CHACHA20_POLY1305_256"), ("chacha20_poly1305256",)),
)

INTEGRITIES: tuple[Integrity, ...] = (
    Integrity("AUTH_HMAC_SHA1_96", 2, 20, 12, "sha1", "HMAC_SHA1_96 [RFC2404]", ("HMAC_SHA1_96",), "sha1"),
    Integrity("AUTH_AES_XCBC_96", 5, 16, 12, None, None, ("AES_XCBC_96",), "aes_xcbc"),
    Integrity("AUTH_HMAC_SHA2_256_128", 12, 32, 16, "sha256", "HMAC_SHA2_256_128 [RFC4868]", ("HMAC_SHA2_256_128",),
              "sha256"),
    Integrity("AUTH_HMAC_SHA2_384_192", 13, 48, 24, "sha384", "HMAC_SHA2_384_192 [RFC4868]", ("HMAC_SHA2_384_192",),
              "sha384"),
    Integrity("AUTH_HMAC_SHA2_512_256", 14, 64, 32, "sha512", "HMAC_SHA2_512_256 [RFC4868]", ("HMAC_SHA2_512_256",),
              "sha512"),
)
# What an AEAD row writes for integrity: Wireshark's table (and save-keys), tcpdump/Libreswan.
NO_INTEGRITY = ("NONE [RFC4306]", "", "none")

_ENCRYPTION_NAMES = {n: e for e in ENCRYPTIONS for n in (e.name, e.wireshark, *e.strongswan, *e.tcpdump) if n}
_INTEGRITY_NAMES = {n: i for i in INTEGRITIES for n in (i.name, i.wireshark, *i.strongswan, i.tcpdump) if n}
_ENCRYPTION_IDS = {(e.transform_id, e.key_bits): e for e in ENCRYPTIONS}
_INTEGRITY_IDS = {i.transform_id: i for i in INTEGRITIES}


def encryption_named(name: str) -> Encryption | None:
    return _ENCRYPTION_NAMES.get(name.strip())


def integrity_named(name: str) -> Integrity | None:
    return _INTEGRITY_NAMES.get(name.strip())


def encryption_by_id(transform_id: int, key_bits: int | None) -> Encryption | None:
    """The row for an SA payload's transform; 3DES and ChaCha20 carry no key length attribute."""
    if key_bits is None:
        key_bits = {3: 192, 28: 256}.get(transform_id, 0)
    return _ENCRYPTION_IDS.get((transform_id, key_bits))


def integrity_by_id(transform_id: int) -> Integrity | None:
    return _INTEGRITY_IDS.get(transform_id)


# --- IKEv1 (RFC 2409 Appendix A: Oakley attribute values) ------------------------------------

@dataclass(frozen=True, slots=True)
class V1Cipher:
    name: str
    block: int
    key_bytes: tuple[int, ...]      # the lengths a key of this cipher may have


# Encryption Algorithm attribute (class 1); AES (7) takes its size from Key Length (class 14).
V1_CIPHERS = {
    5: V1Cipher("3DES-CBC", 8, (24,)),
    7: V1Cipher("AES-CBC", 16, (16, 24, 32)),
}
# Hash Algorithm attribute (class 2): the hash of the phase-1 and phase-2 IVs (RFC 2409 App. B).
V1_HASHES = {1: "md5", 2: "sha1", 4: "sha256", 5: "sha384", 6: "sha512"}


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
