"""Protocol number tables for IKEv1 (ISAKMP / IPsec DOI) and IKEv2.

One home for each fact: every registry below exists once, as data, and every other module
looks numbers up here instead of keeping its own copy.

Where the facts come from
    * IANA registries "isakmp-registry" (ISAKMP/IKEv1), "ipsec-registry" (IPsec DOI and
      IKEv1 attributes), "ikev2-parameters" (IKEv2) and "eap-numbers" (EAP).
    * The RFCs behind them: RFC 2407, 2408, 2409 (IKEv1), 3706 (DPD), 3947 (NAT-T),
      4306 / 5996 / 7296 (IKEv2), 4754 (ECDSA), 5685 (redirect), 7383 (IKEv2
      fragmentation), 7427 (signature auth), 8019 (puzzles), 9242 (IKE_INTERMEDIATE),
      9370 (multiple key exchanges), 9464 (encrypted DNS), 9385 (GOST).
    * Drafts that shipped in products before (or without) an RFC:
      draft-dukes-ike-mode-cfg / draft-ietf-ipsec-isakmp-mode-cfg (IKEv1 mode config),
      draft-beaulieu-ike-xauth (XAUTH), draft-ietf-ipsec-isakmp-hybrid-auth,
      draft-ietf-ipsec-nat-t-ike-0x (pre-RFC NAT-T numbers), draft-ietf-ipsecme-g-ikev2.
    * Private-use numbers that real peers put on the wire, cross-checked between the
      Wireshark ISAKMP dissector, strongSwan, libreswan and 3GPP TS 24.302 / 24.502.
      Each such block is marked in a comment; a private number is only listed when at
      least one of those implementations names it.

Naming rule
    Names are the IANA registry names.  Where IANA writes an IKEv1 name with hyphens
    (INVALID-PAYLOAD-TYPE) we write underscores (INVALID_PAYLOAD_TYPE), so that IKEv1 and
    IKEv2 names read alike and match what strongSwan, libreswan and Cisco put in their
    logs.  Algorithms get short conventional names ("AES-CBC", "3DES-CBC",
    "HMAC-SHA2-256-128"); key exchange groups are named "MODP-2048", "ECP-256",
    "Curve25519" ... without their number, which the caller prints next to the name.
    Payload types use the short notation of the RFCs ("SA", "KE", "IDi", "Notify").

Every table is a :class:`~ikepcap.decode.registry.Registry`: unknown numbers are still
printed, and a number inside a labelled block (private use, reserved) says so.
"""

from __future__ import annotations

from ikepcap.decode.registry import Registry

# ---------------------------------------------------------------------------------------
# IKEv1: ISAKMP (RFC 2408) and the IPsec DOI (RFC 2407)
# ---------------------------------------------------------------------------------------

V1_PAYLOAD_TYPES = Registry(
    "IKEv1 payload type",
    {
        0: "NONE",
        1: "SA",
        2: "Proposal",
        3: "Transform",
        4: "KE",
        5: "ID",
        6: "CERT",
        7: "CERTREQ",
        8: "HASH",
        9: "SIG",
        10: "NONCE",
        11: "Notify",
        12: "Delete",
        13: "VID",
        14: "Attributes",  # mode config / XAUTH attribute payload
        # GDOI's SA KEK (RFC 6407). draft-ietf-ipsec-nat-t-ike-04 to -08 numbered NAT-D 15 and
        # NAT-OA 16, clashing with GDOI (RFC 3947 took 20 and 21); racoon, Openswan, Mac OS X
        # and old Cisco IOS send them in IKE's own exchanges.
        15: "SAK",
        16: "SAT",  # GDOI SA TEK
        17: "KD",  # GDOI key download
        18: "SEQ",  # GDOI sequence number
        19: "POP",  # GDOI proof of possession (deprecated)
        20: "NAT-D",  # RFC 3947
        21: "NAT-OA",  # RFC 3947
        22: "GAP",  # GDOI group associated policy
        # Private-use numbers: NAT-D and NAT-OA of draft-ietf-ipsec-nat-t-ike-00 to -03 (what
        # racoon and Openswan send to a peer announcing those drafts' VIDs; Wireshark labels
        # them "01 to 03"), and Cisco's proprietary IKEv1 fragmentation.
        130: "NAT-D (draft)",
        131: "NAT-OA (draft)",
        132: "Cisco-Fragment",
    },
    ranges=((23, 127, "unassigned"), (128, 255, "private use")),
)

V1_EXCHANGE_TYPES = Registry(
    "IKEv1 exchange type",
    {
        0: "NONE",
        1: "Base",
        2: "Main Mode",  # Identity Protection
        3: "Authentication Only",
        4: "Aggressive Mode",
        5: "Informational",
        6: "Transaction",  # mode config / XAUTH
        # IPsec DOI values from the DOI-specific block (RFC 2409).  The GDOI DOI gives
        # this block its own meanings (GROUPKEY-PULL / GROUPKEY-PUSH); the caller must
        # look at the DOI of the SA before trusting these two names.
        32: "Quick Mode",
        33: "New Group Mode",
    },
    ranges=(
        (7, 31, "reserved for ISAKMP"),
        (32, 239, "DOI specific"),
        (240, 255, "private use"),
    ),
)

