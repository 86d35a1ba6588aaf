"""Where a peer stands, in the words of the tools engineers read: one row per (flow, side, last sent).

The key is what the capture can establish about a side: the last distinct message it sent in
a flow (main/aggressive/quick mode, IKEv2 SA setup), or ``DONE`` once the flow completed.
Cisco ASA names come from 'show crypto isakmp sa', Cisco IOS names from 'show crypto isakmp sa'
on IOS, libreswan names from ``ikev1_states.c``/``ikev2_states.c``, strongSwan lines from its
log. A row's ``strongswan`` line is the one logged once the side has re-sent its last message
(``{n}`` is filled with the copies seen, ``{mid}`` with the message ID); ``strongswan_once`` is
the one while it has sent it once, where the two differ. Lines a rule's pattern makes more
telling (a refusal, a decryption failure) are in the rule table; an error notification received
in clear is told with ``STRONGSWAN_RECEIVED``.
ASA's Aggressive Mode states are AM_WAIT_MSG2 (the initiator, after AM1) and AM_WAIT_MSG3 (the
responder, after AM2), as its IKEv1 state machine names them in 'debug crypto ikev1'.
"""

from __future__ import annotations

from typing import NamedTuple

from ikepcap.correlate.model import (
    AGGRESSIVE,
    AM1,
    AM2,
    AM3,
    IKE_AUTH_REQUEST,
    IKE_AUTH_RESPONSE,
    IKE_SA_INIT,
    IKE_SA_INIT_REQUEST,
    IKE_SA_INIT_RESPONSE,
    INITIATOR,
    MAIN,
    MM1,
    MM2,
    MM3,
    MM4,
    MM5,
    MM6,
    QM1,
    QM2,
    QM3,
    QUICK,
    RESPONDER,
)
from ikepcap.decode import iana

DONE = "done"
# An IKEv2 responder that answered IKE_AUTH with a refusal: it deleted the IKE SA (RFC 7296 §2.21.2).
REFUSED_AUTH = f"{IKE_AUTH_RESPONSE} (refusal)"
NOTHING = None
# A tool that has no name for this state (ASA and IOS before the initiator sent anything).
NO_NAME = "—"

# A flow is named by the exchange that carries it; IKEv2's SA setup (IKE_SA_INIT then IKE_AUTH)
# by its first.
V2 = IKE_SA_INIT


class StateNames(NamedTuple):
    waiting_for: str | None
    cisco_asa: str
    cisco_ios: str
    libreswan: str
    strongswan: str
    strongswan_once: str | None = None


# What a strongSwan requester logs for a message not re-sent (yet): the packet itself; ``…`` is
# its own address, which a NAT may hide from the capture point.
SENT_ONCE = "sending packet: from … to {peer}[{port}] ({length} bytes)"
# A responder whose reply got no follow-up logs nothing more until it gives up on the IKE SA after
# charon.half_open_timeout (30 s by default; scheduled by both the IKEv1 and the IKEv2 task
# manager). ``…`` is the peer as the responder sees it, which a NAT may have changed.
HALF_OPEN = "(nothing more until, after 30 s by default) deleting half open IKE_SA with … after timeout"
# What a strongSwan responder logs when a duplicate request makes it re-send its reply; it never
# re-sends a Main Mode or IKEv2 reply on a timer of its own, so a side that does is not strongSwan.
ANSWERS_DUPLICATE = "received retransmit of request with ID 0, retransmitting response"
REPLY_ON_TIMER = "(re-sends its reply on a timer of its own, which strongSwan does not: not a strongSwan peer)"
# An error notification received in clear (IKEv1 informational task, IKEv2 ike_init).
STRONGSWAN_RECEIVED = {1: "received {notify} error notify", 2: "received {notify} notify error"}


_NO_STATE = "no SA"

