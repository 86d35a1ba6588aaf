"""Every payload type of both IKE versions, decoded from byte strings laid out by hand.

The payload bytes below are written field by field from the RFC layouts (RFC 2408 §3,
RFC 2407 §4.6, RFC 3947 §3-4, RFC 3706, RFC 7296 §3, RFC 7383 §2.5), not produced by
ikepcap's own builder, so a wrong offset in the decoder cannot hide behind the same mistake.
"""

from __future__ import annotations

import struct

from conftest import FIXTURES, decode_bytes
from test_decrypted import plaintext

from ikepcap.decode import model
from ikepcap.synth import ike

ISPI = bytes.fromhex("0011223344556677")
RSPI = bytes.fromhex("8899aabbccddeeff")


def msg(first: int, exchange: int, body_hex: str, version: int = 0x10, flags: int = 0, mid: int = 0,
        rspi: bytes = RSPI) -> bytes:
    body = bytes.fromhex(body_hex.replace(" ", ""))
    return ISPI + rspi + struct.pack("!BBBBII", first, version, exchange, flags, mid, 28 + len(body)) + body


def only(message: model.Message):
    assert not message.warnings, message.warnings
    assert len(message.payloads) == 1
    return message.payloads[0]


# --- header -------------------------------------------------------------------------------

def test_header_fields_v1_and_v2():
    m = decode_bytes(msg(0, 2, "", flags=0x03, mid=0x01020304))
    assert (m.ispi, m.rspi, m.version_text, m.exchange_type, m.exchange) == (ISPI, RSPI, "1.0", 2, "Main Mode")
    assert (m.flags, m.message_id, m.length, m.size, m.encrypted) == (3, 0x01020304, 28, 28, True)
    m2 = decode_bytes(msg(0, 43, "", version=0x20, flags=0x28, mid=7))
    assert (m2.version_text, m2.exchange, m2.is_response, m2.from_original_initiator) == \
        ("2.0", "IKE_INTERMEDIATE", True, True)
    assert m2.payloads == () and not m2.warnings


# --- IKEv1 ----------------------------------------------------------------------------------

SA_V1 = (
    "00000001 00000001"                      # DOI IPsec, situation SIT_IDENTITY_ONLY
    "00 00 0024 01 01 00 01"                 # proposal: last, len 36, #1, ISAKMP, SPI size 0, 1 transform
    "00 00 001c 01 01 0000"                  # transform: last, len 28, #1, KEY_IKE
    "800e 0100"                              # Key Length = 256 (TV)
    "8001 0007"                              # Encryption = AES-CBC
    "8002 0004"                              # Hash = SHA2-256
    "8003 0001"                              # Auth = PSK
    "8004 000e"                              # Group = MODP-2048
)


def test_v1_sa_proposal_transform_attributes():
    sa = only(decode_bytes(msg(1, 2, f"00 00 {4 + len(bytes.fromhex(SA_V1.replace(' ', ''))):04x}" + SA_V1)))
    assert isinstance(sa, model.SecurityAssociation)
    assert (sa.doi, sa.situation) == (1, 1)
    (proposal,) = sa.proposals
    assert (proposal.number, proposal.protocol, proposal.spi) == (1, "ISAKMP", b"")
    (transform,) = proposal.transforms
    assert (transform.number, transform.transform_id, transform.id_name) == (1, 1, "KEY_IKE")
    assert [(a.name, a.value, a.meaning) for a in transform.attributes] == [
        ("Key Length", 256, None),
        ("Encryption Algorithm", 7, "AES-CBC"),
        ("Hash Algorithm", 4, "SHA2-256"),
        ("Authentication Method", 1, "Pre-Shared Key"),
        ("Group Description", 14, "MODP-2048"),
    ]


def test_v1_tlv_life_duration_and_phase2_esp_transform():
    body = (
        "00000001 00000001"
        "00 00 0028 01 03 04 01 deadbeef"        # proposal: ESP, SPI size 4, SPI deadbeef, 1 transform
        "00 00 001c 01 0c 0000"                  # transform #1, ESP_AES-CBC
        "8001 0001"                              # SA Life Type = seconds
        "0002 0004 00007080"                     # SA Life Duration = 28800 (TLV, 4 bytes)
        "8004 0001"                              # Encapsulation = Tunnel
        "8005 0002"                              # Auth = HMAC-SHA
    )
    sa = only(decode_bytes(msg(1, 32, f"00 00 {4 + len(bytes.fromhex(body.replace(' ', ''))):04x}" + body)))
    (proposal,) = sa.proposals
    assert (proposal.protocol, proposal.spi) == ("ESP", bytes.fromhex("deadbeef"))
    (transform,) = proposal.transforms
    assert transform.id_name.startswith("ESP_AES")
    assert [(a.name, a.value, a.meaning) for a in transform.attributes] == [
        ("SA Life Type", 1, "seconds"),
        ("SA Life Duration", 28800, None),
        ("Encapsulation Mode", 1, "Tunnel"),
        ("Authentication Algorithm", 2, "HMAC-SHA"),
    ]


