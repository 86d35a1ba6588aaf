"""Pin the protocol number tables to the registries they come from.

The numbers asserted here were checked against the IANA registries / RFCs and against the
implementations named in the module docstrings; a change that breaks one of these tests is
a change of fact and needs a source.
"""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ikepcap.decode import iana
from ikepcap.decode.registry import Registry
from ikepcap.decode.vendor_ids import VENDOR_IDS

REQUIRED_REGISTRIES = (
    "V1_PAYLOAD_TYPES",
    "V1_EXCHANGE_TYPES",
    "V1_NOTIFY_TYPES",
    "V1_DOI",
    "V1_PROTOCOLS",
    "V1_ISAKMP_TRANSFORM_IDS",
    "V1_AH_TRANSFORM_IDS",
    "V1_ESP_TRANSFORM_IDS",
    "V1_IPCOMP_TRANSFORM_IDS",
    "V1_IKE_ATTRIBUTES",
    "V1_IKE_ENCRYPTION",
    "V1_IKE_HASH",
    "V1_IKE_AUTH_METHODS",
    "V1_GROUP_TYPES",
    "V1_LIFE_TYPES",
    "V1_IPSEC_ATTRIBUTES",
    "V1_ENCAPSULATION_MODES",
    "V1_AUTH_ALGORITHMS",
    "V1_ID_TYPES",
    "V1_SITUATIONS",
    "MODECFG_TYPES",
    "MODECFG_ATTRIBUTES",
    "XAUTH_TYPES",
    "V2_PAYLOAD_TYPES",
    "V2_EXCHANGE_TYPES",
    "V2_NOTIFY_TYPES",
    "V2_PROTOCOLS",
    "V2_TRANSFORM_TYPES",
    "V2_ENCR_IDS",
    "V2_PRF_IDS",
    "V2_INTEG_IDS",
    "V2_ESN_IDS",
    "KE_GROUPS",
    "V2_TRANSFORM_ATTRIBUTES",
    "V2_ID_TYPES",
    "V2_AUTH_METHODS",
    "V2_TS_TYPES",
    "V2_CFG_TYPES",
    "V2_CFG_ATTRIBUTES",
    "CERT_ENCODINGS",
    "SIGNATURE_HASH_ALGORITHMS",
    "EAP_CODES",
    "EAP_TYPES",
    "IP_PROTOCOLS",
)

ALL_REGISTRIES = {
    name: value for name, value in vars(iana).items() if isinstance(value, Registry)
}

# Registries whose numbers travel in a one-byte field.
ONE_BYTE = (
    "V1_PAYLOAD_TYPES",
    "V1_EXCHANGE_TYPES",
    "V1_PROTOCOLS",
    "V1_ISAKMP_TRANSFORM_IDS",
    "V1_AH_TRANSFORM_IDS",
    "V1_ESP_TRANSFORM_IDS",
    "V1_IPCOMP_TRANSFORM_IDS",
    "V1_ID_TYPES",
    "MODECFG_TYPES",
    "V2_PAYLOAD_TYPES",
    "V2_EXCHANGE_TYPES",
    "V2_PROTOCOLS",
    "V2_TRANSFORM_TYPES",
    "V2_ID_TYPES",
    "V2_AUTH_METHODS",
    "V2_TS_TYPES",
    "V2_CFG_TYPES",
    "CERT_ENCODINGS",
    "EAP_CODES",
    "EAP_TYPES",
    "IP_PROTOCOLS",
)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def freeswan_vid(name: str, marker: bytes) -> str:
    """FreeS/WAN-family VID: marker plus the ASCII-folded MD5 of the name, 12 bytes in all."""
    digest = hashlib.md5(name.encode()).digest()[: 12 - len(marker)]
    return (marker + bytes((b & 0x7F) | 0x40 for b in digest)).hex()


VID_BY_HEX = {hex_: (name, prefix) for hex_, name, prefix in VENDOR_IDS}


# --- structure ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED_REGISTRIES)
def test_required_registry_exists(name: str) -> None:
    assert isinstance(getattr(iana, name), Registry)