V1_NOTIFY_TYPES = Registry(
    "IKEv1 notify message type",
    {
        # RFC 2408 error types
        1: "INVALID_PAYLOAD_TYPE",
        2: "DOI_NOT_SUPPORTED",
        3: "SITUATION_NOT_SUPPORTED",
        4: "INVALID_COOKIE",
        5: "INVALID_MAJOR_VERSION",
        6: "INVALID_MINOR_VERSION",
        7: "INVALID_EXCHANGE_TYPE",
        8: "INVALID_FLAGS",
        9: "INVALID_MESSAGE_ID",
        10: "INVALID_PROTOCOL_ID",
        11: "INVALID_SPI",
        12: "INVALID_TRANSFORM_ID",
        13: "ATTRIBUTES_NOT_SUPPORTED",
        14: "NO_PROPOSAL_CHOSEN",
        15: "BAD_PROPOSAL_SYNTAX",
        16: "PAYLOAD_MALFORMED",
        17: "INVALID_KEY_INFORMATION",
        18: "INVALID_ID_INFORMATION",
        19: "INVALID_CERT_ENCODING",
        20: "INVALID_CERTIFICATE",
        21: "CERT_TYPE_UNSUPPORTED",
        22: "INVALID_CERT_AUTHORITY",
        23: "INVALID_HASH_INFORMATION",
        24: "AUTHENTICATION_FAILED",
        25: "INVALID_SIGNATURE",
        26: "ADDRESS_NOTIFICATION",
        27: "NOTIFY_SA_LIFETIME",
        28: "CERTIFICATE_UNAVAILABLE",
        29: "UNSUPPORTED_EXCHANGE_TYPE",
        30: "UNEQUAL_PAYLOAD_LENGTHS",
        # RFC 2408 status type
        16384: "CONNECTED",
        # IPsec DOI status types (RFC 2407 section 4.6.3)
        24576: "RESPONDER_LIFETIME",
        24577: "REPLAY_STATUS",
        24578: "INITIAL_CONTACT",
        # Cisco values inside the DOI block (named by libreswan)
        30000: "CISCO_HELLO",
        30001: "CISCO_WWTEBR",
        30002: "CISCO_SHUT_UP",
        # Private use, status
        32768: "IOS_KEEP_ALIVE_REQ",  # Cisco IOS (libreswan)
        32769: "IOS_KEEP_ALIVE_ACK",
        36136: "R_U_THERE",  # RFC 3706 dead peer detection
        36137: "R_U_THERE_ACK",
        40001: "NETSCREEN_NHTB_INFORM",  # Juniper NetScreen next-hop tunnel binding (libreswan)
        40501: "UNITY_LOAD_BALANCE",  # Cisco Unity (Wireshark, strongSwan, libreswan)
        40502: "UNITY_UNKNOWN",  # Cisco, meaning not published (Wireshark, libreswan)
        40503: "UNITY_GROUP_HASH",  # Cisco pre-shared key (group) hash (Wireshark, libreswan)
    },
    ranges=(
        (31, 8191, "reserved (errors)"),
        (8192, 16383, "private use (errors)"),
        (16385, 24575, "reserved (status)"),
        (24576, 32767, "DOI specific (status)"),
        (32768, 40959, "private use (status)"),
        (40960, 65535, "reserved (status)"),
    ),
)

V1_DOI = Registry(
    "ISAKMP domain of interpretation",
    {0: "ISAKMP", 1: "IPSEC", 2: "GDOI"},
)

V1_SITUATIONS = Registry(
    "IPsec DOI situation bit",
    {1: "SIT_IDENTITY_ONLY", 2: "SIT_SECRECY", 4: "SIT_INTEGRITY"},
)

V1_PROTOCOLS = Registry(
    "IKEv1 protocol ID",
    {0: "RESERVED", 1: "ISAKMP", 2: "AH", 3: "ESP", 4: "IPCOMP", 5: "GIGABEAM_RADIO"},
    ranges=((6, 248, "unassigned"), (249, 255, "private use")),
)

V1_ISAKMP_TRANSFORM_IDS = Registry(
    "IKEv1 ISAKMP transform ID",
    {0: "RESERVED", 1: "KEY_IKE"},
    ranges=((2, 248, "unassigned"), (249, 255, "private use")),
)

V1_AH_TRANSFORM_IDS = Registry(
    "IKEv1 AH transform ID",
    {
        2: "AH_MD5",
        3: "AH_SHA",
        4: "AH_DES",
        5: "AH_SHA2-256",
        6: "AH_SHA2-384",
        7: "AH_SHA2-512",
        8: "AH_RIPEMD",
        9: "AH_AES-XCBC-MAC",
        10: "AH_RSA",
        11: "AH_AES-128-GMAC",
        12: "AH_AES-192-GMAC",
        13: "AH_AES-256-GMAC",
    },
    ranges=((0, 1, "reserved"), (14, 248, "unassigned"), (249, 255, "private use")),
)

V1_ESP_TRANSFORM_IDS = Registry(
    "IKEv1 ESP transform ID",
    {
        0: "RESERVED",
        1: "ESP_DES_IV64",
        2: "ESP_DES",
        3: "ESP_3DES",
        4: "ESP_RC5",
        5: "ESP_IDEA",
        6: "ESP_CAST",
        7: "ESP_BLOWFISH",
        8: "ESP_3IDEA",
        9: "ESP_DES_IV32",
        10: "ESP_RC4",
        11: "ESP_NULL",
        12: "ESP_AES-CBC",
        13: "ESP_AES-CTR",
        14: "ESP_AES-CCM_8",
        15: "ESP_AES-CCM_12",
        16: "ESP_AES-CCM_16",
        18: "ESP_AES-GCM_8",
        19: "ESP_AES-GCM_12",
        20: "ESP_AES-GCM_16",
        21: "ESP_SEED_CBC",
        22: "ESP_CAMELLIA",
        23: "ESP_NULL_AUTH_AES-GMAC",
    },
    ranges=((24, 248, "unassigned"), (249, 255, "private use")),
)

V1_IPCOMP_TRANSFORM_IDS = Registry(
    "IKEv1 IPCOMP transform ID",
    {1: "IPCOMP_OUI", 2: "IPCOMP_DEFLATE", 3: "IPCOMP_LZS", 4: "IPCOMP_LZJH"},
    ranges=((5, 47, "reserved"), (48, 63, "private use"), (64, 255, "reserved")),
)

# Transform IDs depend on the protocol of the proposal they sit in.
V1_TRANSFORM_IDS: dict[int, Registry] = {
    1: V1_ISAKMP_TRANSFORM_IDS,
    2: V1_AH_TRANSFORM_IDS,
    3: V1_ESP_TRANSFORM_IDS,
    4: V1_IPCOMP_TRANSFORM_IDS,
}

# Phase 1 (IKE SA) attribute classes, RFC 2409 appendix A.
V1_IKE_ATTRIBUTES = Registry(
    "IKEv1 phase 1 attribute",
    {
        1: "Encryption Algorithm",
        2: "Hash Algorithm",
        3: "Authentication Method",
        4: "Group Description",
        5: "Group Type",
        6: "Group Prime/Irreducible Polynomial",
        7: "Group Generator One",
        8: "Group Generator Two",
        9: "Group Curve A",
        10: "Group Curve B",
        11: "Life Type",
        12: "Life Duration",
        13: "PRF",
        14: "Key Length",
        15: "Field Size",
        16: "Group Order",
        17: "Block Size",
        # GM/T 0022 (Chinese national IPsec profile); not in the IANA registry, named by
        # Wireshark.
        20: "Asymmetric Cryptographic Algorithm Type",
    },
    ranges=((16384, 32767, "private use"),),
)