def test_proposals_in_the_words_of_a_configuration():
    from ikepcap.decode.sa import proposal_text
    ike = SA_V1.replace(" ", "")
    sa = only(decode_bytes(msg(1, 2, f"00 00 {4 + len(ike) // 2:04x}" + ike)))
    assert proposal_text(sa.proposals[0]) == "ISAKMP AES-CBC-256 SHA2-256 Pre-Shared Key MODP-2048"
    esp = ("00000001 00000001"
           "00 00 0030 01 03 04 01 deadbeef"         # ESP, SPI deadbeef, 1 transform
           "00 00 0024 01 0c 0000"                   # ESP_AES-CBC
           "8001 0001" "0002 0004 00007080"          # life: seconds, 28800
           "8006 0100" "8004 0001" "8005 0002" "8003 000e")  # key length 256, tunnel, HMAC-SHA, PFS group 14
    sa = only(decode_bytes(msg(1, 32, f"00 00 {4 + len(esp.replace(' ', '')) // 2:04x}" + esp)))
    assert proposal_text(sa.proposals[0]) == "ESP ESP_AES-CBC-256 HMAC-SHA MODP-2048 Tunnel 28800 s"
    v2 = SA_V2.replace(" ", "")
    sa = only(decode_bytes(msg(33, 34, f"00 00 {4 + len(v2) // 2:04x}" + v2, version=0x20)))
    assert proposal_text(sa.proposals[0]) == \
        "IKE ENCR=AES-CBC-256, PRF=HMAC-SHA2-256, INTEG=HMAC-SHA2-256-128, KE=ECP-256"


def test_v1_ke_nonce_hash_sig():
    m = decode_bytes(msg(4, 2, "0a 00 0008 01020304" "08 00 0006 aabb" "09 00 0005 cc" "00 00 0007 010203"))
    ke, nonce, hash_, sig = m.payloads
    assert isinstance(ke, model.KeyExchange) and (ke.group, ke.data_length) == (None, 4)
    assert (nonce.name, nonce.data_length) == ("NONCE", 2)
    assert (hash_.name, hash_.data_length) == ("HASH", 1)
    assert (sig.name, sig.data_length) == ("SIG", 3)
    assert not m.warnings


def test_v1_identification_types():
    cases = [
        ("01 11 01f4 c0000201", "ID_IPV4_ADDR", "192.0.2.1", 17, 500),
        ("02 00 0000 " + b"vpn.example.com".hex(), "ID_FQDN", "vpn.example.com", 0, 0),
        ("03 00 0000 " + b"user@example.com".hex(), "ID_USER_FQDN", "user@example.com", 0, 0),
        ("04 00 0000 c0000200 ffffff00", "ID_IPV4_ADDR_SUBNET", "192.0.2.0/24", 0, 0),
        ("05 00 0000 20010db8000000000000000000000001", "ID_IPV6_ADDR", "2001:db8::1", 0, 0),
        ("06 00 0000 20010db8000000000000000000000000 ffffffffffffffff0000000000000000",
         "ID_IPV6_ADDR_SUBNET", "2001:db8::/64", 0, 0),
        ("07 00 0000 c0000201 c00002fe", "ID_IPV4_ADDR_RANGE", "192.0.2.1-192.0.2.254", 0, 0),
        ("0b 00 0000 " + b"group-a".hex(), "ID_KEY_ID", "67726f75702d61 ('group-a')", 0, 0),
    ]
    for body, type_name, value, protocol, port in cases:
        length = 4 + len(bytes.fromhex(body.replace(" ", "")))
        ident = only(decode_bytes(msg(5, 2, f"00 00 {length:04x} " + body)))
        assert (ident.id_type_name, ident.value, ident.protocol_id, ident.port) == (type_name, value, protocol, port)


