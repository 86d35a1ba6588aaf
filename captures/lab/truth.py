#!/usr/bin/env python3
"""Write captures/<name>.expected.json for the lab captures, and check them.

The ground truth has two sources, neither of them ikepcap:
  * the table below, written by reading the daemons' logs of a lab run: what
    failed, why, where it stalled, which encrypted notifies were sent (their
    type is only in the logs), and the log lines that prove it (`proof`);
  * tshark, through wire.py: the initiator SPI as on the wire, the message
    sequence, clear notifies, retransmission counts and one-way-ness.

`python3 truth.py` re-derives every expected.json from the current captures
and logs and fails when they no longer agree with the table (a proof regex
that does not match, a retransmission count that changed, a message that is
missing), so a re-run of the lab cannot silently change the ground truth.

Kept from an existing expected.json rather than written here: each SA's
`findings` (the finding ids ikepcap must report; the end-to-end tests own
them), `cause_alternatives` and `with_keys` (what decrypting with the key table
beside the capture changes), unless the table below gives them (the
captures added after the tests: IPv6 and the concentrator).  They are matched
by initiator SPI, else by position.

`python3 truth.py --check [NAME ...]` re-derives without writing and reports
any difference from the file on disk.

Conventions (see captures/README.md): `stall.last_message` is the last
message of the exchange that was sent, `waiting_for` the one that never came
in a usable form.  When an IKEv2 response itself carries the error notify the
negotiation is not waiting for anything: last_message is that response and
waiting_for / asa_state are null.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAPTURES = HERE.parent
sys.path.insert(0, str(HERE))

import wire

SW = "strongSwan 5.9.8"
LSW = "Libreswan 4.10"
I_HOST, R_HOST = "192.0.2.10", "198.51.100.10"
I_HOST6, R_HOST6 = "2001:db8:2::10", "2001:db8:51:100::10"  # lab.V6

# Notify names (IKE registries), by (version, type)
NOTIFY_NAMES = {
    14: "NO_PROPOSAL_CHOSEN", 16: "PAYLOAD_MALFORMED", 18: "INVALID_ID_INFORMATION",
    24: "AUTHENTICATION_FAILED", 38: "TS_UNACCEPTABLE", 36136: "R_U_THERE",
    36137: "R_U_THERE_ACK", 24578: "INITIAL_CONTACT", 16384: "INITIAL_CONTACT",
}
V1_NAMES = {17: "INVALID_KEY_INFORMATION"}
V2_NAMES = {17: "INVALID_KE_PAYLOAD"}


def stall(last, waiting, asa, side):
    return {"last_message": last, "waiting_for": waiting, "asa_state": asa, "side": side}


def p2(outcome, last, waiting=None):
    return {"outcome": outcome, "last_message": last, "waiting_for": waiting}


def enc(name, type_, sender, carried_in):
    """An encrypted notify (type known from the logs), one per `carried_in` message."""
    return {"type": type_, "name": name, "sender": sender, "in": carried_in}


IC_V1 = enc("INITIAL_CONTACT", 24578, "initiator", "MM5")
IC_V2 = enc("INITIAL_CONTACT", 16384, "initiator", "IKE_AUTH request")

# One entry per capture. `sas` lists the IKE SAs in order of appearance.
# proof: (log, regex) pairs that must match the trimmed logs beside the capture.
TRUTH = {
    "v1-mm-healthy": dict(
        description="IKEv1 Main Mode (PSK) and Quick Mode complete; both sides strongSwan.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("established", "QM3"), cause="none", enc=[IC_V1],
                  retx={})],
        proof=[("initiator", r"IKE_SA lab\[1\] established"),
               ("initiator", r"CHILD_SA net\{1\} established"),
               ("responder", r"CHILD_SA net\{1\} established")],
        note="No ESP: the lab's fake kernel backend installs no SAs (see lab README); "
             "real ESP is in v1-mm-nat-t."),
    "v1-mm-no-psk-for-peer": dict(
        description="Responder has a matching %any connection but no PSK for the initiator's "
                    "address: after MM3 it sends a clear INVALID_KEY_INFORMATION instead of MM4 "
                    "and the initiator gives up at once.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM3", "MM4", "MM_WAIT_MSG4", "initiator"), phase2=None,
                  cause="responder-no-psk-for-peer", enc=[], retx={})],
        proof=[("responder", r"no shared key found for 198\.51\.100\.10 - 192\.0\.2\.10"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ N\(INVAL_KE\) \]"),
               ("initiator", r"received INVALID_KE_PAYLOAD error notify")],
        note="strongSwan's log calls notify 17 INVAL_KE (the IKEv2 name); in IKEv1 it is "
             "INVALID-KEY-INFORMATION. A Cisco ASA would stay silent (MM_WAIT_MSG4 with MM3 "
             "retransmissions); strongSwan answers instead."),
    "v1-mm-peer-not-configured": dict(
        description="Responder is configured for another peer (192.0.2.99): it answers MM1 with "
                    "a clear NO_PROPOSAL_CHOSEN and the initiator gives up at once.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="peer-not-configured", enc=[], retx={})],
        proof=[("responder", r"no IKE config found for 198\.51\.100\.10\.\.\.192\.0\.2\.10, "
                             r"sending NO_PROPOSAL_CHOSEN"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")],
        note="The notify has SPI size 0 (40-byte message), unlike the 16-byte cookie-pair SPI "
             "of a real proposal mismatch (56 bytes, v1-mm-p1-proposal-mismatch)."),
    "v1-mm-psk-mismatch": dict(
        description="PSKs differ: the responder cannot decrypt MM5 and answers every copy with an "
                    "encrypted PAYLOAD_MALFORMED (under its own key), which the initiator ignores "
                    "while it retransmits MM5 until it gives up.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="psk-mismatch",
                  enc=[IC_V1, enc("PAYLOAD_MALFORMED", 16, "responder", "INFO")],
                  retx={"MM5": 5})],
        proof=[("responder", r"invalid \w+ payload length, decryption failed\?"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(PLD_MAL\) \]"),
               ("initiator", r"sending retransmit 4 of request message ID 0"),
               ("initiator", r"giving up after 4 retransmits")]),
    "v1-mm-p1-proposal-mismatch": dict(
        description="No common IKE proposal (AES-256/SHA-384/MODP-3072 offered, responder wants "
                    "AES-128/SHA-1/MODP-2048): clear NO_PROPOSAL_CHOSEN in reply to MM1.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="p1-proposal-mismatch", enc=[], retx={})],
        proof=[("responder", r"no acceptable ENCRYPTION_ALGORITHM found"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ N\(NO_PROP\) \]"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")]),
    "v1-mm-return-path-blocked-initiator-side": dict(
        description="Router drops UDP 500 from responder to initiator; seen on the initiator's "
                    "side only MM1 repeats, nothing comes back.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="return-path-blocked", enc=[], retx={"MM1": 5})],
        proof=[("initiator", r"sending retransmit 4 of request message ID 0"),
               ("initiator", r"giving up after 4 retransmits"),
               ("responder", r"received retransmit of request with ID 0, retransmitting response")],
        note="Same run as v1-mm-return-path-blocked-responder-side. From this capture alone "
             "forward and return path loss look the same; the responder log proves MM1 arrived."),
    "v1-mm-return-path-blocked-responder-side": dict(
        description="Router drops UDP 500 from responder to initiator; seen on the responder's "
                    "side MM2 answers every MM1 copy but the initiator keeps re-sending MM1.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM2", "MM3", "MM_WAIT_MSG3", "responder"), phase2=None,
                  cause="return-path-blocked", enc=[], retx={"MM1": 5, "MM2": 5})],
        proof=[("responder", r"received retransmit of request with ID 0, retransmitting response"),
               ("initiator", r"giving up after 4 retransmits")],
        note="strongSwan's Main Mode responder never retransmits on its own: each MM2 copy "
             "answers an MM1 copy."),
    "v1-mm-udp4500-blocked": dict(
        description="Initiator behind the router's NAT: NAT-D triggers the float to UDP 4500 at "
                    "MM5, the router drops 4500, MM5 is retransmitted unanswered.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="udp4500-blocked", enc=[IC_V1], retx={"MM5": 5})],
        proof=[("initiator", r"local host is behind NAT, sending keep alives"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[4500\] to 198\.51\.100\.10\[4500\]"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Captured on the router's inside port (private side of the NAT): MM1-MM4 on "
             "500/500, MM5 on 4500/4500; the responder log shows no MM5."),
    "v1-mm-udp4500-blocked-responder-side": dict(
        description="Initiator behind the router's NAT: NAT-D triggers the float to UDP 4500 at MM5 and "
                    "the router drops 4500; captured on the router's responder-side port, where the "
                    "initiator appears as 198.51.100.1: MM1-MM4 once each, then nothing. The initiator "
                    "stopped re-sending MM3 (MM4 reached it) and re-sent MM5 on 4500, which never got here.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM4", "MM5", "MM_WAIT_MSG5", "responder"), phase2=None,
                  cause="udp4500-blocked", enc=[], retx={}, findings=["mm4-unanswered", "nat-detected"])],
        proof=[("responder", r"remote host is behind NAT"),
               ("responder", r"generating ID_PROT response 0 \[ KE No NAT-D NAT-D \]"),
               ("!responder", r"parsed ID_PROT request 0 \[ ID HASH"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[4500\] to 198\.51\.100\.10\[4500\]"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Scenario v1-mm-udp4500-blocked-rs: a run of v1-mm-udp4500-blocked recorded on the other "
             "router port. strongSwan's Main Mode responder never re-sends MM4 on its own, so nothing "
             "follows MM4 here. No key table beside it: no encrypted message passed this port."),
    "v2-auth-udp4500-blocked-initiator-side": dict(
        description="IKEv2, initiator behind the router's NAT: IKE_AUTH floats to UDP 4500, which the "
                    "router drops; captured on the initiator's side: IKE_SA_INIT on 500, then IKE_AUTH "
                    "re-sent on 4500 unanswered.",
        sas=[dict(exchange="ike_sa_init", outcome="stalled",
                  stall=stall("IKE_AUTH request", "IKE_AUTH response", None, "initiator"), phase2=None,
                  cause="udp4500-blocked", enc=[IC_V2], retx={"IKE_AUTH request": 5},
                  findings=["auth-unanswered-after-float", "nat-detected", "retransmissions"])],
        proof=[("initiator", r"local host is behind NAT, sending keep alives"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[4500\] to 198\.51\.100\.10\[4500\]"),
               ("initiator", r"retransmit 4 of request with message ID 1"),
               ("!responder", r"parsed IKE_AUTH request 1")],
        note="Same run as v2-auth-udp4500-blocked-responder-side."),
    "v2-auth-udp4500-blocked-responder-side": dict(
        description="IKEv2, initiator behind the router's NAT: IKE_AUTH floats to UDP 4500, which the "
                    "router drops; captured on the responder's side: the IKE_SA_INIT request and response "
                    "once each, then nothing. The initiator stopped re-sending IKE_SA_INIT (the response "
                    "reached it) and re-sent IKE_AUTH on 4500, which never got here.",
        sas=[dict(exchange="ike_sa_init", outcome="stalled",
                  stall=stall("IKE_SA_INIT response", "IKE_AUTH request", None, "responder"), phase2=None,
                  cause="udp4500-blocked", enc=[], retx={}, findings=["init-no-auth", "nat-detected"])],
        proof=[("responder", r"remote host is behind NAT"),
               ("!responder", r"parsed IKE_AUTH request 1"),
               ("initiator", r"retransmit 4 of request with message ID 1")],
        note="Same run as v2-auth-udp4500-blocked-initiator-side. A strongSwan IKEv2 responder never "
             "re-sends its IKE_SA_INIT response on its own."),
    "v1-mm-cert-ip-fragments-dropped": dict(
        description="RSA-4096 certificate authentication without IKE fragmentation: MM5 (~2 KB, "
                    "CERT+SIG) leaves the initiator as two IP fragments, the router drops all "
                    "fragments, MM5 is retransmitted unanswered.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="ip-fragments-dropped", enc=[IC_V1], retx={"MM5": 5})],
        proof=[("initiator", r"generating ID_PROT request 0 \[ ID CERT SIG CERTREQ N\(INITIAL_CONTACT\) \]"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[500\] to 198\.51\.100\.10\[500\] \(20\d\d bytes\)"),
               ("initiator", r"giving up after 4 retransmits")],
        note="IKEv1 Main Mode with certificates (both ends fragmentation=no). The responder "
             "waits in MM_WAIT_MSG5; its log has no MM5. Captured on the initiator's side of "
             "the router, where the fragments still arrive."),
    "v1-qm-ts-mismatch": dict(
        description="Main Mode completes; Quick Mode proxy IDs do not match the responder's "
                    "(203.0.113.0/26 offered, 203.0.113.128/26 configured): encrypted "
                    "INVALID_ID_INFORMATION.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("rejected", "QM1", "QM2"), cause="p2-ts-mismatch",
                  enc=[IC_V1, enc("INVALID_ID_INFORMATION", 18, "responder", "INFO")], retx={})],
        proof=[("responder", r"no matching CHILD_SA config found"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(INVAL_ID\) \]"),
               ("initiator", r"received INVALID_ID_INFORMATION error notify")]),
    "v1-qm-proposal-mismatch": dict(
        description="Main Mode completes; Quick Mode ESP transforms differ (AES-128/SHA-256 vs "
                    "AES-256/SHA-512): encrypted NO_PROPOSAL_CHOSEN.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("rejected", "QM1", "QM2"), cause="p2-proposal-mismatch",
                  enc=[IC_V1, enc("NO_PROPOSAL_CHOSEN", 14, "responder", "INFO")], retx={})],
        proof=[("responder", r"no matching proposal found, sending NO_PROPOSAL_CHOSEN"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(NO_PROP\) \]"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")]),
    "v1-am-healthy": dict(
        description="IKEv1 Aggressive Mode (PSK) and Quick Mode complete.",
        sas=[dict(exchange="aggressive", outcome="established", stall=None,
                  phase2=p2("established", "QM3"), cause="none", enc=[], retx={})],
        proof=[("initiator", r"IKE_SA lab\[1\] established"),
               ("initiator", r"CHILD_SA net\{1\} established")],
        note="AM2 carries HASH_R in the clear: an offline-crackable PSK hash."),
    "v1-am-psk-mismatch": dict(
        description="Aggressive Mode with different PSKs: the initiator cannot verify HASH_R in "
                    "AM2 and sends an encrypted AUTHENTICATION_FAILED; the responder, waiting for "
                    "AM3, keeps retransmitting AM2.",
        sas=[dict(exchange="aggressive", outcome="rejected",
                  stall=stall("AM2", "AM3", "AM_WAIT_MSG3", "responder"), phase2=None,
                  cause="psk-mismatch",
                  enc=[enc("AUTHENTICATION_FAILED", 24, "initiator", "INFO")], retx={"AM2": 5})],
        proof=[("initiator", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(AUTH_FAILED\) \]"),
               ("responder", r"sending retransmit 4 of response message ID 0"),
               ("responder", r"giving up after 4 retransmits")],
        note="strongSwan's Aggressive-Mode responder retransmits AM2 on its own timer "
             "(unlike its Main-Mode responder)."),
    "v1-mm-nat-t": dict(
        description="Initiator behind the router's NAT: Main Mode floats to 4500 at MM5, Quick "
                    "Mode completes, and real ESP-in-UDP (3 pings each way) follows.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("established", "QM3"), cause="nat-t", enc=[IC_V1], retx={})],
        proof=[("responder", r"remote host is behind NAT"),
               ("initiator", r"CHILD_SA net\{1\} established")],
        note="Both ends use kernel-libipsec (userspace ESP), so ESP is real: 6 ESP-in-UDP "
             "packets on 4500. libipsec also fakes NAT-D for its own address, so the responder "
             "looks NATed too in the NAT-D payloads. Captured on the public side of the NAT "
             "(initiator appears as 198.51.100.1)."),
    "v2-healthy": dict(
        description="IKEv2 IKE_SA_INIT and IKE_AUTH (PSK) complete with a CHILD_SA.",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None,
                  phase2=p2("established", "IKE_AUTH response"), cause="none", enc=[IC_V2],
                  retx={})],
        proof=[("initiator", r"IKE_SA lab\[1\] established"),
               ("initiator", r"CHILD_SA net\{1\} established")],
        note="strongSwan moves IKE_AUTH to UDP 4500 even without NAT (RFC 7296 2.23 allows it)."),
    "v2-auth-failed": dict(
        description="IKEv2 with different PSKs: the responder's MAC check fails and its "
                    "IKE_AUTH response carries only an encrypted AUTHENTICATION_FAILED.",
        sas=[dict(exchange="ike_sa_init", outcome="rejected",
                  stall=stall("IKE_AUTH response", None, None, "initiator"), phase2=None,
                  cause="auth-failed",
                  enc=[IC_V2, enc("AUTHENTICATION_FAILED", 24, "responder", "IKE_AUTH response")],
                  retx={})],
        proof=[("responder", r"tried 1 shared key for '198\.51\.100\.10' - '192\.0\.2\.10', but MAC mismatched"),
               ("responder", r"generating IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]"),
               ("initiator", r"received AUTHENTICATION_FAILED notify error")],
        note="The failing IKE_AUTH response is 80 bytes against 240 for a good one."),
    "v2-no-proposal-chosen": dict(
        description="IKEv2 IKE proposals do not match (AES-256/SHA-384/ECP-384 vs "
                    "AES-128/SHA-256/MODP-2048): clear NO_PROPOSAL_CHOSEN in the IKE_SA_INIT response.",
        sas=[dict(exchange="ike_sa_init", outcome="rejected",
                  stall=stall("IKE_SA_INIT response", None, None, "initiator"), phase2=None,
                  cause="p1-proposal-mismatch", enc=[], retx={})],
        proof=[("responder", r"received proposals unacceptable"),
               ("responder", r"generating IKE_SA_INIT response 0 \[ N\(NO_PROP\) \]"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN notify error")]),
    "v2-ts-unacceptable": dict(
        description="IKEv2 IKE SA comes up but the CHILD_SA's traffic selectors do not match "
                    "(203.0.113.0/26 vs 203.0.113.128/26): encrypted TS_UNACCEPTABLE in IKE_AUTH.",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None,
                  phase2=p2("rejected", "IKE_AUTH response"), cause="p2-ts-mismatch",
                  enc=[IC_V2, enc("TS_UNACCEPTABLE", 38, "responder", "IKE_AUTH response")],
                  retx={})],
        proof=[("responder", r"traffic selectors 203\.0\.113\.64/26 === 203\.0\.113\.0/26 unacceptable"),
               ("responder", r"N\(TS_UNACCEPT\)"),
               ("initiator", r"received TS_UNACCEPTABLE notify, no CHILD_SA built")]),
    "v2-invalid-ke-retry": dict(
        description="Initiator's first key exchange is MODP-2048, the responder only accepts "
                    "ECP-256: INVALID_KE_PAYLOAD, then a retried IKE_SA_INIT (same SPIi) succeeds.",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None,
                  phase2=p2("established", "IKE_AUTH response"), cause="dh-group-retry",
                  enc=[IC_V2], retx={})],
        proof=[("initiator", r"peer didn't accept DH group MODP_2048, it requested ECP_256"),
               ("initiator", r"IKE_SA lab\[1\] established")],
        note="The retry is a new request (new KE, different length), not a retransmission; the "
             "responder SPI stays zero until the successful response."),
    "v1-dpd-dead-peer": dict(
        description="Tunnel up with DPD every 2 s; two R-U-THERE are acknowledged, then the "
                    "router drops everything and four R-U-THERE go unanswered until the initiator "
                    "declares the peer dead and clears the SA without a Delete.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("established", "QM3"), cause="peer-dead",
                  enc=[IC_V1, enc("R_U_THERE", 36136, "initiator", "INFO"),
                       enc("R_U_THERE_ACK", 36137, "responder", "INFO")], retx={})],
        proof=[("initiator", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(DPD\) \]"),
               ("initiator", r"parsed INFORMATIONAL_V1 request \d+ \[ HASH N\(DPD_ACK\) \]"),
               ("initiator", r"DPD check timed out, enforcing DPD action")],
        note="Each R-U-THERE is a new Informational exchange (new message ID and sequence "
             "number), not a retransmission. outcome stays 'established': the SA was up and was "
             "cleared locally, nothing on the wire ends it."),
    "v1-mm-delete": dict(
        description="Tunnel up, then the initiator terminates it: encrypted Informationals with a "
                    "Delete for the ESP SA and one for the ISAKMP SA.",
        sas=[dict(exchange="main", outcome="deleted", stall=None,
                  phase2=p2("established", "QM3"), cause="deleted",
                  enc=[IC_V1, {"type": None, "name": "DELETE", "sender": "initiator",
                               "in": "INFO"}], retx={})],
        proof=[("initiator", r"sending DELETE for ESP CHILD_SA with SPI"),
               ("initiator", r"sending DELETE for IKE_SA lab\[1\]"),
               ("responder", r"received DELETE for IKE_SA lab\[1\]")]),
    "sw-lsw-v1-mm-healthy": dict(
        description="strongSwan initiator, Libreswan responder: Main Mode (PSK) completes; only "
                    "the ISAKMP SA is negotiated.",
        sas=[dict(exchange="main", outcome="established", stall=None, phase2=None,
                  cause="none", enc=[IC_V1], retx={})],
        proof=[("responder", r'"lab" #1: IKE SA established'),
               ("initiator", r"IKE_SA lab\[1\] established")],
        note="No Quick Mode on purpose: Libreswan would fail to install the SA in this kernel "
             "(no ESP) and stall Quick Mode for a reason no real network has."),
    "sw-lsw-v1-mm-psk-mismatch": dict(
        description="strongSwan initiator, Libreswan responder, different PSKs: Libreswan cannot "
                    "parse the decrypted MM5, stays silent and retransmits MM4 on its own timer "
                    "while strongSwan retransmits MM5.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="psk-mismatch", enc=[IC_V1], retx={"MM4": 6, "MM5": 5})],
        proof=[("responder", r"probable authentication failure \(mismatch of preshared secrets\?\)"),
               ("responder", r"STATE_MAIN_R2: retransmission; will wait 0\.5 seconds"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Libreswan signature: the responder repeats MM4 (0.5, 1, 2, 4, 8 s) and never "
             "sends a notify; the initiator repeats MM5."),
    "v1-mm-healthy-ipv6": dict(
        description="IKEv1 Main Mode (PSK) and Quick Mode complete over IPv6 (2001:db8::/32); "
                    "both sides strongSwan.",
        sas=[dict(exchange="main", outcome="established", stall=None,
                  phase2=p2("established", "QM3"), cause="none", enc=[IC_V1], retx={},
                  findings=[])],
        proof=[("initiator", r"IKE_SA lab\[1\] established between 2001:db8:2::10\[2001:db8:2::10\]"
                             r"\.\.\.2001:db8:51:100::10\[2001:db8:51:100::10\]"),
               ("initiator", r"CHILD_SA net\{1\} established .* TS 2001:db8:113::/64 === "
                             r"2001:db8:113:64::/64"),
               ("responder", r"CHILD_SA net\{1\} established")],
        note="v1-mm-healthy over IPv6: MM5/MM6 carry ID_IPV6_ADDR identities, Quick Mode "
             "ID_IPV6_ADDR_SUBNET proxy IDs; everything stays on UDP 500 (no NAT, no float). "
             "Neighbour discovery and MLD are filtered out of the capture like ARP "
             "(see lab README). No ESP (fake kernel backend)."),
    "v2-healthy-ipv6": dict(
        description="IKEv2 IKE_SA_INIT and IKE_AUTH (PSK) complete with a CHILD_SA over IPv6 "
                    "(2001:db8::/32).",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None,
                  phase2=p2("established", "IKE_AUTH response"), cause="none", enc=[IC_V2],
                  retx={}, findings=[])],
        proof=[("initiator", r"IKE_SA lab\[1\] established between 2001:db8:2::10\[2001:db8:2::10\]"
                             r"\.\.\.2001:db8:51:100::10\[2001:db8:51:100::10\]"),
               ("initiator", r"sending packet: from 2001:db8:2::10\[4500\] to "
                             r"2001:db8:51:100::10\[4500\]"),
               ("initiator", r"CHILD_SA net\{1\} established .* TS 2001:db8:113::/64 === "
                             r"2001:db8:113:64::/64")],
        note="As over IPv4, strongSwan moves IKE_AUTH to UDP 4500 although nothing is NATed "
             "(the NAT-D hashes match). Neighbour discovery and MLD are filtered out of the "
             "capture like ARP (see lab README)."),
    # ---- issue 13: the same failure, told apart by who answers and where the capture was taken
    "sw-lsw-v1-mm-p1-proposal-mismatch": dict(
        description="strongSwan initiator, Libreswan responder, no common IKE proposal "
                    "(AES-256/SHA-384/MODP-3072 offered, AES-128/SHA-256/MODP-2048 configured): "
                    "Libreswan refuses MM1 with a clear NO_PROPOSAL_CHOSEN whose header has "
                    "responder cookie 0 and message ID 0.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="p1-proposal-mismatch", enc=[], retx={}, findings=["mm1-rejected"],
                  cause_alternatives={
                      "causes": ["responder-no-psk-for-peer"],
                      "why": "Libreswan refuses MM1 with the same notify (40 bytes, SPI size 0, "
                             "responder cookie 0, message ID 0) when it has no PSK for the peer "
                             "(sw-lsw-v1-mm-no-psk-for-peer); only its log tells the two apart."})],
        proof=[("responder", r"Oakley Transform \[AES_CBC \(256\), HMAC_SHA2_384, MODP3072\] refused"),
               ("responder", r"no acceptable Oakley Transform"),
               ("responder", r"packet from 192\.0\.2\.10:500: sending notification NO_PROPOSAL_CHOSEN"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")],
        note="Libreswan's refusal: 40 bytes, notify SPI size 0, responder cookie 0, message ID 0. "
             "strongSwan's refusal of an unknown peer is also 40 bytes with SPI size 0 but has a "
             "responder cookie and a random message ID (v1-mm-peer-not-configured); its proposal "
             "refusal carries the cookie pair as SPI (56 bytes, v1-mm-p1-proposal-mismatch). "
             "Libreswan answers nothing at all to a peer it has no connection for "
             "(sw-lsw-v1-mm-peer-not-configured)."),
    "v1-mm-id-refused": dict(
        description="Equal PSKs, but the strongSwan responder expects the identity 192.0.2.99: it "
                    "decrypts MM5, finds no peer config for ID 192.0.2.10 and answers the one MM5 "
                    "with an encrypted AUTHENTICATION_FAILED, which stops the initiator.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="id-mismatch",
                  enc=[IC_V1, enc("AUTHENTICATION_FAILED", 24, "responder", "INFO")], retx={},
                  findings=["mm5-answered-encrypted"],
                  with_keys={"findings": ["mm5-answered-encrypted"]})],
        proof=[("responder", r"looking for pre-shared key peer configs matching "
                             r"198\.51\.100\.10\.\.\.192\.0\.2\.10\[192\.0\.2\.10\]"),
               ("responder", r"no peer config found"),
               ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(AUTH_FAILED\) \]"),
               ("initiator", r"received AUTHENTICATION_FAILED error notify")],
        note="Unlike a PSK mismatch (v1-mm-psk-mismatch: PAYLOAD_MALFORMED answers every MM5 "
             "copy, the initiator cannot read them and re-sends MM5 five times), the initiator "
             "decrypts the answer and stops: MM5 is sent once."),
    "sw-lsw-v1-mm-id-refused": dict(
        description="strongSwan initiator, Libreswan responder, equal PSKs, the responder expects "
                    "the identity 192.0.2.99: Libreswan decrypts every MM5 copy and answers each "
                    "with an encrypted INVALID_ID_INFORMATION that strongSwan cannot decrypt, while "
                    "it retransmits MM4 on its own timer; strongSwan re-sends MM5 until it gives up.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="id-mismatch",
                  enc=[IC_V1, enc("INVALID_ID_INFORMATION", 18, "responder", "INFO")],
                  retx={"MM4": 6, "MM5": 5},
                  findings=["mm4-resent-by-responder", "retransmissions"],
                  with_keys={"findings": ["mm4-resent-by-responder", "retransmissions"]})],
        proof=[("responder", r"Peer ID '192\.0\.2\.10' mismatched on first found connection and no "
                             r"better connection found"),
               ("responder", r"sending encrypted notification INVALID_ID_INFORMATION to 192\.0\.2\.10:500"),
               ("responder", r"STATE_MAIN_R2: retransmission; will wait 0\.5 seconds"),
               ("initiator", r"invalid HASH_V1 payload length, decryption failed\?"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Libreswan signature of an identity refused after MM5: an encrypted Informational "
             "(76 bytes) answers every MM5 copy; with different PSKs (sw-lsw-v1-mm-psk-mismatch) "
             "it answers nothing. strongSwan cannot decrypt these Informationals ('invalid HASH_V1 "
             "payload length, decryption failed?') and keeps re-sending MM5; ikepcap does not "
             "open them with the key table either. The key is right: with it every block after "
             "the first decrypts to the HASH's tail and N(INVALID_ID_INFORMATION) (SPI size 0); "
             "only the first block's IV is none of RFC 2409's (hash of the last MM5 block or of "
             "the phase-1 IV with the message ID) nor the last MM5 block itself."),
    "v1-mm-mm3-lost-initiator-side": dict(
        description="The router drops MM3 on its way to the strongSwan responder; captured on the "
                    "initiator's side of the drop: MM1/MM2, then MM3 re-sent unanswered.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM3", "MM4", "MM_WAIT_MSG4", "initiator"), phase2=None,
                  cause="forward-path-blocked", enc=[], retx={"MM3": 5},
                  findings=["mm3-unanswered", "retransmissions"],
                  cause_alternatives={
                      "causes": ["return-path-blocked"],
                      "why": "At the initiator's side of the drop an MM3 lost on the way out looks "
                             "exactly like MM4 replies lost on the way back: MM3 repeated, nothing "
                             "back. Only the responder's side (v1-mm-mm3-lost-responder-side, or its "
                             "log) tells them apart. A silent responder without a PSK for the peer "
                             "is not an alternative here: MM2 carries strongSwan's vendor IDs and "
                             "strongSwan answers MM3 with a clear INVALID_KEY_INFORMATION then "
                             "(v1-mm-no-psk-for-peer)."})],
        proof=[("initiator", r"sending retransmit 4 of request message ID 0"),
               ("initiator", r"giving up after 4 retransmits"),
               ("responder", r"generating ID_PROT response 0 \[ SA V V V V \]"),
               ("!responder", r"parsed ID_PROT request 0 \[ KE No NAT-D NAT-D \]")],
        note="Same run as v1-mm-mm3-lost-responder-side. The router drops initiator-to-responder "
             "UDP 500 with a non-zero responder cookie (MM3 and later) in its forward hook."),
    "v1-mm-mm3-lost-responder-side": dict(
        description="The router drops MM3 on its way to the strongSwan responder; captured on the "
                    "responder's side of the drop: MM1 and MM2 once each, then nothing. The "
                    "responder chose the offered proposal, and the initiator, which re-sends MM1 "
                    "while it has no MM2, never did: MM2 arrived and MM3 was lost before this point.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM2", "MM3", "MM_WAIT_MSG3", "responder"), phase2=None,
                  cause="forward-path-blocked", enc=[], retx={}, findings=["mm2-unanswered"])],
        proof=[("responder", r"selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"),
               ("!responder", r"parsed ID_PROT request 0 \[ KE No NAT-D NAT-D \]"),
               ("initiator", r"sending retransmit 4 of request message ID 0"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Same run as v1-mm-mm3-lost-initiator-side (which shows MM3 five times). strongSwan's "
             "Main Mode responder never re-sends MM2 on its own, so nothing follows MM2 here."),
    "sw-lsw-v1-mm-mm3-lost-initiator-side": dict(
        description="strongSwan initiator, Libreswan responder; the router drops MM3 on its way to "
                    "the responder; captured on the initiator's side of the drop: MM1/MM2, then MM3 "
                    "re-sent unanswered.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM3", "MM4", "MM_WAIT_MSG4", "initiator"), phase2=None,
                  cause="forward-path-blocked", enc=[], retx={"MM3": 5},
                  findings=["mm3-unanswered", "retransmissions"],
                  cause_alternatives={
                      "causes": ["return-path-blocked", "responder-no-psk-for-peer"],
                      "why": "At the initiator's side of the drop an MM3 lost on the way out looks "
                             "exactly like MM4 replies lost on the way back. Libreswan without a PSK "
                             "for the peer refuses MM1 already (sw-lsw-v1-mm-no-psk-for-peer), but "
                             "its MM2 carries no vendor ID that names it (only DPD, NAT-T, "
                             "fragmentation), so from the wire the responder could be one that stays "
                             "silent after MM3 without a PSK (a Cisco ASA)."})],
        proof=[("initiator", r"sending retransmit 4 of request message ID 0"),
               ("initiator", r"giving up after 4 retransmits"),
               ("responder", r'"lab" #1: sent Main Mode R1'),
               ("!responder", r'"lab" #1: sent Main Mode R2')],
        note="Same run as sw-lsw-v1-mm-mm3-lost-responder-side."),
    "sw-lsw-v1-mm-mm3-lost-responder-side": dict(
        description="strongSwan initiator, Libreswan responder; the router drops MM3 on its way to "
                    "the responder; captured on the responder's side of the drop: MM1 and MM2 once "
                    "each, then nothing (MM2 arrived: the initiator never re-sent MM1).",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM2", "MM3", "MM_WAIT_MSG3", "responder"), phase2=None,
                  cause="forward-path-blocked", enc=[], retx={}, findings=["mm2-unanswered"])],
        proof=[("responder", r'"lab" #1: sent Main Mode R1'),
               ("!responder", r'"lab" #1: sent Main Mode R2'),
               ("initiator", r"sending retransmit 4 of request message ID 0")],
        note="Same run as sw-lsw-v1-mm-mm3-lost-initiator-side. Libreswan does not re-send MM2 "
             "either (no retransmission in STATE_MAIN_R1); it deletes the half-open state after "
             "15 s, just after the capture ended."),
    "sw-lsw-v1-mm-return-path-blocked-initiator-side": dict(
        description="strongSwan initiator, Libreswan responder; the router drops UDP 500 from the responder; "
                    "captured on the initiator's side: MM1 repeats, nothing comes back.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="return-path-blocked", enc=[], retx={"MM1": 5},
                  findings=["mm1-unanswered", "one-way", "retransmissions"],
                  cause_alternatives={
                      "causes": ["forward-path-blocked", "peer-not-configured"],
                      "why": "From the initiator's side MM2 lost on the way back looks exactly like MM1 lost on the "
                             "way out, and, with a Libreswan responder, like one that ignores an unknown peer "
                             "(sw-lsw-v1-mm-peer-not-configured): MM1 repeated, nothing back. Only the responder's "
                             "side (sw-lsw-v1-mm-return-path-blocked-responder-side) or its log tells them apart."})],
        proof=[("responder", r'"lab" #1: sent Main Mode R1'),
               ("responder", r"retransmitting in response to duplicate packet; already STATE_MAIN_R1"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Same run as sw-lsw-v1-mm-return-path-blocked-responder-side."),
    "sw-lsw-v1-mm-return-path-blocked-responder-side": dict(
        description="strongSwan initiator, Libreswan responder; the router drops UDP 500 from the responder; "
                    "captured on the responder's side: MM2 answers every MM1 copy, and the initiator keeps "
                    "re-sending MM1.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM2", "MM3", "MM_WAIT_MSG3", "responder"), phase2=None,
                  cause="return-path-blocked", enc=[], retx={"MM1": 5, "MM2": 5},
                  findings=["mm2-reply-lost", "retransmissions"])],
        proof=[("responder", r"retransmitting in response to duplicate packet; already STATE_MAIN_R1"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Libreswan in STATE_MAIN_R1 does not re-send MM2 on a timer: each MM2 copy answers an MM1 copy, as "
             "strongSwan's does (v1-mm-return-path-blocked-responder-side)."),
    "sw-lsw-v1-mm-udp4500-blocked-initiator-side": dict(
        description="strongSwan initiator behind the router's NAT, Libreswan responder; NAT-D floats MM5 to UDP "
                    "4500, which the router drops; captured on the initiator's side: MM5 re-sent on 4500, while "
                    "the responder, which never gets it, re-sends MM4 on 500 on its own timer.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                  cause="udp4500-blocked", enc=[IC_V1], retx={"MM4": 6, "MM5": 5},
                  findings=["mm4-resent-by-responder", "nat-detected", "retransmissions"],
                  cause_alternatives={
                      "causes": ["psk-mismatch"],
                      "why": "A Libreswan responder that cannot decrypt MM5 also re-sends MM4 on its timer "
                             "(sw-lsw-v1-mm-psk-mismatch); here MM5 went to UDP 4500 and nothing of the "
                             "responder's came on 4500, so a lost MM5 fits as well. Only the responder's side "
                             "(sw-lsw-v1-mm-udp4500-blocked-responder-side) or its log tells them apart."})],
        proof=[("initiator", r"local host is behind NAT, sending keep alives"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[4500\] to 198\.51\.100\.10\[4500\]"),
               ("responder", r"STATE_MAIN_R2: retransmission; will wait 0\.5 seconds for response"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Same run as sw-lsw-v1-mm-udp4500-blocked-responder-side. The responder's log has no MM5 at all."),
    "sw-lsw-v1-mm-udp4500-blocked-responder-side": dict(
        description="The same run seen on the responder's side of the drop (outside the NAT): MM1-MM4 once "
                    "each, then MM4 re-sent on Libreswan's timer (0.5, 1, 2, 4, 8 s); the initiator stopped "
                    "re-sending MM3, so MM4 reached it, and its MM5 on 4500 never got here.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM4", "MM5", "MM_WAIT_MSG5", "responder"), phase2=None,
                  cause="udp4500-blocked", enc=[], retx={"MM4": 6},
                  findings=["mm4-unanswered", "nat-detected", "retransmissions"])],
        proof=[("responder", r"STATE_MAIN_R2: retransmission; will wait 8 seconds for response"),
               ("initiator", r"sending packet: from 192\.0\.2\.10\[4500\] to 198\.51\.100\.10\[4500\]"),
               ("initiator", r"giving up after 4 retransmits")],
        note="Same run as sw-lsw-v1-mm-udp4500-blocked-initiator-side."),
    "sw-lsw-v1-am-psk-mismatch": dict(
        description="strongSwan initiator, Libreswan responder, Aggressive Mode with different PSKs: the "
                    "initiator cannot verify HASH_R in AM2 and sends an encrypted AUTHENTICATION_FAILED, which "
                    "Libreswan cannot parse (different keys); unlike strongSwan's, its Aggressive Mode responder "
                    "does not re-send AM2 and deletes the state after 15 s.",
        sas=[dict(exchange="aggressive", outcome="rejected",
                  stall=stall("AM2", "AM3", "AM_WAIT_MSG3", "responder"), phase2=None,
                  cause="psk-mismatch",
                  enc=[enc("AUTHENTICATION_FAILED", 24, "initiator", "INFO")], retx={},
                  findings=["am2-rejected", "aggressive-mode-psk"])],
        proof=[("initiator", r"calculated HASH does not match HASH payload"),
               ("initiator", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(AUTH_FAILED\) \]"),
               ("responder", r"malformed payload in packet"),
               ("responder", r"deleting incomplete state after 15 seconds")]),
    "sw-lsw-v2-auth-failed": dict(
        description="strongSwan initiator, Libreswan responder, IKEv2 with different PSKs: Libreswan's check "
                    "of the AUTH payload fails and its IKE_AUTH response carries only an encrypted "
                    "AUTHENTICATION_FAILED.",
        sas=[dict(exchange="ike_sa_init", outcome="rejected",
                  stall=stall("IKE_AUTH response", None, None, "initiator"), phase2=None,
                  cause="auth-failed",
                  enc=[IC_V2, enc("AUTHENTICATION_FAILED", 24, "responder", "IKE_AUTH response")],
                  retx={}, findings=["auth-rejected"],
                  with_keys={"cause": "psk-mismatch",
                             "why": "With the key table the IKE_AUTH request shows a shared-key AUTH payload and "
                                    "the response AUTHENTICATION_FAILED: different keys rank first (the "
                                    "responder's log: 'authentication failed: computed hash does not match')."})],
        proof=[("responder", r"authentication failed: computed hash does not match hash received from peer"),
               ("responder", r"with encrypted notification AUTHENTICATION_FAILED"),
               ("initiator", r"received AUTHENTICATION_FAILED notify error")],
        note="As v2-auth-failed, with Libreswan answering; its IKE_SA_INIT response's notify order names it."),
    "sw-lsw-v2-no-proposal-chosen": dict(
        description="strongSwan initiator, Libreswan responder, IKEv2 proposals that do not match "
                    "(AES-256/SHA-384/ECP-384 vs AES-128/SHA-256/MODP-2048): clear NO_PROPOSAL_CHOSEN in the "
                    "IKE_SA_INIT response, which carries Libreswan's own SPI (strongSwan's carries none).",
        sas=[dict(exchange="ike_sa_init", outcome="rejected",
                  stall=stall("IKE_SA_INIT response", None, None, "initiator"), phase2=None,
                  cause="p1-proposal-mismatch", enc=[], retx={}, findings=["init-rejected"])],
        proof=[("responder", r"no local proposal matches remote proposals"),
               ("responder", r"with unencrypted notification NO_PROPOSAL_CHOSEN"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN notify error")]),
    "sw-lsw-v2-ts-unacceptable": dict(
        description="strongSwan initiator, Libreswan responder, IKEv2: the IKE SA comes up, but the child "
                    "SA's traffic selectors do not match (203.0.113.0/26 vs 203.0.113.128/26): encrypted "
                    "TS_UNACCEPTABLE in the IKE_AUTH response.",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None,
                  phase2=p2("rejected", "IKE_AUTH response"), cause="p2-ts-mismatch",
                  enc=[IC_V2, enc("TS_UNACCEPTABLE", 38, "responder", "IKE_AUTH response")],
                  retx={}, findings=["child-rejected"])],
        proof=[("responder", r"No IKEv2 connection found with compatible Traffic Selectors"),
               ("initiator", r"received TS_UNACCEPTABLE notify, no CHILD_SA built")],
        note="Libreswan refuses the child SA before it would have to install it, so this kernel's lack of "
             "ESP does not matter here."),
    "sw-lsw-v1-mm-peer-not-configured": dict(
        description="strongSwan initiator, Libreswan responder configured for another peer "
                    "(192.0.2.99): Libreswan drops every MM1 without an answer; the initiator "
                    "re-sends MM1 until it gives up.",
        sas=[dict(exchange="main", outcome="stalled",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="peer-not-configured", enc=[], retx={"MM1": 5},
                  findings=["mm1-unanswered", "one-way", "retransmissions"],
                  cause_alternatives={
                      "causes": ["forward-path-blocked", "return-path-blocked"],
                      "why": "A responder that ignores an unknown peer looks, from anywhere on the "
                             "path, like MM1 lost after the capture point or MM2 lost before it: "
                             "MM1 repeated, nothing back. Only the responder's log (\"no connection "
                             "has been authorized\") tells them apart."})],
        proof=[("responder", r"packet from 192\.0\.2\.10:500: initial Main Mode message received but "
                             r"no connection has been authorized with authby=PSK"),
               ("!responder", r'"lab" #\d+: responding to Main Mode'),
               ("initiator", r"giving up after 4 retransmits")],
        note="Unlike strongSwan, which answers an unknown peer with a clear NO_PROPOSAL_CHOSEN "
             "(v1-mm-peer-not-configured), Libreswan stays silent."),
    "sw-lsw-v1-mm-no-psk-for-peer": dict(
        description="strongSwan initiator, Libreswan responder with a right=%any connection but a "
                    "PSK only for 192.0.2.99: Libreswan refuses MM1 with a clear NO_PROPOSAL_CHOSEN "
                    "(responder cookie 0, message ID 0), exactly as it refuses a proposal.",
        sas=[dict(exchange="main", outcome="rejected",
                  stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                  cause="responder-no-psk-for-peer", enc=[], retx={}, findings=["mm1-rejected"],
                  cause_alternatives={
                      "causes": ["p1-proposal-mismatch"],
                      "why": "Libreswan checks for a PSK while it chooses the proposal, and refuses "
                             "both with the same notify (40 bytes, SPI size 0, responder cookie 0, "
                             "message ID 0; sw-lsw-v1-mm-p1-proposal-mismatch); only its log tells "
                             "them apart."})],
        proof=[("responder", r"responding to Main Mode from unknown peer 192\.0\.2\.10:500"),
               ("responder", r"Can't authenticate: no preshared key found for `198\.51\.100\.10' "
                             r"and `%any'"),
               ("responder", r"no acceptable Oakley Transform"),
               ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")],
        note="strongSwan without a PSK for the peer lets MM1/MM2 through and answers MM3 with a "
             "clear INVALID_KEY_INFORMATION (v1-mm-no-psk-for-peer); a Cisco ASA stays silent "
             "after MM3."),
    "sw-lsw-v2-healthy": dict(
        description="strongSwan initiator, Libreswan responder: IKEv2 IKE_SA_INIT and IKE_AUTH (PSK) "
                    "complete, childless (RFC 6023: no CHILD_SA is proposed). Pluto runs with "
                    "plutodebug=private, and its log beside the capture holds the SA's keys.",
        sas=[dict(exchange="ike_sa_init", outcome="established", stall=None, phase2=None,
                  cause="none", enc=[IC_V2], retx={}, findings=[],
                  with_keys={"findings": []})],
        proof=[("responder", r"responder established IKE SA; authenticated peer using authby=secret"),
               ("responder", r"IKE_AUTH request does not propose a Child SA; creating childless SA"),
               ("responder", r"\| ikev2 I 0x[0-9a-f]{16} 0x[0-9a-f]{16} sha256:0x[0-9a-f]{64} aes128:0x[0-9a-f]{32}"),
               ("responder", r"\| ikev2 R 0x[0-9a-f]{16} 0x[0-9a-f]{16} sha256:0x[0-9a-f]{64} aes128:0x[0-9a-f]{32}"),
               ("initiator", r"IKE_SA lab\[1\] established")],
        note="Childless because Libreswan cannot install a CHILD_SA in this kernel (no ESP) and "
             "would refuse it for a reason no real network has. The two '| ikev2 I/R' lines in "
             "the responder log are pluto's own (plutodebug=private, kept by trimlog): "
             "`ikepcap decode --keys sw-lsw-v2-healthy.responder.log` decrypts the IKE_AUTH "
             "exchange with them, and they hold the same keys as the charon-made key table."),
}


# ---- v1-concentrator-many-sas ------------------------------------------------
# What each site's IKE SA did, by the last octet of its address 192.0.2.<n>
# (charon connection "site<n>"), as read in the two daemons' logs of the run.
# The proofs are scoped to the site: only log lines of the IKE SAs whose
# packets went to or came from 192.0.2.<n> count (see scoped_lines).
CONCENTRATOR_SITES = {
    11: "v1-ok", 12: "v1-ok", 13: "v2-ok", 14: "v1-ok", 15: "v1-psk", 16: "v1-ok",
    17: "v1-p1", 18: "v1-ok", 19: "v1-ok", 20: "v1-drop500", 21: "v2-ok", 22: "v1-ok",
    23: "v1-ok", 24: "v2-psk", 25: "v1-ok", 26: "v1-psk", 27: "v1-ok", 28: "v1-p1",
    29: "v2-ok", 30: "v1-ok", 31: "v1-ok", 32: "v1-ok", 33: "v1-ok", 34: "v1-ok",
}


def site_sa(n: int, kind: str) -> dict:
    child = rf"CHILD_SA site{n}-net\{{\d+\}} established with SPIs \S+ \S+ and TS " \
            rf"203\.0\.113\.{n}/32 === 203\.0\.113\.64/26"
    base = dict(peer=f"192.0.2.{n}")
    if kind == "v1-ok":
        return dict(base, exchange="main", outcome="established", stall=None,
                    phase2=p2("established", "QM3"), cause="none", enc=[IC_V1], retx={},
                    findings=[], proof=[("initiator", child),
                                        ("responder", rf"CHILD_SA site{n}-net\{{\d+\}} established")])
    if kind == "v2-ok":
        return dict(base, exchange="ike_sa_init", outcome="established", stall=None,
                    phase2=p2("established", "IKE_AUTH response"), cause="none", enc=[IC_V2],
                    retx={}, findings=[],
                    proof=[("initiator", child),
                           ("responder", rf"CHILD_SA site{n}-net\{{\d+\}} established")])
    if kind == "v1-psk":
        return dict(base, exchange="main", outcome="stalled",
                    stall=stall("MM5", "MM6", "MM_WAIT_MSG6", "initiator"), phase2=None,
                    cause="psk-mismatch",
                    enc=[IC_V1, enc("PAYLOAD_MALFORMED", 16, "responder", "INFO")],
                    retx={"MM5": 5}, findings=["mm5-answered-encrypted", "retransmissions"],
                    proof=[("responder", r"invalid \w+ payload length, decryption failed\?"),
                           ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ HASH N\(PLD_MAL\) \]"),
                           ("initiator", r"giving up after 4 retransmits")])
    if kind == "v1-p1":
        return dict(base, exchange="main", outcome="rejected",
                    stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                    cause="p1-proposal-mismatch", enc=[], retx={}, findings=["mm1-rejected"],
                    proof=[("responder", r"no acceptable ENCRYPTION_ALGORITHM found"),
                           ("responder", r"generating INFORMATIONAL_V1 request \d+ \[ N\(NO_PROP\) \]"),
                           ("initiator", r"received NO_PROPOSAL_CHOSEN error notify")])
    if kind == "v1-drop500":
        return dict(base, exchange="main", outcome="stalled",
                    stall=stall("MM1", "MM2", "MM_WAIT_MSG2", "initiator"), phase2=None,
                    cause="forward-path-blocked", enc=[], retx={"MM1": 5},
                    findings=["mm1-unanswered", "one-way", "retransmissions"],
                    cause_alternatives={
                        "causes": ["return-path-blocked"],
                        "why": "At this capture point (the initiator's side of the drop) MM1 that "
                               "never reaches the responder looks exactly like MM2 replies that "
                               "are dropped on the way back: MM1 repeated, nothing back. Only the "
                               "responder's side (or its log, which has no packet from this "
                               "address) tells them apart."},
                    proof=[("initiator", r"sending retransmit 4 of request message ID 0"),
                           ("initiator", r"giving up after 4 retransmits"),
                           ("!responder", rf"received packet: from 192\.0\.2\.{n}\[")])
    if kind == "v2-psk":
        return dict(base, exchange="ike_sa_init", outcome="rejected",
                    stall=stall("IKE_AUTH response", None, None, "initiator"), phase2=None,
                    cause="auth-failed",
                    enc=[IC_V2, enc("AUTHENTICATION_FAILED", 24, "responder", "IKE_AUTH response")],
                    retx={}, findings=["auth-rejected"],
                    proof=[("responder", rf"tried 1 shared key for '198\.51\.100\.10' - "
                                         rf"'192\.0\.2\.{n}', but MAC mismatched"),
                           ("responder", r"generating IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]"),
                           ("initiator", r"received AUTHENTICATION_FAILED notify error")])
    raise KeyError(kind)


TRUTH["v1-concentrator-many-sas"] = dict(
    description="A busy concentrator: 24 branch sites (one address and connection each, "
                "192.0.2.11-34) start negotiating with one strongSwan responder within half a "
                "second, their exchanges interleaved. 18 come up "
                "(15 IKEv1 Main Mode + Quick Mode, 3 IKEv2); two IKEv1 sites have the wrong PSK "
                "(MM5 answered by encrypted PAYLOAD_MALFORMED, retransmitted), two offer an IKE "
                "proposal the responder refuses (clear NO_PROPOSAL_CHOSEN), one IKEv2 site has the "
                "wrong PSK (AUTHENTICATION_FAILED) and the router drops one site's UDP 500 towards "
                "the responder (MM1 repeated, nothing back).",
    initiator=f"{SW} (192.0.2.11-192.0.2.34: 24 sites, one connection each)",
    sas=[site_sa(n, kind) for n, kind in CONCENTRATOR_SITES.items()],
    proof=[],
    note="Captured on the router's initiator-side port (the drop of 192.0.2.20's UDP 500 is "
         "between this capture point and the responder). One charon plays all 24 sites, "
         "started 10 ms apart; the order of the sas entries is the order of first appearance "
         "on the wire, which varies from run to run. Keys: the IKEv1 SAs' rows are in "
         "v1-concentrator-many-sas.ikev1_decryption_table (named in lab.keys), the IKEv2 SAs' "
         "in v1-concentrator-many-sas.ikev2_decryption_table. The PAYLOAD_MALFORMED replies "
         "of the PSK-mismatch sites are encrypted under the responder's (wrong) key and do "
         "not decrypt with the initiator's.")


def lab_info(name: str):
    import scenarios  # needs lab.py importable; only names and capture points are used

    for sc in scenarios.SCENARIOS:
        for cap, point in sc.captures.values():
            if cap == name:
                return sc, point
    raise KeyError(name)


def log_lines(name: str, role: str) -> list:
    p = CAPTURES / f"{name}.{role}.log"
    return p.read_text().splitlines() if p.exists() else []


# charon's IKE SA tag: <name|unique id>, or <unique id> before a config is chosen
SA_TAG = re.compile(r"\d\d\[\w+\] <(?:[^|>]*\|)?(\d+)> ")


def scoped_lines(lines: list, peer: str) -> list:
    """The log lines of the IKE SAs that sent to / received from `peer`."""
    addr = re.compile(rf"(?:from|to) {re.escape(peer)}\[")
    uids = {m.group(1) for ln in lines if addr.search(ln) and (m := SA_TAG.search(ln))}
    return [ln for ln in lines if (m := SA_TAG.search(ln)) and m.group(1) in uids]


def check_proofs(name: str, proofs: list, peer: str | None, problems: list,
                 evidence: list) -> None:
    """proofs: (role, regex) must match a line of that log; ("!role", regex) must not.
    With a peer, positive proofs only look at that peer's IKE SAs."""
    for role, rx in proofs:
        negative = role.startswith("!")
        role = role.lstrip("!")
        lines = log_lines(name, role)
        where = f"{role} log" + (f" ({peer})" if peer else "")
        if negative:
            hit = next((ln for ln in lines if re.search(rx, ln)), None)
            if hit is not None:
                problems.append(f"{role} log has /{rx}/: {hit}")
            else:
                evidence.append(f"{role} log: no line matches /{rx}/")
            continue
        if peer:
            lines = scoped_lines(lines, peer)
        hit = next((ln for ln in lines if re.search(rx, ln)), None)
        if hit is None:
            problems.append(f"{where} lacks /{rx}/")
        else:
            evidence.append(f"{where}: \"{clean(hit)}\"")