V1_IKE_ENCRYPTION = Registry(
    "IKEv1 encryption algorithm",
    {
        1: "DES-CBC",
        2: "IDEA-CBC",
        3: "Blowfish-CBC",
        4: "RC5-R16-B64-CBC",
        5: "3DES-CBC",
        6: "CAST-CBC",
        7: "AES-CBC",
        8: "Camellia-CBC",
        # GM/T 0022 values (not IANA), as Wireshark decodes them
        127: "SM4-CBC (deprecated code)",
        128: "SM1-CBC",
        129: "SM4-CBC",
        # Private-use values of FreeS/WAN-derived stacks (libreswan)
        65001: "MARS-CBC",
        65002: "RC6-CBC",
        65004: "Serpent-CBC",
        65005: "Twofish-CBC",
        65289: "Twofish-CBC (SSH)",
    },
    ranges=((65001, 65535, "private use"),),
)

V1_IKE_HASH = Registry(
    "IKEv1 hash algorithm",
    {
        1: "MD5",
        2: "SHA",
        3: "Tiger",
        4: "SHA2-256",
        5: "SHA2-384",
        6: "SHA2-512",
        20: "SM3",  # GM/T 0022, not IANA (Wireshark)
    },
    ranges=((65001, 65535, "private use"),),
)

V1_IKE_AUTH_METHODS = Registry(
    "IKEv1 authentication method",
    {
        1: "Pre-Shared Key",
        2: "DSS Signatures",
        3: "RSA Signatures",
        4: "RSA Encryption",
        5: "Revised RSA Encryption",
        # 6-8 were El-Gamal and ECDSA signatures in drafts; IANA lists them as reserved.
        9: "ECDSA-SHA256 (P-256)",  # RFC 4754
        10: "ECDSA-SHA384 (P-384)",
        11: "ECDSA-SHA512 (P-521)",
        # draft-ietf-ipsec-isakmp-hybrid-auth
        64221: "HybridInitRSA",
        64222: "HybridRespRSA",
        64223: "HybridInitDSS",
        64224: "HybridRespDSS",
        # draft-beaulieu-ike-xauth
        65001: "XAUTHInitPreShared",
        65002: "XAUTHRespPreShared",
        65003: "XAUTHInitDSS",
        65004: "XAUTHRespDSS",
        65005: "XAUTHInitRSA",
        65006: "XAUTHRespRSA",
        65007: "XAUTHInitRSAEncryption",
        65008: "XAUTHRespRSAEncryption",
        65009: "XAUTHInitRSARevisedEncryption",
        65010: "XAUTHRespRSARevisedEncryption",
    },
    ranges=((6, 8, "reserved"), (65001, 65535, "private use")),
)

V1_GROUP_TYPES = Registry(
    "IKEv1 group type",
    {1: "MODP", 2: "ECP", 3: "EC2N"},
    ranges=((65001, 65535, "private use"),),
)

V1_LIFE_TYPES = Registry(
    "IKEv1 life type",
    {1: "seconds", 2: "kilobytes"},
    ranges=((65001, 65535, "private use"),),
)

# Phase 2 (IPsec SA) attribute classes, RFC 2407 section 4.5 and later RFCs.
V1_IPSEC_ATTRIBUTES = Registry(
    "IKEv1 IPsec SA attribute",
    {
        1: "SA Life Type",
        2: "SA Life Duration",
        3: "Group Description",
        4: "Encapsulation Mode",
        5: "Authentication Algorithm",
        6: "Key Length",
        7: "Key Rounds",
        8: "Compress Dictionary Size",
        9: "Compress Private Algorithm",
        10: "ECN Tunnel",  # RFC 3168
        11: "Extended (64-bit) Sequence Number",  # RFC 4304
        12: "Authentication Key Length",  # RFC 4359
        13: "Signature Encoding Algorithm",  # RFC 4359
        14: "Address Preservation",  # RFC 6407
        15: "SA Direction",  # RFC 6407
        32001: "Security Context",  # labelled IPsec, private value used by libreswan
    },
    ranges=((16, 32000, "unassigned"), (32001, 32767, "private use")),
)

V1_ENCAPSULATION_MODES = Registry(
    "IKEv1 encapsulation mode",
    {
        1: "Tunnel",
        2: "Transport",
        3: "UDP-Encapsulated-Tunnel",  # RFC 3947
        4: "UDP-Encapsulated-Transport",
        61440: "Check Point UDP Encapsulation",  # Wireshark
        61443: "UDP-Encapsulated-Tunnel (draft)",  # NAT-T drafts
        61444: "UDP-Encapsulated-Transport (draft)",
    },
    ranges=((61440, 65535, "private use"),),
)

V1_AUTH_ALGORITHMS = Registry(
    "IKEv1 IPsec authentication algorithm",
    {
        1: "HMAC-MD5",
        2: "HMAC-SHA",
        3: "DES-MAC",
        4: "KPDK",
        5: "HMAC-SHA2-256",
        6: "HMAC-SHA2-384",
        7: "HMAC-SHA2-512",
        8: "HMAC-RIPEMD",  # RFC 2857
        9: "AES-XCBC-MAC",  # RFC 3566
        10: "SIG-RSA",  # RFC 4359
        11: "AES-128-GMAC",  # RFC 4543
        12: "AES-192-GMAC",
        13: "AES-256-GMAC",
    },
    ranges=((61440, 65535, "private use"),),
)

V1_ID_TYPES = Registry(
    "IKEv1 identification type",
    {
        1: "ID_IPV4_ADDR",
        2: "ID_FQDN",
        3: "ID_USER_FQDN",
        4: "ID_IPV4_ADDR_SUBNET",
        5: "ID_IPV6_ADDR",
        6: "ID_IPV6_ADDR_SUBNET",
        7: "ID_IPV4_ADDR_RANGE",
        8: "ID_IPV6_ADDR_RANGE",
        9: "ID_DER_ASN1_DN",
        10: "ID_DER_ASN1_GN",
        11: "ID_KEY_ID",
        12: "ID_LIST",  # RFC 3554
    },
    ranges=((13, 248, "unassigned"), (249, 255, "private use")),
)