def test_v1_identification_der_dn():
    # SEQUENCE { SET { SEQUENCE { OID 2.5.4.3 (CN), UTF8String "gw" } } }
    dn = "300d310b300906035504030c026777"
    ident = only(decode_bytes(msg(5, 2, f"00 00 {8 + len(dn) // 2:04x} 09 00 0000 " + dn)))
    assert (ident.id_type_name, ident.value) == ("ID_DER_ASN1_DN", "CN=gw")


def test_v1_identification_wrong_size_is_a_warning():
    m = decode_bytes(msg(5, 2, "00 00 000b 01 00 0000 c00002"))   # IPv4 address of 3 bytes
    (ident,) = m.payloads
    assert ident.value == "c00002"
    assert m.warnings == ("ID payload: identity of type 1: 3 bytes of data, the type needs 4",)


def test_v1_certificate_x509():
    der = bytes.fromhex((FIXTURES / "gw.example.net.der.hex").read_text().strip())
    body = bytes([4]) + der
    cert = only(decode_bytes(msg(6, 2, f"00 00 {4 + len(body):04x}" + body.hex())))
    assert isinstance(cert, model.Certificate)
    assert cert.encoding_name.startswith("X.509 Certificate - Signature")
    assert cert.subject == "C=CH, O=Example VPN, CN=gw.example.net"
    assert cert.issuer == cert.subject
    assert cert.serial == "1234"
    assert cert.not_before.startswith("2026-11-27") and cert.not_after.startswith("2036-11-24")


def test_v1_certificate_garbage_is_a_warning():
    m = decode_bytes(msg(6, 2, "00 00 0009 04 30 82 ff ff"))
    (cert,) = m.payloads
    assert cert.subject is None and cert.data_length == 4
    assert len(m.warnings) == 1 and "could not be read" in m.warnings[0]


def test_v1_certificate_request_with_ca_dn():
    dn = "300d310b300906035504030c024341"
    creq = only(decode_bytes(msg(7, 2, f"00 00 {5 + len(dn) // 2:04x} 04" + dn)))
    assert isinstance(creq, model.CertificateRequest)
    assert creq.authorities == ("CN=CA",)


def test_v1_notify_invalid_cookie_and_dpd():
    m = decode_bytes(msg(11, 5,
                         "0b 00 001c 00000001 01 10 0004 0011223344556677 8899aabbccddeeff"   # INVALID_COOKIE
                         "00 00 0010 00000001 01 00 8d28 00000005"))                         # R_U_THERE seq 5
    invalid, dpd = m.payloads
    assert (invalid.notify_type, invalid.notify_name, invalid.protocol_id) == (4, "INVALID_COOKIE", 1)
    assert invalid.spi == ISPI + RSPI and invalid.data == b""
    assert (dpd.notify_name, dpd.details) == ("R_U_THERE", (("sequence", 5),))
    assert not m.warnings


def test_v1_notify_responder_lifetime():
    data = "8001 0001 0002 0004 00000e10"          # life type seconds, duration 3600
    n = only(decode_bytes(msg(11, 32, f"00 00 {16 + len(data.replace(' ', '')) // 2:04x} 00000001 03 04 6000 "
                                       "11223344 " + data)))
    assert (n.notify_name, n.protocol_id, n.spi.hex()) == ("RESPONDER_LIFETIME", 3, "11223344")
    assert n.details == (("SA Life Type", "seconds"), ("SA Life Duration", 3600))


def test_v1_delete():
    d = only(decode_bytes(msg(12, 5, "00 00 0014 00000001 03 04 0002 11111111 22222222")))
    assert isinstance(d, model.Delete)
    assert (d.protocol, d.spis) == ("ESP", (bytes.fromhex("11111111"), bytes.fromhex("22222222")))


def test_v1_vendor_ids_known_and_unknown():
    m = decode_bytes(msg(13, 2, "0d 00 0014 4a131c81070358455c5728f20e95452f"    # RFC 3947
                                "00 00 000f " + b"AcmeVPN-4.2".hex()))
    rfc, unknown = m.payloads
    assert rfc.vendor == "RFC 3947 NAT-T"
    assert unknown.vendor is None and unknown.data == b"AcmeVPN-4.2"