def test_module_holds_only_registries_and_dispatch_dicts() -> None:
    public = {k: v for k, v in vars(iana).items() if k.isupper()}
    for name, value in public.items():
        if name in ("V1_TRANSFORM_IDS", "V2_TRANSFORM_IDS"):
            assert all(isinstance(r, Registry) for r in value.values())
        else:
            assert isinstance(value, Registry), name


@pytest.mark.parametrize("name", sorted(ALL_REGISTRIES))
def test_names_are_unique_so_number_lookup_works(name: str) -> None:
    registry = ALL_REGISTRIES[name]
    names = list(registry.values())
    assert len(names) == len(set(names))
    for number, label in registry.items():
        assert label
        assert registry.number(label) == number


@pytest.mark.parametrize("name", sorted(ALL_REGISTRIES))
def test_ranges_are_well_formed_and_disjoint(name: str) -> None:
    ranges = sorted(ALL_REGISTRIES[name]._ranges)
    for low, high, label in ranges:
        assert 0 <= low <= high <= 65535 and label
    for (_, high, _), (low, _, _) in itertools.pairwise(ranges):
        assert high < low


@pytest.mark.parametrize("name", ONE_BYTE)
def test_one_byte_fields(name: str) -> None:
    assert all(0 <= number <= 255 for number in getattr(iana, name))


def test_transform_id_dispatch() -> None:
    assert iana.V1_TRANSFORM_IDS == {
        1: iana.V1_ISAKMP_TRANSFORM_IDS,
        2: iana.V1_AH_TRANSFORM_IDS,
        3: iana.V1_ESP_TRANSFORM_IDS,
        4: iana.V1_IPCOMP_TRANSFORM_IDS,
    }
    assert iana.V2_TRANSFORM_IDS[1] is iana.V2_ENCR_IDS
    assert iana.V2_TRANSFORM_IDS[2] is iana.V2_PRF_IDS
    assert iana.V2_TRANSFORM_IDS[3] is iana.V2_INTEG_IDS
    assert iana.V2_TRANSFORM_IDS[5] is iana.V2_ESN_IDS
    for transform_type in (4, *range(6, 13)):
        assert iana.V2_TRANSFORM_IDS[transform_type] is iana.KE_GROUPS


@given(number=st.integers(min_value=0, max_value=65535))
def test_every_lookup_answers(number: int) -> None:
    for registry in ALL_REGISTRIES.values():
        assert isinstance(registry[number], str)