# IKEv1 mode config (draft-dukes-ike-mode-cfg) message types.
MODECFG_TYPES = Registry(
    "IKEv1 mode config message type",
    {1: "ISAKMP_CFG_REQUEST", 2: "ISAKMP_CFG_REPLY", 3: "ISAKMP_CFG_SET", 4: "ISAKMP_CFG_ACK"},
    ranges=((5, 127, "reserved"), (128, 255, "private use")),
)

MODECFG_ATTRIBUTES = Registry(
    "IKEv1 mode config attribute",
    {
        # draft-dukes-ike-mode-cfg
        1: "INTERNAL_IP4_ADDRESS",
        2: "INTERNAL_IP4_NETMASK",
        3: "INTERNAL_IP4_DNS",
        4: "INTERNAL_IP4_NBNS",
        5: "INTERNAL_ADDRESS_EXPIRY",
        6: "INTERNAL_IP4_DHCP",
        7: "APPLICATION_VERSION",
        8: "INTERNAL_IP6_ADDRESS",
        9: "INTERNAL_IP6_NETMASK",
        10: "INTERNAL_IP6_DNS",
        11: "INTERNAL_IP6_NBNS",
        12: "INTERNAL_IP6_DHCP",
        13: "INTERNAL_IP4_SUBNET",
        14: "SUPPORTED_ATTRIBUTES",
        15: "INTERNAL_IP6_SUBNET",
        # Check Point (Wireshark, libreswan)
        16387: "CHKPT_DEF_DOMAIN",
        16388: "CHKPT_MAC_ADDRESS",
        16389: "CHKPT_MARCIPAN_REASON_CODE",
        16400: "CHKPT_UNKNOWN1",
        16401: "CHKPT_UNKNOWN2",
        16402: "CHKPT_UNKNOWN3",
        # draft-beaulieu-ike-xauth
        16520: "XAUTH_TYPE",
        16521: "XAUTH_USER_NAME",
        16522: "XAUTH_USER_PASSWORD",
        16523: "XAUTH_PASSCODE",
        16524: "XAUTH_MESSAGE",
        16525: "XAUTH_CHALLENGE",
        16526: "XAUTH_DOMAIN",
        16527: "XAUTH_STATUS",
        16528: "XAUTH_NEXT_PIN",
        16529: "XAUTH_ANSWER",
        # Microsoft (strongSwan, libreswan)
        23456: "INTERNAL_IP4_SERVER",
        23457: "INTERNAL_IP6_SERVER",
        # Cisco Unity (Wireshark, strongSwan, libreswan)
        28672: "UNITY_BANNER",
        28673: "UNITY_SAVE_PASSWD",
        28674: "UNITY_DEF_DOMAIN",
        28675: "UNITY_SPLITDNS_NAME",
        28676: "UNITY_SPLIT_INCLUDE",
        28677: "UNITY_NATT_PORT",
        28678: "UNITY_SPLIT_EXCLUDE",  # also called UNITY_LOCAL_LAN
        28679: "UNITY_PFS",
        28680: "UNITY_FW_TYPE",
        28681: "UNITY_BACKUP_SERVERS",
        28682: "UNITY_DDNS_HOSTNAME",
    },
    ranges=((16, 16383, "reserved"), (16384, 32767, "private use")),
)

XAUTH_TYPES = Registry(
    "XAUTH type",
    {0: "Generic", 1: "RADIUS-CHAP", 2: "OTP", 3: "S/KEY"},
    ranges=((4, 32767, "reserved"), (32768, 65535, "private use")),
)

# ---------------------------------------------------------------------------------------
# Shared by IKEv1 and IKEv2
# ---------------------------------------------------------------------------------------

# IKEv1 "Group Description" values and IKEv2 transform type 4 (Key Exchange Method)
# share one numbering.  3-13 exist for IKEv1 only (IKEv2 reserves them).  The pairs
# 6/7, 8/9, 10/11 and 12/13 are two different curves over the same binary field
# (draft-ietf-ipsec-ike-ecc-groups), hence the a/b suffix.
KE_GROUPS = Registry(
    "key exchange group",
    {
        0: "NONE",
        1: "MODP-768",
        2: "MODP-1024",
        3: "EC2N-155",
        4: "EC2N-185",
        5: "MODP-1536",
        6: "EC2N-163a",
        7: "EC2N-163b",
        8: "EC2N-283a",
        9: "EC2N-283b",
        10: "EC2N-409a",
        11: "EC2N-409b",
        12: "EC2N-571a",
        13: "EC2N-571b",
        14: "MODP-2048",  # RFC 3526
        15: "MODP-3072",
        16: "MODP-4096",
        17: "MODP-6144",
        18: "MODP-8192",
        19: "ECP-256",  # RFC 5903
        20: "ECP-384",
        21: "ECP-521",
        22: "MODP-1024-S160",  # RFC 5114
        23: "MODP-2048-S224",
        24: "MODP-2048-S256",
        25: "ECP-192",
        26: "ECP-224",
        27: "BRAINPOOL-P224",  # RFC 6932 (IKEv1), RFC 6954 (IKEv2)
        28: "BRAINPOOL-P256",
        29: "BRAINPOOL-P384",
        30: "BRAINPOOL-P512",
        31: "Curve25519",  # RFC 8031
        32: "Curve448",
        33: "GOST3410-2012-256",  # RFC 9385
        34: "GOST3410-2012-512",
        35: "ML-KEM-512",  # draft-ietf-ipsecme-ikev2-mlkem
        36: "ML-KEM-768",
        37: "ML-KEM-1024",
    },
    ranges=((38, 1023, "unassigned"), (1024, 65535, "private use")),
)