STATES: dict[tuple[str, str, str | None], StateNames] = {
    # IKEv1 Main Mode, initiator
    (MAIN, INITIATOR, NOTHING): StateNames(None, NO_NAME, NO_NAME, NO_NAME, "(no initiating message in the capture)"),
    (MAIN, INITIATOR, MM1): StateNames(
        MM2, "MM_WAIT_MSG2", "MM_NO_STATE", "STATE_MAIN_I1 (sent Main Mode request)",
        "sending retransmit {n} of request message ID 0, seq 1", SENT_ONCE),
    (MAIN, INITIATOR, MM3): StateNames(
        MM4, "MM_WAIT_MSG4", "MM_SA_SETUP", "STATE_MAIN_I2 (sent Main Mode I2)",
        "sending retransmit {n} of request message ID 0, seq 2", SENT_ONCE),
    (MAIN, INITIATOR, MM5): StateNames(
        MM6, "MM_WAIT_MSG6", "MM_KEY_EXCH", "STATE_MAIN_I3 (sent Main Mode I3)",
        "sending retransmit {n} of request message ID 0, seq 3", SENT_ONCE),
    (MAIN, INITIATOR, DONE): StateNames(
        None, "MM_ACTIVE", "QM_IDLE", "STATE_MAIN_I4 (ISAKMP SA established)", "IKE_SA ... established between ..."),
    # IKEv1 Main Mode, responder
    (MAIN, RESPONDER, NOTHING): StateNames(
        None, _NO_STATE, "MM_NO_STATE", "— (no state for this SA)", "(no IKE_SA for this peer)"),
    (MAIN, RESPONDER, MM2): StateNames(
        MM3, "MM_WAIT_MSG3", "MM_SA_SETUP", "STATE_MAIN_R1 (sent Main Mode R1)",
        ANSWERS_DUPLICATE, HALF_OPEN),
    (MAIN, RESPONDER, MM4): StateNames(
        MM5, "MM_WAIT_MSG5", "MM_KEY_EXCH", "STATE_MAIN_R2 (sent Main Mode R2)",
        ANSWERS_DUPLICATE, HALF_OPEN),
    (MAIN, RESPONDER, DONE): StateNames(
        None, "MM_ACTIVE", "QM_IDLE", "STATE_MAIN_R3 (ISAKMP SA established)", "IKE_SA ... established between ..."),
    # IKEv1 Aggressive Mode
    (AGGRESSIVE, INITIATOR, NOTHING): StateNames(
        None, NO_NAME, NO_NAME, NO_NAME, "(no initiating message in the capture)"),
    (AGGRESSIVE, INITIATOR, AM1): StateNames(
        AM2, "AM_WAIT_MSG2", "AG_INIT_EXCH", "STATE_AGGR_I1 (sent Aggressive Mode request)",
        "sending retransmit {n} of request message ID 0, seq 1", SENT_ONCE),
    (AGGRESSIVE, INITIATOR, DONE): StateNames(
        None, "AM_ACTIVE", "QM_IDLE", "STATE_AGGR_I2 (ISAKMP SA established)", "IKE_SA ... established between ..."),
    (AGGRESSIVE, RESPONDER, NOTHING): StateNames(
        None, _NO_STATE, "AG_NO_STATE", "— (no state for this SA)", "(no IKE_SA for this peer)"),
    (AGGRESSIVE, RESPONDER, AM2): StateNames(
        AM3, "AM_WAIT_MSG3", "AG_INIT_EXCH", "STATE_AGGR_R1 (sent AM response, expecting AM3)",
        "sending retransmit {n} of response message ID 0, seq 1", SENT_ONCE),
    (AGGRESSIVE, RESPONDER, DONE): StateNames(
        None, "AM_ACTIVE", "QM_IDLE", "STATE_AGGR_R2 (ISAKMP SA established)", "IKE_SA ... established between ..."),
    # IKEv1 Quick Mode (the side that started Quick Mode is INITIATOR here, whichever IKE peer it is;
    # ``{phase1}`` is the ASA's name for the phase-1 SA it runs under: MM_ACTIVE or AM_ACTIVE)
    (QUICK, INITIATOR, QM1): StateNames(
        QM2, "{phase1} (no IPsec SA yet)", "QM_IDLE", "STATE_QUICK_I1 (sent Quick Mode request)",
        "sending retransmit {n} of request message ID {mid}, seq 1", SENT_ONCE),
    (QUICK, INITIATOR, DONE): StateNames(
        None, "{phase1}, IPsec SA up", "QM_IDLE", "STATE_QUICK_I2 (IPsec SA established)",
        "CHILD_SA ... established with SPIs ..."),
    (QUICK, RESPONDER, NOTHING): StateNames(
        QM1, "{phase1} (no IPsec SA)", "QM_IDLE", "— (QM1 not accepted)", "(QM1 not accepted)"),
    (QUICK, RESPONDER, QM2): StateNames(
        QM3, "{phase1} (no IPsec SA yet)", "QM_IDLE",
        "STATE_QUICK_R1 (sent Quick Mode reply, inbound IPsec SA installed, expecting QM3)",
        "(waiting for QM3)"),
    (QUICK, RESPONDER, DONE): StateNames(
        None, "{phase1}, IPsec SA up", "QM_IDLE", "STATE_QUICK_R2 (IPsec SA established)",
        "CHILD_SA ... established with SPIs ..."),
    # IKEv2 (Cisco 'show crypto ikev2 sa' status column)
    (V2, INITIATOR, NOTHING): StateNames(None, NO_NAME, NO_NAME, NO_NAME, "(no initiating message in the capture)"),
    (V2, INITIATOR, IKE_SA_INIT_REQUEST): StateNames(
        IKE_SA_INIT_RESPONSE, "IN-NEG", "IN-NEG", "STATE_V2_IKE_SA_INIT_I (older: STATE_PARENT_I1)",
        "retransmit {n} of request with message ID 0", SENT_ONCE),
    (V2, INITIATOR, IKE_AUTH_REQUEST): StateNames(
        IKE_AUTH_RESPONSE, "IN-NEG", "IN-NEG", "STATE_V2_IKE_AUTH_I (older: STATE_PARENT_I2)",
        "retransmit {n} of request with message ID {mid}", SENT_ONCE),
    (V2, INITIATOR, DONE): StateNames(
        None, "READY", "READY", "STATE_V2_ESTABLISHED_IKE_SA", "IKE_SA ... established between ..."),
    (V2, RESPONDER, NOTHING): StateNames(
        None, _NO_STATE, NO_NAME, "— (no state for this SA)", "(no IKE_SA for this peer)"),
    (V2, RESPONDER, IKE_SA_INIT_RESPONSE): StateNames(
        IKE_AUTH_REQUEST, "IN-NEG", "IN-NEG", "STATE_V2_IKE_SA_INIT_R (older: STATE_PARENT_R1)",
        ANSWERS_DUPLICATE, HALF_OPEN),
    (V2, RESPONDER, REFUSED_AUTH): StateNames(
        None, _NO_STATE, NO_NAME, "— (IKE SA deleted after refusing IKE_AUTH)",
        "(IKE_SA deleted after refusing IKE_AUTH)"),
    (V2, RESPONDER, DONE): StateNames(
        None, "READY", "READY", "STATE_V2_ESTABLISHED_IKE_SA", "IKE_SA ... established between ..."),
}