# --- IKEv1 facts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registry", "number", "name"),
    [
        ("V1_NOTIFY_TYPES", 1, "INVALID_PAYLOAD_TYPE"),
        ("V1_NOTIFY_TYPES", 4, "INVALID_COOKIE"),
        ("V1_NOTIFY_TYPES", 14, "NO_PROPOSAL_CHOSEN"),
        ("V1_NOTIFY_TYPES", 18, "INVALID_ID_INFORMATION"),
        ("V1_NOTIFY_TYPES", 24, "AUTHENTICATION_FAILED"),
        ("V1_NOTIFY_TYPES", 30, "UNEQUAL_PAYLOAD_LENGTHS"),
        ("V1_NOTIFY_TYPES", 16384, "CONNECTED"),
        ("V1_NOTIFY_TYPES", 24576, "RESPONDER_LIFETIME"),
        ("V1_NOTIFY_TYPES", 24577, "REPLAY_STATUS"),
        ("V1_NOTIFY_TYPES", 24578, "INITIAL_CONTACT"),
        ("V1_NOTIFY_TYPES", 36136, "R_U_THERE"),
        ("V1_NOTIFY_TYPES", 36137, "R_U_THERE_ACK"),
        ("V1_NOTIFY_TYPES", 40501, "UNITY_LOAD_BALANCE"),
        ("V1_PAYLOAD_TYPES", 1, "SA"),
        ("V1_PAYLOAD_TYPES", 13, "VID"),
        ("V1_PAYLOAD_TYPES", 20, "NAT-D"),
        ("V1_PAYLOAD_TYPES", 21, "NAT-OA"),
        ("V1_PAYLOAD_TYPES", 130, "NAT-D (draft)"),
        ("V1_PAYLOAD_TYPES", 131, "NAT-OA (draft)"),
        ("V1_PAYLOAD_TYPES", 132, "Cisco-Fragment"),
        ("V1_EXCHANGE_TYPES", 2, "Main Mode"),
        ("V1_EXCHANGE_TYPES", 4, "Aggressive Mode"),
        ("V1_EXCHANGE_TYPES", 5, "Informational"),
        ("V1_EXCHANGE_TYPES", 6, "Transaction"),
        ("V1_EXCHANGE_TYPES", 32, "Quick Mode"),
        ("V1_EXCHANGE_TYPES", 33, "New Group Mode"),
        ("V1_DOI", 1, "IPSEC"),
        ("V1_DOI", 2, "GDOI"),
        ("V1_PROTOCOLS", 3, "ESP"),
        ("V1_ISAKMP_TRANSFORM_IDS", 1, "KEY_IKE"),
        ("V1_AH_TRANSFORM_IDS", 3, "AH_SHA"),
        ("V1_ESP_TRANSFORM_IDS", 3, "ESP_3DES"),
        ("V1_ESP_TRANSFORM_IDS", 12, "ESP_AES-CBC"),
        ("V1_ESP_TRANSFORM_IDS", 13, "ESP_AES-CTR"),
        ("V1_ESP_TRANSFORM_IDS", 20, "ESP_AES-GCM_16"),
        ("V1_ESP_TRANSFORM_IDS", 23, "ESP_NULL_AUTH_AES-GMAC"),
        ("V1_IPCOMP_TRANSFORM_IDS", 2, "IPCOMP_DEFLATE"),
        ("V1_IKE_ATTRIBUTES", 1, "Encryption Algorithm"),
        ("V1_IKE_ATTRIBUTES", 4, "Group Description"),
        ("V1_IKE_ATTRIBUTES", 11, "Life Type"),
        ("V1_IKE_ATTRIBUTES", 14, "Key Length"),
        ("V1_IKE_ENCRYPTION", 5, "3DES-CBC"),
        ("V1_IKE_ENCRYPTION", 7, "AES-CBC"),
        ("V1_IKE_HASH", 2, "SHA"),
        ("V1_IKE_HASH", 4, "SHA2-256"),
        ("V1_IKE_AUTH_METHODS", 1, "Pre-Shared Key"),
        ("V1_IKE_AUTH_METHODS", 3, "RSA Signatures"),
        ("V1_IKE_AUTH_METHODS", 9, "ECDSA-SHA256 (P-256)"),
        ("V1_IKE_AUTH_METHODS", 64221, "HybridInitRSA"),
        ("V1_IKE_AUTH_METHODS", 65001, "XAUTHInitPreShared"),
        ("V1_IKE_AUTH_METHODS", 65010, "XAUTHRespRSARevisedEncryption"),
        ("V1_GROUP_TYPES", 2, "ECP"),
        ("V1_LIFE_TYPES", 1, "seconds"),
        ("V1_LIFE_TYPES", 2, "kilobytes"),
        ("V1_IPSEC_ATTRIBUTES", 1, "SA Life Type"),
        ("V1_IPSEC_ATTRIBUTES", 4, "Encapsulation Mode"),
        ("V1_IPSEC_ATTRIBUTES", 5, "Authentication Algorithm"),
        ("V1_IPSEC_ATTRIBUTES", 15, "SA Direction"),
        ("V1_ENCAPSULATION_MODES", 1, "Tunnel"),
        ("V1_ENCAPSULATION_MODES", 3, "UDP-Encapsulated-Tunnel"),
        ("V1_ENCAPSULATION_MODES", 61443, "UDP-Encapsulated-Tunnel (draft)"),
        ("V1_ENCAPSULATION_MODES", 61444, "UDP-Encapsulated-Transport (draft)"),
        ("V1_AUTH_ALGORITHMS", 2, "HMAC-SHA"),
        ("V1_AUTH_ALGORITHMS", 5, "HMAC-SHA2-256"),
        ("V1_AUTH_ALGORITHMS", 13, "AES-256-GMAC"),
        ("V1_ID_TYPES", 1, "ID_IPV4_ADDR"),
        ("V1_ID_TYPES", 3, "ID_USER_FQDN"),
        ("V1_ID_TYPES", 4, "ID_IPV4_ADDR_SUBNET"),
        ("V1_ID_TYPES", 11, "ID_KEY_ID"),
        ("V1_SITUATIONS", 1, "SIT_IDENTITY_ONLY"),
        ("MODECFG_TYPES", 2, "ISAKMP_CFG_REPLY"),
        ("MODECFG_ATTRIBUTES", 1, "INTERNAL_IP4_ADDRESS"),
        ("MODECFG_ATTRIBUTES", 7, "APPLICATION_VERSION"),
        ("MODECFG_ATTRIBUTES", 14, "SUPPORTED_ATTRIBUTES"),
        ("MODECFG_ATTRIBUTES", 16520, "XAUTH_TYPE"),
        ("MODECFG_ATTRIBUTES", 16527, "XAUTH_STATUS"),
        ("MODECFG_ATTRIBUTES", 16529, "XAUTH_ANSWER"),
        ("MODECFG_ATTRIBUTES", 28672, "UNITY_BANNER"),
        ("MODECFG_ATTRIBUTES", 28673, "UNITY_SAVE_PASSWD"),
        ("MODECFG_ATTRIBUTES", 28674, "UNITY_DEF_DOMAIN"),
        ("MODECFG_ATTRIBUTES", 28676, "UNITY_SPLIT_INCLUDE"),
        ("XAUTH_TYPES", 0, "Generic"),
        ("XAUTH_TYPES", 1, "RADIUS-CHAP"),
    ],
)
def test_ikev1_facts(registry: str, number: int, name: str) -> None:
    assert getattr(iana, registry)[number] == name