# Certificate encodings: one numbering for the IKEv1 and IKEv2 CERT / CERTREQ payloads
# (5 is IKEv1 only; IKEv2 reserves it).
CERT_ENCODINGS = Registry(
    "certificate encoding",
    {
        0: "NONE",
        1: "PKCS #7 wrapped X.509",
        2: "PGP",
        3: "DNS Signed Key",
        4: "X.509 Certificate - Signature",
        5: "X.509 Certificate - Key Exchange",
        6: "Kerberos Token",
        7: "CRL",
        8: "ARL",
        9: "SPKI",
        10: "X.509 Certificate - Attribute",
        11: "Raw RSA Key",
        12: "Hash and URL of X.509 certificate",
        13: "Hash and URL of X.509 bundle",
        14: "OCSP Content",  # RFC 4806
        15: "Raw Public Key",  # RFC 7670
    },
    ranges=((16, 200, "unassigned"), (201, 255, "private use")),
)

# Protocol numbers met in ID payloads (IKEv1) and traffic selectors (IKEv2); 0 there
# means "any protocol".
IP_PROTOCOLS = Registry(
    "IP protocol",
    {
        0: "any",
        1: "ICMP",
        2: "IGMP",
        4: "IPv4",  # IP-in-IP
        6: "TCP",
        17: "UDP",
        41: "IPv6",
        47: "GRE",
        50: "ESP",
        51: "AH",
        58: "ICMPv6",
        89: "OSPF",
        103: "PIM",
        112: "VRRP",
        115: "L2TP",
        132: "SCTP",
        136: "UDPLite",
    },
)

# ---------------------------------------------------------------------------------------
# IKEv2 (RFC 7296 and IANA "ikev2-parameters")
# ---------------------------------------------------------------------------------------

V2_PAYLOAD_TYPES = Registry(
    "IKEv2 payload type",
    {
        0: "NONE",
        33: "SA",
        34: "KE",
        35: "IDi",
        36: "IDr",
        37: "CERT",
        38: "CERTREQ",
        39: "AUTH",
        40: "Nonce",  # Ni / Nr
        41: "Notify",
        42: "Delete",
        43: "VID",
        44: "TSi",
        45: "TSr",
        46: "SK",
        47: "CP",
        48: "EAP",
        49: "GSPM",  # RFC 6467
        50: "IDg",  # G-IKEv2
        51: "GSA",
        52: "KD",
        53: "SKF",  # RFC 7383
        54: "PS",  # RFC 8019 puzzle solution
    },
    ranges=((1, 32, "reserved"), (55, 127, "unassigned"), (128, 255, "private use")),
)

V2_EXCHANGE_TYPES = Registry(
    "IKEv2 exchange type",
    {
        34: "IKE_SA_INIT",
        35: "IKE_AUTH",
        36: "CREATE_CHILD_SA",
        37: "INFORMATIONAL",
        38: "IKE_SESSION_RESUME",  # RFC 5723
        39: "GSA_AUTH",  # G-IKEv2
        40: "GSA_REGISTRATION",
        41: "GSA_REKEY",
        42: "GSA_INBAND_REKEY",
        43: "IKE_INTERMEDIATE",  # RFC 9242
        44: "IKE_FOLLOWUP_KE",  # RFC 9370
    },
    ranges=((0, 33, "reserved"), (45, 239, "unassigned"), (240, 255, "private use")),
)