def test_v1_mode_config_attributes():
    body = ("02 00 1234"                             # ISAKMP_CFG_REPLY, identifier 0x1234
            "0001 0004 0a000001"                     # INTERNAL_IP4_ADDRESS 10.0.0.1
            "c088 0001")                             # XAUTH_TYPE (16520, TV) = RADIUS-CHAP
    cfg = only(decode_bytes(msg(14, 6, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x} " + body)))
    assert isinstance(cfg, model.Configuration)
    assert (cfg.cfg_type_name, cfg.identifier) == ("ISAKMP_CFG_REPLY", 0x1234)
    assert [(a.type, a.meaning) for a in cfg.attributes] == [(1, "10.0.0.1"), (16520, "RADIUS-CHAP")]


def test_v1_nat_d_rfc_and_draft_numbers():
    h = "00112233445566778899aabbccddeeff00112233"
    m = decode_bytes(msg(20, 2, f"82 00 0018 {h}" f"0f 00 0018 {h}" f"00 00 0018 {h}"))
    assert all(isinstance(p, model.NatDiscovery) and p.hash.hex() == h for p in m.payloads)
    assert [(p.type, p.name) for p in m.payloads] == [(20, "NAT-D"), (130, "NAT-D (draft)"), (15, "NAT-D (draft)")]
    assert not m.warnings


def test_v1_nat_oa():
    m = decode_bytes(msg(21, 32, "83 00 000c 01 000000 c0a80001" "00 00 000c 01 000000 0a000002"))
    assert [(p.type, p.address) for p in m.payloads] == [(21, "192.168.0.1"), (131, "10.0.0.2")]


def test_v1_cisco_fragment():
    frag = only(decode_bytes(msg(132, 2, "00 00 000c 0007 02 01 aabbccdd")))
    assert isinstance(frag, model.CiscoFragment)
    assert (frag.fragment_id, frag.number, frag.last, frag.data_length) == (7, 2, True, 4)


def test_v1_encrypted_body():
    m = decode_bytes(msg(5, 2, "00" * 40, flags=1))
    (body,) = m.payloads
    assert isinstance(body, model.Encrypted)
    assert (body.type, body.first_payload_name, body.data_length) == (5, "ID", 40)
    assert m.encrypted and not m.warnings


def test_v1_unknown_payload_is_kept():
    m = decode_bytes(msg(133, 243, "00 00 0008 01020304"))
    (payload,) = m.payloads
    assert isinstance(payload, model.Opaque) and payload.type == 133 and payload.data_length == 4
    assert m.exchange_type == 243
    assert m.warnings == (f"{payload.name} payload: type 133 is not known; kept as 4 bytes",)


# --- IKEv2 ----------------------------------------------------------------------------------

SA_V2 = (
    "00 00 002c 01 01 00 04"                 # proposal: last, len 44, #1, IKE, SPI size 0, 4 transforms
    "03 00 000c 01 00 000c 800e 0100"        # ENCR AES-CBC, Key Length 256
    "03 00 0008 02 00 0005"                  # PRF HMAC-SHA2-256
    "03 00 0008 03 00 000c"                  # INTEG HMAC-SHA2-256-128
    "00 00 0008 04 00 0013"                  # KE ECP-256 (19)
)


def test_v2_sa():
    body = SA_V2.replace(" ", "")
    sa = only(decode_bytes(msg(33, 34, f"00 00 {4 + len(body) // 2:04x}" + body, version=0x20, flags=8)))
    (proposal,) = sa.proposals
    assert (proposal.protocol, len(proposal.transforms)) == ("IKE", 4)
    assert [(t.type_name, t.id_name) for t in proposal.transforms] == [
        ("ENCR", "AES-CBC"), ("PRF", "HMAC-SHA2-256"), ("INTEG", "HMAC-SHA2-256-128"), ("KE", "ECP-256")]
    assert [(a.name, a.value) for a in proposal.transforms[0].attributes] == [("Key Length", 256)]


def test_v2_ke_nonce_auth_and_critical_bit():
    m = decode_bytes(msg(34, 34, "28 00 000c 000e 0000 a1a2a3a4" "27 80 0008 b1b2b3b4" "00 00 000c 02 000000 c1c2c3c4",
                         version=0x20))
    ke, nonce, auth = m.payloads
    assert (ke.group, ke.group_name, ke.data_length) == (14, "MODP-2048", 4)
    assert (nonce.name, nonce.data_length, nonce.critical) == ("Nonce", 4, True)
    assert isinstance(auth, model.Authentication) and (auth.method, auth.data_length) == (2, 4)
    assert auth.method_name.startswith("Shared Key")


def test_v2_identification():
    m = decode_bytes(msg(35, 35, "24 00 0011 02 000000 " + b"a.example".hex() + "00 00 000c 01 000000 c6336401",
                         version=0x20))
    idi, idr = m.payloads
    assert (idi.name, idi.id_type_name, idi.value) == ("IDi", "ID_FQDN", "a.example")
    assert (idr.name, idr.id_type_name, idr.value) == ("IDr", "ID_IPV4_ADDR", "198.51.100.1")


def test_v2_certreq_sha1_hashes():
    hashes = "11" * 20 + "22" * 20
    creq = only(decode_bytes(msg(38, 34, f"00 00 {5 + 40:04x} 04" + hashes, version=0x20)))
    assert creq.authorities == ("11" * 20, "22" * 20)


def test_v2_certreq_is_a_hash_list_whatever_the_encoding():
    # RFC 7296 §3.7: the Certification Authority field is SHA-1 key hashes for every encoding
    creq = only(decode_bytes(msg(38, 34, "00 00 0019 0c" + "33" * 20, version=0x20)))
    assert (creq.encoding, creq.authorities) == (12, ("33" * 20,))
    m = decode_bytes(msg(38, 34, "00 00 0017 0c" + "44" * 18, version=0x20))
    assert (m.payloads[0].authorities, m.warnings) == \
        ((), ("CERTREQ payload: 18 bytes of CA key hashes is not a multiple of 20",))


def test_v2_notifies_with_data():
    m = decode_bytes(msg(41, 34,
                         "29 00 000a 00 00 0011 000e"                               # INVALID_KE_PAYLOAD, group 14
                         "29 00 0014 00 00 4006 0102030405060708090a0b0c"            # COOKIE
                         "29 00 000e 00 00 402f 0002 0003 0004"                      # SIGNATURE_HASH_ALGORITHMS
                         "00 00 001c 00 00 4004 " + "ab" * 20,                       # NAT_DETECTION_SOURCE_IP
                         version=0x20, flags=0x20))
    invalid_ke, cookie, sigs, natd = m.payloads
    assert invalid_ke.details == (("group", 14), ("group_name", "MODP-2048"))
    assert (cookie.notify_name, cookie.details) == ("COOKIE", (("cookie", "0102030405060708090a0b0c"),))
    assert sigs.details == (("algorithms", "SHA2-256, SHA2-384, SHA2-512"),)
    assert (natd.notify_name, natd.details) == ("NAT_DETECTION_SOURCE_IP", (("hash", "ab" * 20),))
    assert not m.warnings


def test_v2_delete_and_vendor_id():
    m = decode_bytes(msg(42, 37, "2b 00 0010 03 04 0002 aaaaaaaa bbbbbbbb"
                                 "00 00 0014 882fe56d6fd20dbc2251613b2ebe5beb",
                         version=0x20))
    delete, vid = m.payloads
    assert (delete.protocol, len(delete.spis)) == ("ESP", 2)
    assert vid.vendor == "strongSwan"


def test_v2_traffic_selectors():
    body = ("02 000000"
            "07 00 0010 0000 ffff c0000200 c00002ff"                   # TS_IPV4_ADDR_RANGE, any protocol
            "08 11 0028 01f4 01f4 " + "20010db8" + "00" * 12 + "20010db8" + "ff" * 12)  # IPv6, UDP 500
    ts = only(decode_bytes(msg(44, 35, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x} " + body, version=0x20)))
    first, second = ts.selectors
    assert (first.ts_type_name, first.start_address, first.end_address, first.start_port, first.end_port) == \
        ("TS_IPV4_ADDR_RANGE", "192.0.2.0", "192.0.2.255", 0, 65535)
    assert (second.ip_protocol, second.start_address, second.end_address, second.start_port) == \
        (17, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 500)


def _ts_payload(body: str) -> bytes:
    return msg(44, 35, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x} " + body, version=0x20)


def test_v2_seclabel_then_address_range():
    label = b"system_u:object_r:ipsec_spd_t:s0\x00"                   # RFC 9478, sent with its NUL
    body = (f"02 000000"
            f"0a 00 {4 + len(label):04x} " + label.hex() +            # TS_SECLABEL: head, then the label
            "07 06 0010 0016 0016 c0000201 c0000201")                 # TS_IPV4_ADDR_RANGE, TCP 22
    seclabel, ipv4 = only(decode_bytes(_ts_payload(body))).selectors
    assert (seclabel.ts_type_name, seclabel.ip_protocol, seclabel.body) == \
        ("TS_SECLABEL", 0, "system_u:object_r:ipsec_spd_t:s0")
    assert (seclabel.start_port, seclabel.end_port, seclabel.start_address, seclabel.end_address) == \
        (None, None, None, None)
    assert (ipv4.ts_type_name, ipv4.ip_protocol, ipv4.start_port, ipv4.end_port, ipv4.start_address,
            ipv4.end_address, ipv4.body) == ("TS_IPV4_ADDR_RANGE", 6, 22, 22, "192.0.2.1", "192.0.2.1", None)


def test_the_one_line_view_shows_a_label_where_a_range_has_addresses():
    from ikepcap.report.messages import message_line
    label = b"system_u:object_r:ipsec_spd_t:s0\x00"
    body = (f"02 000000 0a 00 {4 + len(label):04x} " + label.hex() + "07 06 0010 0016 0016 c0000201 c0000201")
    line = message_line(decode_bytes(_ts_payload(body)))
    assert "TSi(TS_SECLABEL system_u:object_r:ipsec_spd_t:s0, 192.0.2.1-192.0.2.1 proto 6)" in line
    assert "None" not in line


def test_v2_short_seclabel_and_fc_range_keep_the_selectors_after_them():
    body = ("03 000000"
            "0a 00 0006 ff01"                                          # TS_SECLABEL of 2 unprintable bytes
            "09 00 0014 00010203 00040506 00000000 0000ffff"           # TS_FC_ADDR_RANGE (RFC 4595): as hex
            "07 00 0010 0000 ffff 0a000000 0a0000ff")
    seclabel, fc, ipv4 = only(decode_bytes(_ts_payload(body))).selectors
    assert seclabel.body == "ff01"
    assert (fc.ts_type_name, fc.body, fc.start_address) == \
        ("TS_FC_ADDR_RANGE", "0001020300040506000000000000ffff", None)
    assert (ipv4.start_address, ipv4.end_address) == ("10.0.0.0", "10.0.0.255")


def test_v2_range_selector_too_short_for_its_addresses():
    body = ("02 000000"
            "07 00 000a 0000 ffff c000"                                # IPv4 range cut after 2 address bytes
            "0a 00 0008 61626364")                                     # TS_SECLABEL "abcd"
    m = decode_bytes(_ts_payload(body))
    short, seclabel = m.payloads[0].selectors
    assert (short.start_port, short.end_port, short.start_address, short.body) == (0, 65535, None, "0000ffffc000")
    assert seclabel.body == "abcd"
    assert m.warnings == ("TSi payload: selector 1 has 2 address bytes, expected 8",)


def test_v2_configuration():
    body = "02 000000" "0001 0004 0a000001" "000d 0008 0a000000 ffffff00" "0007 0003 616263"
    cp = only(decode_bytes(msg(47, 35, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x} " + body, version=0x20)))
    assert cp.cfg_type_name == "CFG_REPLY"
    assert [(a.name, a.meaning) for a in cp.attributes] == [
        ("INTERNAL_IP4_ADDRESS", "10.0.0.1"), ("INTERNAL_IP4_SUBNET", "10.0.0.0/24"), ("APPLICATION_VERSION", "abc")]


def test_v2_eap():
    eap = only(decode_bytes(msg(48, 35, "00 00 000d 01 07 0009 01 " + b"user".hex(), version=0x20)))
    assert (eap.code_name, eap.identifier, eap.eap_type, eap.eap_type_name, eap.eap_length) == \
        ("Request", 7, 1, "Identity", 9)


def test_v2_sk_ends_the_clear_chain():
    m = decode_bytes(msg(46, 35, "23 00 0018" + "00" * 20, version=0x20, mid=1))
    (sk,) = m.payloads
    assert isinstance(sk, model.Encrypted)
    assert (sk.type, sk.first_payload_name, sk.data_length) == (46, "IDi", 20)
    assert m.encrypted and not m.warnings


def test_v2_skf():
    m = decode_bytes(msg(53, 35, "23 00 0010 0001 0003" + "00" * 8, version=0x20, mid=1))
    (skf,) = m.payloads
    assert (skf.number, skf.total, skf.first_payload_name, skf.data_length) == (1, 3, "IDi", 8)
    m2 = decode_bytes(msg(53, 35, "00 00 0010 0003 0003" + "00" * 8, version=0x20, mid=1))
    assert (m2.payloads[0].number, m2.payloads[0].first_payload) == (3, 0) and not m2.warnings


def test_sk_and_skf_alone_are_what_a_full_decode_gives():
    for kind, body in ((46, "23 00 0018" + "00" * 20), (53, "23 00 0010 0001 0003" + "00" * 8)):
        data = msg(kind, 35, body, version=0x20, mid=1)
        alone = decode_bytes(data).payloads_of(kind, kind)
        full = decode_bytes(data)
        assert len(alone) == 1 and alone == full.payloads
        assert full.payloads_of(kind, kind) == alone and alone[0].first_payload_name == "IDi"


def test_v1_encrypted_body_has_no_clear_payloads_before_or_after_a_full_decode():
    data = msg(8, 2, "00" * 24, flags=0x01)                    # E flag: HASH first, inside the ciphertext
    m = decode_bytes(data)
    assert (m.chain, m.clear_chain, m.carries(8, 39), m.payloads_of(8, 39)) == ((8,), (), False, ())
    assert isinstance(m.payloads[0], model.Encrypted) and m.payloads_of(8, 39) == ()


# --- what a hostile or cut-off message does ------------------------------------------------

def test_payload_length_shorter_than_its_header():
    m = decode_bytes(msg(13, 2, "00 00 0002 0000"))
    assert m.payloads == ()
    assert "shorter than its header" in m.warnings[0]


def test_payload_running_past_the_message():
    m = decode_bytes(msg(13, 2, "00 00 0040 aabbccdd"))
    (vid,) = m.payloads
    assert vid.data == bytes.fromhex("aabbccdd")
    assert m.warnings == ("VID payload at offset 28 declares 64 bytes, 8 present",)


def test_chain_announcing_a_payload_that_is_not_there():
    m = decode_bytes(msg(13, 2, "0d 00 0008 aabbccdd"))
    assert len(m.payloads) == 1
    assert m.warnings == ("the chain announces a VID payload at offset 36, but the message ends",)


def test_header_length_disagreeing_with_the_data():
    data = bytearray(msg(13, 2, "00 00 0008 aabbccdd"))
    struct.pack_into("!I", data, 24, 100)
    assert decode_bytes(bytes(data)).warnings == ("header length 100, only 36 bytes present",)
    struct.pack_into("!I", data, 24, 0)
    assert decode_bytes(bytes(data)).warnings[0] == "header length 0 is shorter than the 28-byte header"
    trailing = decode_bytes(msg(13, 2, "00 00 0008 aabbccdd") + b"\x00\x00")
    assert trailing.warnings == ("2 byte(s) after the 36-byte message",)


def test_too_short_for_a_header_is_not_a_message():
    from ikepcap.decode.message import decode_datagram
    from ikepcap.read.model import Datagram
    assert decode_datagram(Datagram("t", 1, 0.0, "192.0.2.1", "192.0.2.2", 500, 500, b"\x00" * 27, False, 55, 64)) \
        is None


def test_conversation_from_the_header_alone_is_the_decoded_one():
    from ikepcap.decode.message import conversation_of, decode_datagram
    from ikepcap.read.model import Datagram
    for data in (msg(13, 2, "00 00 0008 aabbccdd"), msg(0, 34, "", version=0x20), msg(0, 2, "", version=0xbe)):
        datagram = Datagram("t", 1, 0.0, "198.51.100.1", "192.0.2.1", 500, 500, data, False, 28 + len(data), 64)
        assert conversation_of(datagram) == decode_datagram(datagram).conversation
    assert conversation_of(Datagram("t", 1, 0.0, "192.0.2.1", "192.0.2.2", 500, 500, b"\x00" * 27, False, 55, 64)) \
        is None


def test_unknown_major_version_is_read_as_v1_with_a_warning():
    m = decode_bytes(msg(0, 2, "", version=0xbe))
    assert (m.version_text, m.major, decode_bytes(msg(0, 34, "", version=0x20)).major) == ("11.14", 1, 2)
    assert m.warnings == ("unknown IKE major version 11 (version byte 0xbe); read as IKEv1",)


def test_proposal_with_more_transforms_than_announced():
    body = ("00000001 00000001"
            "00 00 0010 01 01 00 05"                 # announces 5 transforms
            "00 00 0008 01 01 0000")                 # has 1
    m = decode_bytes(msg(1, 2, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x}" + body))
    assert m.warnings == ("SA payload: proposal 1 announces 5 transform(s), 1 found",)


def test_proposal_too_short_for_its_fields_is_skipped_in_both_versions():
    v1 = ("00000001 00000001"
          "02 00 0006 0101"                          # proposal of 2 bytes: no SPI size, no count
          "00 00 0008 02 01 00 00")                  # proposal 2, ISAKMP, no transforms
    m = decode_bytes(msg(1, 2, f"00 00 {4 + len(v1.replace(' ', '')) // 2:04x}" + v1))
    assert [(p.number, p.protocol) for p in m.payloads[0].proposals] == [(2, "ISAKMP")]
    assert m.warnings == ("SA payload: proposal shorter than its fixed fields",)
    v2 = "02 00 0006 0101" "00 00 0008 02 01 00 00"
    m2 = decode_bytes(msg(33, 34, f"00 00 {4 + len(v2.replace(' ', '')) // 2:04x}" + v2, version=0x20))
    assert [(p.number, p.protocol) for p in m2.payloads[0].proposals] == [(2, "IKE")]
    assert m2.warnings == ("SA payload: proposal shorter than its fixed fields",)


def test_a_payload_repeated_byte_for_byte_is_decoded_once_with_its_warnings_each_time():
    body = ("00000001 00000001"
            "00 00 0010 01 01 00 05"                 # announces 5 transforms
            "00 00 0008 01 01 0000")                 # has 1
    wire = msg(1, 2, f"00 00 {4 + len(body.replace(' ', '')) // 2:04x}" + body)
    first, second = decode_bytes(wire), decode_bytes(wire, frame=2)
    assert second.payloads_of(1, 33)[0] is first.payloads_of(1, 33)[0]
    assert first.warnings == second.warnings == ("SA payload: proposal 1 announces 5 transform(s), 1 found",)


def test_what_an_sas_messages_repeat_is_held_once():
    """Ports, SPIs and payload chains: one object for every message that carries them."""
    first = decode_bytes(ike.message(ISPI, RSPI, 34, [(43, b"a vendor id")], version=0x20), int("4500"), int("4500"))
    second = decode_bytes(ike.message(ISPI, RSPI, 34, [(43, b"another")], version=0x20), int("4500"), int("4500"),
                          frame=2)
    assert int("4500") is not int("4500")             # each port an object of its own, as a reader makes them
    for name in ("ispi", "rspi", "chain", "sport", "dport"):
        assert getattr(first, name) is getattr(second, name), name
    assert second.ispi == ISPI and second.chain == (43,) and second.sport == 4500


def test_a_decrypted_payload_is_never_shared_with_a_clear_one():
    vid = (43, b"the same vendor id")
    clear = decode_bytes(ike.message(ISPI, RSPI, 34, [vid], version=0x20))
    sk = decode_bytes(ike.message(ISPI, RSPI, 35, [vid, (46, bytes(48))], version=0x20, first_payload=43), frame=2)
    sk.open_with(plaintext(vid, version=0x20))
    assert [v.decrypted for v in sk.vendor_ids()] == [False, True]
    again = decode_bytes(ike.message(ISPI, RSPI, 34, [vid], version=0x20), frame=3)
    assert [v.decrypted for v in clear.vendor_ids() + again.vendor_ids()] == [False, False]


# --- what a message remembers of its payloads ---------------------------------------------------

def test_a_message_holds_no_cache_of_its_own_until_asked_and_after_forgetting() -> None:
    """A busy headend's messages are mostly never asked for a payload: they share one empty
    cache, and a message lets go of its answers when told to."""
    vid = bytes(2) + (4 + 7).to_bytes(2, "big") + b"ikepcap"
    data = bytes(8) + bytes(8) + bytes([13, 0x10, 2, 0]) + bytes(4) + (28 + len(vid)).to_bytes(4, "big") + vid
    first, second = decode_bytes(data), decode_bytes(data, frame=2)
    assert first.cache is second.cache is model.NOTHING_CACHED
    assert not first.cache and first.cache.get(model.ALL) is None and model.ALL not in first.cache
    (found,) = first.vendor_ids()
    assert found.data == b"ikepcap" and first.cache and second.cache is model.NOTHING_CACHED
    first.forget()
    assert first.cache is model.NOTHING_CACHED and first.vendor_ids() == (found,)
