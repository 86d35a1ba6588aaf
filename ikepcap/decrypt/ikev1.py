"""IKEv1 decryption: one CBC chain per ISAKMP SA and one per message ID (RFC 2409 Appendix B).

* Phase 1 starts from IV = hash(g^xi | g^xr) cut to the cipher's block; each encrypted
  phase-1 message (message ID 0) leaves its last ciphertext block as the IV of the next one,
  whichever peer sent it.
* A message ID seen for the first time (Quick Mode, Informational, Transaction) starts from
  hash(last phase-1 block | message ID); its later messages chain on as in phase 1.
* Which "last phase-1 block" an implementation uses for an Informational is not always the
  one RFC 2409 means (a notify sent while phase 1 is still running, Libreswan's protected
  Informationals): every earlier phase-1 block and the initial IV are tried, newest first.

IKEv1 has no integrity check on the ciphertext, so a plaintext is accepted only when its
payload chain walks cleanly from the header's next-payload to next-payload NONE inside the
plaintext, with reserved bytes zero and the rest no more than padding. That is how a wrong key,
or a wrong IV, is recognised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ikepcap.decode import iana
from ikepcap.decode.model import Plaintext
from ikepcap.decode.wire import GenericPayloadHeader, Header
from ikepcap.decrypt.algorithms import V1Cipher
from ikepcap.decrypt.ciphers import CryptoError, cbc_decrypt, v1_hash

# The most padding an implementation adds: RFC 2409 §5.3 pads to the block; some add a whole
# block more, and the pad-length byte of RFC 2408 §3.1 implementations can reach 255.
MAX_PADDING = 255
MAX_PAYLOADS = 64
_V1_TYPES = frozenset(iana.V1_PAYLOAD_TYPES)
UNVERIFIED_HASH = ("the first cipher block was read without its IV (the sender's IV is not RFC 2409's): "
                   "the HASH is not verified, the payloads after it are")
HASH = iana.V1_PAYLOAD_TYPES.number("HASH")
# What follows HASH in an Informational (RFC 2409 §5.7): a notification or a delete.
AFTER_HASH = tuple(iana.V1_PAYLOAD_TYPES.number(name) for name in ("Notify", "Delete"))


@dataclass(frozen=True, slots=True)
class Garbled:
    """The message did not decrypt to a payload chain: wrong key, wrong IV, or damage."""

    reason: str


def chain_end(plain: bytes, first: int) -> tuple[int, tuple[int, ...]] | str:
    """Where the payload chain starting with type ``first`` ends in ``plain`` and the types it
    holds (the message keeps them, so that asking whether a type is inside walks nothing), or
    why it is not a payload chain at all."""
    offset, kind, count = 0, first, 0
    types = []
    while kind != 0:
        if kind not in _V1_TYPES or count == MAX_PAYLOADS:
            return f"payload type {kind} at offset {offset} is not an IKEv1 payload"
        if offset + GenericPayloadHeader.size > len(plain):
            return f"the chain runs past the plaintext at offset {offset}"
        kind_next, reserved, length = GenericPayloadHeader.unpack_fields(plain, offset)
        if reserved != 0 or length < GenericPayloadHeader.size or offset + length > len(plain):
            return f"payload header at offset {offset} is not valid (reserved {reserved}, length {length})"
        types.append(kind)
        offset += length
        kind = kind_next
        count += 1
    if len(plain) - offset > MAX_PADDING:
        return f"{len(plain) - offset} bytes after the last payload"
    return offset, tuple(types)


def decrypt_body(key: bytes, iv: bytes, body: bytes, first: int) -> Plaintext | Garbled:
    """One try: CBC-decrypt ``body`` and check that it reads as a payload chain."""
    try:
        plain = cbc_decrypt(key, iv, body)
    except CryptoError as error:
        return Garbled(str(error))
    except ValueError as error:                     # key of a size the cipher refuses
        return Garbled(f"the key does not fit the cipher: {error}")
    walked = chain_end(plain, first)
    if isinstance(walked, str):
        return Garbled(f"decryption looks wrong: {walked}")
    end, types = walked
    return Plaintext(first, plain[:end], types=types)


@dataclass(slots=True)
class Session:
    """The IV state of one ISAKMP SA while its messages are decrypted in capture order."""

    key: bytes
    cipher: V1Cipher
    hash_name: str
    initial_iv: bytes
    phase1_iv: bytes = b""
    phase1_blocks: list[bytes] = field(default_factory=list)     # each phase-1 message's last block
    next_iv: dict[int, bytes] = field(default_factory=dict)      # per message ID
    done: dict[bytes, Plaintext | Garbled] = field(default_factory=dict)   # by message bytes: copies

    def __post_init__(self) -> None:
        self.phase1_iv = self.initial_iv

    def open(self, data: bytes) -> Plaintext | Garbled:
        """Decrypt one whole ISAKMP message with the E flag (header included)."""
        known = self.done.get(data)
        if known is not None:
            return known                            # a retransmission: same bytes, same IV, no chain step
        body = b""
        if len(data) >= Header.size:
            fields = Header.unpack_fields(data)
            next_payload, mid, length = fields[2], fields[6], fields[7]
            body = data[Header.size:length if Header.size <= length <= len(data) else len(data)]
        block = self.cipher.block
        if not body or len(body) % block:
            result: Plaintext | Garbled = Garbled(f"truncated: {len(body)} bytes of ciphertext, not whole "
                                                  f"{block}-byte blocks")
            self.done[data] = result
            return result
        last = body[-block:]
        if mid == 0:
            result = decrypt_body(self.key, self.phase1_iv, body, next_payload)
            self.phase1_iv = last
            self.phase1_blocks.append(last)
        else:
            result = self._open_phase2(mid, body, next_payload)
            self.next_iv[mid] = last
        self.done[data] = result
        return result

    def _open_phase2(self, mid: int, body: bytes, first: int) -> Plaintext | Garbled:
        chained = self.next_iv.get(mid)
        if chained is not None:
            candidates: Iterable[bytes] = (chained,)
        else:                                       # hashed one at a time: the first one almost always fits
            bases = [self.phase1_iv, *reversed(self.phase1_blocks), self.initial_iv]
            candidates = (v1_hash(self.hash_name, b, mid.to_bytes(4, "big"))[:self.cipher.block]
                          for b in dict.fromkeys(bases))
        first_try: Garbled | None = None
        for iv in candidates:
            result = decrypt_body(self.key, iv, body, first)
            if isinstance(result, Plaintext):
                return result
            first_try = first_try or result
        if chained is None:
            past_iv = self._past_first_block(body, first)
            if past_iv is not None:
                return past_iv
        return first_try or Garbled("no IV to try")

    def _past_first_block(self, body: bytes, first: int) -> Plaintext | None:
        """An Informational whose IV is none of the above (Libreswan's notifies sent before phase 1
        completes; Wireshark shows them as malformed): in CBC a wrong IV garbles the first block
        only. Such a message starts with HASH, whose length the negotiated hash fixes, so the
        payloads after it lie past the first block and are read if they form a valid chain;
        only the HASH's header and first bytes stay unverified."""
        hash_payload = GenericPayloadHeader.size + len(v1_hash(self.hash_name, b""))
        block = self.cipher.block
        if first != HASH or hash_payload < block or len(body) <= hash_payload:
            return None
        try:
            plain = cbc_decrypt(self.key, bytes(block), body)
        except (CryptoError, ValueError):
            return None
        for kind in AFTER_HASH:
            walked = chain_end(plain[hash_payload:], kind)
            if not isinstance(walked, str):
                end, types = walked
                header = GenericPayloadHeader.pack(next_payload=kind, reserved=0, length=hash_payload)
                return Plaintext(first, header + plain[GenericPayloadHeader.size:hash_payload + end],
                                 (UNVERIFIED_HASH,), (first, *types))
        return None


