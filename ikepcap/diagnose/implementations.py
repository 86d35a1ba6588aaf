"""IKE implementations and what each does on the wire, in its logs and at its console: the tables.

The same wire pattern means different things from different peers: a NO_PROPOSAL_CHOSEN
without an SPI is strongSwan's "no configuration for this peer" but Libreswan formats every
refusal that way; silence after MM5 is strongSwan's PSK mismatch only if the responder
answered nothing, while Libreswan's mismatch re-sends MM4. So the rules first need to know who
is talking (``fingerprint``), and then what that implementation does for each failure. This
module holds the facts for both, each in one place:

* ``IMPLEMENTATIONS`` -- one row per implementation: its timer behaviour as a responder, whether
  it fakes NAT detection, and which row it behaves like where it has none of its own.
* ``VID_RULES`` -- which vendor ID names (as ``decode.vendor_ids`` spells them) point at which
  implementation, and how strongly; ``VID_SETS`` / ``NOTIFY_ORDERS`` -- the exact VID or notify
  sequence an implementation sends by default, seen in the lab captures.
* ``NOTIFY_FORMATS`` -- how an implementation formats an unencrypted error notification (message
  ID, responder cookie, SPI size).
* ``SCHEDULES`` -- retransmission timers, as the intervals between copies.
* ``BEHAVIOURS`` -- one row per implementation x failure: what it sends, what it logs, which
  command shows it.
* ``COMMANDS`` -- per implementation and side, what to run; ``GENERIC_COMMANDS`` when unknown.

Sources are named beside the rows: the lab captures and daemon logs in ``captures/`` (strongSwan
5.9.8, Libreswan 4.10), ``/work/shared/KNOWLEDGE.md`` (Cisco TAC, tunnelsup, vendor
troubleshooting notes), vendors' documentation, and ike-scan's ``ike-backoff-patterns`` (patterns
observed by its contributors; its default match tolerance is 100 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

from ikepcap.correlate.model import (
    AM1,
    AM2,
    IKE_SA_INIT_REQUEST,
    IKE_SA_INIT_RESPONSE,
    INITIATOR,
    MM1,
    MM2,
    RESPONDER,
)
from ikepcap.diagnose.causes import CAUSES

STRONGSWAN = "strongSwan"
LIBRESWAN = "Libreswan"
OPENSWAN = "Openswan"
FREESWAN = "FreeS/WAN"
PLUTO_LINEAGE = "FreeS/WAN lineage (FreeS/WAN, Openswan or Libreswan)"
CISCO_ASA = "Cisco ASA"
CISCO_IOS = "Cisco IOS / IOS-XE"
CISCO = "Cisco (ASA or IOS)"
MERAKI = "Cisco Meraki MX"
JUNIPER = "Juniper (SRX / ScreenOS)"
FORTINET = "Fortinet FortiGate"
PALO_ALTO = "Palo Alto Networks PAN-OS"
CHECK_POINT = "Check Point"
SONICWALL = "SonicWall"
MIKROTIK = "MikroTik RouterOS"
WINDOWS = "Microsoft Windows"
APPLE = "Apple macOS / iOS"
ANDROID = "Android"
RACOON = "racoon (KAME / ipsec-tools)"
IKE_SCAN = "ike-scan"
NCP = "NCP"
OPENIKED = "OpenIKED"
ZYXEL = "ZyXEL ZyWALL"


@dataclass(frozen=True, slots=True)
class Profile:
    """What an implementation does regardless of the failure.

    ``main_mode_responder_timer``: whether its IKEv1 Main Mode responder re-sends its last reply
    (MM2, MM4) on a timer of its own, not only once per duplicate request -- True for Libreswan
    (its MM4 repeats while the initiator repeats MM5), False for strongSwan (one reply per
    duplicate), None where no source says. ``fakes_natd``: how it can force UDP encapsulation
    by sending a NAT-D hash that cannot match, making the peer believe in a NAT (None: not known
    to). ``behaves_like``: the row whose behaviours and commands apply where it has none of its
    own (Openswan and FreeS/WAN share pluto's code with Libreswan)."""

    name: str
    main_mode_responder_timer: bool | None
    fakes_natd: str | None
    behaves_like: str | None = None


IMPLEMENTATIONS: dict[str, Profile] = {p.name: p for p in (
    # Lab: strongSwan's MM responder answered each MM1 copy once (v1-mm-return-path-blocked-
    # responder-side, MM2 x5 "retransmitting response"); its AM responder re-sends AM2 on its timer.
    # encap=yes (swanctl.conf) / forceencaps (ipsec.conf) and the kernel-libipsec backend send a
    # random NAT-D hash (docs.strongswan.org swanctl.conf "encap"; lab v1-mm-nat-t, both ends).
    Profile(STRONGSWAN, False, "encap = yes / forceencaps = yes, or the kernel-libipsec backend (Android app, "
                               "userspace ESP)"),
    # Lab sw-lsw-v1-mm-psk-mismatch: "STATE_MAIN_R2: retransmission; will wait 0.5 seconds".
    Profile(LIBRESWAN, True, None),
    Profile(OPENSWAN, True, None, behaves_like=LIBRESWAN),
    Profile(FREESWAN, True, None, behaves_like=LIBRESWAN),
    Profile(PLUTO_LINEAGE, True, None, behaves_like=LIBRESWAN),
    Profile(CISCO_ASA, None, None),
    Profile(CISCO_IOS, None, None),
    Profile(CISCO, None, None),
    Profile(MERAKI, None, None),
    Profile(JUNIPER, None, None),
    Profile(FORTINET, None, None),
    Profile(PALO_ALTO, None, None),
    Profile(CHECK_POINT, None, None),
    Profile(SONICWALL, None, None),
    Profile(MIKROTIK, None, None),
    Profile(WINDOWS, None, None),
    Profile(APPLE, None, None, behaves_like=RACOON),     # macOS/iOS IKEv1 is Apple's racoon
    Profile(ANDROID, None, None),
    Profile(RACOON, None, None),
    Profile(IKE_SCAN, None, None),
    Profile(NCP, None, None),
    Profile(OPENIKED, None, None),
    Profile(ZYXEL, None, None),
)}

# How much one clue says (``fingerprint`` adds them up per implementation):
PRODUCT = 3     # a VID that names the product: alone it makes the name certain
SIGNATURE = 2   # a default behaviour only that implementation is known to have
HINT = 1        # points one way, but others could do the same


@dataclass(frozen=True, slots=True)
class VidRule:
    """Vendor ID names (``VendorID.vendor``) that point at an implementation.

    ``prefix``: the rule covers every name starting with ``name``; ``versioned``: the rest of
    the name is the version ("strongSwan 4.3.6" -> "4.3.6"). ``ascii_after``: the VID's own
    bytes carry the version as ASCII after this prefix (Libreswan 3.6+ sends "OE-Libreswan-4.10",
    which the table can only name "Libreswan 4.x")."""

    name: str
    implementation: str
    weight: int
    prefix: bool = False
    versioned: bool = False
    ascii_after: bytes | None = None


VID_RULES: tuple[VidRule, ...] = (
    # strongSwan sends its VID only with send_vendor_id = yes (off by default, as in the lab).
    VidRule("strongSwan", STRONGSWAN, PRODUCT),
    VidRule("strongSwan ", STRONGSWAN, PRODUCT, prefix=True, versioned=True),
    VidRule("Libreswan ", LIBRESWAN, PRODUCT, prefix=True, versioned=True, ascii_after=b"OE-Libreswan-"),
    VidRule("Libreswan opportunistic IPsec", LIBRESWAN, PRODUCT),
    VidRule("Openswan ", OPENSWAN, PRODUCT, prefix=True, versioned=True),
    VidRule("Linux Openswan ", OPENSWAN, PRODUCT, prefix=True, versioned=True),
    VidRule("Linux FreeS/WAN ", FREESWAN, PRODUCT, prefix=True, versioned=True),
    VidRule("Openswan/Libreswan CAN-IKEv2 (obsolete)", PLUTO_LINEAGE, PRODUCT),
    # Cisco: the ASA announces itself with the VPN 3000 ("Altiga") gateway VID and also sends an
    # IOS VID ("ASA spoofing IOS Vendor ID" in its debug), so the IOS VID alone is only a
    # signature, and the VPN 3000 one outweighs it. FlexVPN is IOS / IOS-XE only. Unity, the
    # IKEv2 delete-reason and revision VIDs are Cisco-wide (and Unity is sent by strongSwan and
    # Libreswan too when configured for Cisco clients).
    VidRule("Cisco VPN 3000 Concentrator", CISCO_ASA, PRODUCT, prefix=True),
    VidRule("Cisco IOS", CISCO_IOS, SIGNATURE),
    VidRule("Cisco FlexVPN Supported", CISCO_IOS, PRODUCT),
    VidRule("Cisco Dynamic Route", CISCO_IOS, SIGNATURE),
    VidRule("Cisco Delete Reason", CISCO, HINT),
    VidRule("Cisco VPN Revision 2", CISCO, HINT),
    VidRule("Cisco Copyright (c) 2009", CISCO, HINT),
    VidRule("Cisco GRE Mode", CISCO, HINT),
    VidRule("Cisco (unidentified)", CISCO, HINT),
    VidRule("Cisco Unity", CISCO, HINT),
    VidRule("Juniper ", JUNIPER, PRODUCT, prefix=True),
    VidRule("FortiGate", FORTINET, PRODUCT, prefix=True),
    VidRule("FortiClient connect license", FORTINET, PRODUCT),
    VidRule("Fortinet Endpoint Control", FORTINET, PRODUCT),
    VidRule("Check Point ", CHECK_POINT, PRODUCT, prefix=True, versioned=True),
    VidRule("Check Point", CHECK_POINT, PRODUCT),
    VidRule("SonicWall (", SONICWALL, PRODUCT, prefix=True),
    VidRule("SonicWall Global VPN Client", SONICWALL, PRODUCT),
    VidRule("Microsoft Windows ", WINDOWS, PRODUCT, prefix=True, versioned=True),
    VidRule("MS NT5 ISAKMPOAKLEY", WINDOWS, PRODUCT),
    VidRule("Microsoft ", WINDOWS, SIGNATURE, prefix=True),
    VidRule("MS-Negotiation Discovery Capable", WINDOWS, SIGNATURE),
    VidRule("Mac OS X ", APPLE, PRODUCT, prefix=True, versioned=True),
    VidRule("KAME/racoon", RACOON, PRODUCT),
    VidRule("ipsec-tools racoon", RACOON, PRODUCT),
    VidRule("NCP ", NCP, PRODUCT, prefix=True),
    VidRule("OpenIKED", OPENIKED, PRODUCT, ascii_after=b"OpenIKED-"),
    VidRule("ZyXEL ", ZYXEL, PRODUCT, prefix=True),
)

# FreeS/WAN, Openswan and Libreswan up to 3.5 send 12 bytes: "OE" and ten printable characters
# derived from an MD5 hash (decode/vendor_ids.py describes the rule). A VID of that shape that the
# table does not name is still pluto's -- a version, or a build with its own VID string, that is
# not listed (the Openswan test suite's "OEplutounit0" is one).
PLUTO_VID_PREFIX = b"OE"
PLUTO_VID_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Sequence:
    """The exact sequence of VID names (or IKEv2 notify names) an implementation puts in one
    message by default: the order is its own code's, so the whole sequence is a signature."""

    implementation: str
    messages: frozenset[str]            # step names it is seen in
    names: tuple[str, ...]
    source: str


VID_SETS: tuple[Sequence, ...] = (
    Sequence(STRONGSWAN, frozenset({MM1, AM1}),
             ("XAUTH", "Dead Peer Detection v1.0", "FRAGMENTATION (IKE phase 1 capable)", "RFC 3947 NAT-T",
              "draft-ietf-ipsec-nat-t-ike-02\\n"),
             "strongSwan 5.9.8 initiator, every IKEv1 lab capture"),
    Sequence(STRONGSWAN, frozenset({MM2, AM2}),
             ("XAUTH", "Dead Peer Detection v1.0", "FRAGMENTATION (IKE phase 1 capable)", "RFC 3947 NAT-T"),
             "strongSwan 5.9.8 responder, every IKEv1 lab capture"),
    # With fragmentation = no (the lab's certificate scenario) the FRAGMENTATION VID is left out.
    Sequence(STRONGSWAN, frozenset({MM1, AM1}),
             ("XAUTH", "Dead Peer Detection v1.0", "RFC 3947 NAT-T", "draft-ietf-ipsec-nat-t-ike-02\\n"),
             "strongSwan 5.9.8 initiator, lab v1-mm-cert-ip-fragments-dropped"),
    Sequence(STRONGSWAN, frozenset({MM2, AM2}),
             ("XAUTH", "Dead Peer Detection v1.0", "RFC 3947 NAT-T"),
             "strongSwan 5.9.8 responder, lab v1-mm-cert-ip-fragments-dropped"),
    Sequence(LIBRESWAN, frozenset({MM2, AM2}),
             ("FRAGMENTATION (Cisco/Microsoft IKEv1 fragmentation)", "Dead Peer Detection v1.0", "RFC 3947 NAT-T"),
             "Libreswan 4.10 responder, sw-lsw-v1-mm-healthy, sw-lsw-v1-mm-psk-mismatch, sw-lsw-v1-am-psk-mismatch"),
)

NOTIFY_ORDERS: tuple[Sequence, ...] = (
    Sequence(STRONGSWAN, frozenset({IKE_SA_INIT_REQUEST}),
             ("NAT_DETECTION_SOURCE_IP", "NAT_DETECTION_DESTINATION_IP", "IKEV2_FRAGMENTATION_SUPPORTED",
              "SIGNATURE_HASH_ALGORITHMS", "REDIRECT_SUPPORTED"),
             "strongSwan 5.9.8 initiator, every IKEv2 lab capture"),
    Sequence(STRONGSWAN, frozenset({IKE_SA_INIT_RESPONSE}),
             ("NAT_DETECTION_SOURCE_IP", "NAT_DETECTION_DESTINATION_IP", "IKEV2_FRAGMENTATION_SUPPORTED",
              "SIGNATURE_HASH_ALGORITHMS", "CHILDLESS_IKEV2_SUPPORTED", "MULTIPLE_AUTH_SUPPORTED"),
             "strongSwan 5.9.8 responder, every IKEv2 lab capture"),
    Sequence(LIBRESWAN, frozenset({IKE_SA_INIT_RESPONSE}),
             ("IKEV2_FRAGMENTATION_SUPPORTED", "NAT_DETECTION_SOURCE_IP", "NAT_DETECTION_DESTINATION_IP",
              "CHILDLESS_IKEV2_SUPPORTED"),
             "Libreswan 4.10 responder, lab sw-lsw-v2-healthy, sw-lsw-v2-auth-failed, sw-lsw-v2-ts-unacceptable"),
)


@dataclass(frozen=True, slots=True)
class NotifyFormat:
    """How an implementation formats an unencrypted IKEv1 error Informational.

    ``message_id_zero`` / ``rspi_zero``: whether the header's message ID / responder cookie is
    zero; ``spi_size``: the notify's SPI length (None: any). ``meaning``: what this format tells
    beyond the notify type."""

    implementation: str
    notify: str
    message_id_zero: bool
    rspi_zero: bool
    spi_size: int | None
    meaning: str
    source: str


NOTIFY_FORMATS: tuple[NotifyFormat, ...] = (
    NotifyFormat(STRONGSWAN, "NO_PROPOSAL_CHOSEN", False, False, 16,
                 "the SPI is the cookie pair: a real proposal mismatch", "lab v1-mm-p1-proposal-mismatch"),
    NotifyFormat(STRONGSWAN, "NO_PROPOSAL_CHOSEN", False, False, 0,
                 "no SPI: no IKE configuration for this peer at all", "lab v1-mm-peer-not-configured"),
    NotifyFormat(STRONGSWAN, "INVALID_KEY_INFORMATION", False, False, 16,
                 "sent instead of MM4: a matching connection but no pre-shared key for this peer",
                 "lab v1-mm-no-psk-for-peer"),
    NotifyFormat(LIBRESWAN, "NO_PROPOSAL_CHOSEN", True, True, None,
                 "Libreswan refuses this way both a proposal mismatch and a connection without a PSK",
                 "KNOWLEDGE.md, what real implementations put on the wire (Libreswan 4.10)"),
)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A retransmission timer as the intervals between consecutive copies of one message (the
    original to the first re-send, then on). ``tolerance``: seconds an interval may differ, where
    the source gives one; otherwise ``fingerprint`` applies its default."""

    implementation: str
    setting: str
    intervals: tuple[float, ...]
    source: str
    tolerance: float | None = None


def geometric(first: float, base: float, count: int) -> tuple[float, ...]:
    """strongSwan's timer: re-send n waits retransmit_timeout * retransmit_base ^ (n-1)."""
    return tuple(round(first * base ** n, 3) for n in range(count))


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(STRONGSWAN, "4 s x1.8 (default)", geometric(4.0, 1.8, 5),
             "https://docs.strongswan.org/docs/latest/config/retransmission.html"),
    Schedule(STRONGSWAN, "1 s x1.5 (the lab's retransmit_timeout/base)", geometric(1.0, 1.5, 4),
             "captures/lab/README.md; the lab captures"),
    Schedule(STRONGSWAN, "2 s x1.4 (shortened timers)", geometric(2.0, 1.4, 4),
             "KNOWLEDGE.md, building a lab"),
    # The first interval repeats, then it doubles: "STATE_MAIN_R2: retransmission; will wait 0.5 /
    # 1 / 2 / 4 / 8 / 16 / 32 seconds" (https://github.com/hwdsl2/docker-ipsec-vpn-server/issues/197);
    # lab sw-lsw-v1-mm-psk-mismatch: MM4 at +0.50, 0.50, 1.00, 2.00, 4.00 s.
    Schedule(LIBRESWAN, "0.5 s doubling (retransmit-interval=500ms)", (0.5, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
             "Libreswan pluto logs; lab sw-lsw-v1-mm-psk-mismatch"),
    Schedule(FREESWAN, "10 s doubling", (10.0, 20.0), "ike-scan ike-backoff-patterns (FreeS/WAN 1.9)"),
    Schedule(WINDOWS, "1 s doubling", (1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
             "ike-scan ike-backoff-patterns (Windows 2000/XP/2003); KNOWLEDGE.md (IKEv2 client)"),
    Schedule(CISCO_IOS, "fixed 10 s (IOS 12.1-15.0)", (10.0, 10.0, 10.0, 10.0), "KNOWLEDGE.md, retransmission timing"),
    Schedule(CISCO_IOS, "fixed 15 s (IOS 11.3 / PIX)", (15.0, 15.0), "ike-scan ike-backoff-patterns"),
    # The ASA inherits the VPN 3000 concentrator's IKE code; the ASA 8.0 write-up re-sends MM3 after 8 s.
    Schedule(CISCO_ASA, "fixed 8 s (VPN 3000 / ASA)", (8.0, 8.0, 8.0),
             "ike-scan ike-backoff-patterns (Cisco VPN Concentrator); captures/asa-mm-wait-msg4-reproduction"),
    Schedule(FORTINET, "6 s, then 12 s", (6.0, 12.0), "KNOWLEDGE.md, retransmission timing (folk knowledge)"),
    Schedule(CHECK_POINT, "2 s x6, then 4 s (Firewall-1 4.1 / NG / NGX)",
             (2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0), "ike-scan ike-backoff-patterns"),
    Schedule(JUNIPER, "fixed 4 s (NetScreen)", (4.0,) * 11, "ike-scan ike-backoff-patterns"),
    Schedule(SONICWALL, "6.5, 9, 13, 22 s (Pro 200)", (6.5, 9.0, 13.0, 22.0), "ike-scan ike-backoff-patterns",
             tolerance=2.0),
    Schedule(RACOON, "fixed 20 s", (20.0,) * 5, "ike-scan ike-backoff-patterns (racoon-20021120a)"),
    Schedule(RACOON, "fixed 21.5 s", (21.5,) * 5, "ike-scan ike-backoff-patterns (racoon-20050510a)"),
)


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What one implementation does on one failure (a cause id of ``causes.CAUSES``).

    ``side`` is the side whose behaviour it is (often the one that detects the failure);
    ``wire`` what it puts on the wire; ``log`` lines it writes, exactly as logged (placeholders
    in angle brackets); ``command`` what shows it."""

    implementation: str
    failure: str
    side: str
    wire: str
    log: tuple[str, ...]
    command: str
    source: str


BEHAVIOURS: tuple[Behaviour, ...] = (
    # strongSwan 5.9.8 (lab logs in captures/*.log).
    Behaviour(STRONGSWAN, "psk-mismatch", RESPONDER,
              "IKEv1 Main Mode: answers every MM5 copy with an encrypted Informational N(PAYLOAD_MALFORMED) under its "
              "own key; the initiator cannot read it and keeps re-sending MM5",
              ("invalid ID_V1 payload length, decryption failed?", "could not decrypt payloads",
               "message parsing failed", "ID_PROT request with message ID 0 processing failed"),
              "swanctl --log (responder)", "captures/v1-mm-psk-mismatch.responder.log"),
    Behaviour(STRONGSWAN, "psk-mismatch", INITIATOR,
              "IKEv1 Aggressive Mode: the initiator detects the wrong HASH_R and sends an encrypted "
              "N(AUTHENTICATION_FAILED); the responder keeps re-sending AM2",
              ("generating INFORMATIONAL_V1 request <id> [ HASH N(AUTH_FAILED) ]",),
              "swanctl --log (initiator)", "captures/v1-am-psk-mismatch.initiator.log"),
    Behaviour(STRONGSWAN, "auth-failed", RESPONDER,
              "IKEv2: one IKE_AUTH response holding only an encrypted N(AUTHENTICATION_FAILED); no re-sends",
              ("tried <n> shared key(s) for '<id>' - '<id>', but MAC mismatched",
               "generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]"),
              "swanctl --log (responder)", "captures/v2-auth-failed.responder.log; KNOWLEDGE.md"),
    Behaviour(STRONGSWAN, "responder-no-psk-for-peer", RESPONDER,
              "a clear Informational N(INVALID_KEY_INFORMATION) (17, logged under its IKEv2 name) instead of MM4; "
              "the initiator gives up at once",
              ("no shared key found for <me> - <peer>",),
              "swanctl --list-conns; swanctl --log (responder)", "captures/v1-mm-no-psk-for-peer.responder.log"),
    Behaviour(STRONGSWAN, "peer-not-configured", RESPONDER,
              "a clear NO_PROPOSAL_CHOSEN to MM1 with notify SPI size 0, random message ID, non-zero responder cookie",
              ("no IKE config found for <me>...<peer>, sending NO_PROPOSAL_CHOSEN",),
              "swanctl --list-conns; swanctl --log (responder)", "captures/v1-mm-peer-not-configured.responder.log"),
    Behaviour(STRONGSWAN, "p1-proposal-mismatch", RESPONDER,
              "IKEv1: a clear NO_PROPOSAL_CHOSEN to MM1 with the cookie pair as SPI (16 bytes); IKEv2: an "
              "IKE_SA_INIT response holding only N(NO_PROPOSAL_CHOSEN)",
              ("no proposal found", "received proposals unacceptable",
               "no acceptable ENCRYPTION_ALGORITHM found"),
              "swanctl --log (responder); swanctl --list-conns for the configured proposals",
              "captures/v1-mm-p1-proposal-mismatch.responder.log, v2-no-proposal-chosen.responder.log"),
    Behaviour(STRONGSWAN, "p1-proposal-mismatch", INITIATOR,
              "stops at once on the clear notify, no re-sends",
              ("received NO_PROPOSAL_CHOSEN error notify", "received NO_PROPOSAL_CHOSEN notify error"),
              "swanctl --log (initiator)", "captures/v1-mm-p1-proposal-mismatch.initiator.log"),
    Behaviour(STRONGSWAN, "p2-proposal-mismatch", RESPONDER,
              "IKEv1: one encrypted Informational N(NO_PROPOSAL_CHOSEN) (92 bytes) to QM1, the IKE SA stays up",
              ("no matching proposal found, sending NO_PROPOSAL_CHOSEN",),
              "swanctl --log (responder); swanctl --list-conns for the child's esp_proposals",
              "captures/v1-qm-proposal-mismatch.responder.log"),
    Behaviour(STRONGSWAN, "p2-ts-mismatch", RESPONDER,
              "IKEv1: one encrypted Informational N(INVALID_ID_INFORMATION) to QM1; IKEv2: TS_UNACCEPTABLE in the "
              "IKE_AUTH response next to IDr/AUTH (IKE SA up, no CHILD_SA)",
              ("no matching CHILD_SA config found for <local> === <remote>",
               "generating IKE_AUTH response 1 [ IDr AUTH N(MOBIKE_SUP) N(NO_ADD_ADDR) N(TS_UNACCEPT) ]"),
              "swanctl --list-sas (responder); swanctl --list-conns for local_ts / remote_ts",
              "captures/v1-qm-ts-mismatch.responder.log, v2-ts-unacceptable.responder.log"),
    Behaviour(STRONGSWAN, "p2-ts-mismatch", INITIATOR,
              "logs the refusal; the IKE SA stays up",
              ("received INVALID_ID_INFORMATION error notify", "received TS_UNACCEPTABLE notify, no CHILD_SA built"),
              "swanctl --log (initiator)", "captures/v1-qm-ts-mismatch.initiator.log; KNOWLEDGE.md"),
    Behaviour(STRONGSWAN, "peer-dead", INITIATOR,
              "IKEv1: a fresh R-U-THERE (new message ID) every dpd_delay, never re-sent; after dpd_timeout the SA is "
              "cleared without a Delete. IKEv2: the empty INFORMATIONAL is re-sent on the normal timer",
              ("sending DPD request", "DPD check timed out, enforcing DPD action"),
              "swanctl --list-sas; swanctl --log", "captures/v1-dpd-dead-peer.initiator.log"),
    Behaviour(STRONGSWAN, "forward-path-blocked", INITIATOR,
              "re-sends its request on its timer, then gives up",
              ("sending retransmit <n> of request message ID <mid>, seq <n>", "giving up after <n> retransmits",
               "establishing IKE_SA failed, peer not responding"),
              "swanctl --log (initiator)", "captures/v1-mm-return-path-blocked-initiator-side.initiator.log"),
    Behaviour(STRONGSWAN, "return-path-blocked", RESPONDER,
              "the Main Mode responder re-sends its stored reply once per duplicate request, never on its own",
              ("received retransmit of request with ID 0, retransmitting response",),
              "swanctl --log (responder)", "captures/v1-mm-return-path-blocked-responder-side.responder.log"),
    # Libreswan 4.10 (lab) and its documented give-up messages (KNOWLEDGE.md, retransmit.c).
    Behaviour(LIBRESWAN, "psk-mismatch", RESPONDER,
              "IKEv1 Main Mode: sends nothing in answer to MM5 but re-sends MM4 on its own 0.5 s doubling timer "
              "while the initiator re-sends MM5",
              ("probable authentication failure (mismatch of preshared secrets?): malformed payload in packet",
               "STATE_MAIN_R2: retransmission; will wait 0.5 seconds for response"),
              "ipsec status; the pluto log (responder)", "captures/sw-lsw-v1-mm-psk-mismatch.responder.log"),
    Behaviour(LIBRESWAN, "psk-mismatch", INITIATOR,
              "re-sends MM5 until it gives up",
              (("STATE_MAIN_I3: max number of retransmissions (<n>) reached after <s> seconds. Possible "
               "authentication failure: no acceptable response to our first encrypted message"),),
              "ipsec status; the pluto log (initiator)", "KNOWLEDGE.md (programs/pluto/retransmit.c)"),
    Behaviour(LIBRESWAN, "responder-no-psk-for-peer", RESPONDER,
              "rejects MM1 with a clear NO_PROPOSAL_CHOSEN (message ID 0, responder cookie 0)",
              (), "ipsec status; the peer's entry in /etc/ipsec.secrets",
              "KNOWLEDGE.md, what real implementations put on the wire"),
    Behaviour(LIBRESWAN, "peer-not-configured", RESPONDER,
              "ignores MM1 silently: on the wire the same as an unreachable peer",
              (), "ipsec status; the pluto log (responder)", "KNOWLEDGE.md, what real implementations put on the wire"),
    Behaviour(LIBRESWAN, "p1-proposal-mismatch", RESPONDER,
              "a clear NO_PROPOSAL_CHOSEN with message ID 0 and responder cookie 0",
              (), "ipsec status; the pluto log (responder)", "KNOWLEDGE.md, what real implementations put on the wire"),
    Behaviour(LIBRESWAN, "p1-proposal-mismatch", INITIATOR,
              "ignores the clear notify and re-sends MM1 until it gives up",
              ("ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000",
               ("STATE_MAIN_I1: max number of retransmissions (<n>) reached after <s> seconds. No response (or no "
               "acceptable response) to our first IKEv1 message")),
              "the pluto log (initiator)", "KNOWLEDGE.md; https://github.com/libreswan/libreswan/issues/232"),
    Behaviour(LIBRESWAN, "p2-proposal-mismatch", INITIATOR,
              "re-sends QM1 until it gives up",
              (("STATE_QUICK_I1: max number of retransmissions (<n>) reached after <s> seconds. No acceptable response "
               "to our first Quick Mode message: perhaps peer likes no proposal"),),
              "ipsec whack --trafficstatus; the pluto log (initiator)", "KNOWLEDGE.md (programs/pluto/retransmit.c)"),
    Behaviour(LIBRESWAN, "p2-ts-mismatch", INITIATOR,
              "IKEv2: TS_UNACCEPTABLE in IKE_AUTH (Cisco ASA does not narrow several subnets)",
              ("No IKEv2 connection found with compatible Traffic Selectors",),
              "ipsec whack --trafficstatus; ipsec status",
              "KNOWLEDGE.md; https://github.com/libreswan/libreswan/issues/801"),
    Behaviour(LIBRESWAN, "forward-path-blocked", INITIATOR,
              "re-sends its first message on the 0.5 s doubling timer",
              ("STATE_MAIN_I1: retransmission; will wait 0.5 seconds for response",
               "STATE_PARENT_I1: retransmission; will wait 0.5 seconds for response"),
              "the pluto log (initiator)", "KNOWLEDGE.md; https://github.com/libreswan/libreswan/issues/913"),
    # Cisco ASA (KNOWLEDGE.md: tunnelsup, Cisco TAC, the ASA 8.0 write-up reproduced in captures/).
    Behaviour(CISCO_ASA, "responder-no-psk-for-peer", RESPONDER,
              "silent after MM3 (the initiator sits in MM_WAIT_MSG4 and re-sends MM3); a re-sent MM3 may be "
              "answered with a clear INVALID_COOKIE once the SA is dropped",
              (), "show run tunnel-group <peer>; debug crypto ikev1 127",
              "KNOWLEDGE.md (tunnelsup); captures/asa-mm-wait-msg4-reproduction"),
    Behaviour(CISCO_ASA, "responder-no-psk-for-peer", INITIATOR,
              "waits in MM_WAIT_MSG4, re-sends MM3",
              ("MM_WAIT_MSG4",), "show crypto isakmp sa detail", "KNOWLEDGE.md (tunnelsup)"),
    Behaviour(CISCO_ASA, "psk-mismatch", RESPONDER,
              "waits in MM_WAIT_MSG5: cannot use the initiator's MM5",
              ("MM_WAIT_MSG5",), "show crypto isakmp sa detail; debug crypto ikev1 127", "KNOWLEDGE.md (tunnelsup)"),
    Behaviour(CISCO_ASA, "psk-mismatch", INITIATOR,
              "waits in MM_WAIT_MSG6, re-sends MM5",
              ("MM_WAIT_MSG6",), "show crypto isakmp sa detail; debug crypto ikev1 127", "KNOWLEDGE.md (tunnelsup)"),
    Behaviour(CISCO_ASA, "forward-path-blocked", INITIATOR,
              "re-sends MM1 (EV_RESEND_MSG, 'IKE_DECODE RESENDING Message (msgid=0)') and tears the attempt down "
              "after three",
              ("MM_WAIT_MSG2", "IKE_DECODE RESENDING Message (msgid=0)"),
              "show crypto isakmp sa detail; debug crypto ikev1 127", "KNOWLEDGE.md (darenmatthews.com)"),
    Behaviour(CISCO_ASA, "return-path-blocked", RESPONDER,
              "re-sends MM2 for each duplicate MM1",
              ("MM_WAIT_MSG3", "Duplicate first packet detected"),
              "show crypto isakmp sa detail; debug crypto ikev1 127", "KNOWLEDGE.md (tunnelsup, darenmatthews.com)"),
    Behaviour(CISCO_ASA, "p2-ts-mismatch", RESPONDER,
              "IKEv2: TS_UNACCEPTABLE when the peer offers several subnets in one CHILD_SA (the ASA does not narrow)",
              (), "show crypto ipsec sa peer <peer>; debug crypto ikev2 platform 127",
              "KNOWLEDGE.md; https://github.com/strongswan/strongswan/issues/1150"),
    # Cisco IOS (KNOWLEDGE.md).
    Behaviour(CISCO_IOS, "return-path-blocked", INITIATOR,
              "stuck in MM_SA_SETUP, re-sending",
              ("phase 1 packet is a duplicate of a previous packet", "retransmitting phase 1 MM_SA_SETUP"),
              "show crypto isakmp sa; debug crypto isakmp", "KNOWLEDGE.md (itcertnotes)"),
    Behaviour(CISCO_IOS, "peer-lost-state", RESPONDER,
              "a message for an SA it does not have",
              ("%CRYPTO-4-IKMP_NO_SA: IKE message from <peer> has no SA and is not an initialization offer",),
              "show crypto isakmp sa; debug crypto isakmp", "KNOWLEDGE.md (Huawei EKB0000244832)"),
    # Others, from their vendors' troubleshooting material (KNOWLEDGE.md, other vendors).
    Behaviour(PALO_ALTO, "forward-path-blocked", INITIATOR,
              "re-sends MM1; the responder cookie stays zero",
              (("IKE phase-1 negotiation is failed as initiator, main mode. Failed SA: <me>[500]-<peer>[500] "
               "cookie:<icookie>:0000000000000000 due to timeout"),),
              "show vpn ike-sa gateway <name>; less mp-log ikemgr.log", "KNOWLEDGE.md (paloaltofirewalls.com)"),
    Behaviour(PALO_ALTO, "peer-not-configured", RESPONDER,
              "refuses the unknown peer",
              ("Couldn't find configuration for IKE phase-1 request for peer IP <peer>",),
              "show vpn ike-sa; less mp-log ikemgr.log", "KNOWLEDGE.md (paloaltofirewalls.com)"),
    Behaviour(FORTINET, "p1-proposal-mismatch", RESPONDER,
              "refuses the proposal",
              ("no SA proposal chosen", "negotiation failure"),
              "diagnose debug application ike -1; diagnose vpn ike gateway list",
              "KNOWLEDGE.md (community.fortinet.com)"),
    Behaviour(CHECK_POINT, "p1-proposal-mismatch", RESPONDER,
              "fails at Main Mode packet 1 in IKEView",
              (), "vpn debug ikeon; $FWDIR/log/ike.elg in IKEView", "KNOWLEDGE.md (Check Point IKEView write-ups)"),
    Behaviour(CHECK_POINT, "psk-mismatch", RESPONDER,
              "fails at Main Mode packets 5/6 in IKEView (IDs, PSK or certificate)",
              (), "vpn debug ikeon; $FWDIR/log/ike.elg in IKEView", "KNOWLEDGE.md (Check Point IKEView write-ups)"),
    Behaviour(ZYXEL, "psk-mismatch", RESPONDER,
              "answers MM5 with PAYLOAD_MALFORMED",
              ("!! No proposal chosen", "!! IKE Packet Retransmit"), "the device's IKE log",
              "KNOWLEDGE.md (ZyWALL manual: 'A PYLD_MALFORMED packet usually means that the two ends ... are not "
              "using the same pre-shared key')"),
)


@dataclass(frozen=True, slots=True)
class Command:
    implementation: str
    side: str | None                    # INITIATOR / RESPONDER, or None for either
    command: str
    shows: str


COMMANDS: tuple[Command, ...] = (
    Command(STRONGSWAN, None, "swanctl --list-sas", "the IKE and CHILD SAs and their state"),
    Command(STRONGSWAN, None, "swanctl --log", "charon's log live (what it received, chose and refused)"),
    Command(STRONGSWAN, None, "swanctl --list-conns", "the configured connections, proposals and traffic selectors"),
    Command(STRONGSWAN, None, "ipsec statusall", "the same with the legacy stroke interface (ipsec.conf setups)"),
    Command(STRONGSWAN, INITIATOR, "grep -E 'retransmit|giving up|error notify' /var/log/charon.log",
            "re-sends and the notifies it received"),
    Command(STRONGSWAN, RESPONDER, "grep -E 'no IKE config|no shared key|decryption failed|no matching' "
            "/var/log/charon.log", "why it refused or could not decrypt"),
    Command(LIBRESWAN, None, "ipsec status", "connections and states (STATE_MAIN_I3 ...)"),
    Command(LIBRESWAN, None, "ipsec whack --trafficstatus", "established IPsec SAs and their traffic"),
    Command(LIBRESWAN, INITIATOR, "grep -E 'retransmission|max number of retransmissions|ignoring informational' "
            "/var/log/pluto.log", "re-sends, the give-up diagnosis, notifies it ignored"),
    Command(LIBRESWAN, RESPONDER, "grep -E 'probable authentication failure|retransmission|"
            "no connection has been authorized' "
            "/var/log/pluto.log", "decryption failures and its own re-sends"),
    Command(CISCO_ASA, None, "show crypto isakmp sa detail", "the IKE SA and its MM_WAIT_MSGn state"),
    Command(CISCO_ASA, None, "show crypto ipsec sa peer <peer>", "the IPsec SAs and their counters"),
    Command(CISCO_ASA, None, "debug crypto ikev1 127", "the IKEv1 negotiation step by step"),
    Command(CISCO_ASA, None, "debug crypto ikev2 platform 127", "the IKEv2 negotiation step by step"),
    Command(CISCO_ASA, RESPONDER, "show run tunnel-group <peer>", "whether a tunnel-group / PSK exists for this peer"),
    Command(CISCO_IOS, None, "show crypto isakmp sa", "the IKEv1 SA (MM_NO_STATE, MM_KEY_EXCH ...)"),
    Command(CISCO_IOS, None, "show crypto ikev2 sa detailed", "the IKEv2 SAs"),
    Command(CISCO_IOS, None, "show crypto ipsec sa peer <peer>", "the IPsec SAs and their counters"),
    Command(CISCO_IOS, None, "debug crypto isakmp", "the IKEv1 negotiation step by step"),
    Command(CISCO_IOS, None, "debug crypto ikev2", "the IKEv2 negotiation step by step"),
    Command(CISCO, None, "show crypto isakmp sa", "the IKE SA and its state (ASA: add 'detail')"),
    Command(CISCO, None, "show crypto ipsec sa peer <peer>", "the IPsec SAs and their counters"),
    Command(CISCO, None, "debug crypto isakmp (IOS) / debug crypto ikev1 127 (ASA)", "the negotiation step by step"),
    Command(MERAKI, None, "Dashboard: Security & SD-WAN > Monitor > VPN status", "the peer's tunnel status"),
    Command(MERAKI, None, "Dashboard: Network-wide > Event log, filtered on VPN", "the IKE events the MX logged"),
    Command(JUNIPER, None, "show security ike security-associations detail", "IKE SA state, role, cookies"),
    Command(JUNIPER, None, "show security ipsec security-associations", "the IPsec SAs"),
    Command(JUNIPER, None, "set security ike traceoptions flag all (then show log kmd)", "the negotiation traced"),
    Command(FORTINET, None, "diagnose vpn ike gateway list name <phase1>", "the gateway's IKE state"),
    Command(FORTINET, None, "diagnose debug application ike -1; diagnose debug enable", "the negotiation live"),
    Command(FORTINET, None, "diagnose vpn tunnel list name <phase1>", "the IPsec SAs"),
    Command(PALO_ALTO, None, "show vpn ike-sa gateway <name>", "the IKE SA"),
    Command(PALO_ALTO, None, "show vpn ipsec-sa tunnel <name>", "the IPsec SAs"),
    Command(PALO_ALTO, None, "less mp-log ikemgr.log", "the IKE daemon's log"),
    Command(PALO_ALTO, INITIATOR, "test vpn ike-sa gateway <name>", "start the negotiation by hand"),
    Command(CHECK_POINT, None, "vpn tu", "list and delete tunnels"),
    Command(CHECK_POINT, None, "vpn debug ikeon; then read $FWDIR/log/ike.elg in IKEView", "every IKE packet"),
    Command(SONICWALL, None, "Log > Log Monitor (or Investigate > Logs), category VPN IKE", "the IKE events"),
    Command(MIKROTIK, None, "/ip ipsec active-peers print", "the IKE peers and their state"),
    Command(MIKROTIK, None, "/ip ipsec installed-sa print", "the IPsec SAs"),
    Command(MIKROTIK, None, "/system logging add topics=ipsec,!packet; /log print where topics~\"ipsec\"",
            "the IKE negotiation in the log"),
    Command(WINDOWS, None, "Get-VpnConnection (client) / Get-NetIPsecMainModeSA (host)", "the connection / IKE SAs"),
    Command(WINDOWS, None, "Event Viewer: Applications and Services Logs > Microsoft > Windows > RasClient",
            "the client's error code (809, 13801 ...)"),
    Command(WINDOWS, None, "netsh ras set tracing * enabled (logs in %windir%\\tracing)", "the IKE trace"),
    Command(APPLE, None, "log stream --predicate 'process == \"racoon\" OR process == \"NEIKEv2Provider\"'",
            "the IKE daemon's log"),
    Command(ANDROID, None, "adb logcat | grep -i -E 'ike|ipsec'", "the IKE client's log"),
    Command(RACOON, None, "racoonctl show-sa isakmp", "the ISAKMP SAs"),
    Command(RACOON, None, "racoon -F -d -v", "the negotiation in the foreground, verbose"),
    Command(IKE_SCAN, None, "nothing to run on the scanner: it probes and never keeps an SA; "
            "ask who ran the scan", "why a scanner spoke to the peer"),
    Command(OPENIKED, None, "ikectl show sa", "the IKE SAs"),
)

# When the implementation is unknown, both sides get these.
GENERIC_COMMANDS: tuple[Command, ...] = (
    Command("", None, "the IKE SA list on the device (Cisco: show crypto isakmp sa; strongSwan: swanctl --list-sas; "
            "Libreswan: ipsec status)", "whether it has the SA and in which state"),
    Command("", None, "the IKE daemon's debug log for this peer", "what it received, chose and refused"),
    Command("", None, "the device's IKE/IPsec configuration for this peer's address (peer IP, PSK, proposals, "
            "traffic selectors)", "what it expects of this peer"),
    Command("", None, "a capture on the other side", "what reached it and what it sent"),
)


def _lineage(name: str) -> tuple[str, ...]:
    """The name, then the rows it behaves like (Openswan -> Libreswan)."""
    chain = []
    while name and name not in chain:
        chain.append(name)
        row = IMPLEMENTATIONS.get(name)
        name = row.behaves_like if row is not None else None
    return tuple(chain)


def behaviours(name: str | None, failure: str, side: str | None = None) -> tuple[Behaviour, ...]:
    """What this implementation does on this failure (on one side, if given), from its own rows or
    the rows of what it behaves like; nothing for an unknown implementation -- the rules then keep
    their generic ranking."""
    for candidate in _lineage(name or ""):
        rows = tuple(b for b in BEHAVIOURS
                     if b.implementation == candidate and b.failure == failure and side in (None, b.side))
        if rows:
            return rows
    return ()


def commands(name: str | None, side: str) -> tuple[Command, ...]:
    """The commands to run on one side: the implementation's own (or its lineage's), else the
    generic list."""
    for candidate in _lineage(name or ""):
        rows = tuple(c for c in COMMANDS if c.implementation == candidate and c.side in (None, side))
        if rows:
            return rows
    return GENERIC_COMMANDS


def _check() -> None:
    """Every row names a known implementation and a known cause, so a typo fails at import."""
    named = ([v.implementation for v in VID_RULES] + [s.implementation for s in VID_SETS + NOTIFY_ORDERS]
             + [n.implementation for n in NOTIFY_FORMATS] + [s.implementation for s in SCHEDULES]
             + [b.implementation for b in BEHAVIOURS] + [c.implementation for c in COMMANDS]
             + [p.behaves_like for p in IMPLEMENTATIONS.values() if p.behaves_like])
    unknown = sorted(set(named) - set(IMPLEMENTATIONS))
    if unknown:
        raise ValueError(f"implementation rows name no implementation: {unknown}")
    failures = sorted({b.failure for b in BEHAVIOURS} - set(CAUSES))
    if failures:
        raise ValueError(f"behaviour rows name unknown causes: {failures}")


_check()