def test_ikev1_private_notify_blocks_are_labelled() -> None:
    assert iana.V1_NOTIFY_TYPES[40000] == "private use (status) (40000)"
    assert iana.V1_NOTIFY_TYPES[9000] == "private use (errors) (9000)"
    assert iana.V1_NOTIFY_TYPES[50000] == "reserved (status) (50000)"
    assert iana.V1_PAYLOAD_TYPES[200] == "private use (200)"
    assert iana.V1_EXCHANGE_TYPES[250] == "private use (250)"


# --- IKEv2 facts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registry", "number", "name"),
    [
        ("V2_NOTIFY_TYPES", 1, "UNSUPPORTED_CRITICAL_PAYLOAD"),
        ("V2_NOTIFY_TYPES", 4, "INVALID_IKE_SPI"),
        ("V2_NOTIFY_TYPES", 7, "INVALID_SYNTAX"),
        ("V2_NOTIFY_TYPES", 9, "INVALID_MESSAGE_ID"),
        ("V2_NOTIFY_TYPES", 11, "INVALID_SPI"),
        ("V2_NOTIFY_TYPES", 14, "NO_PROPOSAL_CHOSEN"),
        ("V2_NOTIFY_TYPES", 17, "INVALID_KE_PAYLOAD"),
        ("V2_NOTIFY_TYPES", 24, "AUTHENTICATION_FAILED"),
        ("V2_NOTIFY_TYPES", 34, "SINGLE_PAIR_REQUIRED"),
        ("V2_NOTIFY_TYPES", 35, "NO_ADDITIONAL_SAS"),
        ("V2_NOTIFY_TYPES", 36, "INTERNAL_ADDRESS_FAILURE"),
        ("V2_NOTIFY_TYPES", 37, "FAILED_CP_REQUIRED"),
        ("V2_NOTIFY_TYPES", 38, "TS_UNACCEPTABLE"),
        ("V2_NOTIFY_TYPES", 39, "INVALID_SELECTORS"),
        ("V2_NOTIFY_TYPES", 42, "USE_ASSIGNED_HoA"),
        ("V2_NOTIFY_TYPES", 43, "TEMPORARY_FAILURE"),
        ("V2_NOTIFY_TYPES", 44, "CHILD_SA_NOT_FOUND"),
        ("V2_NOTIFY_TYPES", 47, "STATE_NOT_FOUND"),
        ("V2_NOTIFY_TYPES", 48, "TS_MAX_QUEUE"),
        ("V2_NOTIFY_TYPES", 16384, "INITIAL_CONTACT"),
        ("V2_NOTIFY_TYPES", 16388, "NAT_DETECTION_SOURCE_IP"),
        ("V2_NOTIFY_TYPES", 16389, "NAT_DETECTION_DESTINATION_IP"),
        ("V2_NOTIFY_TYPES", 16390, "COOKIE"),
        ("V2_NOTIFY_TYPES", 16391, "USE_TRANSPORT_MODE"),
        ("V2_NOTIFY_TYPES", 16393, "REKEY_SA"),
        ("V2_NOTIFY_TYPES", 16396, "MOBIKE_SUPPORTED"),
        ("V2_NOTIFY_TYPES", 16404, "MULTIPLE_AUTH_SUPPORTED"),
        ("V2_NOTIFY_TYPES", 16407, "REDIRECT"),
        ("V2_NOTIFY_TYPES", 16418, "CHILDLESS_IKEV2_SUPPORTED"),
        ("V2_NOTIFY_TYPES", 16430, "IKEV2_FRAGMENTATION_SUPPORTED"),
        ("V2_NOTIFY_TYPES", 16431, "SIGNATURE_HASH_ALGORITHMS"),
        ("V2_NOTIFY_TYPES", 16435, "USE_PPK"),
        ("V2_NOTIFY_TYPES", 16438, "INTERMEDIATE_EXCHANGE_SUPPORTED"),
        ("V2_NOTIFY_TYPES", 16441, "ADDITIONAL_KEY_EXCHANGE"),
        ("V2_NOTIFY_TYPES", 16442, "USE_AGGFRAG"),
        ("V2_NOTIFY_TYPES", 16445, "USE_PPK_INT"),
        ("V2_EXCHANGE_TYPES", 34, "IKE_SA_INIT"),
        ("V2_EXCHANGE_TYPES", 35, "IKE_AUTH"),
        ("V2_EXCHANGE_TYPES", 36, "CREATE_CHILD_SA"),
        ("V2_EXCHANGE_TYPES", 37, "INFORMATIONAL"),
        ("V2_EXCHANGE_TYPES", 38, "IKE_SESSION_RESUME"),
        ("V2_EXCHANGE_TYPES", 43, "IKE_INTERMEDIATE"),
        ("V2_EXCHANGE_TYPES", 44, "IKE_FOLLOWUP_KE"),
        ("V2_PAYLOAD_TYPES", 0, "NONE"),
        ("V2_PAYLOAD_TYPES", 33, "SA"),
        ("V2_PAYLOAD_TYPES", 35, "IDi"),
        ("V2_PAYLOAD_TYPES", 40, "Nonce"),
        ("V2_PAYLOAD_TYPES", 41, "Notify"),
        ("V2_PAYLOAD_TYPES", 44, "TSi"),
        ("V2_PAYLOAD_TYPES", 46, "SK"),
        ("V2_PAYLOAD_TYPES", 47, "CP"),
        ("V2_PAYLOAD_TYPES", 53, "SKF"),
        ("V2_PAYLOAD_TYPES", 54, "PS"),
        ("V2_PROTOCOLS", 1, "IKE"),
        ("V2_PROTOCOLS", 2, "AH"),
        ("V2_PROTOCOLS", 3, "ESP"),
        ("V2_TRANSFORM_TYPES", 1, "ENCR"),
        ("V2_TRANSFORM_TYPES", 3, "INTEG"),
        ("V2_TRANSFORM_TYPES", 4, "KE"),
        ("V2_TRANSFORM_TYPES", 5, "ESN"),
        ("V2_TRANSFORM_TYPES", 6, "ADDKE1"),
        ("V2_TRANSFORM_TYPES", 12, "ADDKE7"),
        ("V2_ENCR_IDS", 3, "3DES"),
        ("V2_ENCR_IDS", 12, "AES-CBC"),
        ("V2_ENCR_IDS", 13, "AES-CTR"),
        ("V2_ENCR_IDS", 14, "AES-CCM-8"),
        ("V2_ENCR_IDS", 18, "AES-GCM-8"),
        ("V2_ENCR_IDS", 20, "AES-GCM-16"),
        ("V2_ENCR_IDS", 21, "NULL-AUTH-AES-GMAC"),
        ("V2_ENCR_IDS", 28, "CHACHA20-POLY1305"),
        ("V2_PRF_IDS", 2, "HMAC-SHA1"),
        ("V2_PRF_IDS", 4, "AES128-XCBC"),
        ("V2_PRF_IDS", 5, "HMAC-SHA2-256"),
        ("V2_PRF_IDS", 8, "AES128-CMAC"),
        ("V2_INTEG_IDS", 0, "NONE"),
        ("V2_INTEG_IDS", 2, "HMAC-SHA1-96"),
        ("V2_INTEG_IDS", 5, "AES-XCBC-96"),
        ("V2_INTEG_IDS", 12, "HMAC-SHA2-256-128"),
        ("V2_INTEG_IDS", 14, "HMAC-SHA2-512-256"),
        ("V2_ESN_IDS", 0, "No ESN"),
        ("V2_ESN_IDS", 1, "ESN"),
        ("V2_TRANSFORM_ATTRIBUTES", 14, "Key Length"),
        ("V2_ID_TYPES", 1, "ID_IPV4_ADDR"),
        ("V2_ID_TYPES", 2, "ID_FQDN"),
        ("V2_ID_TYPES", 3, "ID_RFC822_ADDR"),
        ("V2_ID_TYPES", 9, "ID_DER_ASN1_DN"),
        ("V2_ID_TYPES", 11, "ID_KEY_ID"),
        ("V2_ID_TYPES", 13, "ID_NULL"),
        ("V2_AUTH_METHODS", 1, "RSA Digital Signature"),
        ("V2_AUTH_METHODS", 2, "Shared Key Message Integrity Code"),
        ("V2_AUTH_METHODS", 14, "Digital Signature"),
        ("V2_TS_TYPES", 7, "TS_IPV4_ADDR_RANGE"),
        ("V2_TS_TYPES", 8, "TS_IPV6_ADDR_RANGE"),
        ("V2_CFG_TYPES", 1, "CFG_REQUEST"),
        ("V2_CFG_TYPES", 2, "CFG_REPLY"),
        ("V2_CFG_ATTRIBUTES", 1, "INTERNAL_IP4_ADDRESS"),
        ("V2_CFG_ATTRIBUTES", 3, "INTERNAL_IP4_DNS"),
        ("V2_CFG_ATTRIBUTES", 13, "INTERNAL_IP4_SUBNET"),
        ("V2_CFG_ATTRIBUTES", 25, "INTERNAL_DNS_DOMAIN"),
        ("V2_CFG_ATTRIBUTES", 26, "INTERNAL_DNSSEC_TA"),
        ("KE_GROUPS", 0, "NONE"),
        ("KE_GROUPS", 1, "MODP-768"),
        ("KE_GROUPS", 2, "MODP-1024"),
        ("KE_GROUPS", 5, "MODP-1536"),
        ("KE_GROUPS", 14, "MODP-2048"),
        ("KE_GROUPS", 15, "MODP-3072"),
        ("KE_GROUPS", 19, "ECP-256"),
        ("KE_GROUPS", 20, "ECP-384"),
        ("KE_GROUPS", 21, "ECP-521"),
        ("KE_GROUPS", 24, "MODP-2048-S256"),
        ("KE_GROUPS", 28, "BRAINPOOL-P256"),
        ("KE_GROUPS", 31, "Curve25519"),
        ("KE_GROUPS", 32, "Curve448"),
        ("KE_GROUPS", 35, "ML-KEM-512"),
        ("KE_GROUPS", 36, "ML-KEM-768"),
        ("KE_GROUPS", 37, "ML-KEM-1024"),
        ("CERT_ENCODINGS", 1, "PKCS #7 wrapped X.509"),
        ("CERT_ENCODINGS", 4, "X.509 Certificate - Signature"),
        ("CERT_ENCODINGS", 12, "Hash and URL of X.509 certificate"),
        ("CERT_ENCODINGS", 15, "Raw Public Key"),
        ("SIGNATURE_HASH_ALGORITHMS", 1, "SHA1"),
        ("SIGNATURE_HASH_ALGORITHMS", 2, "SHA2-256"),
        ("SIGNATURE_HASH_ALGORITHMS", 5, "Identity"),
        ("EAP_CODES", 1, "Request"),
        ("EAP_CODES", 4, "Failure"),
        ("EAP_TYPES", 1, "Identity"),
        ("EAP_TYPES", 4, "MD5-Challenge"),
        ("EAP_TYPES", 13, "TLS"),
        ("EAP_TYPES", 18, "SIM"),
        ("EAP_TYPES", 23, "AKA"),
        ("EAP_TYPES", 25, "PEAP"),
        ("EAP_TYPES", 26, "MSCHAPv2"),
        ("EAP_TYPES", 50, "AKA'"),
        ("EAP_TYPES", 254, "Expanded"),
        ("IP_PROTOCOLS", 0, "any"),
        ("IP_PROTOCOLS", 6, "TCP"),
        ("IP_PROTOCOLS", 17, "UDP"),
        ("IP_PROTOCOLS", 50, "ESP"),
        ("IP_PROTOCOLS", 58, "ICMPv6"),
    ],
)
def test_ikev2_and_shared_facts(registry: str, number: int, name: str) -> None:
    assert getattr(iana, registry)[number] == name