V2_NOTIFY_TYPES = Registry(
    "IKEv2 notify message type",
    {
        # Error types
        1: "UNSUPPORTED_CRITICAL_PAYLOAD",
        4: "INVALID_IKE_SPI",
        5: "INVALID_MAJOR_VERSION",
        7: "INVALID_SYNTAX",
        9: "INVALID_MESSAGE_ID",
        11: "INVALID_SPI",
        14: "NO_PROPOSAL_CHOSEN",
        17: "INVALID_KE_PAYLOAD",
        24: "AUTHENTICATION_FAILED",
        34: "SINGLE_PAIR_REQUIRED",
        35: "NO_ADDITIONAL_SAS",
        36: "INTERNAL_ADDRESS_FAILURE",
        37: "FAILED_CP_REQUIRED",
        38: "TS_UNACCEPTABLE",
        39: "INVALID_SELECTORS",
        40: "UNACCEPTABLE_ADDRESSES",  # RFC 4555
        41: "UNEXPECTED_NAT_DETECTED",
        42: "USE_ASSIGNED_HoA",  # RFC 5026
        43: "TEMPORARY_FAILURE",
        44: "CHILD_SA_NOT_FOUND",
        45: "INVALID_GROUP_ID",  # G-IKEv2
        46: "AUTHORIZATION_FAILED",
        47: "STATE_NOT_FOUND",  # RFC 9370
        48: "TS_MAX_QUEUE",  # RFC 9611
        49: "REGISTRATION_FAILED",  # G-IKEv2
        # Private-use error types.  3GPP TS 24.302 / 24.502 (ePDG, N3IWF) as Wireshark
        # decodes them; 8192 is also strongSwan's mediation error, and 12345 is
        # strongSwan's name for a Microsoft status it has seen.
        8192: "PDN_CONNECTION_REJECTION (3GPP) / ME_CONNECT_FAILED (strongSwan)",
        8193: "MAX_CONNECTION_REACHED",
        8241: "SEMANTIC_ERROR_IN_THE_TFT_OPERATION",
        8242: "SYNTACTICAL_ERROR_IN_THE_TFT_OPERATION",
        8244: "SEMANTIC_ERRORS_IN_PACKET_FILTERS",
        8245: "SYNTACTICAL_ERRORS_IN_PACKET_FILTERS",
        9000: "NON_3GPP_ACCESS_TO_EPC_NOT_ALLOWED",
        9001: "USER_UNKNOWN",
        9002: "NO_APN_SUBSCRIPTION",
        9003: "AUTHORIZATION_REJECTED",
        9006: "ILLEGAL_ME",
        10500: "NETWORK_FAILURE",
        11001: "RAT_TYPE_NOT_ALLOWED",
        11005: "IMEI_NOT_ACCEPTED",
        11011: "PLMN_NOT_ALLOWED",
        11055: "UNAUTHENTICATED_EMERGENCY_NOT_SUPPORTED",
        12345: "MS_NOTIFY_STATUS",
        15500: "CONGESTION",
        # Status types
        16384: "INITIAL_CONTACT",
        16385: "SET_WINDOW_SIZE",
        16386: "ADDITIONAL_TS_POSSIBLE",
        16387: "IPCOMP_SUPPORTED",
        16388: "NAT_DETECTION_SOURCE_IP",
        16389: "NAT_DETECTION_DESTINATION_IP",
        16390: "COOKIE",
        16391: "USE_TRANSPORT_MODE",
        16392: "HTTP_CERT_LOOKUP_SUPPORTED",
        16393: "REKEY_SA",
        16394: "ESP_TFC_PADDING_NOT_SUPPORTED",
        16395: "NON_FIRST_FRAGMENTS_ALSO",
        16396: "MOBIKE_SUPPORTED",  # RFC 4555
        16397: "ADDITIONAL_IP4_ADDRESS",
        16398: "ADDITIONAL_IP6_ADDRESS",
        16399: "NO_ADDITIONAL_ADDRESSES",
        16400: "UPDATE_SA_ADDRESSES",
        16401: "COOKIE2",
        16402: "NO_NATS_ALLOWED",
        16403: "AUTH_LIFETIME",  # RFC 4478
        16404: "MULTIPLE_AUTH_SUPPORTED",  # RFC 4739
        16405: "ANOTHER_AUTH_FOLLOWS",
        16406: "REDIRECT_SUPPORTED",  # RFC 5685
        16407: "REDIRECT",
        16408: "REDIRECTED_FROM",
        16409: "TICKET_LT_OPAQUE",  # RFC 5723
        16410: "TICKET_REQUEST",
        16411: "TICKET_ACK",
        16412: "TICKET_NACK",
        16413: "TICKET_OPAQUE",
        16414: "LINK_ID",  # RFC 5739
        16415: "USE_WESP_MODE",  # RFC 5840
        16416: "ROHC_SUPPORTED",  # RFC 5857
        16417: "EAP_ONLY_AUTHENTICATION",  # RFC 5998
        16418: "CHILDLESS_IKEV2_SUPPORTED",  # RFC 6023
        16419: "QUICK_CRASH_DETECTION",  # RFC 6290
        16420: "IKEV2_MESSAGE_ID_SYNC_SUPPORTED",  # RFC 6311
        16421: "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED",
        16422: "IKEV2_MESSAGE_ID_SYNC",
        16423: "IPSEC_REPLAY_COUNTER_SYNC",
        16424: "SECURE_PASSWORD_METHODS",  # RFC 6467
        16425: "PSK_PERSIST",  # RFC 6631
        16426: "PSK_CONFIRM",
        16427: "ERX_SUPPORTED",  # RFC 6867
        16428: "IFOM_CAPABILITY",  # 3GPP TS 24.303
        16429: "GROUP_SENDER",  # G-IKEv2 (formerly SENDER_REQUEST_ID)
        16430: "IKEV2_FRAGMENTATION_SUPPORTED",  # RFC 7383
        16431: "SIGNATURE_HASH_ALGORITHMS",  # RFC 7427
        16432: "CLONE_IKE_SA_SUPPORTED",  # RFC 7791
        16433: "CLONE_IKE_SA",
        16434: "PUZZLE",  # RFC 8019
        16435: "USE_PPK",  # RFC 8784
        16436: "PPK_IDENTITY",
        16437: "NO_PPK_AUTH",
        16438: "INTERMEDIATE_EXCHANGE_SUPPORTED",  # RFC 9242
        16439: "IP4_ALLOWED",  # RFC 8983
        16440: "IP6_ALLOWED",
        16441: "ADDITIONAL_KEY_EXCHANGE",  # RFC 9370
        16442: "USE_AGGFRAG",  # RFC 9347
        16443: "SUPPORTED_AUTH_METHODS",  # RFC 9593
        16444: "SA_RESOURCE_INFO",  # RFC 9611
        16445: "USE_PPK_INT",  # draft-ietf-ipsecme-ikev2-qr-alt
        16446: "PPK_IDENTITY_KEY",
        # Private-use status types.  40960 is libreswan's (opportunistic NULL auth);
        # 40961-40969 are strongSwan's; 40961 and 41041+ are 3GPP TS 24.302 / 24.502.
        40960: "NULL_AUTH",
        40961: "REACTIVATION_REQUESTED_CAUSE (3GPP) / USE_BEET_MODE (strongSwan)",
        40962: "ME_MEDIATION",
        40963: "ME_ENDPOINT",
        40964: "ME_CALLBACK",
        40965: "ME_CONNECTID",
        40966: "ME_CONNECTKEY",
        40967: "ME_CONNECTAUTH",
        40968: "ME_RESPONSE",
        40969: "RADIUS_ATTRIBUTE",
        41041: "BACKOFF_TIMER",
        41050: "PDN_TYPE_IPv4_ONLY_ALLOWED",
        41051: "PDN_TYPE_IPv6_ONLY_ALLOWED",
        41101: "DEVICE_IDENTITY",
        41112: "EMERGENCY_SUPPORT",
        41134: "EMERGENCY_CALL_NUMBERS",
        41288: "NBIFOM_GENERIC_CONTAINER",
        41304: "P-CSCF_RESELECTION_SUPPORT",
        41501: "PTI",
        42011: "IKEV2_MULTIPLE_BEARER_PDN_CONNECTIVITY",
        42014: "EPS_QOS",
        42015: "EXTENDED_EPS_QOS",
        42017: "TFT",
        42020: "MODIFIED_BEARER",
        42094: "APN_AMBR",
        42095: "EXTENDED_APN_AMBR",
        51015: "N1_MODE_CAPABILITY",
        51115: "N1_MODE_INFORMATION",
        55501: "5G_QOS_INFO",
        55502: "NAS_IP4_ADDRESS",
        55503: "NAS_IP6_ADDRESS",
        55504: "UP_IP4_ADDRESS",
        55505: "UP_IP6_ADDRESS",
        55506: "NAS_TCP_PORT",
        55507: "N3GPP_BACKOFF_TIMER",
    },
    ranges=(
        (0, 8191, "unassigned (errors)"),
        (8192, 16383, "private use (errors)"),
        (16384, 40959, "unassigned (status)"),
        (40960, 65535, "private use (status)"),
    ),
)