def phase1_iv(hash_name: str, g_xi: bytes, g_xr: bytes, block: int) -> bytes:
    """RFC 2409 Appendix B: IV = hash(g^xi | g^xr), truncated to the cipher's block."""
    return v1_hash(hash_name, g_xi, g_xr)[:block]


def cisco_reassemble(pieces: list[tuple[int, bool, bytes]]) -> bytes | None:
    """The ISAKMP message carried in Cisco fragments (payload 132): ``(number, last, data)``
    for each fragment received; None until fragments 1..last are all there."""
    by_number = {number: data for number, _, data in pieces}
    lasts = [number for number, last, _ in pieces if last]
    if not lasts:
        return None
    total = min(lasts)
    if any(n not in by_number for n in range(1, total + 1)):
        return None
    return b"".join(by_number[n] for n in range(1, total + 1))


def fit_key(key: bytes, cipher: V1Cipher, key_bits: int | None) -> bytes | str:
    """The cipher key out of the table's key: a longer key is cut (Wireshark does the same)."""
    want = key_bits // 8 if key_bits else cipher.key_bytes[0]
    if want not in cipher.key_bytes:
        return f"key length {key_bits} bits is not one {cipher.name} takes"
    if len(key) < want:
        return f"the key has {len(key)} bytes, {cipher.name} needs {want}"
    return key[:want]