def test_ikev2_blocks_are_labelled() -> None:
    assert iana.V2_NOTIFY_TYPES[50000] == "private use (status) (50000)"
    assert iana.V2_NOTIFY_TYPES[9999] == "private use (errors) (9999)"
    assert iana.V2_NOTIFY_TYPES[100] == "unassigned (errors) (100)"
    assert iana.V2_EXCHANGE_TYPES[245] == "private use (245)"
    assert iana.V2_PAYLOAD_TYPES[150] == "private use (150)"
    assert iana.KE_GROUPS[1024] == "private use (1024)"
    assert iana.V2_ENCR_IDS[2000] == "private use (2000)"


def test_name_to_number() -> None:
    assert iana.V2_EXCHANGE_TYPES.number("IKE_INTERMEDIATE") == 43
    assert iana.V2_NOTIFY_TYPES.number("INVALID_KE_PAYLOAD") == 17
    assert iana.V1_NOTIFY_TYPES.number("INVALID_COOKIE") == 4


# --- Vendor IDs --------------------------------------------------------------------------


def test_vendor_id_table_size() -> None:
    assert len(VENDOR_IDS) >= 250


def test_vendor_id_rows_are_well_formed() -> None:
    for hex_, name, prefix in VENDOR_IDS:
        assert hex_ == hex_.lower()
        assert len(hex_) % 2 == 0 and len(hex_) >= 8, hex_
        assert bytes.fromhex(hex_).hex() == hex_
        assert isinstance(name, str) and name.strip() == name and name
        assert isinstance(prefix, bool)


