"""SK and SKF payloads sealed here for each cipher and opened by ikepcap; wrong keys, truncation
and random input are refused with a reason, never an exception."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import pytest
from conftest import CAPTURES, decode_bytes, inside
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_captures import messages

from ikepcap.decode.model import Plaintext
from ikepcap.decrypt import (
    Failed,
    Inner,
    KeySource,
    KeyStore,
    V1Key,
    V2Key,
    beside,
    ciphers,
    ikev1,
    ikev2,
    read_keys,
)
from ikepcap.decrypt.algorithms import CBC, CHACHA, CTR, ENCRYPTIONS, INTEGRITIES, V1_CIPHERS
from ikepcap.decrypt.ciphers import TripleDES
from ikepcap.decrypt.decrypt import decrypt

ISPI, RSPI = bytes.fromhex("0011223344556677"), bytes.fromhex("8899aabbccddeeff")
SOURCE = KeySource("test", 1)
# N(AUTHENTICATION_FAILED): next NONE, length 8, protocol 0, SPI size 0, type 24.
NOTIFY = bytes.fromhex("00000008000000 18".replace(" ", ""))


def seal(encryption, integrity, sk_e: bytes, sk_a: bytes, inner: bytes, first: int = 41,
         fragment: tuple[int, int] | None = None, exchange: int = 35, flags: int = 0x08) -> bytes:
    """An IKEv2 message whose SK (or SKF) payload holds ``inner``, built from RFC 7296 §3.14."""
    key, salt = sk_e[:len(sk_e) - encryption.salt_bytes], sk_e[len(sk_e) - encryption.salt_bytes:]
    iv = os.urandom(encryption.iv_bytes)
    pad = (-(len(inner) + 1)) % encryption.block
    plain = inner + bytes(pad) + bytes([pad])
    icv_bytes = encryption.icv_bytes or integrity.icv_bytes
    extra = struct.pack("!HH", *fragment) if fragment else b""
    payload_length = 4 + len(extra) + len(iv) + len(plain) + icv_bytes
    header = ISPI + RSPI + struct.pack("!BBBBII", 53 if fragment else 46, 0x20, exchange, flags, 1,
                                       28 + payload_length)
    before_iv = header + struct.pack("!BBH", first, 0, payload_length) + extra
    if encryption.mode == CHACHA:
        sealed = ChaCha20Poly1305(key).encrypt(salt + iv, plain, before_iv)
        return before_iv + iv + sealed
    if encryption.aead:
        encryptor = Cipher(algorithms.AES(key), modes.GCM(salt + iv)).encryptor()
        encryptor.authenticate_additional_data(before_iv)
        body = encryptor.update(plain) + encryptor.finalize()
        return before_iv + iv + body + encryptor.tag[:icv_bytes]
    if encryption.mode == CBC:
        algorithm = TripleDES(key) if encryption.block == 8 else algorithms.AES(key)
        encryptor = Cipher(algorithm, modes.CBC(iv)).encryptor()
    else:
        assert encryption.mode == CTR
        encryptor = Cipher(algorithms.AES(key), modes.CTR(salt + iv + b"\0\0\0\1")).encryptor()
    body = before_iv + iv + encryptor.update(plain) + encryptor.finalize()
    return body + ciphers.integrity_icv(integrity, sk_a, body)


def keys_for(encryption, integrity) -> V2Key:
    integrity = None if encryption.aead else integrity
    sk_a = os.urandom(integrity.key_bytes) if integrity else b""
    return V2Key(ISPI, RSPI, os.urandom(encryption.key_bytes), os.urandom(encryption.key_bytes), sk_a, sk_a,
                 encryption, integrity, SOURCE)


# Every AEAD cipher alone; every other cipher with every integrity transform.
PAIRS = [(e, None) for e in ENCRYPTIONS if e.aead] + [(e, i) for e in ENCRYPTIONS if not e.aead for i in INTEGRITIES]


@pytest.mark.parametrize("encryption, integrity", PAIRS, ids=lambda x: x.name if x else "AEAD")
def test_each_cipher_and_integrity_opens_what_it_sealed(encryption, integrity):
    key = keys_for(encryption, integrity)
    data = seal(encryption, key.integrity, key.sk_ei, key.sk_ai, NOTIFY)
    result = decrypt([decode_bytes(data, frame=3)], KeyStore(v2=(key,))).results[("test", 3)]
    assert isinstance(result, Inner)
    assert [(p.name, p.notify_name) for p in inside(result)] == [("Notify", "AUTHENTICATION_FAILED")]
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    refused = decrypt([decode_bytes(tampered, frame=3)], KeyStore(v2=(key,))).results[("test", 3)]
    assert isinstance(refused, Failed) and "integrity check failed" in refused.reason


def test_the_responder_direction_uses_sk_er():
    encryption, integrity = ENCRYPTIONS[1], INTEGRITIES[2]
    key = keys_for(encryption, integrity)
    response = seal(encryption, integrity, key.sk_er, key.sk_ar, NOTIFY, flags=0x20)
    assert isinstance(decrypt([decode_bytes(response)], KeyStore(v2=(key,))).results[("test", 1)], Inner)


def test_fragments_are_opened_one_by_one_then_reassembled():
    """RFC 7383: fragment 1 names the first inner payload; the others name none."""
    encryption, integrity = ENCRYPTIONS[1], INTEGRITIES[2]
    key = keys_for(encryption, integrity)
    two_notifies = bytes.fromhex("29000008000000 18".replace(" ", "")) + NOTIFY
    first = seal(encryption, integrity, key.sk_ei, key.sk_ai, two_notifies[:5], fragment=(1, 2))
    second = seal(encryption, integrity, key.sk_ei, key.sk_ai, two_notifies[5:], first=0, fragment=(2, 2))
    found = [decode_bytes(first, frame=7), decode_bytes(second, frame=8), decode_bytes(second, frame=9)]
    results = decrypt(found, KeyStore(v2=(key,))).results
    assert results[("test", 7)].plaintext == Plaintext(0, b"", ("fragment 1 of 2",))
    whole = results[("test", 8)]
    assert [p.notify_type for p in inside(whole)] == [24, 24] and whole.parts == (7, 8)
    assert results[("test", 9)].plaintext.chain == b""          # a retransmitted fragment adds nothing
    broken = second[:-3] + b"\0\0\0"
    refused = decrypt([decode_bytes(first, frame=7), decode_bytes(broken, frame=8)], KeyStore(v2=(key,)))
    assert isinstance(refused.results[("test", 8)], Failed)


def test_truncated_sk_payload_is_refused_not_raised():
    encryption, integrity = ENCRYPTIONS[1], INTEGRITIES[2]
    key = ikev2.Direction(encryption, integrity, bytes(16), bytes(32))
    assert ikev2.open_encrypted(bytes(40), 32, 40, key) == ikev2.Refused(
        "truncated: 8 bytes cannot hold IV, data and checksum")
    assert "truncated" in ikev2.open_encrypted(bytes(40), 32, 60, key).reason


def test_a_wrong_ikev2_key_is_an_integrity_failure_and_a_warning():
    pcap = CAPTURES / "v2-auth-failed.pcap"
    (right,) = read_keys(beside(pcap)).v2
    wrong = V2Key(right.ispi, right.rspi, right.sk_ei, right.sk_er, bytes(32), bytes(32), right.encryption,
                  right.integrity, SOURCE)
    result = decrypt(messages(pcap), KeyStore(v2=(wrong,)))
    assert {r.reason for r in result.results.values()} == {"integrity check failed (AUTH_HMAC_SHA2_256_128)"}
    assert result.warnings[0].startswith("test:1: 2 of 2 encrypted message(s) of SA 53b0f5b40bb29c19/")


def test_a_wrong_ikev1_key_looks_wrong_and_a_key_for_no_sa_is_named():
    pcap = CAPTURES / "v1-qm-ts-mismatch.pcap"
    (right,) = read_keys(beside(pcap)).v1
    wrong = V1Key(right.icookie, bytes(16), SOURCE)
    elsewhere = V1Key(bytes(8), bytes(16), KeySource("test", 2))
    result = decrypt(messages(pcap), KeyStore(v1=(wrong, elsewhere)))
    assert all(isinstance(r, Failed) and r.reason.startswith("decryption looks wrong") for r in result.results.values())
    assert len(result.results) == 4
    assert result.warnings[1] == "test:2: no IKEv1 SA with initiator cookie 0000000000000000 in the capture"


def test_keys_without_spis_are_tried_on_each_sa():
    pcap = CAPTURES / "v2-ts-unacceptable.pcap"
    (row,) = read_keys(beside(pcap)).v2
    anonymous = V2Key(None, None, row.sk_ei, row.sk_er, row.sk_ai, row.sk_ar, None, None, SOURCE)
    result = decrypt(messages(pcap), KeyStore(v2=(anonymous,)))
    assert [u.rspi for u in result.uses] == [row.rspi] and result.uses[0].decrypted == 2
    (v1,) = read_keys(beside(CAPTURES / "v1-qm-ts-mismatch.pcap")).v1
    result = decrypt(messages(CAPTURES / "v1-qm-ts-mismatch.pcap"), KeyStore(v1=(V1Key(None, v1.encryption_key,
                                                                                         SOURCE),)))
    assert result.uses[0].ispi == v1.icookie and result.uses[0].decrypted == 4


def test_no_keys_costs_nothing():
    assert decrypt(iter(()), KeyStore()).results == {}


def test_cisco_fragments_are_reassembled_in_order():
    assert ikev1.cisco_reassemble([(2, True, b"cd"), (1, False, b"ab")]) == b"abcd"
    assert ikev1.cisco_reassemble([(2, True, b"cd")]) is None
    assert ikev1.cisco_reassemble([(1, False, b"ab")]) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(min_size=28, max_size=300), key=st.binary(max_size=40), which=st.integers(0, 16),
       integ=st.integers(0, 4))
def test_random_ikev2_input_never_raises(data, key, which, integ):
    direction = ikev2.Direction(ENCRYPTIONS[which], INTEGRITIES[integ], key, key)
    assert isinstance(ikev2.open_encrypted(data, 32, len(data), direction), ikev2.Opened | ikev2.Refused)
    message = decode_bytes(ISPI + RSPI + bytes([46, 0x20, 35, 0x08]) + data[20:])
    v2 = V2Key(ISPI, RSPI, key, key, key, key, ENCRYPTIONS[which], INTEGRITIES[integ], SOURCE)
    decrypt([message], KeyStore(v2=(v2,)))


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200), key=st.binary(max_size=40), iv=st.sampled_from([bytes(8), bytes(16)]),
       mid=st.integers(0, 2**32 - 1))
def test_random_ikev1_input_never_raises(body, key, iv, mid):
    session = ikev1.Session(key, V1_CIPHERS[7 if len(iv) == 16 else 5], "sha1", iv)
    data = ISPI + RSPI + struct.pack("!BBBBII", 8, 0x10, 5, 1, mid, 28 + len(body)) + body
    assert isinstance(session.open(data), Plaintext | ikev1.Garbled)


def test_an_ikev2_key_for_no_sa_or_for_one_without_encryption_is_named():
    pcap = CAPTURES / "v2-auth-failed.pcap"
    (row,) = read_keys(beside(pcap)).v2
    stranger = V2Key(row.ispi, bytes(8), row.sk_ei, row.sk_er, row.sk_ai, row.sk_ar, row.encryption,
                     row.integrity, SOURCE)
    missing = V2Key(bytes(8), row.rspi, row.sk_ei, row.sk_er, row.sk_ai, row.sk_ar, row.encryption,
                    row.integrity, KeySource("test", 2))
    result = decrypt(messages(pcap), KeyStore(v2=(stranger, missing)))
    assert result.warnings == ((f"test:1: IKEv2 SA {row.ispi.hex()}/0000000000000000 has no encrypted message in "
                               "the capture"),
                               f"test:2: no IKEv2 SA 0000000000000000/{row.rspi.hex()} in the capture")
    assert result.results == {} and result.uses == ()


def test_cisco_fragments_of_an_encrypted_message_decrypt_once_whole():
    """MM5 of a lab capture cut into Cisco fragments (payload 132: id, number, flags with 1 = last):
    the fragments carry the whole encrypted ISAKMP message, header included."""
    pcap = CAPTURES / "v1-mm-healthy.pcap"
    found = messages(pcap)
    mm5 = next(m for m in found if m.encrypted)
    pieces = [mm5.data[:60], mm5.data[60:]]
    fragments = []
    for number, piece in enumerate(pieces, 1):
        body = struct.pack("!BBHHBB", 0, 0, 8 + len(piece), 7, number, number == len(pieces)) + piece
        header = mm5.data[:16] + bytes([132, 0x10, 2, 0]) + struct.pack("!II", 0, 28 + len(body))
        fragments.append(decode_bytes(header + body, frame=100 + number))
    keys = read_keys(beside(pcap))
    # A peer that fragments sends its MM5 in fragments only: put them where MM5 was.
    at = found.index(mm5)
    result = decrypt(found[:at] + fragments + found[at + 1:], keys)
    assert result.results[("test", 101)].plaintext.chain == b""
    whole = result.results[("test", 102)]
    assert [p.name for p in inside(whole, 1, mm5.exchange_type)] == ["ID", "HASH", "Notify"]
    assert whole.parts == (101, 102)
    later = [m for m in found[at + 1:] if m.encrypted]
    assert all(isinstance(result.of(m), Inner) for m in later)


def test_an_informational_keyed_from_an_earlier_phase1_block_still_decrypts():
    """RFC 2409 derives an Informational's IV from the last phase-1 block (MM6's); an
    implementation that takes the block it had when phase 1 completed on its side (MM5's, as a
    responder does before it sends MM6) is still read: earlier phase-1 blocks are tried next."""
    pcap = CAPTURES / "v1-dpd-dead-peer.pcap"
    found = messages(pcap)
    keys = read_keys(beside(pcap))
    info = next(m for m in found if m.exchange_type == 5 and m.encrypted)
    plain = decrypt(found, keys).of(info)
    mm5 = next(m for m in found if m.encrypted)
    iv = ciphers.v1_hash("sha256", mm5.data[-16:], info.message_id.to_bytes(4, "big"))[:16]
    body = info.data[28:info.length]
    cleartext = ciphers.cbc_decrypt(keys.v1[0].encryption_key, _rfc_iv(found, info), body)
    encryptor = Cipher(algorithms.AES(keys.v1[0].encryption_key), modes.CBC(iv)).encryptor()
    moved = decode_bytes(info.data[:28] + encryptor.update(cleartext) + encryptor.finalize(), frame=info.frame)
    moved.file = info.file
    rfc = ikev1.decrypt_body(keys.v1[0].encryption_key, _rfc_iv(found, info), moved.data[28:], info.next_payload)
    assert isinstance(rfc, ikev1.Garbled)                   # what Wireshark's single IV gives
    again = decrypt([moved if m is info else m for m in found], keys).of(moved)
    assert isinstance(again, Inner) and inside(again, 1, 5) == inside(plain, 1, 5)


def _rfc_iv(found, info) -> bytes:
    """hash(last block of the last phase-1 message | message ID), the IV RFC 2409 App. B names."""
    last = [m for m in found if m.encrypted and m.message_id == 0][-1]
    return ciphers.v1_hash("sha256", last.data[last.length - 16:last.length], info.message_id.to_bytes(4, "big"))[:16]


LAB = {name: messages(CAPTURES / f"{name}.pcap") for name in ("v1-qm-ts-mismatch", "v2-ts-unacceptable")}
LAB_KEYS = {name: read_keys(beside(CAPTURES / f"{name}.pcap")) for name in LAB}


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(LAB)), which=st.integers(0, 50), at=st.integers(0, 2000), value=st.integers(0, 255),
       cut=st.integers(0, 2000))
def test_damaged_lab_messages_never_raise(name, which, at, value, cut):
    """One message of a keyed lab capture with a byte changed and its tail cut: whatever the
    damage, decryption answers per message (the others still decrypt where they can)."""
    found = LAB[name]
    victim = found[which % len(found)]
    data = bytearray(victim.data)
    data[at % len(data)] = value
    damaged = decode_bytes(bytes(data[:max(28, len(data) - cut % len(data))]), frame=victim.frame)
    result = decrypt([damaged if m is victim else m for m in found], LAB_KEYS[name])
    assert all(isinstance(r, Inner | Failed) for r in result.results.values())


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789abcdefx,\" \n<>|:[]_=IRkeyvSsecrtKa", max_size=400),
       suffix=st.sampled_from(["ikev1_decryption_table", "ikev2_decryption_table", "log"]))
def test_random_key_files_never_raise(text, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x.{suffix}"
        path.write_text(text)
        store = read_keys([path, folder])
    assert isinstance(store, KeyStore)
