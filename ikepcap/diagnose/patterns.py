"""The wire patterns behind the rules: which frames make a rule fire, and what they show.

Each pattern looks at one SA and returns a Match (evidence frames, the sentences that describe
this capture, and where the evidence calls for it the name of one of the rule's cause variants)
or None. Patterns only detect: the rule table (``rules``) says what a match means, which
patterns are stalls and in which order they are tried. A variant is one of the names below;
the rule's row holds the order of causes each stands for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from ikepcap.correlate.model import (
    AM1,
    AM2,
    AM3,
    CREATE_CHILD_SA,
    CREATE_CHILD_SA_REQUEST,
    IKE_AUTH_MESSAGES,
    IKE_AUTH_REQUEST,
    IKE_AUTH_RESPONSE,
    IKE_SA_INIT_MESSAGES,
    IKE_SA_INIT_REQUEST,
    IKE_SA_INIT_RESPONSE,
    INFORMATIONAL_MESSAGES,
    INFORMATIONAL_PROTECTED,
    INFORMATIONAL_REQUEST,
    INFORMATIONAL_UNPROTECTED,
    INITIATOR,
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
    TIMER,
    V2_INFORMATIONAL,
    IkeSa,
    Step,
)
from ikepcap.decode import iana
from ikepcap.decode.identity import identity_text, selector_text
from ikepcap.decode.model import (
    V1_DELETE,
    V1_ID,
    V1_SA,
    V2_AUTH,
    V2_CERT,
    V2_DELETE,
    V2_IDI,
    V2_IDR,
    V2_SA,
    V2_TSI,
    V2_TSR,
    Authentication,
    Certificate,
    Delete,
    Identification,
    Notification,
    SecurityAssociation,
    TrafficSelectors,
)
from ikepcap.decode.sa import proposal_text
from ikepcap.diagnose import capture_point, facts
from ikepcap.diagnose.capture_point import locate
from ikepcap.diagnose.facts import (
    AUTHENTICATION_METHOD,
    NO_SUCH_SA,
    PORT_UNREACHABLE,
    PRE_SHARED_KEY_METHODS,
    PROHIBITED,
    V1_NOTIFY,
    V2_NOTIFY,
    WEAK_ALGORITHMS,
    after,
    answered,
    clear_errors,
    copies,
    describe,
    esp_both_ways,
    evidence,
    first,
    icmp_kind,
    named,
    notifications,
    offered,
    originals,
    resent,
    resent_text,
    seconds,
    seconds_list,
)
from ikepcap.diagnose.fingerprint import forced_encapsulation, notify_formats
from ikepcap.diagnose.implementations import STRONGSWAN
from ikepcap.diagnose.model import Evidence
from ikepcap.diagnose.progress import ChildProgress, Progress, phase1, quick_mode
from ikepcap.marks import wire
from ikepcap.read.model import NAT_T_PORT, endpoint

V1_CERTREQ = iana.V1_PAYLOAD_TYPES.number("CERTREQ")
V2_CERTREQ = iana.V2_PAYLOAD_TYPES.number("CERTREQ")
# What an IKEv1 responder answers in clear when MM5 decrypted into garbage or did not verify.
V1_PSK_MISMATCH_NOTIFIES = frozenset(V1_NOTIFY(name) for name in (
    "INVALID_PAYLOAD_TYPE", "PAYLOAD_MALFORMED", "INVALID_HASH_INFORMATION", "AUTHENTICATION_FAILED"))
V1_INVALID_COOKIE = NO_SUCH_SA[1]
V1_NO_PROPOSAL_CHOSEN = V1_NOTIFY("NO_PROPOSAL_CHOSEN")
V1_INVALID_KEY_INFORMATION = V1_NOTIFY("INVALID_KEY_INFORMATION")
NO_PROPOSAL_CHOSEN = V2_NOTIFY("NO_PROPOSAL_CHOSEN")
INVALID_KE_PAYLOAD = V2_NOTIFY("INVALID_KE_PAYLOAD")
REDIRECT = V2_NOTIFY("REDIRECT")
COOKIE = V2_NOTIFY("COOKIE")

# Cause variants: what a pattern found that reorders its rule's causes (each rule's row says how).
# The ICMP kinds of ``facts`` (port unreachable, prohibited, too big) are variants too.
NO_SPI = "no-spi"                       # a refusal with no SPI: strongSwan's 'no config for this peer'
LARGE = "large"                         # the unanswered message risks IP fragmentation
CERTIFICATES = "certificates"           # a certificate request: the next message carries certificates
NO_NAT = "no-nat"                       # no NAT between the peers, so no UDP 4500 float
SMALL = "small"                         # a small message went unanswered: the path, not its size
REQUEST_RESENT = "request-resent"       # the requester re-sent after the reply passed
V1_INFORMATIONALS = (INFORMATIONAL_PROTECTED, INFORMATIONAL_UNPROTECTED)
MALFORMED = "malformed"                 # the unanswered request does not parse
# An IKE_AUTH request at least this large carries a certificate: a PSK one with a child SA takes
# 250-450 bytes (the lab's: 288), the smallest RSA-2048 certificate and signature alone some 1,100.
CERTIFICATE_SIZED = 1000
FLOAT_SILENT = "float-silent"           # sent on UDP 4500 after the float; nothing came back on 4500
IDENTITY_UNREAD = "identity-unread"     # the identity refusal the initiator could not read
NO_REQUEST = "no-request"               # the request this answers is not in the capture
NEAR_STARTER = "near-starter"           # taken next to the exchange's initiator: what it sent may be lost after
ONE_DIRECTION = "one-direction"         # nothing from one side passed the capture point
ANSWERS_ONLY = "answers-only"           # every message seen answers one the capture point missed
NO_SA = "no-sa"                         # the peer says it has no such SA (INVALID_COOKIE / INVALID_IKE_SPI)
NO_SA_AFTER_ENCRYPTION = "no-sa-after-encryption"   # ... once a message was protected with the keys
NO_KEY = "no-key"                       # IKEv1 INVALID_KEY_INFORMATION: no key for the peer
BEFORE_ENCRYPTION = "before-encryption"  # an error before any message was protected
GARBLED = "garbled"                     # IKEv1 errors of a message that decrypted into garbage
# What the keys revealed inside an encrypted refusal, or proved by failing on one side's messages.
PROPOSAL = "proposal"                   # NO_PROPOSAL_CHOSEN (or a PFS group refused): the transforms
SELECTORS = "selectors"                 # INVALID_ID_INFORMATION / TS_UNACCEPTABLE: the proxy IDs
IDENTITY = "identity"                   # phase 1 decrypted fine and the identity was refused
SHARED_KEY = "shared-key"               # IKEv2 AUTHENTICATION_FAILED of a PSK authentication
PROVEN = "proven"                       # the keys open one side's messages and not the other's
# What the wire itself shows that rules a cause out.
ANSWER_READ = "answer-read"             # the initiator stopped re-sending on the encrypted answer: it read it
RESPONDER_ANSWERED = "responder-answered"  # the initiator uses the responder's SPI: its packets got there
FROM_THE_PEER = "from-the-peer"         # the peer's own host sent the ICMP error: the path to it works
DEAD_PEER = "dead-peer"                 # ... after the SA was up: the daemon went away
INITIATOR_STOPPED = "initiator-stopped"  # captured next to the initiator, which sent nothing more
MM3_LOST = "mm3-lost"                   # MM2 arrived and chose an offered transform: MM3 went out and was lost
# Variants that rest on what the keys showed: nothing about the implementation outranks them.
DECRYPTED_VARIANTS = frozenset({PROPOSAL, SELECTORS, IDENTITY, SHARED_KEY, PROVEN})

# Phase-2 refusals by the notification inside, per version (RFC 2408 §3.14.1, RFC 7296 §3.10.1).
P2_REFUSALS = {
    1: {V1_NOTIFY("NO_PROPOSAL_CHOSEN"): PROPOSAL, V1_NOTIFY("INVALID_ID_INFORMATION"): SELECTORS},
    2: {V2_NOTIFY("NO_PROPOSAL_CHOSEN"): PROPOSAL, V2_NOTIFY("INVALID_KE_PAYLOAD"): PROPOSAL,
        V2_NOTIFY("TS_UNACCEPTABLE"): SELECTORS, V2_NOTIFY("SINGLE_PAIR_REQUIRED"): SELECTORS},
}
# IKEv1 phase-1 refusals of a peer that read the message: with equal keys, not a key mismatch.
V1_IDENTITY_REFUSALS = frozenset(V1_NOTIFY(name) for name in ("INVALID_ID_INFORMATION", "AUTHENTICATION_FAILED"))
V2_AUTHENTICATION_FAILED = V2_NOTIFY("AUTHENTICATION_FAILED")
V1_R_U_THERE = V1_NOTIFY("R_U_THERE")
V2_SHARED_KEY_AUTH = iana.V2_AUTH_METHODS.number("Shared Key Message Integrity Code")


@dataclass(slots=True)
class Match:
    evidence: list[Evidence] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    variant: str | None = None                # the rule's cause order this capture calls for, by name
    inferred: bool | None = None              # overrides the rule's default for this match
    refusal: bool | None = None               # the evidence shows an explicit refusal (overrides the rule's)


def _series(sa: IkeSa, step: Step, label: str) -> tuple[list[Evidence], str]:
    """Evidence for a message and its copies, and a sentence with frames and intervals."""
    all_copies = copies(sa, step)
    ev = [evidence(s) for s in all_copies]
    if len(all_copies) == 1:
        return ev, f"{label} was sent once (frame {step.label})."
    times = [s.message.time for s in all_copies]
    gaps = seconds_list([b - a for a, b in zip(times, times[1:])])
    frames = ", ".join(s.label for s in all_copies)
    return ev, f"{label} was sent {len(all_copies)} times (frames {frames}; {gaps})."


def _offered_details(sa: IkeSa) -> list[str]:
    lines = offered(sa)
    return ["Offered by the initiator: " + "; ".join(lines) + "."] if lines else []


def _notify_text(step: Step, notification: Notification) -> str:
    protection = "encrypted" if step.message.encrypted else "unencrypted"
    if notification.decrypted:
        protection += " (read with the keys)"
    return f"{notification.notify_name} ({notification.notify_type}), {protection}, frame {step.label}"


def _refusal(steps: list[Step], kinds: dict[int, str]) -> tuple[Step, Notification, str] | None:
    """The first refusal the keys revealed among ``steps`` that ``kinds`` names, with its variant."""
    return next(((s, n, kinds[n.notify_type]) for s, n in facts.revealed(steps) if n.notify_type in kinds), None)


def _proof(sa: IkeSa, mine: list[Step], theirs: list[Step]) -> list[str]:
    """Sentences proving different keys, when the keys open ``mine`` (one side's encrypted
    messages) and fail on every one of ``theirs`` (the other side's), or the other way round."""
    for opened_, failed in ((mine, theirs), (theirs, mine)):
        good = [s for s in opened_ if facts.opened(s)]
        bad = facts.unopened(failed)
        if good and bad and len(bad) == len(failed):
            return [f"The keys open the {good[0].sender}'s {good[0].name} (frame {good[0].label}) but none of the "
                    f"{bad[0].sender}'s {len(bad)} encrypted message(s) (frames {', '.join(s.label for s in bad)}: "
                    f"{bad[0].message.undecrypted}): the two sides derived different keys — proven, not inferred."]
    return []


def _proxy_ids(step: Step) -> list[str]:
    """Quick Mode's proxy IDs (IDci, IDcr) and proposals as the keys reveal them in ``step``, set
    against the mirror image the peer must hold — how an engineer compares crypto ACLs."""
    details = []
    ids = facts.inside(step, V1_ID, V1_ID, Identification)
    if len(ids) >= 2:
        local, remote = identity_text(ids[0], typed=False), identity_text(ids[1], typed=False)
        details.append(f"Proxy IDs in {step.name} (frame {step.label}): local {local} ↔ remote {remote}, from the "
                       f"{step.sender}; the peer's crypto ACL / connection must be the mirror image, local {remote} "
                       f"↔ remote {local}.")
    return details + _offer(step, "Offered")


def _selectors(step: Step) -> list[str]:
    """IKE_AUTH's / CREATE_CHILD_SA's traffic selectors and child SA proposal, as the keys reveal them."""
    details = []
    ts = {kind: facts.inside(step, kind, kind, TrafficSelectors) for kind in (V2_TSI, V2_TSR)}
    if ts[V2_TSI] and ts[V2_TSR]:
        tsi = ", ".join(selector_text(x) for p in ts[V2_TSI] for x in p.selectors)
        tsr = ", ".join(selector_text(x) for p in ts[V2_TSR] for x in p.selectors)
        details.append(f"Traffic selectors in {step.name} (frame {step.label}): TSi (the {step.sender}'s side) "
                       f"{tsi} ↔ TSr {tsr}; the peer's local subnets must cover TSr and its remote ones TSi.")
    return details + _offer(step, "Child SA proposals")


def _offer(step: Step, what: str) -> list[str]:
    """The SA proposals the keys reveal in ``step`` (Quick Mode's, or a child SA's), one sentence."""
    proposals = [proposal_text(p) for sa_ in facts.inside(step, V1_SA, V2_SA, SecurityAssociation)
                 for p in sa_.proposals]
    return [f"{what} in {step.name}: " + "; ".join(proposals) + "."] if proposals else []


def _clear_notify_from(sa: IkeSa, since: Step, sender: str, types: frozenset[int] | None = None):
    return [(s, n) for s, n in clear_errors(after(sa, since, sender)) if types is None or n.notify_type in types]


def _protected_info_from(sa: IkeSa, since: Step, sender: str) -> list[Step]:
    return [s for s in after(sa, since, sender) if s.name == INFORMATIONAL_PROTECTED]


def _after_float(sa: IkeSa, step: Step) -> bool:
    return sa.float_step is not None and sa.float_step <= step.index and NAT_T_PORT in (step.message.sport,
                                                                                        step.message.dport)


def _stopped_here(sa: IkeSa, due: str) -> list[str]:
    """Why a missing initiator message was never sent, when the capture point sits next to the
    initiator (whatever it sends passes here): empty when it does not."""
    point = locate(sa)
    if point.near != INITIATOR:
        return []
    return [f"The capture was taken next to the initiator ({point.evidence[0]}): had it sent {due}, {due} would "
            "be here. The responder answered and the initiator did not go on: look at the initiator, not at the "
            "path."]


def _nat_between(sa: IkeSa) -> bool:
    return any(not check.matches for check in sa.nat_checks)


def _copies_after(sa: IkeSa, original: Step, marker: Step) -> list[Step]:
    return [s for s in copies(sa, original) if s.index > marker.index]


def _refusals(sa: IkeSa, request_name: str, reply_name: str, types: frozenset[int] | None = None,
              exclude: frozenset[int] = frozenset()) -> list[tuple[Step, Notification]]:
    """Clear error notifications the responder sent after ``request_name`` instead of ``reply_name``."""
    request = first(sa, request_name)
    if request is None or first(sa, reply_name):
        return []
    return [(s, n) for s, n in _clear_notify_from(sa, request, RESPONDER, types) if n.notify_type not in exclude]


def _refused(sa: IkeSa, request_name: str, reply_name: str, types: frozenset[int] | None = None,
             exclude: frozenset[int] = frozenset()) -> Match | None:
    refusals = _refusals(sa, request_name, reply_name, types, exclude)
    if not refusals:
        return None
    ev, sent = _series(sa, first(sa, request_name), request_name)
    return Match(ev + [evidence(s) for s, _ in refusals],
                 [sent] + [f"The responder answered with {_notify_text(s, n)}." for s, n in refusals])


# --- IKEv1 Main Mode --------------------------------------------------------------------------

def mm1_rejected(sa: IkeSa, p: Progress) -> Match | None:
    match = _refused(sa, MM1, MM2)
    if match is None:
        return None
    step, notification = _refusals(sa, MM1, MM2)[0]
    # only in strongSwan's format of it: Libreswan's, also without an SPI, refuses a proposal
    strongswan_format = any(row.implementation == STRONGSWAN for row in notify_formats(step.message, notification))
    if notification.notify_type == V1_NO_PROPOSAL_CHOSEN and not notification.spi and strongswan_format:
        match.details.append("The notification carries no SPI: strongSwan sends it like this when it has no "
                             "configuration for the peer at all, rather than for a real proposal mismatch.")
        match.variant = NO_SPI
    match.details += _offered_details(sa)
    return match


def mm2_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    mm2 = first(sa, MM2)
    mm1 = first(sa, MM1)
    if mm2 is None or first(sa, MM3) or (mm1 and _copies_after(sa, mm1, mm2)):
        return None
    details = [f"The responder chose: {'; '.join(facts.chosen(mm2))} (frame {mm2.label})."]
    ev = [evidence(mm2)]
    refused = _clear_notify_from(sa, mm2, INITIATOR)
    for step, notification in refused:
        details.append(f"The initiator answered MM2 with {_notify_text(step, notification)}.")
        ev.append(evidence(step))
    variant = None
    if not refused and mm1 is not None and facts.chose_offered(mm1, mm2) and locate(sa).near != INITIATOR:
        # MM2 arrived (the initiator stopped re-sending MM1) and holds a transform the initiator itself
        # offered: it had no reason to refuse it, so its MM3 went out and was lost before this point.
        details.append("The responder chose a transform the initiator offered, and the initiator stopped re-sending "
                       "MM1, so MM2 reached it: its MM3 most likely went out and was lost on the way, before the "
                       "capture point.")
        variant = MM3_LOST
    elif mm1 is None:
        # without MM1 nothing says the initiator stopped: the capture misses its direction or its start
        details.append("MM1 is not in the capture, so nothing here shows what the initiator sent or whether it "
                       "went on.")
        variant = NO_REQUEST
    return Match(ev, details + _offered_details(sa), variant)


def _reply_lost(sa: IkeSa, request_name: str, reply_name: str) -> Match | None:
    reply = first(sa, reply_name)
    request = first(sa, request_name)
    if reply is None or request is None:
        return None
    later = _copies_after(sa, request, reply)
    if not later:
        return None
    ev, sent = _series(sa, request, request_name)
    replies = [s for s in sa.steps if s.name == reply_name]
    return Match(ev + [evidence(s) for s in replies], [
        sent,
        f"{reply_name} passed the capture point {len(replies)} time(s) (frames "
        f"{', '.join(s.label for s in replies)}), yet the initiator re-sent {request_name} "
        f"{len(later)} more time(s) after it: {reply_name} does not reach the initiator."])


def mm2_reply_lost(sa: IkeSa, p: Progress) -> Match | None:
    if first(sa, MM3):
        return None
    return _reply_lost(sa, MM1, MM2)


def mm4_reply_lost(sa: IkeSa, p: Progress) -> Match | None:
    if first(sa, MM5):
        return None
    return _reply_lost(sa, MM3, MM4)


def mm3_invalid_cookie(sa: IkeSa, p: Progress) -> Match | None:
    mm3 = first(sa, MM3)
    if mm3 is None or first(sa, MM4):
        return None
    cookies = _clear_notify_from(sa, mm3, RESPONDER, frozenset({V1_INVALID_COOKIE}))
    if not cookies:
        return None
    ev, sent = _series(sa, mm3, MM3)
    frames = ", ".join(s.label for s, _ in cookies)
    return Match(ev + [evidence(s, f"{describe(s)}: INVALID_COOKIE, unencrypted") for s, _ in cookies], [
        sent,
        f"No MM4 came back. The responder sent {len(cookies)} unencrypted Informational(s) with INVALID_COOKIE "
        f"(frames {frames}): by then it no longer had this SA.",
    ])


def mm3_key_refused(sa: IkeSa, p: Progress) -> Match | None:
    return _refused(sa, MM3, MM4, exclude=frozenset({V1_INVALID_COOKIE}))


def mm3_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    mm3 = first(sa, MM3)
    if mm3 is None or first(sa, MM4):
        return None
    ev, sent = _series(sa, mm3, MM3)
    details = [sent, "Nothing came back from the responder after MM3."]
    variant = None
    if facts.large(mm3):
        details.append(f"MM3 is {facts.size_text(mm3)}: a path that drops large or fragmented "
                       "packets would explain the silence.")
        variant = LARGE
    return Match(ev, details, variant)


def mm4_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    mm4 = first(sa, MM4)
    mm3 = first(sa, MM3)
    if mm4 is None or first(sa, MM5) or (mm3 and _copies_after(sa, mm3, mm4)):
        return None
    details = [f"MM4 passed the capture point (frame {mm4.label}); no MM5 followed."]
    certificates = mm4.message.carries(V1_CERTREQ, V2_CERTREQ)
    stopped = _stopped_here(sa, MM5)
    if stopped:
        details += stopped
        variant = INITIATOR_STOPPED
    elif _nat_between(sa):
        details.append("NAT detection shows a NAT between the peers, so MM5 was due on UDP 4500.")
        variant = None
    elif certificates:
        details.append("MM4 carries a certificate request: MM5 will carry a certificate and may be IP-fragmented.")
        variant = CERTIFICATES
    else:
        variant = NO_NAT
    return Match([evidence(mm4)], details, variant)


def mm5_answered_clear_error(sa: IkeSa, p: Progress) -> Match | None:
    return _refused(sa, MM5, MM6, V1_PSK_MISMATCH_NOTIFIES)


def mm4_resent_by_responder(sa: IkeSa, p: Progress) -> Match | None:
    mm5 = first(sa, MM5)
    mm4 = first(sa, MM4)
    if mm5 is None or mm4 is None or first(sa, MM6):
        return None
    own = [s for s in _copies_after(sa, mm4, mm5) if s.resend == TIMER]
    if not own:
        return None
    ev, sent = _series(sa, mm5, MM5)
    details = [sent, f"The responder re-sent MM4 {len(own)} time(s) on its own timer after MM5 had been sent (frames "
                     f"{', '.join(s.label for s in own)}): it is still waiting for an MM5 it can decrypt."]
    if _after_float(sa, mm5) and NAT_T_PORT not in sa.ports.get(RESPONDER, ()):
        # its own MM4s come on UDP 500, nothing of it on 4500: an MM5 lost on 4500 fits as well as a wrong key
        details.append(f"MM5 went to UDP 4500 after the float (frame {sa.steps[sa.float_step].label}) and nothing of "
                       "the responder's ever came on 4500: an MM5 lost on 4500 leaves it waiting just as one it "
                       "cannot decrypt does.")
        return Match(ev + [evidence(s) for s in own], details, FLOAT_SILENT)
    return Match(ev + [evidence(s) for s in own], details)


def mm5_answered_encrypted(sa: IkeSa, p: Progress) -> Match | None:
    mm5 = first(sa, MM5)
    if mm5 is None or first(sa, MM6):
        return None
    infos = _protected_info_from(sa, mm5, RESPONDER)
    if not infos:
        return None
    ev, sent = _series(sa, mm5, MM5)
    sizes = ", ".join(f"frame {s.label} ({s.message.length} bytes)" for s in infos)
    ev += [evidence(s) for s in infos]
    details = [sent, f"Instead of MM6 the responder sent {len(infos)} protected Informational(s): {sizes}."]
    proof = _proof(sa, copies(sa, mm5), infos)
    if proof:
        return Match(ev, details + proof, PROVEN, inferred=False)
    refusal = _refusal(infos, dict.fromkeys(V1_IDENTITY_REFUSALS, IDENTITY))
    if refusal is None:
        if not any(facts.opened(s) for s in infos) and len(infos) == 1 and len(copies(sa, mm5)) == 1:
            # An initiator ignores an answer it cannot decrypt and keeps re-sending MM5 (strongSwan's
            # PAYLOAD_MALFORMED under the other key, every copy answered); one that stops on the
            # first answer read it, so both sides hold the same keys.
            details.append(f"The initiator sent MM5 once and stopped after the answer (frame {infos[0].label}): it "
                           "could read it, so the keys agree and the responder refused something else, most "
                           "likely the identity.")
            return Match(ev, details, ANSWER_READ, refusal=True)
        return Match(ev, details)
    step, notification, variant = refusal
    ids = [identity_text(i) for i in facts.inside(mm5, V1_ID, V1_ID, Identification)]
    details.append(f"The keys open both sides' messages, so the pre-shared keys agree; the responder read MM5 "
                   f"and refused it: {_notify_text(step, notification)}.")
    if ids:
        details.append(f"The initiator identified itself in MM5 (frame {mm5.label}) as {', '.join(ids)}.")
    again = _copies_after(sa, mm5, infos[0])
    if variant == IDENTITY and again:
        # a refusal it had read would have ended it: its re-sends say it could not (strongSwan reading
        # Libreswan's, in the lab)
        details.append(f"The initiator re-sent MM5 after the refusal (frames {', '.join(s.label for s in again)}): it "
                       "could not read it, so its own log says nothing of the identity.")
        variant = IDENTITY_UNREAD
    return Match(ev, details, variant, inferred=False, refusal=True)


def mm5_unanswered_after_float(sa: IkeSa, p: Progress) -> Match | None:
    mm5 = first(sa, MM5)
    if mm5 is None or first(sa, MM6) or not _after_float(sa, mm5) or answered(sa, mm5):
        return None
    ev, sent = _series(sa, mm5, MM5)
    float_step = sa.steps[sa.float_step]
    return Match(ev, [
        sent,
        f"MM1–MM4 used UDP 500; from frame {float_step.label} the peers use UDP 4500, and nothing came back "
        "on 4500."])


def mm5_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    mm5 = first(sa, MM5)
    if mm5 is None or first(sa, MM6):
        return None
    ev, sent = _series(sa, mm5, MM5)
    details = [sent, "No MM6 came back."]
    variant = None
    if facts.large(mm5):
        details.append(f"MM5 is {facts.size_text(mm5)}"
                       + (f", sent as {len(mm5.message.fragments)} IP fragments" if mm5.message.fragments else "")
                       + ": fragments dropped on the path would explain the silence.")
        variant = LARGE
    return Match(ev, details, variant)


def mm6_not_accepted(sa: IkeSa, p: Progress) -> Match | None:
    mm6 = first(sa, MM6)
    mm5 = first(sa, MM5)
    if mm6 is None or mm5 is None or p.established:
        return None
    later = _copies_after(sa, mm5, mm6)
    notes = [s for s in after(sa, mm6, INITIATOR) if s.name.startswith(INFORMATIONAL_MESSAGES)]
    if not later and not notes:
        return None
    ev = [evidence(mm6)] + [evidence(s) for s in later + notes]
    details = [f"MM6 passed the capture point (frame {mm6.label})."]
    if later:
        details.append(f"The initiator re-sent MM5 {len(later)} more time(s) after it.")
    if notes:
        details.append(f"The initiator sent {len(notes)} Informational(s) after MM6.")
    return Match(ev, details)


def mm1_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    mm1 = first(sa, MM1)
    if mm1 is None or first(sa, MM2) or any(s.sender == RESPONDER for s in sa.steps):
        return None
    ev, sent = _series(sa, mm1, MM1)
    details = [sent, "Nothing at all came back from the responder."]
    if sa.icmp_errors:
        details.append("ICMP errors came back instead: " + "; ".join(sorted({e.description for e in sa.icmp_errors}))
                       + ".")
    # MM1 met by ICMP: the kind of error reorders the causes (the path stays suspect); a packet too
    # big for the path says nothing about MM1, which is small
    kind = icmp_kind(sa.icmp_errors)
    if _unreachable_peer(sa) is not None:
        kind = FROM_THE_PEER
    if kind in (PORT_UNREACHABLE, PROHIBITED, FROM_THE_PEER):
        return Match(ev, details + _offered_details(sa), kind)
    broken = _malformed(mm1)
    return Match(ev, details + broken + _offered_details(sa), MALFORMED if broken else None)


def _malformed(step: Step) -> list[str]:
    """What is wrong in a request as decoded here: a responder drops a message it cannot parse,
    without an answer (strongSwan: 'could not parse', Libreswan: 'malformed payload')."""
    problems = step.message.malformed
    if not problems:
        return []
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return [f"{step.name} (frame {step.label}) is malformed: {problems[0]}{more}."]


# --- IKEv1 Aggressive Mode ------------------------------------------------------------------------

def am1_rejected(sa: IkeSa, p: Progress) -> Match | None:
    match = _refused(sa, AM1, AM2)
    if match is not None:
        match.details += _offered_details(sa)
    return match


def am2_rejected(sa: IkeSa, p: Progress) -> Match | None:
    am2 = first(sa, AM2)
    if am2 is None or first(sa, AM3):
        return None
    clear = clear_errors(after(sa, am2, INITIATOR))
    protected = _protected_info_from(sa, am2, INITIATOR)
    if not clear and not protected:
        return None
    ev, sent = _series(sa, am2, AM2)
    details = [sent]
    details += [f"The initiator answered AM2 with {_notify_text(s, n)}." for s, n in clear]
    revealed = facts.revealed(protected)
    details += [f"The initiator answered AM2 with {_notify_text(s, n)}." for s, n in revealed]
    details += [f"The initiator answered AM2 with a protected Informational (frame {s.label}, "
                f"{s.message.length} bytes); its type is not visible without the keys." for s in protected
                if not facts.opened(s)]
    return Match(ev + [evidence(s) for s, _ in clear] + [evidence(s) for s in protected], details,
                 inferred=not clear and not revealed)


def am2_not_confirmed(sa: IkeSa, p: Progress) -> Match | None:
    """AM2 met silence: an answer from the initiator (clear or protected) is am2_rejected's, tried first."""
    am2 = first(sa, AM2)
    if am2 is None or first(sa, AM3):
        return None
    ev, sent = _series(sa, am2, AM2)
    details = [sent, "No AM3 came back."]
    am1 = first(sa, AM1)
    variant = None
    if am1 and _copies_after(sa, am1, am2):
        details.append("The initiator kept re-sending AM1 after AM2: AM2 does not reach it.")
        variant = REQUEST_RESENT
    return Match(ev, details, variant)


def am1_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    am1 = first(sa, AM1)
    if am1 is None or first(sa, AM2) or any(s.sender == RESPONDER for s in sa.steps):
        return None
    ev, sent = _series(sa, am1, AM1)
    return Match(ev, [sent, "Nothing came back from the responder."] + _offered_details(sa))


# --- IKEv2 --------------------------------------------------------------------------------------

def _init_responses(sa: IkeSa) -> list[Step]:
    return [s for s in named(sa, IKE_SA_INIT_RESPONSE) if s.copy_of is None]


def _response_notifies(step: Step) -> set[int]:
    return {n.notify_type for n in notifications(step)}


def init_ke_loop(sa: IkeSa, p: Progress) -> Match | None:
    responses = _init_responses(sa)
    # copies count too: a request re-sent unchanged after INVALID_KE_PAYLOAD loops just the same
    ke = [s for s in named(sa, IKE_SA_INIT_RESPONSE) if INVALID_KE_PAYLOAD in _response_notifies(s)]
    # a loop needs the initiator's retries in the capture: two answers alone may be one sent twice
    if len(ke) < 2 or len(named(sa, IKE_SA_INIT_REQUEST)) < 2 or any(
            not _response_notifies(s) & {INVALID_KE_PAYLOAD, COOKIE, NO_PROPOSAL_CHOSEN} for s in responses):
        return None
    groups = [dict(n.details).get("group_name") for s in ke for n in notifications(s)
              if n.notify_type == INVALID_KE_PAYLOAD]
    return Match([evidence(s) for s in ke], [f"INVALID_KE_PAYLOAD {len(ke)} times; the responder asks for "
                                             f"{', '.join(sorted({g for g in groups if g}))}."] + _offered_details(sa))


def init_rejected(sa: IkeSa, p: Progress) -> Match | None:
    responses = _init_responses(sa)
    # INVALID_KE_PAYLOAD asks for a retry with another group; it refuses when none follows here
    refusals = [(s, n) for s in responses for n in notifications(s)
                if facts.is_error(n) and (n.notify_type != INVALID_KE_PAYLOAD or not after(sa, s, INITIATOR))]
    if not refusals or any(not (_response_notifies(s) & {NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE})
                           and not clear_errors([s]) for s in responses):
        return None
    return Match([evidence(s) for s, _ in refusals],
                 [f"The responder answered with {_notify_text(s, n)}." for s, n in refusals] + _offered_details(sa))


def _successful_init(sa: IkeSa) -> Step | None:
    for step in _init_responses(sa):
        if not any(facts.is_error(n) or n.notify_type == COOKIE for n in notifications(step)):
            return step
    return None


def init_redirected(sa: IkeSa, p: Progress) -> Match | None:
    """RFC 5685: the responder answers IKE_SA_INIT with REDIRECT, and the initiator starts again
    with the gateway it names — another SA, under a fresh SPI."""
    for step in _init_responses(sa):
        for notification in notifications(step):
            if notification.notify_type == REDIRECT:
                gateway = dict(notification.details).get("gateway", "another gateway")
                return Match([evidence(step)], [
                    f"The responder redirected the initiator to {wire(gateway)} (frame {step.label}); the initiator "
                    "continues there, in an SA of its own."])
    return None


def init_response_lost(sa: IkeSa, p: Progress) -> Match | None:
    response = _successful_init(sa)
    if response is None or named(sa, IKE_AUTH_REQUEST):
        return None
    requests = [s for s in named(sa, IKE_SA_INIT_REQUEST) if s.index > response.index]
    if not requests:
        return None
    return Match([evidence(response)] + [evidence(s) for s in requests], [
        f"A successful IKE_SA_INIT response passed the capture point (frame {response.label}), yet the "
        f"initiator re-sent IKE_SA_INIT {len(requests)} more time(s): the response does not reach it."])


def init_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    requests = named(sa, IKE_SA_INIT_REQUEST)
    if not requests or _init_responses(sa):
        return None
    if any(s.sender == INITIATOR and s.message.rspi != bytes(8) for s in sa.steps):
        return None             # the initiator used the responder's SPI: it got a response the capture missed
    originals_ = [s for s in requests if s.copy_of is None]
    ev, sent = _series(sa, originals_[-1], IKE_SA_INIT_MESSAGES)
    broken = _malformed(originals_[-1])
    return Match(ev, [sent, "No response came back."] + broken + _offered_details(sa), MALFORMED if broken else None)


def init_no_auth(sa: IkeSa, p: Progress) -> Match | None:
    response = _successful_init(sa)
    if response is None or named(sa, IKE_AUTH_MESSAGES):
        return None
    details = [f"The IKE_SA_INIT response passed the capture point (frame {response.label}); no IKE_AUTH "
               "followed."]
    variant = None
    stopped = _stopped_here(sa, IKE_AUTH_MESSAGES)
    if not any(s.sender == INITIATOR for s in sa.steps):
        details.append("Nothing from the initiator passed the capture point, not even the IKE_SA_INIT request "
                       "this answers: the capture may see one direction only.")
        variant = ONE_DIRECTION
    elif stopped:
        details += stopped
        variant = INITIATOR_STOPPED
    elif _nat_between(sa):
        details.append("NAT detection shows a NAT between the peers, so IKE_AUTH was due on UDP 4500.")
    else:
        variant = NO_NAT
    return Match([evidence(response)], details, variant)


def auth_rejected(sa: IkeSa, p: Progress) -> Match | None:
    responses = named(sa, IKE_AUTH_RESPONSE)
    if not responses or not all(facts.notify_only(s) for s in responses):
        return None
    lengths = ", ".join(f"frame {s.label}: {facts.sk_length(s)} encrypted bytes" for s in responses)
    clear = [f"{n.notify_name} in clear (frame {s.label})" for s, n in clear_errors(responses)]
    requests = named(sa, IKE_AUTH_REQUEST)
    ev = [evidence(s) for s in requests[:1] + responses]
    details = [f"IKE_AUTH response: {lengths} — room for one notification, not for IDr and AUTH."] + clear
    revealed = facts.revealed(responses)
    if not revealed:
        # one request, all its RFC 7383 fragments counted: a certificate and a signature make it large
        sent = sum(s.message.length for s in requests if s.copy_of is None and s.message.message_id == 1)
        if sent < CERTIFICATE_SIZED:
            return Match(ev, details)
        details.append(f"The IKE_AUTH request is {sent} bytes: room for a certificate and a signature, which a "
                       "pre-shared key does not need, so the authentication refused is most likely by certificate.")
        return Match(ev, details, CERTIFICATES)
    step, notification = revealed[0]
    details.append(f"The keys show what it says: {_notify_text(step, notification)}.")
    request = next((s for s in requests if facts.opened(s)), None)
    methods = {a.method for s in [request] if s for a in facts.inside(s, V2_AUTH, V2_AUTH, Authentication)}
    if request is not None:
        ids = [identity_text(i) for kind in (V2_IDI, V2_IDR) for i in facts.inside(request, kind, kind, Identification)]
        names = sorted({a.method_name for a in facts.inside(request, V2_AUTH, V2_AUTH, Authentication)})
        subjects = [wire(c.subject) for c in facts.inside(request, V2_CERT, V2_CERT, Certificate) if c.subject]
        details.append(f"The initiator's IKE_AUTH (frame {request.label}) presents {' and '.join(ids) or 'no ID'}"
                       + (f", authenticating with {' / '.join(names)}" if names else "")
                       + (f", certificate {'; '.join(subjects)}" if subjects else "")
                       + (", without an AUTH payload: it asks for EAP (RFC 7296 §2.16)" if not names else "") + ".")
    variant = SHARED_KEY if notification.notify_type == V2_AUTHENTICATION_FAILED and methods == {V2_SHARED_KEY_AUTH} \
        else None
    return Match(ev, details, variant, inferred=False)


def _auth_unanswered(sa: IkeSa) -> tuple[list[Step], Step] | None:
    requests = named(sa, IKE_AUTH_REQUEST)
    if not requests or named(sa, IKE_AUTH_RESPONSE):
        return None
    return requests, requests[0]


def auth_unanswered_after_float(sa: IkeSa, p: Progress) -> Match | None:
    found = _auth_unanswered(sa)
    if found is None:
        return None
    requests, head = found
    if not _after_float(sa, head) or answered(sa, head):
        return None
    # a request too large for one datagram on the path: lost fragments explain the silence as well
    return Match([evidence(s) for s in requests], [
        f"IKE_AUTH was sent {len(copies(sa, head))} time(s) on UDP 4500 after the "
        f"float (frame {sa.steps[sa.float_step].label}); nothing came back."] + _size_notes(requests),
        LARGE if any(facts.large(s) for s in requests) else None)


def _size_notes(steps: list[Step]) -> list[str]:
    big = [s for s in steps if facts.large(s)]
    if not big:
        return []
    s = big[0]
    text = f"IKE_AUTH is {facts.size_text(s)}"
    if s.message.fragments:
        text += f" and travelled as {len(s.message.fragments)} IP fragments (frames " \
                f"{', '.join(map(str, s.message.fragments))})"
    return [text + "."]


def auth_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    found = _auth_unanswered(sa)
    if found is None:
        return None
    requests, _ = found
    sent = "once" if len(requests) == 1 else f"{len(requests)} times counting fragments"
    frames = ", ".join(s.label for s in requests)
    details = [f"IKE_AUTH request sent {sent} (frame{'s' if len(requests) > 1 else ''} {frames}); no response "
               "came back."]
    details += _size_notes(requests)
    # A responder that refuses the authentication says so (AUTHENTICATION_FAILED, RFC 7296 §2.21.2);
    # silence after a small IKE_AUTH points to the path first.
    variant = None if any(facts.large(s) for s in requests) or sa.lost_fragments else SMALL
    return Match([evidence(s) for s in requests], details, variant)


# --- phase 2 ------------------------------------------------------------------------------------

def _open_quick_mode(sa: IkeSa) -> ChildProgress | None:
    progress = quick_mode(sa)
    if not progress or any(c.completed for c in progress):
        return None
    return progress[-1]


def qm1_rejected(sa: IkeSa, p: Progress) -> Match | None:
    qm = _open_quick_mode(sa)
    if qm is None:
        return None
    qm1 = next((sa.steps[i] for i in qm.exchange.steps if sa.steps[i].name == QM1), None)
    if qm1 is None or any(sa.steps[i].name == QM2 for i in qm.exchange.steps):
        return None
    infos = _protected_info_from(sa, qm1, sa.other(qm1.sender))
    if not infos:
        return None
    ev, sent = _series(sa, qm1, QM1)
    details = [sent, f"The peer answered with {len(infos)} protected Informational(s) and no QM2 (frames "
                     f"{', '.join(s.label for s in infos)}; {infos[0].message.length} bytes)."]
    refusal = _refusal(infos, P2_REFUSALS[1])
    if refusal is None:
        return Match(ev + [evidence(s) for s in infos], details)
    step, notification, variant = refusal
    details.append(f"The keys show what it says: {_notify_text(step, notification)}.")
    return Match(ev + [evidence(s) for s in infos], details + _proxy_ids(qm1), variant, inferred=False)


def qm1_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    qm = _open_quick_mode(sa)
    if qm is None:
        return None
    steps = [sa.steps[i] for i in qm.exchange.steps]
    qm1 = next((s for s in steps if s.name == QM1 and s.copy_of is None), None)
    if qm1 is None or any(s.name == QM2 for s in steps):
        return None
    ev, sent = _series(sa, qm1, QM1)
    return Match(ev, [sent, "No QM2 came back."])


def qm3_not_accepted(sa: IkeSa, p: Progress) -> Match | None:
    """QM3 passed the capture point, and the Quick Mode responder re-sent QM2 after it: it is still
    waiting for a QM3 it takes (progress.quick_mode does not count such a Quick Mode complete)."""
    qm = _open_quick_mode(sa)
    if qm is None:
        return None
    steps = [sa.steps[i] for i in qm.exchange.steps]
    qm3s = [s for s in steps if s.name.startswith(QM3)]
    if not qm3s:
        return None
    again = [s for s in steps if s.name.startswith(QM2) and s.index > qm3s[0].index]
    details = [f"QM3 passed the capture point {len(qm3s)} time(s) (frames {', '.join(s.label for s in qm3s)}), and "
               f"the responder re-sent QM2 after it {len(again)} time(s) (frames {', '.join(s.label for s in again)}): "
               "it did not take QM3."]
    point = locate(sa)
    responder = sa.other(qm.exchange.requester)
    variant = None
    if point.near == responder:
        details.append(f"The capture was taken next to the responder ({point.evidence[0]}): QM3 reached it.")
    elif point.near == qm.exchange.requester:
        variant = NEAR_STARTER
    one_way = {(f.src, f.dst) for f in sa.esp}
    if len(one_way) == 1:
        (src, _), = one_way
        side = "initiator" if src == sa.address(qm.exchange.requester) else "responder"
        details.append(f"ESP flows from the Quick Mode {side} only: the other side has no SA to send with.")
    return Match([evidence(s) for s in qm3s + again], details, variant)


def qm2_unconfirmed(sa: IkeSa, p: Progress) -> Match | None:
    qm = _open_quick_mode(sa)
    if qm is None:
        return None
    steps = [sa.steps[i] for i in qm.exchange.steps]
    qm2 = next((s for s in steps if s.name == QM2 and s.copy_of is None), None)
    if qm2 is None:
        return None
    ev, sent = _series(sa, qm2, QM2)
    qm1 = next(s for s in steps if s.name == QM1)
    variant = REQUEST_RESENT if _copies_after(sa, qm1, qm2) else None
    return Match(ev, [sent, "No QM3 followed."], variant)


def child_rejected(sa: IkeSa, p: Progress) -> Match | None:
    responses = [s for s in named(sa, IKE_AUTH_RESPONSE) if s.copy_of is None]
    requests = [s for s in named(sa, IKE_AUTH_REQUEST) if s.copy_of is None]
    if not responses or not requests or not p.established or esp_both_ways(sa):
        return None
    if any(x.kind == CREATE_CHILD_SA for x in sa.exchanges):
        return None
    refusal = _refusal(responses, P2_REFUSALS[2])
    if refusal is not None:
        step, notification, variant = refusal
        return Match([evidence(s) for s in requests + responses], [
            f"The IKE_AUTH response authenticates the IKE SA and refuses the child SA: the keys show "
            f"{_notify_text(step, notification)}."] + _selectors(requests[0]), variant, inferred=False)
    if any(facts.opened(s) for s in responses):
        return None                     # read with the keys, and no refusal in it: the child SA came up
    if facts.childless(sa):
        return None                     # too small to have proposed a child SA: nothing to refuse
    request_bytes = sum(facts.sk_length(s) or 0 for s in requests)
    response_bytes = sum(facts.sk_length(s) or 0 for s in responses)
    # A response with an SA and both traffic selectors is about as large as the request;
    # one without them is markedly smaller.
    if not request_bytes or response_bytes >= 0.6 * request_bytes or facts.notify_only(responses[-1]):
        return None
    return Match([evidence(s) for s in requests + responses], [
        f"IKE_AUTH request {request_bytes} encrypted bytes, response {response_bytes}: too small to carry the SA and "
        "traffic selectors a child SA needs.",
        "No ESP in both directions follows."])


def child_unanswered(sa: IkeSa, p: Progress) -> Match | None:
    for exchange in reversed(sa.exchanges_of(CREATE_CHILD_SA)):
        steps = [sa.steps[i] for i in exchange.steps]
        if steps and not any(s.message.is_response for s in steps):
            ev, sent = _series(sa, steps[0], CREATE_CHILD_SA_REQUEST)
            return Match(ev, [sent, "No response came back."])
    return None


# --- observations -------------------------------------------------------------------------

def child_refused(sa: IkeSa) -> Match | None:
    """CREATE_CHILD_SA responses that refused their request: by the notify the keys show inside, or
    without keys by a size with room for one notification only (TS_UNACCEPTABLE,
    NO_PROPOSAL_CHOSEN, ...), inferred as for IKE_AUTH."""
    refused, details, variants = [], [], []
    for exchange in sa.exchanges_of(CREATE_CHILD_SA):
        steps = [sa.steps[i] for i in exchange.steps if sa.steps[i].copy_of is None]
        responses = [s for s in steps if s.message.is_response]
        if not responses:
            continue
        response = responses[-1]
        refusal = _refusal([response], P2_REFUSALS[2])
        revealed = facts.revealed([response])
        if refusal is not None or revealed:
            step, notification = (refusal[0], refusal[1]) if refusal else revealed[0]
            refused.append((steps[0], response))
            variants.append(refusal[2] if refusal else None)
            details.append(f"CREATE_CHILD_SA message ID {response.message.message_id}: the keys show "
                           f"{_notify_text(step, notification)}.")
            details += _selectors(steps[0])
        elif not facts.opened(response) and facts.notify_only(response):
            refused.append((steps[0], response))
            variants.append(None)
            details.append(f"CREATE_CHILD_SA message ID {response.message.message_id}: the response (frame "
                           f"{response.label}) holds {facts.sk_length(response)} encrypted bytes, room for a "
                           "notification only.")
    if not refused:
        return None
    evidence_ = [evidence(s) for pair in refused for s in pair]
    read = all(facts.opened(response) for _, response in refused)
    return Match(evidence_, details, variants[0] if read else None, inferred=False if read else None)


def _keys_exist_from(sa: IkeSa) -> Step | None:
    """The step after which both peers can compute keys (MM3, AM2, a successful IKE_SA_INIT response)."""
    if sa.version == 2:
        return _successful_init(sa)
    return first(sa, MM3) or first(sa, AM2)


def unencrypted_error_notify(sa: IkeSa) -> Match | None:
    since = _keys_exist_from(sa)
    if since is None:
        return None
    errors = clear_errors(after(sa, since))
    if not errors:
        return None
    types = {n.notify_type for _, n in errors}
    # Different keys only show once a message is protected with them (MM5, AM3, IKE_AUTH): an error
    # before that is about having no key for the peer, or no SA, not about a wrong one.
    protected = next((s for s in sa.steps if s.message.encrypted), None)
    keys_used = protected is not None and any(s.index > protected.index for s, _ in errors)
    if NO_SUCH_SA[sa.version] in types:
        variant = NO_SA_AFTER_ENCRYPTION if keys_used else NO_SA
    elif sa.version == 1 and V1_INVALID_KEY_INFORMATION in types:
        variant = NO_KEY
    elif not keys_used:
        variant = BEFORE_ENCRYPTION
    elif sa.version == 1 and types <= V1_PSK_MISMATCH_NOTIFIES:
        variant = GARBLED
    else:
        variant = None
    return Match([evidence(s, f"{describe(s)}: {n.notify_name}, unencrypted") for s, n in errors],
                 [f"{s.sender.capitalize()} sent {_notify_text(s, n)} after {since.name} "
                  f"(frame {since.label})." for s, n in errors], variant)


def clear_error_notify(sa: IkeSa) -> Match | None:
    since = _keys_exist_from(sa)
    errors = [(s, n) for s, n in clear_errors(sa.steps) if (since is None or s.index < since.index)
              and not (sa.version == 2 and n.notify_type == INVALID_KE_PAYLOAD)]     # dh-group-retry tells it
    if not errors:
        return None
    return Match([evidence(s) for s, _ in errors],
                 [f"The {s.sender} sent {_notify_text(s, n)}." for s, n in errors])


def weak_algorithms(sa: IkeSa) -> Match | None:
    """What the responder chose (MM2, AM2, the IKE_SA_INIT response), checked against the table.
    Once the responder has chosen, both sides have agreed on these algorithms whether or not the
    negotiation then fails for another reason, and the fix for that failure should not keep them."""
    step = _successful_init(sa) if sa.version == 2 else first(sa, MM2) or first(sa, AM2)
    if step is None:
        return None
    weak = [f"{name} ({WEAK_ALGORITHMS[name]})" for name in dict.fromkeys(facts.algorithm_names(step))
            if name in WEAK_ALGORITHMS]
    if not weak:
        return None
    return Match([evidence(step)], [f"{', '.join(weak)}: chosen in {step.name} (frame {step.label})."])


def one_way(sa: IkeSa) -> Match | None:
    senders = {s.sender for s in sa.steps}
    if len(senders) != 1 or len(sa.steps) < 2:
        return None
    side = senders.pop()
    details = [f"All {len(sa.steps)} messages of this SA come from the {side} ({wire(sa.address(side))}); none "
               f"from the {sa.other(side)} ({wire(sa.address(sa.other(side)))})."]
    answers = [s for s in sa.steps if s.is_answer]
    if answers:
        # answers prove the requests arrived: the capture point misses a direction, nothing was lost
        named = ", ".join(f"{s.name}, frame {s.label}" for s in answers[:3])
        which = "They are all answers" if len(answers) == len(sa.steps) else \
            f"{len(answers)} of them {'answers a request' if len(answers) == 1 else 'answer requests'} ({named})"
        details.append(f"{which}, so the {sa.other(side)}'s requests reached the {side} by a path the capture "
                       "point does not see.")
        return Match([evidence(sa.steps[0])] + [evidence(s) for s in answers[:3] if s is not sa.steps[0]]
                     + ([evidence(sa.steps[-1])] if sa.steps[-1] not in answers[:3] else []), details, ANSWERS_ONLY)
    answered = next((s for s in sa.steps if s.sender == INITIATOR and s.message.rspi != bytes(8)), None)
    if side == INITIATOR and answered is not None:
        # the responder's SPI in the initiator's own messages: the responder got them and answered
        details.append(f"The initiator's {answered.name} (frame {answered.label}) carries the responder's SPI "
                       f"{answered.message.rspi.hex()}: the responder received its requests and answered, by a path "
                       "the capture point does not see or that loses the answers after it.")
        return Match([evidence(sa.steps[0]), evidence(answered), evidence(sa.steps[-1])], details,
                     RESPONDER_ANSWERED)
    return Match([evidence(sa.steps[0]), evidence(sa.steps[-1])], details)


def reply_lost(sa: IkeSa) -> Match | None:
    """Requests repeated after their response passed, in exchanges a stall rule does not cover."""
    found = []
    for exchange in sa.exchanges:
        if exchange.kind not in (QUICK, CREATE_CHILD_SA, V2_INFORMATIONAL):
            continue
        steps = [sa.steps[i] for i in exchange.steps]
        replies = [s for s in steps if s.sender != exchange.requester]
        if not replies:
            continue
        repeats = [s for s in steps if s.sender == exchange.requester and s.copy_of is not None
                   and s.resend == TIMER and s.index > replies[0].index and s.name == steps[0].name]
        if repeats:
            found.append((steps[0], replies[0], repeats))
    if not found:
        return None
    ev, details = [], []
    for request, reply, repeats in found:
        ev += [evidence(reply)] + [evidence(s) for s in repeats]
        details.append(f"{request.name}: the reply passed the capture point (frame {reply.label}), yet the "
                       f"request was re-sent {len(repeats)} time(s) after it.")
    return Match(ev, details)


def fragmented_unanswered(sa: IkeSa) -> Match | None:
    ev, details = [], []
    for lost in sa.lost_fragments:
        ev.append(Evidence(lost.file, lost.frames[0], lost.time,
                           f"IP fragments of an IKE message, {lost.received} bytes seen: {lost.reason}"))
        details.append(f"Only part of an IP-fragmented IKE message from {wire(lost.src)} was seen (frames "
                       f"{', '.join(map(str, lost.frames))}, {lost.received} of "
                       f"{lost.total if lost.total else 'unknown'} bytes): {lost.reason}.")
    for step in originals(sa):
        # only a request waits for an answer (a large response, RFC 7383 fragments included, does not;
        # nor does an IKEv1 Informational, which RFC 2408 §4.8 sends one way)
        if not step.is_answer and step.name not in V1_INFORMATIONALS and facts.large(step) and not answered(sa, step):
            ev.append(evidence(step))
            size = f"{step.message.ip_length} bytes"
            if step.message.fragments:
                how = f"as {len(step.message.fragments)} IP fragments"
            else:
                how = "in one datagram here, which a smaller MTU further on fragments or drops"
            details.append(f"{step.name} ({size}, {how}) got no answer.")
    return Match(ev, details) if ev else None


def _unreachable_peer(sa: IkeSa) -> str | None:
    """The peer whose own host answered with ICMP port unreachable: it is up and the path to it
    works, so nothing on the path and no host down explains the silence — its IKE daemon does."""
    return next((e.src for e in sa.icmp_errors if e.src == e.quoted.dst and icmp_kind([e]) == PORT_UNREACHABLE),
                None)


def icmp_error(sa: IkeSa) -> Match | None:
    if not sa.icmp_errors:
        return None
    details = [f"{wire(e.src)} answered with ICMP {e.description}" + (f" (MTU {e.mtu})" if e.mtu else "") +
               f", quoting UDP {e.quoted.sport} → {e.quoted.dport} to {wire(e.quoted.dst)} (frame {e.frame})."
               for e in sa.icmp_errors]
    variant = icmp_kind(sa.icmp_errors)
    peer = _unreachable_peer(sa)
    if peer is not None and phase1(sa).established:
        details.append(f"The IKE SA was up and {wire(peer)} itself now answers that nothing listens: its IKE daemon "
                       "went away (restart, crash) with the SA.")
        variant = DEAD_PEER
    elif peer is not None:
        details.append(f"The error comes from {wire(peer)} itself: the packets reach it and it is up.")
        variant = FROM_THE_PEER
    ev = [Evidence(e.file, e.frame, e.time, f"ICMP from {wire(e.src)}: {e.description}") for e in sa.icmp_errors]
    return Match(ev, details, variant)


def nat_detected(sa: IkeSa) -> Match | None:
    # A side with no router between it and the capture point (its TTL) cannot have been
    # translated before it: an own hash of its that fails while the peer's hash of the same
    # address matches was faked to force UDP encapsulation (the fingerprint says by whom).
    misses = [c for c in sa.nat_checks if not c.matches]
    if not misses:
        return None
    adjacent = capture_point.adjacent(sa)
    faked = {checks[0] for side in adjacent if (checks := forced_encapsulation(sa, side)) is not None}
    misses = [c for c in misses if c not in faked]
    if not misses:
        return None
    details, ev = [], []
    point = locate(sa)
    for check in misses:
        step = sa.steps[check.step]
        where = endpoint(check.address, check.port)
        ev.append(evidence(step, f"{describe(step)}: NAT detection hash does not match {where}"))
        if check.about == "sender" and check.sender in adjacent:
            details.append(f"The {check.sender}'s own-address hash in {step.name} does not match {where} as seen "
                           f"here, yet no router sits between the {check.sender} and the capture point (TTL "
                           f"{capture_point.hops(sa, check.sender).ttl}): the {check.sender} hashed another address "
                           "than it sends from (a second address, or a hash faked to force UDP encapsulation), "
                           "not a NAT on its side.")
        elif check.about == "sender" and check.sender == point.near:
            details.append(f"The {check.sender}'s own-address hash in {step.name} does not match {where} as seen "
                           f"here, on its side of the path ({point.evidence[0]}): nothing translated it before "
                           f"this point, so the {check.sender} hashed another address or port than it sends from "
                           "(a NAT on its own host, or a hash faked to force UDP encapsulation); the NAT it is "
                           "behind, if any, lies beyond the capture point.")
        elif check.about == "sender":
            details.append(f"The {check.sender}'s own-address hash in {step.name} does not match {where} as seen "
                           f"here: the {check.sender} is behind a NAT (its source was translated before the capture "
                           "point).")
        else:
            details.append(f"The {check.sender} hashed another destination than {where} in {step.name}: the address "
                           f"was translated between the {check.sender} and here.")
    return Match(ev, details)


def retransmissions(sa: IkeSa) -> Match | None:
    groups = resent(sa)
    if not groups:
        return None
    return Match([evidence(s) for g in groups for s in g.steps], [resent_text(g) + "." for g in groups])


# DPD probes are spaced by the DPD delay (seconds); a teardown sends its Deletes in one burst.
BURST_SECONDS = 1.0


def _protected_tail(sa: IkeSa) -> list[Step]:
    """The protected Informationals one side sent last, with nothing from the other side after."""
    infos = [s for s in sa.steps if s.name == INFORMATIONAL_PROTECTED]
    if not infos or infos[-1] is not sa.steps[-1]:
        return []
    sender = infos[-1].sender
    tail = []
    for step in reversed(sa.steps):
        if step.sender != sender or step.name != INFORMATIONAL_PROTECTED:
            break
        tail.append(step)
    return list(reversed(tail))


def _keepalives_meanwhile(sa: IkeSa, check: Step) -> list[str]:
    """NAT-T keepalives (RFC 3948 §2.3) still flowing once liveness checks go unanswered. From the
    silent peer they show that it is up and that the path from it works, which leaves the checks
    not reaching it or its IKE daemon not answering them."""
    silent = sa.other(check.sender)
    # Frame numbers count within a file: over a ring of files each flow says which one it is in.
    several_files = len({s.message.file for s in sa.steps} | {flow.file for flow in sa.keepalives}) > 1
    details = []
    for flow in sa.keepalives:
        if flow.last_time < check.message.time:
            continue
        side = INITIATOR if flow.src == sa.initiator else RESPONDER
        where = f" of {wire(PurePath(flow.file).name)}" if several_files else ""
        text = (f"NAT-T keepalives from the {side} ({wire(flow.src)}) continue meanwhile: {flow.packets} in all "
                f"(frames {flow.first_frame}–{flow.last_frame}{where})")
        if side == silent:
            text += (f"; the {side} is up and its packets reach the capture point, so either the checks do not reach "
                     "it or its IKE daemon does not answer them (it may no longer have this SA)")
        details.append(text + ".")
    if not details and NAT_T_PORT in (check.message.sport, check.message.dport):
        details.append("No NAT-T keepalives passed the capture point meanwhile.")
    return details


def dpd_unanswered(sa: IkeSa) -> Match | None:
    if sa.version == 1:
        tail = _protected_tail(sa)
        gaps = [b.message.time - a.message.time for a, b in zip(tail, tail[1:])]
        if len(tail) < 2 or min(gaps) < BURST_SECONDS:
            return None
        if _deletes(tail):
            return None                 # the keys show a teardown: the delete rule's
        sender = tail[0].sender
        answered_before = any(s.sender != sender for s in sa.steps if s.name == INFORMATIONAL_PROTECTED)
        low, high = seconds(min(gaps), max(gaps)), seconds(max(gaps))
        spacing = low if low == high else f"{low}–{high}"
        probes = [s for s in tail if any(n.notify_type == V1_R_U_THERE for n in notifications(s))]
        shown = [f"The keys show R_U_THERE (RFC 3706 dead peer detection) in {len(probes)} of them."] if probes else []
        return Match([evidence(s) for s in tail], [
            f"The {sender} sent {len(tail)} protected Informationals {spacing} apart "
            f"(frames {', '.join(s.label for s in tail)}) and nothing came back"
            + ("; earlier ones were answered." if answered_before else ".")] + shown
            + _keepalives_meanwhile(sa, tail[0]) + _icmp_from(sa, sa.other(sender)),
            FROM_THE_PEER if _icmp_from(sa, sa.other(sender)) else None, inferred=False if probes else None)
    for exchange in reversed(sa.exchanges_of(V2_INFORMATIONAL)):
        steps = [sa.steps[i] for i in exchange.steps]
        if len(steps) >= 2 and not any(s.message.is_response for s in steps) and not after(sa, steps[-1],
                                                                                         sa.other(steps[0].sender)):
            if _deletes(steps):
                return None
            ev, sent = _series(sa, steps[0], INFORMATIONAL_REQUEST)
            empty = facts.opened(steps[0]) and not steps[0].message.inner
            shown = ["The keys show an empty INFORMATIONAL: a liveness check (RFC 7296 §1.4)."] if empty else []
            silent = sa.other(steps[0].sender)
            return Match(ev, [sent, "No response came back."] + shown + _keepalives_meanwhile(sa, steps[0])
                         + _icmp_from(sa, silent), FROM_THE_PEER if _icmp_from(sa, silent) else None,
                         inferred=False if empty else None)
    return None


def _icmp_from(sa: IkeSa, side: str) -> list[str]:
    """The sentence saying that the silent peer's own host answered ICMP port unreachable, if it
    did: the path both ways works, and its IKE daemon is what is gone."""
    if _unreachable_peer(sa) != sa.address(side):
        return []
    return [f"The {side}'s host ({wire(sa.address(side))}) answers with ICMP port unreachable: the path works "
            "both ways and the host is up, but no IKE daemon listens any more."]


def _deletes(steps: list[Step]) -> bool:
    """The keys show a Delete in one of ``steps``."""
    return any(facts.inside(s, V1_DELETE, V2_DELETE, Delete) for s in steps)


def delete(sa: IkeSa) -> Match | None:
    clear = [(s, p) for s in sa.steps for p in s.message.payloads_of(V1_DELETE, V2_DELETE, Delete)]
    if clear:
        return Match([evidence(s) for s, _ in clear],
                     [f"Delete for {len(p.spis)} {p.protocol} SPI(s) from the {s.sender} (frame {s.label})."
                      for s, p in clear], inferred=False)
    if sa.version != 1:
        return None
    tail = _protected_tail(sa)
    quick = [s for s in sa.steps if sa.exchanges[s.exchange].kind == QUICK]
    # a teardown follows a completed Quick Mode; after an open one it is a phase-2 refusal
    if not tail or not quick or quick[-1].name != QM3 or quick[-1].index > tail[0].index \
            or tail[-1].message.time - tail[0].message.time >= BURST_SECONDS:
        return None
    return Match([evidence(s) for s in tail], [
        f"The SA ends with {len(tail)} protected Informational(s) from the {tail[0].sender} in one burst (frames "
        f"{', '.join(s.label for s in tail)}; {', '.join(str(s.message.length) for s in tail)} bytes) "
        "and nothing after: the shape of a teardown (a Delete for the IPsec SA, then one for the ISAKMP SA). "
        "Without the keys the payloads are not visible."], inferred=True)


def esp_one_way(sa: IkeSa) -> Match | None:
    if not sa.esp or esp_both_ways(sa):
        return None
    flow = sa.esp[0]
    return Match([Evidence(flow.first_file, flow.first_frame, flow.first_time, f"ESP SPI 0x{flow.spi:08x}")], [
        f"ESP only from {wire(flow.src)} to {wire(flow.dst)}: {sum(f.packets for f in sa.esp)} packet(s) (SPI "
        f"{', '.join(f'0x{f.spi:08x}' for f in sa.esp)}), none back."])


def aggressive_mode_psk(sa: IkeSa) -> Match | None:
    am1 = first(sa, AM1)
    if am1 is None or not any(a.type == AUTHENTICATION_METHOD and a.value in PRE_SHARED_KEY_METHODS
                              for payload in facts.security_associations(am1) for proposal in payload.proposals
                              for transform in proposal.transforms for a in transform.attributes):
        return None
    am2 = first(sa, AM2)
    return Match([evidence(am1)] + ([evidence(am2)] if am2 else []),
                 ["AM1 offers pre-shared key authentication" +
                  (f"; AM2 (frame {am2.label}) carries HASH_R in clear." if am2 else ".")])


def dh_group_retry(sa: IkeSa) -> Match | None:
    responses = _init_responses(sa)
    ke = [s for s in responses if INVALID_KE_PAYLOAD in _response_notifies(s)]
    if not ke or _successful_init(sa) is None:
        return None
    groups = [dict(n.details).get("group_name") for s in ke for n in notifications(s)
              if n.notify_type == INVALID_KE_PAYLOAD]
    return Match([evidence(s) for s in ke], [f"INVALID_KE_PAYLOAD asking for {', '.join(g for g in groups if g)} "
                                             f"(frame {ke[0].label}); the retry succeeded."])


def cookie_challenge(sa: IkeSa) -> Match | None:
    cookies = [s for s in _init_responses(sa) if COOKIE in _response_notifies(s)]
    if not cookies:
        return None
    return Match([evidence(s) for s in cookies], [f"COOKIE challenge in frame {cookies[0].label}."])