def existing_sas(name: str) -> list:
    p = CAPTURES / f"{name}.expected.json"
    return json.loads(p.read_text())["sas"] if p.exists() else []


# owned by the end-to-end tests: carried over from the file on disk unless the table has them
KEPT = ("findings", "cause_alternatives", "with_keys")


def clean(line: str) -> str:
    """A log line without its time stamp and thread, for quoting as evidence."""
    line = re.sub(r"^(\w{3} +\d+ )?\d\d:\d\d:\d\d(\.\d+)?:? ", "", line)
    return re.sub(r"^\d\d\[\w+\] (<[^>]*> )?", "", line)


def build(name: str, spec: dict) -> dict:
    sc, point = lab_info(name)
    impl = {"i": SW, "r": LSW if name.startswith("sw-lsw") else SW}
    i_host, r_host = (I_HOST6, R_HOST6) if getattr(sc, "ipv6", False) else (I_HOST, R_HOST)
    pcap = CAPTURES / f"{name}.pcap"
    if not pcap.exists():
        raise FileNotFoundError(f"{name}: no {pcap.name}")
    wsas = wire.summary(str(pcap))
    if len(wsas) != len(spec["sas"]):
        raise AssertionError(f"{name}: {len(wsas)} IKE SAs on the wire, table has "
                             f"{len(spec['sas'])}")
    specs = spec["sas"]
    if all("peer" in s for s in specs):
        # many SAs: match the table to the wire by initiator address; the
        # output keeps the order of first appearance on the wire
        by_peer = {s["peer"]: s for s in specs}
        if len(by_peer) != len(specs) or {w["initiator"] for w in wsas} != set(by_peer):
            raise AssertionError(f"{name}: initiators on the wire "
                                 f"{sorted(w['initiator'] for w in wsas)} != table {sorted(by_peer)}")
        specs = [by_peer[w["initiator"]] for w in wsas]
    problems, evidence = [], []
    check_proofs(name, spec["proof"], None, problems, evidence)
    old = existing_sas(name)
    sas = []
    for idx, (w, s) in enumerate(zip(wsas, specs)):
        check_proofs(name, s.get("proof", []), s.get("peer"), problems, evidence)
        msgs = w["messages"]
        names = [m["name"] for m in msgs]
        # retransmissions: from the wire, checked against the table
        retx = w["retransmissions"]
        got = {r["message"]: r["copies"] for r in retx}
        if got != s["retx"]:
            problems.append(f"retransmissions on the wire {got} != table {s['retx']}")
        # stall / phase 2 messages must be on the wire
        for part in (s["stall"], s["phase2"]):
            if part and part["last_message"] not in names:
                problems.append(f"{part['last_message']} not on the wire")
            if part and part.get("waiting_for") and part["waiting_for"] in names and \
                    s["outcome"] != "rejected" and part is s["stall"]:
                problems.append(f"{part['waiting_for']} is on the wire but table waits for it")
        notifies = []
        # clear error notifies: straight from the wire
        clear: dict = {}
        for m in msgs:
            for t in m["clear_notifies"]:
                if t < 16384:
                    clear.setdefault((t, m["sender"]), 0)
                    clear[(t, m["sender"])] += 1
        for (t, sender), n in clear.items():
            nm = (V1_NAMES if w["version"] == 1 else V2_NAMES).get(t) or NOTIFY_NAMES.get(t, str(t))
            notifies.append({"type": t, "name": nm, "encrypted": False, "sender": sender,
                             "count": n})
        # encrypted notifies: type from the logs, count = carrying messages on the wire
        for e in s["enc"]:
            n = sum(1 for m in msgs if m["name"] == e["in"] and m["sender"] == e["sender"]
                    and m["encrypted"])
            if n == 0:
                problems.append(f"no encrypted {e['in']} from {e['sender']} for {e['name']}")
            notifies.append({"type": e["type"], "name": e["name"], "encrypted": True,
                             "sender": e["sender"], "count": n})
        sa = {
            "version": w["version"], "exchange": s["exchange"],
            "initiator": w["initiator"], "responder": w["responder"], "ispi": w["ispi"],
            "outcome": s["outcome"], "stall": s["stall"], "phase2": s["phase2"],
            "cause": s["cause"], "notifies": notifies, "retransmissions": retx,
            "one_way": w["one_way"],
        }
        prev = next((o for o in old if o.get("ispi") == w["ispi"]),
                    old[idx] if idx < len(old) and len(old) == len(wsas) else {})
        for key in KEPT:
            if key in s:
                sa[key] = s[key]
            elif key in prev:
                sa[key] = prev[key]
        sas.append(sa)
        frames = ", ".join(
            f"#{m['frame']} {m['sender'][0].upper()} {m['name']}"
            f"{' (E)' if m['encrypted'] else ''}"
            f"{' N' + str(m['clear_notifies']) if m['clear_notifies'] and m['clear_notifies'][0] < 16384 else ''}"
            for m in msgs)
        evidence.append(f"tshark (SA {w['ispi']}): {frames}")
    if problems:
        raise AssertionError(f"{name}: " + "; ".join(problems))
    logs = [f"{name}.{r}.log" for r in ("initiator", "responder")
            if (CAPTURES / f"{name}.{r}.log").exists()]
    keys = next((p.name for p in sorted(CAPTURES.glob(f"{name}.ikev*_decryption_table"))), None)
    if spec.get("note"):
        evidence.append("note: " + spec["note"])
    return {
        "schema": 1,
        "capture": f"{name}.pcap",
        "description": spec["description"],
        "origin": "lab",
        "lab": {
            "scenario": sc.id,
            "initiator": spec.get("initiator", f"{impl['i']} ({i_host})"),
            "responder": spec.get("responder", f"{impl['r']} ({r_host})"),
            "capture_point": point,
            "logs": logs,
            "keys": keys,
        },
        "sas": sas,
        "evidence": " | ".join(evidence),
    }