def test_vendor_ids_have_no_duplicates() -> None:
    hexes = [hex_ for hex_, _, _ in VENDOR_IDS]
    assert len(hexes) == len(set(hexes))


@pytest.mark.parametrize(
    ("hex_", "prefix"),
    [
        ("4a131c81070358455c5728f20e95452f", False),  # RFC 3947
        ("90cb80913ebb696e086381b5ec427b1f", False),  # draft-ietf-ipsec-nat-t-ike-02\n
        ("cd60464335df21f87cfdb2fc68b6a448", False),  # draft-ietf-ipsec-nat-t-ike-02
        ("afcad71368a1f1c96b8696fc77570100", False),  # DPD 1.0
        ("12f5f28c457168a9702d9fe274cc0100", False),  # Cisco Unity 1.0
        ("09002689dfd6b712", False),  # XAUTH
        ("882fe56d6fd20dbc2251613b2ebe5beb", False),  # strongSwan
        ("4048b7d56ebce88525e7de7f00d6c2d3", True),  # FRAGMENTATION
        ("1e2b516905991c7d7c96fcbfb587e461", True),  # MS NT5 ISAKMPOAKLEY
        ("f4ed19e0c114eb516faaac0ee37daf2807b4381f", True),  # Check Point
        ("7003cbc1097dbe9c2600ba6983bc8b35", False),  # KAME/racoon
    ],
)
def test_well_known_vendor_ids(hex_: str, prefix: bool) -> None:
    assert hex_ in VID_BY_HEX
    assert VID_BY_HEX[hex_][1] is prefix


