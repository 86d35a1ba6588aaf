"""The ciphers, integrity checks and pseudo-random functions of IKE, as data.

One row per algorithm, with every name under which a key file may mention it: the IANA name,
the number on the wire, Wireshark's ``ikev2_decryption_table`` string (which strongSwan's
save-keys plugin writes verbatim) and strongSwan's log name (``selected proposal: IKE:...``).
Apart from the operations (``ciphers``) so that what the sizes alone tell (how much an SK
payload can hold) is known to a run without keys, which has no reason to load cryptography.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ikepcap.decode import iana
from ikepcap.decode.message import Message
from ikepcap.decode.model import V1_SA, V2_SA, SecurityAssociation
from ikepcap.decode.sa import V2_KEY_LENGTH

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


# The least an SK payload spends besides its payloads, whichever algorithms above: IV, ICV (or AEAD
# tag) and the Pad Length octet.
LEAST_OVERHEAD = (min(e.iv_bytes for e in ENCRYPTIONS)
                  + min([i.icv_bytes for i in INTEGRITIES] + [e.icv_bytes for e in ENCRYPTIONS if e.aead]) + 1)

# What each PRF puts out (IANA "Transform Type 2"; RFC 4434, 4615, 4868, 9385): the size of a
# shared-key or NULL-authentication AUTH payload's data (RFC 7296 §2.15, RFC 7619 §2.1).
PRF_BYTES = {1: 16, 2: 20, 3: 24, 4: 16, 5: 32, 6: 48, 7: 64, 8: 16, 9: 64}

V2_IKE_SA_INIT = iana.V2_EXCHANGE_TYPES.number("IKE_SA_INIT")
V2_ENCR, V2_PRF, V2_INTEG = (iana.V2_TRANSFORM_TYPES.number(name) for name in ("ENCR", "PRF", "INTEG"))


@dataclass(frozen=True, slots=True)
class Negotiated:
    """The IKE SA's algorithms, as the responder chose them in its IKE_SA_INIT response."""

    encryption: Encryption | None
    integrity: Integrity | None
    prf_bytes: int | None

    def room(self, sk_data: int) -> int | None:
        """The most bytes of payloads an SK payload with ``sk_data`` bytes after its header can
        hold: less the IV, the integrity checksum (or AEAD tag) and the Pad Length octet, with no
        padding at all (RFC 7296 §3.14)."""
        encryption = self.encryption
        if encryption is None or (not encryption.aead and self.integrity is None):
            return None
        icv = encryption.icv_bytes if encryption.aead else self.integrity.icv_bytes
        return sk_data - encryption.iv_bytes - icv - 1


def negotiated_v2(messages: Iterable[Message]) -> Negotiated | None:
    """The algorithms of the responder's chosen proposal in IKE_SA_INIT (RFC 7296 §1.2)."""
    for message in messages:
        if message.exchange_type != V2_IKE_SA_INIT or not message.is_response:
            continue
        for sa in message.payloads_of(V1_SA, V2_SA, SecurityAssociation):
            for proposal in sa.proposals[:1]:
                encryption = integrity = prf = None
                for transform in proposal.transforms:
                    if transform.transform_type == V2_ENCR:
                        bits = next((a.value for a in transform.attributes if a.type == V2_KEY_LENGTH), None)
                        encryption = encryption_by_id(transform.transform_id, bits if isinstance(bits, int) else None)
                    elif transform.transform_type == V2_INTEG:
                        integrity = integrity_by_id(transform.transform_id)
                    elif transform.transform_type == V2_PRF:
                        prf = PRF_BYTES.get(transform.transform_id)
                if encryption is not None:
                    return Negotiated(encryption, integrity, prf)
    return None


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