V2_PROTOCOLS = Registry(
    "IKEv2 security protocol ID",
    {
        0: "NONE",
        1: "IKE",
        2: "AH",
        3: "ESP",
        4: "FC_ESP_HEADER",  # RFC 4595
        5: "FC_CT_AUTHENTICATION",
        6: "GIKE_UPDATE",  # G-IKEv2
    },
    ranges=((7, 200, "unassigned"), (201, 255, "private use")),
)

V2_TRANSFORM_TYPES = Registry(
    "IKEv2 transform type",
    {
        1: "ENCR",
        2: "PRF",
        3: "INTEG",
        4: "KE",  # "D-H" before RFC 9370
        5: "ESN",  # renamed "SN" (sequence numbers) later
        6: "ADDKE1",  # RFC 9370
        7: "ADDKE2",
        8: "ADDKE3",
        9: "ADDKE4",
        10: "ADDKE5",
        11: "ADDKE6",
        12: "ADDKE7",
        13: "KWA",  # G-IKEv2 key wrap algorithm
        14: "GCAUTH",  # G-IKEv2 group controller authentication method
    },
    ranges=((15, 240, "unassigned"), (241, 255, "private use")),
)

V2_ENCR_IDS = Registry(
    "IKEv2 encryption algorithm",
    {
        1: "DES-IV64",
        2: "DES",
        3: "3DES",
        4: "RC5",
        5: "IDEA",
        6: "CAST",
        7: "BLOWFISH",
        8: "3IDEA",
        9: "DES-IV32",
        11: "NULL",
        12: "AES-CBC",
        13: "AES-CTR",  # RFC 5930
        14: "AES-CCM-8",  # RFC 5282
        15: "AES-CCM-12",
        16: "AES-CCM-16",
        18: "AES-GCM-8",  # RFC 5282
        19: "AES-GCM-12",
        20: "AES-GCM-16",
        21: "NULL-AUTH-AES-GMAC",  # RFC 4543
        23: "CAMELLIA-CBC",  # RFC 5529
        24: "CAMELLIA-CTR",
        25: "CAMELLIA-CCM-8",
        26: "CAMELLIA-CCM-12",
        27: "CAMELLIA-CCM-16",
        28: "CHACHA20-POLY1305",  # RFC 7634
        29: "AES-CCM-8-IIV",  # RFC 8750
        30: "AES-GCM-16-IIV",
        31: "CHACHA20-POLY1305-IIV",
        32: "KUZNYECHIK-MGM-KTREE",  # RFC 9227
        33: "MAGMA-MGM-KTREE",
        34: "KUZNYECHIK-MGM-MAC-KTREE",
        35: "MAGMA-MGM-MAC-KTREE",
        # Private-use values of FreeS/WAN-derived stacks (libreswan, strongSwan)
        65004: "SERPENT-CBC",
        65005: "TWOFISH-CBC",
        65289: "TWOFISH-CBC (SSH)",
    },
    ranges=((0, 0, "reserved"), (36, 1023, "unassigned"), (1024, 65535, "private use")),
)

V2_PRF_IDS = Registry(
    "IKEv2 pseudo-random function",
    {
        1: "HMAC-MD5",
        2: "HMAC-SHA1",
        3: "HMAC-TIGER",
        4: "AES128-XCBC",  # RFC 4434
        5: "HMAC-SHA2-256",  # RFC 4868
        6: "HMAC-SHA2-384",
        7: "HMAC-SHA2-512",
        8: "AES128-CMAC",  # RFC 4615
        9: "HMAC-STREEBOG-512",  # RFC 9385
    },
    ranges=((0, 0, "reserved"), (10, 1023, "unassigned"), (1024, 65535, "private use")),
)

V2_INTEG_IDS = Registry(
    "IKEv2 integrity algorithm",
    {
        0: "NONE",
        1: "HMAC-MD5-96",
        2: "HMAC-SHA1-96",
        3: "DES-MAC",
        4: "KPDK-MD5",
        5: "AES-XCBC-96",
        6: "HMAC-MD5-128",  # RFC 4595
        7: "HMAC-SHA1-160",
        8: "AES-CMAC-96",  # RFC 4494
        9: "AES-128-GMAC",  # RFC 4543
        10: "AES-192-GMAC",
        11: "AES-256-GMAC",
        12: "HMAC-SHA2-256-128",  # RFC 4868
        13: "HMAC-SHA2-384-192",
        14: "HMAC-SHA2-512-256",
    },
    ranges=((15, 1023, "unassigned"), (1024, 65535, "private use")),
)

V2_ESN_IDS = Registry(
    "IKEv2 extended sequence numbers",
    {
        0: "No ESN",  # 32-bit sequential numbers
        1: "ESN",  # partially transmitted 64-bit sequential numbers
        2: "32-bit Unspecified SN",  # draft-ietf-ipsecme-ikev2-rename-esn
    },
    ranges=((3, 65535, "reserved"),),
)

# Transform IDs depend on the transform type they belong to.
V2_TRANSFORM_IDS: dict[int, Registry] = {
    1: V2_ENCR_IDS,
    2: V2_PRF_IDS,
    3: V2_INTEG_IDS,
    4: KE_GROUPS,
    5: V2_ESN_IDS,
    6: KE_GROUPS,
    7: KE_GROUPS,
    8: KE_GROUPS,
    9: KE_GROUPS,
    10: KE_GROUPS,
    11: KE_GROUPS,
    12: KE_GROUPS,
}

V2_TRANSFORM_ATTRIBUTES = Registry(
    "IKEv2 transform attribute",
    {14: "Key Length"},
    ranges=(
        (0, 13, "reserved"),
        (15, 17, "reserved"),
        (18, 16383, "unassigned"),
        (16384, 32767, "private use"),
    ),
)

V2_ID_TYPES = Registry(
    "IKEv2 identification type",
    {
        1: "ID_IPV4_ADDR",
        2: "ID_FQDN",
        3: "ID_RFC822_ADDR",
        5: "ID_IPV6_ADDR",
        9: "ID_DER_ASN1_DN",
        10: "ID_DER_ASN1_GN",
        11: "ID_KEY_ID",
        12: "ID_FC_NAME",  # RFC 4595
        13: "ID_NULL",  # RFC 7619
    },
    ranges=((14, 200, "unassigned"), (201, 255, "private use")),
)