def summary_row(name: str, doc: dict) -> str:
    """One README row for a capture with many SAs: causes, stalls and notes counted."""
    from collections import Counter

    sas = doc["sas"]
    causes = Counter(sa["cause"] for sa in sas)
    stalls: Counter = Counter()
    for sa in sas:
        st = sa["stall"]
        if st:
            stalls[f"{st['last_message']} → {st['waiting_for'] or '—'}"
                   + (f" ({st['asa_state']})" if st["asa_state"] else "")] += 1
        else:
            stalls["— (phase 1 done)"] += 1
    retx: Counter = Counter()
    for sa in sas:
        for r in sa["retransmissions"]:
            retx[f"{r['message']}×{r['copies']}"] += 1
    one_way = sum(1 for sa in sas if sa["one_way"])
    notes = [doc["lab"]["capture_point"], f"{len(sas)} SAs"]
    if retx:
        notes.append("retransmits " + ", ".join(f"{k} ({n} SAs)" if n > 1 else k
                                                for k, n in retx.items()))
    if one_way:
        notes.append(f"one-way ({one_way} SA{'s' if one_way > 1 else ''})")
    if doc["lab"]["keys"]:
        keys = sorted(p.name.split(".")[-1].split("_")[0]
                      for p in CAPTURES.glob(f"{name}.ikev*_decryption_table"))
        notes.append("keys (" + ", ".join(keys) + ")" if len(keys) > 1 else "keys")
    cause = ", ".join(f"`{c}` ×{n}" for c, n in causes.most_common())
    stall = "; ".join(f"{k} ×{n}" for k, n in stalls.most_common())
    return (f"| `{name}.pcap` | lab | {doc['description']} | {cause} | {stall} | "
            f"{'; '.join(notes)} |")