# A side that sent nothing the capture point saw: its state cannot be read off the wire (its replies
# may be lost beyond the capture point, or it never got anything).
UNSEEN = StateNames(None, "unknown", "unknown", "unknown", "(unknown: nothing from this side passed the capture point)")


# After a Delete (RFC 2408 §3.15, RFC 7296 §1.4.1) neither side holds the SA; the lines are
# strongSwan's on the side that sent the Delete and on the one that received it.
DELETED_PHASE1 = {
    "sent": StateNames(None, "no SA (deleted)", NO_NAME, "— (deleted)", "sending DELETE for IKE_SA ..."),
    "received": StateNames(None, "no SA (deleted)", NO_NAME, "— (deleted)", "received DELETE for IKE_SA ..."),
}
DELETED_PHASE2 = {
    "sent": StateNames(None, "IPsec SA deleted", NO_NAME, "— (deleted)",
                       "sending DELETE for ESP CHILD_SA with SPI ..."),
    "received": StateNames(None, "IPsec SA deleted", NO_NAME, "— (deleted)",
                           "received DELETE for ESP CHILD_SA with SPI ..."),
}


def strongswan_received(version: int, number: int) -> str:
    """The line for an error notification received in clear. strongSwan's one notify enum
    (notify_payload.c) serves both versions with IKEv2's name wherever IKEv2 has one, so an IKEv1
    INVALID-KEY-INFORMATION (17) is logged as INVALID_KE_PAYLOAD, as the lab's no-PSK capture
    shows; where that name is not the registry's, the registry's follows in brackets."""
    theirs = iana.V2_NOTIFY_TYPES[number] if number in iana.V2_NOTIFY_TYPES else iana.V1_NOTIFY_TYPES[number]
    ours = (iana.V1_NOTIFY_TYPES if version == 1 else iana.V2_NOTIFY_TYPES)[number]
    line = STRONGSWAN_RECEIVED[version].format(notify=theirs)
    return line if theirs == ours else f"{line} [{ours}]"


def state(flow: str, side: str, last_sent: str | None) -> StateNames:
    """The row for a side; a message with no row of its own (a reply sent but not ours to
    number) falls back to the side's no-state row."""
    return STATES.get((flow, side, last_sent)) or STATES.get((flow, side, NOTHING)) or \
        StateNames(None, NO_NAME, NO_NAME, NO_NAME, NO_NAME)