def test_well_known_names() -> None:
    assert VID_BY_HEX["4a131c81070358455c5728f20e95452f"][0] == "RFC 3947 NAT-T"
    assert VID_BY_HEX["90cb80913ebb696e086381b5ec427b1f"][0] == "draft-ietf-ipsec-nat-t-ike-02\\n"
    assert VID_BY_HEX["afcad71368a1f1c96b8696fc77570100"][0] == "Dead Peer Detection v1.0"
    assert VID_BY_HEX["12f5f28c457168a9702d9fe274cc0100"][0] == "Cisco Unity"
    assert VID_BY_HEX["09002689dfd6b712"][0] == "XAUTH"
    assert VID_BY_HEX["882fe56d6fd20dbc2251613b2ebe5beb"][0] == "strongSwan"
    assert VID_BY_HEX["4048b7d56ebce88525e7de7f00d6c2d3"][0].startswith("FRAGMENTATION")


def test_hash_derived_vendor_ids_recompute() -> None:
    """The hashes are what the sources say they are hashes of."""
    assert md5("RFC 3947") == "4a131c81070358455c5728f20e95452f"
    assert md5("draft-ietf-ipsec-nat-t-ike-02\n") == "90cb80913ebb696e086381b5ec427b1f"
    assert md5("strongSwan") == "882fe56d6fd20dbc2251613b2ebe5beb"
    assert md5("FRAGMENTATION") == "4048b7d56ebce88525e7de7f00d6c2d3"
    assert md5("KAME/racoon") == "7003cbc1097dbe9c2600ba6983bc8b35"
    assert md5("MS NT5 ISAKMPOAKLEY") == "1e2b516905991c7d7c96fcbfb587e461"
    assert md5("draft-ietf-ipsra-isakmp-xauth-06.txt")[:16] == "09002689dfd6b712"
    assert md5("CISCO-UNITY")[:28] + "0100" == "12f5f28c457168a9702d9fe274cc0100"
    assert md5("CISCO-DEAD-PEER-DETECTION")[:28] + "0100" == "afcad71368a1f1c96b8696fc77570100"
    for hex_, name, _ in VENDOR_IDS:
        if name.startswith("strongSwan"):
            assert md5(name) == hex_, name
        if name.startswith("draft-ietf-ipsec-nat-t-ike-") and not name.endswith("\\n"):
            assert md5(name) == hex_, name


def test_freeswan_family_vendor_ids_recompute() -> None:
    families = ("Linux FreeS/WAN", "Openswan", "Linux Openswan", "Libreswan")
    checked = 0
    for hex_, name, _ in VENDOR_IDS:
        if len(hex_) != 24 or not name.startswith(families):
            continue
        if any(freeswan_vid(name, marker) == hex_ for marker in (b"OE", b"OSW", b"OEN")):
            checked += 1
    assert checked >= 200
    assert freeswan_vid("Openswan 2.6.28", b"OE") == "4f45517b4f7f6e657a7b4351"


def test_versioned_vids_are_exact_rows_beside_their_prefix() -> None:
    windows = "1e2b516905991c7d7c96fcbfb587e461"
    assert VID_BY_HEX[windows] == ("MS NT5 ISAKMPOAKLEY", True)
    assert VID_BY_HEX[windows + "00000002"] == ("Microsoft Windows 2000", False)
    assert VID_BY_HEX[windows + "00000007"] == ("Microsoft Windows 7", False)
    assert VID_BY_HEX["4048b7d56ebce88525e7de7f00d6c2d380000000"] == ("FRAGMENTATION (IKE phase 1 capable)", False)