def table_rows(names: list | None = None) -> str:
    """Markdown rows for captures/README.md, from the expected.json files."""
    rows = []
    for name in names or TRUTH:
        doc = json.loads((CAPTURES / f"{name}.expected.json").read_text())
        if len(doc["sas"]) > 1:
            rows.append(summary_row(name, doc))
            continue
        for sa in doc["sas"]:
            st = sa["stall"]
            if st:
                stall = f"{st['last_message']} → {st['waiting_for'] or '—'}"
                if st["asa_state"]:
                    stall += f" ({st['asa_state']}, {st['side']})"
                else:
                    stall += f" ({st['side']})"
            else:
                stall = "— (phase 1 done)"
            if sa["phase2"] and sa["phase2"]["outcome"] != "established":
                stall += f"; phase 2 {sa['phase2']['outcome']} at {sa['phase2']['last_message']}"
            retx = ", ".join(f"{r['message']}×{r['copies']}" for r in sa["retransmissions"])
            notes = [f"{doc['lab']['capture_point']}"]
            if retx:
                notes.append(f"retransmits {retx}")
            if sa["one_way"]:
                notes.append("one-way")
            if doc["lab"]["keys"]:
                notes.append("keys")
            rows.append(f"| `{name}.pcap` | lab | {doc['description']} | `{sa['cause']}` | "
                        f"{stall} | {'; '.join(notes)} |")
    return "\n".join(rows)


def main(argv: list) -> int:
    if argv[:1] == ["--table"]:
        print(table_rows(argv[1:] or None))
        return 0
    check = argv[:1] == ["--check"]
    names = (argv[1:] if check else argv) or list(TRUTH)
    failed = 0
    for name in names:
        try:
            doc = build(name, TRUTH[name])
        except (AssertionError, FileNotFoundError, KeyError) as e:
            print(f"FAIL {e}")
            failed += 1
            continue
        path = CAPTURES / f"{name}.expected.json"
        text = json.dumps(doc, indent=2) + "\n"
        if check:
            if path.exists() and path.read_text() == text:
                print(f"ok   {name} (unchanged)")
            else:
                print(f"DIFF {name}: re-derived expected.json differs from {path.name}")
                failed += 1
            continue
        path.write_text(text)
        print(f"ok   {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