V2_AUTH_METHODS = Registry(
    "IKEv2 authentication method",
    {
        1: "RSA Digital Signature",
        2: "Shared Key Message Integrity Code",
        3: "DSS Digital Signature",
        9: "ECDSA with SHA-256 on P-256",  # RFC 4754
        10: "ECDSA with SHA-384 on P-384",
        11: "ECDSA with SHA-512 on P-521",
        12: "Generic Secure Password",  # RFC 6467
        13: "NULL Authentication",  # RFC 7619
        14: "Digital Signature",  # RFC 7427
    },
    ranges=((4, 8, "reserved"), (15, 200, "unassigned"), (201, 255, "private use")),
)

V2_TS_TYPES = Registry(
    "IKEv2 traffic selector type",
    {
        7: "TS_IPV4_ADDR_RANGE",
        8: "TS_IPV6_ADDR_RANGE",
        9: "TS_FC_ADDR_RANGE",  # RFC 4595
        10: "TS_SECLABEL",  # RFC 9478
    },
    ranges=((0, 6, "reserved"), (11, 240, "unassigned"), (241, 255, "private use")),
)

V2_CFG_TYPES = Registry(
    "IKEv2 configuration payload type",
    {1: "CFG_REQUEST", 2: "CFG_REPLY", 3: "CFG_SET", 4: "CFG_ACK"},
    ranges=((5, 127, "unassigned"), (128, 255, "private use")),
)

V2_CFG_ATTRIBUTES = Registry(
    "IKEv2 configuration attribute",
    {
        1: "INTERNAL_IP4_ADDRESS",
        2: "INTERNAL_IP4_NETMASK",
        3: "INTERNAL_IP4_DNS",
        4: "INTERNAL_IP4_NBNS",
        5: "INTERNAL_ADDRESS_EXPIRY",  # RFC 4306 only, reserved since RFC 5996
        6: "INTERNAL_IP4_DHCP",
        7: "APPLICATION_VERSION",
        8: "INTERNAL_IP6_ADDRESS",
        9: "INTERNAL_IP6_NETMASK",  # RFC 4306 only
        10: "INTERNAL_IP6_DNS",
        11: "INTERNAL_IP6_NBNS",  # RFC 4306 only
        12: "INTERNAL_IP6_DHCP",
        13: "INTERNAL_IP4_SUBNET",
        14: "SUPPORTED_ATTRIBUTES",
        15: "INTERNAL_IP6_SUBNET",
        16: "MIP6_HOME_PREFIX",  # RFC 5026
        17: "INTERNAL_IP6_LINK",  # RFC 5739
        18: "INTERNAL_IP6_PREFIX",
        19: "HOME_AGENT_ADDRESS",  # 3GPP TS 24.302
        20: "P_CSCF_IP4_ADDRESS",  # RFC 7651
        21: "P_CSCF_IP6_ADDRESS",
        22: "FTT_KAT",  # 3GPP TS 24.302
        23: "EXTERNAL_SOURCE_IP4_NAT_INFO",  # 3GPP TS 29.139
        24: "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK",  # 3GPP TS 24.302
        25: "INTERNAL_DNS_DOMAIN",  # RFC 8598
        26: "INTERNAL_DNSSEC_TA",
        27: "ENCDNS_IP4",  # RFC 9464
        28: "ENCDNS_IP6",
        29: "ENCDNS_DIGEST_INFO",
        # Microsoft, private use (strongSwan)
        23456: "INTERNAL_IP4_SERVER",
        23457: "INTERNAL_IP6_SERVER",
    },
    ranges=((30, 16383, "unassigned"), (16384, 32767, "private use")),
)

# RFC 7427 hash algorithms (SIGNATURE_HASH_ALGORITHMS notify, digital signature AUTH).
SIGNATURE_HASH_ALGORITHMS = Registry(
    "IKEv2 signature hash algorithm",
    {
        0: "Reserved",
        1: "SHA1",
        2: "SHA2-256",
        3: "SHA2-384",
        4: "SHA2-512",
        5: "Identity",  # RFC 8420 (EdDSA)
        6: "STREEBOG-256",  # RFC 9385
        7: "STREEBOG-512",
    },
    ranges=((8, 1023, "unassigned"), (1024, 65535, "private use")),
)

# ---------------------------------------------------------------------------------------
# EAP inside IKEv2 (IANA "eap-numbers", RFC 3748, RFC 6696)
# ---------------------------------------------------------------------------------------

EAP_CODES = Registry(
    "EAP code",
    {1: "Request", 2: "Response", 3: "Success", 4: "Failure", 5: "Initiate", 6: "Finish"},
)

EAP_TYPES = Registry(
    "EAP method type",
    {
        1: "Identity",
        2: "Notification",
        3: "Legacy Nak",
        4: "MD5-Challenge",
        5: "OTP",
        6: "GTC",
        9: "RSA Public Key Authentication",
        10: "DSS Unilateral",
        11: "KEA",
        12: "KEA-VALIDATE",
        13: "TLS",
        14: "Defender Token (AXENT)",
        15: "RSA SecurID",
        16: "Arcot Systems",
        17: "LEAP",  # EAP-Cisco Wireless
        18: "SIM",
        19: "SRP-SHA1",
        21: "TTLS",
        22: "Remote Access Service",
        23: "AKA",
        24: "3Com Wireless",
        25: "PEAP",
        26: "MSCHAPv2",  # IANA: MS-EAP-Authentication
        27: "MAKE",
        28: "CRYPTOCard",
        29: "EAP-MSCHAP-V2",
        30: "DynamID",
        31: "Rob EAP",
        32: "Protected One-Time Password",
        33: "MS-Authentication-TLV",
        34: "SentriNET",
        35: "Actiontec Wireless",
        36: "Cogent Biometrics",
        37: "AirFortress",
        38: "HTTP Digest",  # strongSwan uses this number for EAP-TNC
        39: "SecureSuite",
        40: "DeviceConnect",
        41: "SPEKE",
        42: "MOBAC",
        43: "FAST",
        44: "ZLXEAP",
        45: "Link",
        46: "PAX",
        47: "PSK",
        48: "SAKE",
        49: "IKEv2",
        50: "AKA'",
        51: "GPSK",
        52: "pwd",
        53: "EKE",
        54: "PT-EAP",
        55: "TEAP",
        56: "NOOB",
        254: "Expanded",
        255: "Experimental",
    },
)
