"""Known-answer vectors from the RFCs for every cipher and integrity check decryption uses."""

from __future__ import annotations

import pytest

from ikepcap.decrypt import algorithms as rows
from ikepcap.decrypt import ciphers
from ikepcap.decrypt.algorithms import encryption_named, integrity_named
from ikepcap.decrypt.ciphers import CryptoError

h = bytes.fromhex


def test_aes_cbc_rfc3602_case_1_and_2():
    assert ciphers.cbc_decrypt(h("06a9214036b8a15b512e03d534120006"), h("3dafba429d9eb430b422da802c9fac41"),
                               h("e353779c1079aeb82708942dbe77181a")) == b"Single block msg"
    plain = ciphers.cbc_decrypt(h("c286696d887c9aa0611bbb3e2025a45a"), h("562e17996d093d28ddb3ba695a2e6f58"),
                                h("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"))
    assert plain == bytes(range(32))


def test_3des_cbc_sp800_67_example():
    key = h("0123456789abcdef23456789abcdef01456789abcdef0123")
    # SP 800-67 Rev. 1 Appendix B: first block of "The qufck brown fox jump"; with a zero IV, CBC is ECB.
    assert ciphers.cbc_decrypt(key, bytes(8), h("a826fd8ce53b855f")) == b"The qufc"


def test_cbc_under_one_key_agrees_with_a_cbc_context_per_message_whatever_the_order():
    # cbc_decrypt keeps one ECB decryptor per key and chains the blocks itself; interleaving keys,
    # ciphers and IVs must give what a fresh CBC context gives each time.
    import random

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    rng = random.Random(7)
    keys = [(rng.randbytes(size), block) for size, block in ((16, 16), (32, 16), (24, 8), (24, 16))]
    for _ in range(60):
        key, block = rng.choice(keys)
        iv, ciphertext = rng.randbytes(block), rng.randbytes(block * rng.randrange(1, 12))
        algorithm = ciphers.TripleDES(key) if block == 8 else algorithms.AES(key)
        context = Cipher(algorithm, modes.CBC(iv)).decryptor()
        assert ciphers.cbc_decrypt(key, iv, ciphertext) == context.update(ciphertext) + context.finalize()


def test_aes_ctr_rfc3686_vector_2():
    plain = ciphers.ctr_decrypt(h("7e24067817fae0d743d6ce1f32539163"), h("006cb6db"), h("c0543b59da48d90b"),
                                h("5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28"))
    assert plain == bytes(range(32))


GCM_KEY = h("feffe9928665731c6d6a8f9467308308")
GCM_PLAIN = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
              "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
GCM_CIPHER = h("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
               "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091")
GCM_AAD = h("feedfacedeadbeeffeedfacedeadbeefabaddad2")
GCM_TAG = h("5bc94fbc3221a5db94fae95ae7121a47")


@pytest.mark.parametrize("icv", [8, 12, 16])
def test_aes_gcm_with_each_icv_length(icv):
    """McGrew-Viega GCM test case 4, split as RFC 4106/5282 do: salt | explicit IV."""
    encryption = encryption_named(f"AES-GCM-128 with {icv} octet ICV [RFC5282]")
    assert encryption.icv_bytes == icv and encryption.salt_bytes == 4
    plain = ciphers.aead_decrypt(encryption, GCM_KEY, h("cafebabe"), h("facedbaddecaf888"), GCM_CIPHER,
                                 GCM_TAG[:icv], GCM_AAD)
    assert plain == GCM_PLAIN
    with pytest.raises(CryptoError, match="integrity"):
        ciphers.aead_decrypt(encryption, GCM_KEY, h("cafebabe"), h("facedbaddecaf888"), GCM_CIPHER,
                             GCM_TAG[:icv], GCM_AAD[:-1])


def test_chacha20_poly1305_rfc8439_2_8_2():
    encryption = encryption_named("CHACHA20_POLY1305")
    sunscreen = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                 b"sunscreen would be it.")
    cipher = h("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
               "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
               "3ff4def08e4b7a9de576d26586cec64b6116")
    plain = ciphers.aead_decrypt(encryption, bytes(range(0x80, 0xa0)), h("07000000"), h("4041424344454647"),
                                 cipher, h("1ae10b594f09e26a7e902ecbd0600691"), h("50515253c0c1c2c3c4c5c6c7"))
    assert plain == sunscreen


@pytest.mark.parametrize("name, full", [
    ("HMAC_SHA1_96 [RFC2404]", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),          # RFC 2202 case 2
    ("HMAC_SHA2_256_128 [RFC4868]", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("HMAC_SHA2_384_192 [RFC4868]", ("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                                    "8e2240ca5e69e2c78b3239ecfab21649")),
    ("HMAC_SHA2_512_256 [RFC4868]", ("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                                    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")),
])
def test_hmac_rfc4231_case_2_truncated_as_ike_does(name, full):
    integrity = integrity_named(name)
    icv = ciphers.integrity_icv(integrity, b"Jefe", b"what do ya want for nothing?")
    assert icv == h(full)[:integrity.icv_bytes]
    assert len(icv) * 2 == integrity.key_bytes or integrity.hash == "sha1"   # RFC 4868: ICV is half the key


@pytest.mark.parametrize("length, mac", [
    (0, "75f0251d528ac01c4573dfd584d79f29"),
    (3, "5b376580ae2f19afe7219ceef172756f"),
    (16, "d2a246fa349b68a79998a4394ff7a263"),
    (20, "47f51b4564966215b8985c63055ed308"),
    (32, "f54f0ec8d2b9f3d36807734bd5283fd4"),
    (34, "becbb3bccdb518a30677d5481fb6b4d8"),
])
def test_aes_xcbc_mac_rfc3566_vectors(length, mac):
    key = bytes(range(16))
    assert ciphers.aes_xcbc_mac(key, bytes(range(length))) == h(mac)
    assert ciphers.integrity_icv(integrity_named("AES_XCBC_96"), key, bytes(range(length))) == h(mac)[:12]


def test_every_row_is_found_by_each_of_its_names_and_numbers():
    for encryption in rows.ENCRYPTIONS:
        for name in (encryption.name, encryption.wireshark, *encryption.strongswan, *encryption.tcpdump):
            if name:
                assert encryption_named(name) is encryption
        assert rows.encryption_by_id(encryption.transform_id, encryption.key_bits) is encryption
    for integrity in rows.INTEGRITIES:
        assert rows.integrity_by_id(integrity.transform_id) is integrity
        assert integrity_named(integrity.tcpdump) is integrity
    assert rows.encryption_by_id(3, None).name == "ENCR_3DES"
    assert encryption_named("AES-CCM-128 with 16 octet ICV [RFC5282]") is None


def test_cbc_refuses_partial_blocks():
    with pytest.raises(CryptoError, match="blocks"):
        ciphers.cbc_decrypt(bytes(16), bytes(16), bytes(15))


@pytest.mark.parametrize(("encryption", "integrity", "sk_data", "room"), [
    ("AES-CBC-128 [RFC3602]", "HMAC_SHA2_256_128 [RFC4868]", 148, 148 - 16 - 16 - 1),   # sw-lsw-v2-healthy's IKE_AUTH
    ("3DES [RFC2451]", "HMAC_SHA1_96 [RFC2404]", 100, 100 - 8 - 12 - 1),
    ("AES-GCM-256 with 16 octet ICV [RFC5282]", None, 100, 100 - 8 - 16 - 1),
    ("CHACHA20_POLY1305", None, 100, 100 - 8 - 16 - 1),
    ("AES-CBC-128 [RFC3602]", None, 100, None),             # a CBC cipher without integrity: nothing to go by
])
def test_room_inside_an_sk_payload_is_its_data_less_iv_checksum_and_pad_length(encryption, integrity, sk_data, room):
    """RFC 7296 §3.14: IV | payloads | padding | Pad Length | ICV; with no padding, the rest is payloads."""
    negotiated = rows.Negotiated(encryption_named(encryption), integrity and integrity_named(integrity), 32)
    assert negotiated.room(sk_data) == room
