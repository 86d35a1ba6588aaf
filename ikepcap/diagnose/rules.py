"""The rule table: every finding ikepcap can make, one row each, with everything about it.

Like libreswan's state table, a row holds the whole story of one rule: the flow it belongs to,
the pattern that detects it (``patterns``), its severity and words, its causes ranked for the
wire pattern (``causes`` ids) and the named variants of that ranking a pattern may call for,
what to check on each side, and how it bears on the verdict (a refusal, covered by a stall, the
cause of a healthy SA, strongSwan's log line). The order of the rows is the priority: within a
flow the first stall whose pattern matches names where the phase stalled, observations are
reported in this order, and the first healthy cause present names a healthy SA's cause.

Adding a rule is adding a row here and, if it needs a new one, a detector in ``patterns``.
Sources: RFC 2408/2409/3706/3947/7296, Cisco ASA/IOS troubleshooting notes, libreswan's and
strongSwan's behaviour as observed in the lab captures (captures/README.md) and collected in
../shared/KNOWLEDGE.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ikepcap.correlate.model import (
    AGGRESSIVE,
    CREATE_CHILD_SA,
    CREATE_CHILD_SA_REQUEST,
    CREATE_CHILD_SA_RESPONSE,
    IKE_AUTH_REQUEST,
    IKE_AUTH_RESPONSE,
    MAIN,
    MM3,
    MM5,
    QUICK,
    IkeSa,
)

# Short names for the sides: the checks below name one in nearly every row.
from ikepcap.correlate.model import INITIATOR as I
from ikepcap.correlate.model import RESPONDER as R
from ikepcap.diagnose import patterns
from ikepcap.diagnose.facts import PORT_UNREACHABLE, PROHIBITED, TOO_BIG
from ikepcap.diagnose.implementations import LIBRESWAN, STRONGSWAN
from ikepcap.diagnose.model import ERROR, INFO, WARNING
from ikepcap.diagnose.patterns import (
    ANSWER_READ,
    ANSWERS_ONLY,
    BEFORE_ENCRYPTION,
    CERTIFICATES,
    DEAD_PEER,
    FLOAT_SILENT,
    FROM_THE_PEER,
    GARBLED,
    IDENTITY,
    IDENTITY_UNREAD,
    INITIATOR_STOPPED,
    LARGE,
    MALFORMED,
    MM3_LOST,
    NEAR_STARTER,
    NO_KEY,
    NO_NAT,
    NO_REQUEST,
    NO_SA,
    NO_SA_AFTER_ENCRYPTION,
    NO_SPI,
    ONE_DIRECTION,
    PROPOSAL,
    PROVEN,
    REQUEST_RESENT,
    RESPONDER_ANSWERED,
    SELECTORS,
    SHARED_KEY,
    SMALL,
    Match,
)
from ikepcap.diagnose.progress import Progress
from ikepcap.diagnose.states import V2

# The flows a rule belongs to. Stalls of phase 1 (Main, Aggressive, IKEv2's IKE_SA_INIT and
# IKE_AUTH) and of phase 2 (Quick Mode, IKEv2 child SAs) are tried in row order and the first
# match names where the phase stalled; observations are all tried; capture-wide rules are decided
# over several SAs (a flood, a superseded attempt) and have no per-SA pattern.
CHILD = CREATE_CHILD_SA
OBSERVATION = "observation"
CAPTURE = "capture"
PHASE1_FLOWS = (MAIN, AGGRESSIVE, V2)
PHASE2_FLOWS = {1: QUICK, 2: CHILD}

Cause = tuple[str, ...]
Checks = tuple[tuple[str, tuple[str, ...]], ...]
# A stall pattern is asked with the SA's phase-1 progress; an observation with the SA alone.
Pattern = Callable[[IkeSa, Progress], Match | None] | Callable[[IkeSa], Match | None]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    flow: str                           # MAIN / AGGRESSIVE / V2 / QUICK / CHILD / OBSERVATION / CAPTURE
    pattern: Pattern | None             # None for capture-wide rules only
    severity: str
    title: str
    explanation: str
    causes: Cause                       # cause ids, most likely first
    checks: Checks
    # Other rankings of the causes, by the variant name a pattern returns (patterns.LARGE, ...).
    variants: Mapping[str, Cause] = field(default_factory=lambda: MappingProxyType({}))
    # The ranking when the responder is this implementation (a name of diagnose.implementations),
    # where what it does on each failure (its BEHAVIOURS rows) makes the wire pattern mean something
    # else; a ranking the keys decided (patterns.DECRYPTED_VARIANTS) stays.
    by_responder: Mapping[str, Cause] = field(default_factory=lambda: MappingProxyType({}))
    # The checks instead of ``checks`` when phase 1 authenticates with signatures, not a PSK.
    signature_checks: Checks | None = None
    refusal: bool = False               # a stall whose pattern is an explicit refusal: the phase is rejected
    inferred: bool = False              # rests on sizes and timing of encrypted messages
    covered_by_stall: bool = False      # left out when all its frames are already in a stall finding
    healthy_cause: str | None = None    # what a healthy SA with this finding is put down to
    # What a side sent that did not pass the capture point, as a variant shows it (an initiator that
    # stopped re-sending MM1 had MM2 and sent MM3): the state tables start from there.
    sent_unseen: Mapping[str | None, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    # The side that, as a variant shows it, received the other's last message and went no further here
    # (an initiator captured next to itself that sent nothing after the answer), with what it did
    # instead: it waits for nothing.
    stopped: Mapping[str | None, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    # An IKEv2 child-SA stall, whose phase 2 has no progress of its own to read: the last message
    # of the phase seen, and the one waited for (None after a refusal).
    stands_at: tuple[str, str | None] | None = None
    # (side, line) or (side, line, variant): what strongSwan logs on that side when this pattern holds
    # (when the match called for ``variant``), where that says more than its retransmissions — from
    # the lab's daemon logs beside captures/. The first that fits is used.
    # Quick Mode rules name the Quick Mode initiator I. ``{me}``/``{peer}``: the side's and its peer's
    # addresses.
    strongswan: tuple[tuple[str, ...], ...] = ()

    def ranking(self, variant: str | None) -> Cause:
        """The causes in the order a match's variant calls for (an unknown variant is a bug and raises)."""
        return self.causes if variant is None else self.variants[variant]


PSK_CHECKS = (
    (I, ("Re-enter the pre-shared key for this peer (watch for trailing spaces, case, and a key bound to "
         "another peer address or ID).",)),
    (R, ("Re-enter the pre-shared key on the tunnel-group / connection that matches the initiator's address as "
         "seen by the responder.",
         "Compare the identities: what the initiator sends as ID (IP address or FQDN) must be what the responder "
         "expects.")),
)

# With signatures (certificates) in phase 1 there is no pre-shared key to differ: the wire patterns
# that point at one point at the certificate exchange instead.
SIGNATURE_CAUSES = {"psk-mismatch": "auth-failed"}
SIGNATURE_CHECKS = (
    (I, ("Check the initiator's certificate and private key, and that its ID matches the certificate's subject "
         "or subjectAltName.",)),
    (R, ("Check that the responder trusts the CA that issued the initiator's certificate (the whole chain, and "
         "revocation checks that can be reached), and the ID it expects for this peer.",)),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in (
    # --- IKEv1 Main Mode: stalls, most specific first ---------------------------------------------
    Rule("mm1-rejected", MAIN, patterns.mm1_rejected,
         ERROR, "Main Mode rejected at MM1: the responder refused the proposals",
         "The responder answered MM1 with an unencrypted notification instead of MM2. Before keys exist this is how "
         "a responder says no; NO_PROPOSAL_CHOSEN means none of the offered phase-1 proposals was acceptable.",
         ("p1-proposal-mismatch", "peer-not-configured"),
         ((I, ("Compare the proposals offered in MM1 (in the details) with the responder's IKE policies: encryption, "
               "hash, DH group, authentication method (PSK versus certificates) and lifetime.",)),
          (R, ("Add or correct an IKE policy that matches one of the offered proposals.",
               "Check that a connection / tunnel-group exists for the initiator: strongSwan answers "
               "NO_PROPOSAL_CHOSEN with no SPI when it has no configuration for the peer at all."))),
         refusal=True,
         strongswan=((R, "no IKE config found for {me}...{peer}, sending NO_PROPOSAL_CHOSEN", NO_SPI),
                     (R, "no proposal found")),
         variants={NO_SPI: ("peer-not-configured", "p1-proposal-mismatch")},
         # Libreswan never answers a peer it has no connection for: its refusal is about the proposal
         # (or a missing pre-shared key, which it also answers with NO_PROPOSAL_CHOSEN)
         by_responder={LIBRESWAN: ("p1-proposal-mismatch", "responder-no-psk-for-peer")}),
    Rule("mm3-invalid-cookie", MAIN, patterns.mm3_invalid_cookie, ERROR,
         "Main Mode stalled at MM3: the responder answered with INVALID_COOKIE, unencrypted",
         "The initiator sent MM3 and got no MM4; instead the responder sent an unencrypted INVALID_COOKIE, i.e. it "
         "no longer has an SA with these cookies. A responder that finds no pre-shared key for the initiator's "
         "address once it needs one (after MM3) drops the SA, and then answers the re-sent MM3 as a packet for an "
         "unknown SA — the Cisco ASA MM_WAIT_MSG4 case.",
         ("responder-no-psk-for-peer", "peer-lost-state", "vendor-interop"),
         ((I, ("Note the address the initiator uses towards the responder (and whether a NAT changes it: "
               "the nat-detected finding says so when the NAT-D hashes show one); that is the address the responder "
               "must have a key for.",
               "Check that no other device or rekey created a second, crossed negotiation with the same peer.")),
          (R, ("Check the tunnel-group / pre-shared key for the initiator's address: a wrong peer IP here is the most "
               "likely cause ('show running-config tunnel-group', 'show crypto isakmp sa' shows nothing stable).",
               "If the configuration is right, check whether the responder restarted, failed over or cleared its SAs "
               "during the negotiation.")))),
    Rule("mm3-key-refused", MAIN, patterns.mm3_key_refused, ERROR,
         "Main Mode stalled at MM3: the responder refused the key exchange, unencrypted",
         "The responder answered MM3 with an unencrypted error notification instead of MM4. strongSwan does this "
         "(INVALID_KEY_INFORMATION, number 17) when it has no pre-shared key at all for the peer.",
         ("responder-no-psk-for-peer", "vendor-interop"),
         ((I, ("Check the address and ID the initiator presents; the responder has no secret for them.",)),
          (R, ("Add a pre-shared key for the initiator's address / ID (strongSwan: a secrets entry whose ID matches; "
               "Cisco: the tunnel-group's pre-shared-key).",))),
         refusal=True,
         strongswan=((R, "no shared key found for {me} - {peer}"),)),
    Rule("mm5-answered-clear-error", MAIN, patterns.mm5_answered_clear_error, ERROR,
         "Main Mode stalled at MM5: the responder answered with an unencrypted error",
         "After MM5 the responder sent an unencrypted INVALID_PAYLOAD_TYPE, PAYLOAD_MALFORMED, "
         "INVALID_HASH_INFORMATION or AUTHENTICATION_FAILED: it decrypted MM5 into garbage or could not verify it, "
         "and had no usable key to protect its answer. That is the signature of different pre-shared keys.",
         ("psk-mismatch", "auth-failed"),
         PSK_CHECKS, refusal=True,
         strongswan=((R, "invalid ID_V1 payload length, decryption failed?"),),
         signature_checks=SIGNATURE_CHECKS),
    Rule("mm5-answered-encrypted", MAIN, patterns.mm5_answered_encrypted, ERROR,
         "Main Mode stalled at MM5: the responder answered with an encrypted notification instead of MM6",
         "The responder replied to MM5 with a protected Informational rather than MM6. strongSwan does this when it "
         "cannot decrypt MM5 with its own key (it sends PAYLOAD_MALFORMED encrypted with that key, which the "
         "initiator cannot read and ignores); a responder that read MM5 and refused the identity answers the same "
         "way, and only the keys tell the two apart.",
         ("psk-mismatch", "id-mismatch", "auth-failed"),
         PSK_CHECKS, inferred=True,
         strongswan=((I, "received AUTHENTICATION_FAILED error notify / received INVALID_ID_INFORMATION error "
                         "notify", IDENTITY),
                     (R, "no peer config found / found … matching config, but none allows pre-shared key "
                         "authentication using Main Mode", IDENTITY),
                     (I, "received AUTHENTICATION_FAILED error notify / received INVALID_ID_INFORMATION error "
                         "notify", ANSWER_READ),
                     (R, "no peer config found / found … matching config, but none allows pre-shared key "
                         "authentication using Main Mode", ANSWER_READ),
                     (I, "invalid HASH_V1 payload length, decryption failed?", IDENTITY_UNREAD),
                     (R, "no peer config found / found … matching config, but none allows pre-shared key "
                         "authentication using Main Mode", IDENTITY_UNREAD),
                     (I, "invalid HASH_V1 payload length, decryption failed?"),
                     (R, "invalid ID_V1 payload length, decryption failed?")),
         signature_checks=SIGNATURE_CHECKS,
         variants={PROVEN: ("psk-mismatch",), IDENTITY: ("id-mismatch", "auth-failed", "peer-not-configured"),
                   IDENTITY_UNREAD: ("id-mismatch", "auth-failed", "peer-not-configured"),
                   ANSWER_READ: ("id-mismatch", "auth-failed", "psk-mismatch")},
         # Libreswan says nothing to an MM5 it cannot decrypt: an encrypted answer means it read it
         by_responder={LIBRESWAN: ("id-mismatch", "auth-failed", "peer-not-configured")}),
    Rule("mm4-resent-by-responder", MAIN, patterns.mm4_resent_by_responder, ERROR,
         "Main Mode stalled at MM5: the responder keeps re-sending MM4 while the initiator re-sends MM5",
         "The responder re-sent MM4 on its own timer after the initiator had sent MM5: it has no MM5 it can "
         "decrypt and is still waiting for a valid one. Libreswan behaves exactly like this on a pre-shared key "
         "mismatch, and when MM5 never reaches it.",
         ("psk-mismatch", "id-mismatch"),
         PSK_CHECKS,
         signature_checks=SIGNATURE_CHECKS,
         variants={FLOAT_SILENT: ("udp4500-blocked", "psk-mismatch", "id-mismatch")}),
    Rule("mm5-unanswered-after-float", MAIN, patterns.mm5_unanswered_after_float, ERROR,
         "Main Mode stalled at MM5 on UDP 4500: nothing comes back after the NAT-T float",
         "MM1 to MM4 went through on UDP 500; NAT detection then moved the peers to UDP 4500 and the initiator's MM5 "
         "on 4500 was never answered. A path that carries UDP 500 but not 4500 looks exactly like this; so does a "
         "pre-shared key mismatch, which is why the key is the second thing to check.",
         ("udp4500-blocked", "psk-mismatch", "nat-t-not-needed"),
         ((I, ("Check that UDP 4500 is allowed both ways on every firewall between the peers.",
               "If no NAT should be in the path, check why NAT-D detected one (the nat-detected finding) or whether "
               "encapsulation is forced (strongSwan forceencaps, Cisco 'crypto isakmp nat-traversal' / "
               "'force-encapsulate').")),
          (R, ("Check that the responder listens on UDP 4500 and that its firewall admits it.",
               "If 4500 is open, re-enter the pre-shared key on both sides.")))),
    Rule("mm5-unanswered", MAIN, patterns.mm5_unanswered,
         ERROR, "Main Mode stalled at MM5: the responder never sent MM6",
         "The initiator sent its first encrypted message (MM5: identity and proof of the key) and no MM6 came back. "
         "A responder that cannot decrypt MM5 — because its pre-shared key differs — usually stays silent or answers "
         "with an encrypted error the initiator cannot read. Libreswan gives up with 'Possible authentication "
         "failure: no acceptable response to our first encrypted message'.",
         ("psk-mismatch", "id-mismatch", "ip-fragments-dropped", "vendor-interop"),
         PSK_CHECKS,
         signature_checks=SIGNATURE_CHECKS,
         variants={LARGE: ("ip-fragments-dropped", "psk-mismatch", "id-mismatch", "vendor-interop")}),
    Rule("mm6-not-accepted", MAIN, patterns.mm6_not_accepted,
         ERROR, "Main Mode reached MM6 but the initiator did not accept it",
         "The responder sent MM6, and the initiator re-sent MM5 or sent a notification instead of moving on to "
         "Quick Mode: it could not verify the responder's proof of the key.",
         ("psk-mismatch", "id-mismatch", "auth-failed"),
         PSK_CHECKS,
         signature_checks=SIGNATURE_CHECKS),
    Rule("mm4-reply-lost", MAIN, patterns.mm4_reply_lost,
         ERROR, "Main Mode stalled at MM4: the responder's MM4 does not reach the initiator",
         "The responder sent MM4, but the initiator kept re-sending MM3 after MM4 had passed the capture point. MM4 is "
         "lost between the capture point and the initiator.",
         ("return-path-blocked", "vendor-interop"),
         ((I, ("Check inbound UDP 500 from the responder, and whether a middlebox drops the larger MM4.",)),
          (R, ("Check the route back and any stateful device on it.",)))),
    Rule("mm4-unanswered", MAIN, patterns.mm4_unanswered, ERROR, "Main Mode stalled at MM4: no MM5 followed",
         "The responder sent MM4 and nothing more passed the capture point: the initiator's MM5 (its first encrypted "
         "message) never got here. If NAT was detected, MM5 goes to UDP 4500, and a path that drops 4500 swallows it; "
         "with certificates, MM5 is large and its IP fragments may be dropped.",
         ("udp4500-blocked", "ip-fragments-dropped", "vendor-interop"),
         ((I, ("Check the initiator's log: did it send MM5, on which port, and how large was it?",
               "Check that UDP 4500 (after NAT-T) and IP fragments of UDP 500/4500 pass every firewall.")),
          (R, ("Capture on the initiator's side too, to see whether MM5 leaves it.",))),
         variants={CERTIFICATES: ("ip-fragments-dropped", "udp4500-blocked", "vendor-interop"),
                   NO_NAT: ("vendor-interop", "udp4500-blocked", "ip-fragments-dropped"),
                   INITIATOR_STOPPED: ("initiator-stopped", "vendor-interop")},
         # the initiator stopped re-sending MM3, so MM4 reached it; MM5 is due on 4500 (or large)
         sent_unseen={None: (I, MM5), CERTIFICATES: (I, MM5)}, stopped={INITIATOR_STOPPED: (I, "did not go on")}),
    Rule("mm3-unanswered", MAIN, patterns.mm3_unanswered,
         ERROR, "Main Mode stalled at MM3: the responder never sent MM4",
         "The initiator sent its key exchange (MM3) and received no MM4. At this point the responder must find the "
         "pre-shared key for the initiator's address to compute keys; Cisco and others stop here when they find none.",
         ("responder-no-psk-for-peer", "forward-path-blocked", "vendor-interop"),
         ((I, ("Check which address the responder sees for the initiator (the nat-detected finding tells whether "
               "the initiator is behind NAT): the responder's PSK / tunnel-group must be keyed by that address.",)),
          (R, ("Check that a tunnel-group / pre-shared key exists for the initiator's address as the responder sees it "
               "(a wrong peer IP on this side is the classic case).",
               "Check for a middlebox that drops the larger MM3 "
               "(DH groups 14 and up make it several hundred bytes)."))),
         variants={LARGE: ("forward-path-blocked", "responder-no-psk-for-peer", "vendor-interop")},
         # strongSwan answers an MM3 it has no key for with a clear INVALID_KEY_INFORMATION (mm3-key-refused):
         # silence from a strongSwan responder is the path's
         by_responder={STRONGSWAN: ("forward-path-blocked", "return-path-blocked", "vendor-interop")}),
    Rule("mm2-reply-lost", MAIN, patterns.mm2_reply_lost,
         ERROR, "Main Mode stalled at MM2: the responder's replies do not reach the initiator",
         "The responder answered with MM2, but the initiator kept re-sending MM1 after MM2 had passed the capture "
         "point. MM2 is lost between the capture point and the initiator.",
         ("return-path-blocked", "vendor-interop"),
         ((I, ("Check inbound UDP 500 from the responder on the initiator's firewall / ACL, and any NAT or stateful "
               "device on the way back.",)),
          (R, ("Check which address the responder answers from: it must be the address the initiator sent MM1 to.",
               "Check the route back to the initiator (asymmetric routing around a stateful firewall).")))),
    Rule("mm2-unanswered", MAIN, patterns.mm2_unanswered,
         ERROR, "Main Mode stalled at MM2: no MM3 passed the capture point",
         "MM2 passed the capture point, and neither a re-sent MM1 nor MM3 followed: MM2 reached the initiator. "
         "Either it did not accept the responder's choice, or its MM3 was lost before the capture point; the "
         "details say which the evidence favours.",
         ("p1-proposal-mismatch", "vendor-interop"),
         ((I, ("Look at the initiator's log: did it send (and re-send) MM3, or refuse the responder's choice in MM2 "
               "(in the details)?",)),
          (R, ("Compare the transform the responder chose with what the initiator offered.",))),
         variants={MM3_LOST: ("forward-path-blocked", "p1-proposal-mismatch", "vendor-interop"),
                   NO_REQUEST: ("capture-one-direction", "return-path-blocked", "p1-proposal-mismatch")},
         sent_unseen={MM3_LOST: (I, MM3)}),
    Rule("mm1-unanswered", MAIN, patterns.mm1_unanswered,
         ERROR, "Main Mode stalled at MM1: the responder never answered",
         "The initiator sent MM1 (its proposals) and nothing came back from the responder. Either MM1 never reached "
         "an IKE daemon that would answer it, or the responder chose to stay silent.",
         ("forward-path-blocked", "return-path-blocked", "peer-not-configured", "p1-proposal-mismatch", "peer-down"),
         ((I, ("Confirm the peer address in the crypto map / connection is the responder's real public address.",
               "Check that UDP 500 towards the responder is allowed on every firewall on the path.")),
          (R, ("Ask for a capture or 'show crypto isakmp sa' on the responder: if it shows MM_WAIT_MSG3, its MM2 is "
               "lost on the way back; if it shows nothing, MM1 does not arrive.",
               "Check that IKE is enabled on the interface facing the initiator and that a tunnel-group / connection "
               "exists for the initiator's address.",
               "Compare the initiator's offered proposals (in the details) with the responder's policies: some "
               "responders drop an unacceptable MM1 silently."))),
         variants={PORT_UNREACHABLE: ("peer-not-listening", "forward-path-blocked", "peer-down"),
                   PROHIBITED: ("filtered", "forward-path-blocked"),
                   FROM_THE_PEER: ("peer-not-listening",),
                   MALFORMED: ("malformed-request", "forward-path-blocked", "peer-not-configured")}),
    # --- IKEv1 Aggressive Mode: stalls ------------------------------------------------------------
    Rule("am1-rejected", AGGRESSIVE, patterns.am1_rejected,
         ERROR, "Aggressive Mode rejected at AM1: the responder refused it, unencrypted",
         "The responder answered AM1 with an unencrypted notification: it rejects the proposals "
         "(NO_PROPOSAL_CHOSEN) or the identity (INVALID_ID_INFORMATION) the initiator sent.",
         ("p1-proposal-mismatch", "id-mismatch", "peer-not-configured"),
         ((I, ("Compare the offered proposals and the ID (in the details) with the responder's configuration.",)),
          (R, ("Check the group name / peer ID configured for this peer, and the IKE policies.",))),
         refusal=True),
    Rule("am2-rejected", AGGRESSIVE, patterns.am2_rejected,
         ERROR, "Aggressive Mode rejected at AM2: the initiator refused the responder's proof",
         "The responder sent AM2 (with its hash of the pre-shared key) and the initiator answered with a notification "
         "instead of AM3: it computed a different hash, which is what different pre-shared keys do. strongSwan sends "
         "AUTHENTICATION_FAILED, encrypted; a strongSwan responder, not knowing, re-sends AM2, a Libreswan one "
         "cannot read the notification and deletes its state after 15 s.",
         ("psk-mismatch", "id-mismatch", "auth-failed"),
         PSK_CHECKS, refusal=True,
         strongswan=((I, "calculated HASH does not match HASH payload"),),
         signature_checks=SIGNATURE_CHECKS,
         stopped={None: (I, "refused it with a notification")}),
    Rule("am2-not-confirmed", AGGRESSIVE, patterns.am2_not_confirmed,
         ERROR, "Aggressive Mode stalled at AM2: the initiator never confirmed with AM3",
         "The responder sent AM2 (with its proof of the pre-shared key) and no AM3 followed. An initiator that "
         "cannot verify AM2's hash — because the keys differ — rejects it; the responder re-sends AM2 until it "
         "gives up.",
         ("psk-mismatch", "return-path-blocked", "id-mismatch"),
         PSK_CHECKS,
         signature_checks=SIGNATURE_CHECKS,
         variants={REQUEST_RESENT: ("return-path-blocked", "psk-mismatch")}),
    Rule("am1-unanswered", AGGRESSIVE, patterns.am1_unanswered,
         ERROR, "Aggressive Mode stalled at AM1: the responder never answered",
         "The initiator sent AM1 (proposals, key exchange and identity at once) and nothing came back.",
         ("forward-path-blocked", "peer-not-configured", "p1-proposal-mismatch", "peer-down"),
         ((I, ("Check the peer address and that UDP 500 towards it is allowed.",
               "Check that the responder accepts Aggressive Mode at all (many refuse it by policy).")),
          (R, ("Check for a group / tunnel-group matching the ID the initiator sends in AM1 (in the details).",)))),
    # --- IKEv2 IKE_SA_INIT and IKE_AUTH: stalls ---------------------------------------------------
    Rule("init-redirected", V2, patterns.init_redirected,
         INFO, "The responder redirected the initiator to another gateway (RFC 5685)",
         "The IKE_SA_INIT response carries a REDIRECT notification: this responder does not serve the initiator "
         "(load balancing, maintenance) and names the gateway to use instead. The negotiation goes on there.",
         ("redirected",),
         ((I, ("Follow the SA with the gateway named in the details; that is where a failure would show.",)),
          (R, ("If the redirect is unexpected, check the gateway's redirect / load-balancing configuration.",))),
         refusal=True,
         healthy_cause="redirected",
         stopped={None: (I, "goes on with the gateway it names, in an SA of its own")}),
    Rule("init-ke-loop", V2, patterns.init_ke_loop, ERROR, "IKE_SA_INIT keeps failing on the key exchange group",
         "The responder answered INVALID_KE_PAYLOAD more than once: the initiator retried, but never with a group the "
         "responder accepts.",
         ("p1-proposal-mismatch",),
         ((I, ("Add the group the responder asks for (in the details) to the initiator's proposal.",)),
          (R, ("Allow one of the groups the initiator proposes.",))),
         refusal=True),
    Rule("init-rejected", V2, patterns.init_rejected,
         ERROR, "IKE_SA_INIT rejected: the responder found no acceptable proposal",
         "The responder answered IKE_SA_INIT with an error, unencrypted (the details name it): NO_PROPOSAL_CHOSEN "
         "when none of the offered IKE proposals (encryption, integrity, PRF, key exchange group) is acceptable to "
         "it, INVALID_KE_PAYLOAD when it wants another key exchange group and no retry with that group follows here.",
         ("p1-proposal-mismatch", "peer-not-configured"),
         ((I, ("Compare the offered proposals (in the details) with the responder's IKE proposals.",)),
          (R, ("Add a proposal that matches, or check that the connection for this peer is the one you expect "
               "(strongSwan: 'no IKE config found for A...B, sending NO_PROPOSAL_CHOSEN').",))),
         refusal=True,
         strongswan=((R, "received proposals unacceptable"),)),
    Rule("init-response-lost", V2, patterns.init_response_lost,
         ERROR, "IKE_SA_INIT responses do not reach the initiator",
         "The responder answered IKE_SA_INIT, but the initiator kept re-sending it after the response had passed "
         "the capture point: the response is lost between the capture point and the initiator.",
         ("return-path-blocked",),
         ((I, ("Check inbound UDP 500 from the responder, and NAT / stateful devices on the way back.",)),
          (R, ("Check which address the responder answers from and the route back.",)))),
    Rule("init-unanswered", V2, patterns.init_unanswered, ERROR, "IKE_SA_INIT unanswered: the responder never replied",
         "The initiator sent IKE_SA_INIT (the details say how often) and no response came back.",
         ("forward-path-blocked", "peer-not-configured", "peer-down"),
         ((I, ("Check the peer address and that UDP 500 towards it is allowed on every firewall.",)),
          (R, ("Check that the responder receives IKE_SA_INIT (its log: 'received packet'), that IKEv2 is enabled "
               "on that interface, and that a connection exists for the initiator.",))),
         variants={MALFORMED: ("malformed-request", "forward-path-blocked", "peer-not-configured")}),
    Rule("init-no-auth", V2, patterns.init_no_auth, ERROR, "IKE_SA_INIT completed but no IKE_AUTH followed",
         "The responder answered IKE_SA_INIT and nothing more passed the capture point: the initiator's IKE_AUTH never "
         "got here. After NAT detection IKE_AUTH goes to UDP 4500, and with certificates it is large enough to be "
         "IP-fragmented; a path that drops either swallows it.",
         ("udp4500-blocked", "ip-fragments-dropped", "vendor-interop"),
         ((I, ("Check the initiator's log: did it send IKE_AUTH, on which port, and how large was it?",)),
          (R, ("Capture on the initiator's side too, to see whether IKE_AUTH leaves it.",))),
         variants={ONE_DIRECTION: ("capture-one-direction", "ip-fragments-dropped", "udp4500-blocked"),
                   NO_NAT: ("ip-fragments-dropped", "vendor-interop", "udp4500-blocked"),
                   INITIATOR_STOPPED: ("initiator-stopped", "vendor-interop")},
         # the initiator stopped re-sending IKE_SA_INIT, so the response reached it; IKE_AUTH is due on 4500
         sent_unseen={None: (I, IKE_AUTH_REQUEST)}, stopped={INITIATOR_STOPPED: (I, "did not go on")}),
    Rule("auth-rejected", V2, patterns.auth_rejected,
         ERROR, "IKE_AUTH rejected: the response is too small to hold an identity",
         "The IKE_AUTH response is encrypted and so small that it can only hold a notification, not the responder's "
         "identity and authentication: the responder refused the initiator's authentication (AUTHENTICATION_FAILED).",
         ("auth-failed", "psk-mismatch", "id-mismatch"),
         ((I, ("Check the pre-shared key or certificate and the identity (IDi) the initiator sends.",)),
          (R, ("The responder's log names the reason ('tried N shared key(s) ... but MAC mismatched', 'no trusted "
               "certificate found', 'no matching peer config found').",))),
         refusal=True, inferred=True,
         strongswan=((I, "received AUTHENTICATION_FAILED notify error"),
                     (R, "(the certificate or identity it refused, in its log)", CERTIFICATES),
                     (R, "tried … shared key for '…' - '…', but MAC mismatched")),
         variants={SHARED_KEY: ("psk-mismatch", "id-mismatch", "auth-failed"),
                   CERTIFICATES: ("auth-failed", "id-mismatch")}),
    Rule("auth-unanswered-after-float", V2, patterns.auth_unanswered_after_float,
         ERROR, "IKE_AUTH on UDP 4500 unanswered after the NAT-T float",
         "IKE_SA_INIT on UDP 500 worked; NAT detection moved the peers to UDP 4500 and IKE_AUTH on 4500 was never "
         "answered. A path that carries UDP 500 but drops 4500 does exactly this.",
         ("udp4500-blocked", "ip-fragments-dropped", "auth-failed"),
         ((I, ("Check that UDP 4500 is allowed both ways on every firewall between the peers.",
               "If IKE_AUTH is IP-fragmented, enable IKE fragmentation (RFC 7383) on both peers, or let IP fragments "
               "of UDP 4500 pass.")),
          (R, ("Check that the responder listens on and admits UDP 4500.",))),
         variants={LARGE: ("ip-fragments-dropped", "udp4500-blocked", "auth-failed")}),
    Rule("auth-unanswered", V2, patterns.auth_unanswered, ERROR, "IKE_AUTH unanswered: the responder never replied",
         "IKE_SA_INIT completed, and the initiator's IKE_AUTH request (identity, authentication, child SA proposal) "
         "got no response. Large IKE_AUTH messages (certificates) are IP-fragmented and lost where fragments are "
         "dropped; some responders also discard an IKE_AUTH they cannot authenticate.",
         ("ip-fragments-dropped", "auth-failed", "forward-path-blocked"),
         ((I, ("Check the size of IKE_AUTH and whether it was IP-fragmented (in the details); enable IKEv2 "
               "fragmentation "
               "(RFC 7383) on both sides or lower the certificate chain size.",)),
          (R, ("Check the responder's log for the IKE_AUTH request: not received (fragments dropped) or "
               "rejected.",))),
         variants={SMALL: ("forward-path-blocked", "return-path-blocked", "auth-failed")}),
    # --- IKEv1 Quick Mode: phase-2 stalls ---------------------------------------------------------
    Rule("qm1-rejected", QUICK, patterns.qm1_rejected,
         ERROR, "Quick Mode rejected: the peer answered QM1 with an encrypted notification",
         "Instead of QM2 the peer sent a protected Informational right after QM1. The most common phase-2 refusals are "
         "NO_PROPOSAL_CHOSEN (transform set / PFS) and INVALID_ID_INFORMATION (proxy IDs), of the same size; which "
         "one it is, only the keys (or the peer's log) show.",
         ("p2-ts-mismatch", "p2-proposal-mismatch"),
         ((I, ("Compare local/remote subnets (proxy IDs, crypto ACL) and the transform set / PFS group with the "
               "peer's.",)),
          (R, ("The peer's log names the refused item ('no matching connection', 'no acceptable proposal').",))),
         refusal=True, inferred=True,
         strongswan=((I, "received NO_PROPOSAL_CHOSEN error notify", PROPOSAL),
                     (I, "received INVALID_ID_INFORMATION error notify", SELECTORS),
                     (R, "no matching proposal found, sending NO_PROPOSAL_CHOSEN", PROPOSAL),
                     (R, "no matching CHILD_SA config found for …", SELECTORS),
                     (I, "received INVALID_ID_INFORMATION error notify / received NO_PROPOSAL_CHOSEN error notify"),
                     (R, "no matching CHILD_SA config found for … / no matching proposal found, sending "
                         "NO_PROPOSAL_CHOSEN")),
         variants={PROPOSAL: ("p2-proposal-mismatch",), SELECTORS: ("p2-ts-mismatch",)}),
    Rule("qm1-unanswered", QUICK, patterns.qm1_unanswered,
         ERROR, "Quick Mode stalled at QM1: phase 1 is up but the peer never answered QM1",
         "Phase 1 completed; the initiator of Quick Mode sent QM1 (its IPsec proposal and proxy IDs) and no QM2 "
         "came back. A peer that likes no proposal or no proxy ID may stay silent; libreswan gives up with 'No "
         "acceptable response to our first Quick Mode message: perhaps peer likes no proposal'.",
         ("p2-proposal-mismatch", "p2-ts-mismatch", "peer-lost-state"),
         ((I, ("Compare the transform set and PFS group with the peer's.",
               "Check that the crypto ACL / local and remote subnets are the exact mirror of the peer's.")),
          (R, ("Look for the phase-2 rejection in the responder's log (proxy identities, transform set).",)))),
    Rule("qm3-not-accepted", QUICK, patterns.qm3_not_accepted,
         ERROR, "Quick Mode stalled at QM3: the responder did not take it",
         "The initiator of Quick Mode sent QM3, its last message, yet the responder re-sent QM2 after it: the "
         "responder still waits for a QM3 it accepts, so its side of the IPsec SA is not up. Either QM3 is lost "
         "after the capture point, or the responder received it and could not complete (install) the SA.",
         ("sa-install-failed", "forward-path-blocked", "vendor-interop"),
         ((I, ("Check that the initiator's QM3 leaves on the port the responder expects (UDP 4500 after NAT-T).",)),
          (R, ("Look in the responder's log for an error after QM3 (installing the SA, the kernel, the policy).",
               "Check that its IPsec stack supports the transform and UDP encapsulation (NAT-T)."))),
         variants={NEAR_STARTER: ("forward-path-blocked", "sa-install-failed", "vendor-interop")}),
    Rule("qm2-unconfirmed", QUICK, patterns.qm2_unconfirmed,
         ERROR, "Quick Mode stalled at QM2: the initiator never sent QM3",
         "The responder answered with QM2 but no QM3 followed: QM2 is lost on the way back, or the initiator "
         "refused what the responder chose (a narrowed proxy ID, a different transform).",
         ("return-path-blocked", "p2-ts-mismatch", "p2-proposal-mismatch"),
         ((I, ("Check the initiator's log for the refusal of QM2.",)),
          (R, ("Check that the responder does not narrow the proxy IDs to something the initiator refuses.",))),
         variants={REQUEST_RESENT: ("return-path-blocked", "p2-ts-mismatch")}),
    # --- IKEv2 child SAs: phase-2 stalls ----------------------------------------------------------
    Rule("child-rejected", CHILD, patterns.child_rejected, ERROR, "IKE SA up, but the child SA was refused",
         "The IKE_AUTH (or CREATE_CHILD_SA) response is smaller than a response carrying an SA and traffic selectors "
         "would be, and no ESP follows: the IKE SA authenticated but the child SA was refused — TS_UNACCEPTABLE or "
         "NO_PROPOSAL_CHOSEN.",
         ("p2-ts-mismatch", "p2-proposal-mismatch"),
         ((I, ("Compare the local and remote subnets (traffic selectors) and the ESP proposal with the peer's.",)),
          (R, ("Compare the responder's local and remote subnets with the initiator's: each side's local subnet "
               "must be the other's remote one (strongSwan logs 'traffic selectors ... unacceptable').",
               "On a Cisco ASA, which does not narrow multiple subnets: use one child SA per subnet pair, or "
               "identical selectors on both sides."))),
         refusal=True, inferred=True,
         stands_at=(IKE_AUTH_RESPONSE, None),
         variants={PROPOSAL: ("p2-proposal-mismatch",), SELECTORS: ("p2-ts-mismatch",)}),
    Rule("child-unanswered", CHILD, patterns.child_unanswered, ERROR, "CREATE_CHILD_SA unanswered",
         "A CREATE_CHILD_SA request (a new child SA or a rekey) got no response.",
         ("peer-lost-state", "return-path-blocked", "p2-proposal-mismatch"),
         ((I, ("Check whether the peer still has the IKE SA (it may have restarted).",)),
          (R, ("Check the peer's log for the rekey request.",))),
         stands_at=(CREATE_CHILD_SA_REQUEST, CREATE_CHILD_SA_RESPONSE)),
    # --- Observations: every one that matches is reported -----------------------------------------
    Rule("unencrypted-error-notify", OBSERVATION, patterns.unencrypted_error_notify,
         ERROR, "Unencrypted error notification after keys should exist",
         "An error notification travelled unencrypted although its sender had both key exchanges: it has no key "
         "for this peer, cannot use the keys (different pre-shared keys) or no longer has the SA. A receiver "
         "without keys yet acts on it (strongSwan: 'received ... error notify'); one with keys often ignores it, "
         "and then the capture is the only place the error shows.",
         ("psk-mismatch", "auth-failed", "peer-lost-state"),
         ((I, ("Read the notification type in the details above; INVALID_COOKIE means the peer has no such SA, the "
               "others that it had no key for this peer or could not use it.",)),
          (R, ("Check the peer's pre-shared key and its SA table for this peer.",))),
         variants={NO_SA: ("responder-no-psk-for-peer", "peer-lost-state"),
                   NO_SA_AFTER_ENCRYPTION: ("responder-no-psk-for-peer", "peer-lost-state", "psk-mismatch"),
                   NO_KEY: ("responder-no-psk-for-peer", "peer-lost-state"),
                   BEFORE_ENCRYPTION: ("responder-no-psk-for-peer", "peer-lost-state", "vendor-interop"),
                   GARBLED: ("psk-mismatch", "peer-lost-state")}),
    Rule("clear-error-notify", OBSERVATION, patterns.clear_error_notify, WARNING, "Unencrypted error notification",
         "A peer sent an unencrypted error notification (before keys exist this is the only way to say no).",
         (), (),
         covered_by_stall=True),
    Rule("icmp-error", OBSERVATION, patterns.icmp_error, ERROR, "ICMP error about an IKE packet",
         "A host or router answered an IKE packet with an ICMP error quoting it: this says directly why the packet "
         "got no IKE answer.",
         ("peer-not-listening", "filtered", "ip-fragments-dropped"),
         ((I, ("Read the ICMP type in the details: port unreachable — nothing listens on the peer; administratively "
               "prohibited — a filter; fragmentation needed — the path MTU.",)),
          (R, ("Check that the IKE daemon is running and bound to the address the initiator uses.",))),
         variants={PORT_UNREACHABLE: ("peer-not-listening", "peer-down"), PROHIBITED: ("filtered",),
                   TOO_BIG: ("ip-fragments-dropped",),
                   FROM_THE_PEER: ("peer-not-listening",), DEAD_PEER: ("peer-dead", "peer-not-listening")}),
    Rule("fragmented-unanswered", OBSERVATION, patterns.fragmented_unanswered,
         ERROR, "A large, IP-fragmented IKE message went unanswered",
         "The message was larger than the path MTU and travelled as IP fragments (or only some fragments were seen); "
         "nothing answered it. Devices that drop IP fragments — or drop the non-first ones — break exactly these "
         "messages (Windows error 809 is this case).",
         ("ip-fragments-dropped",),
         ((I, ("Enable IKE fragmentation (IKEv2: RFC 7383 'fragmentation = yes'; IKEv1: Cisco/Microsoft "
               "fragmentation) or reduce the message (shorter certificate chain).",)),
          (R, ("Check that the responder's edge and every firewall pass IP fragments of UDP 500/4500.",)))),
    Rule("one-way", OBSERVATION, patterns.one_way, ERROR, "Traffic in one direction only",
         "At the capture point this SA's IKE traffic goes one way only: the other peer either never receives it or "
         "its answers do not pass this point.",
         ("forward-path-blocked", "return-path-blocked", "peer-down"),
         ((I, ("Find out where the capture was taken relative to the firewalls on the path.",)),
          (R, ("Capture on the responder's side too: if the requests arrive there, the answers are lost.",))),
         variants={ANSWERS_ONLY: ("capture-one-direction",),
                   RESPONDER_ANSWERED: ("capture-one-direction", "return-path-blocked")}),
    Rule("reply-lost", OBSERVATION, patterns.reply_lost,
         ERROR, "Replies pass the capture point but the requester keeps re-sending",
         "Each re-sent request is answered, and the answers pass the capture point, yet the requester keeps "
         "re-sending: the answers are lost between the capture point and the requester.",
         ("return-path-blocked",),
         ((I, ("Check the path between the capture point and the requester for a device that drops the replies "
               "(stateful firewall, NAT, asymmetric routing).",)),)),
    Rule("dpd-unanswered", OBSERVATION, patterns.dpd_unanswered,
         ERROR, "Liveness checks go unanswered (dead peer detection)",
         "One peer keeps sending liveness checks — IKEv1 protected Informationals (DPD R-U-THERE) or IKEv2 "
         "INFORMATIONAL requests — and nothing comes back.",
         ("peer-dead", "return-path-blocked", "forward-path-blocked"),
         ((I, ("Check whether the peer restarted or lost the SA; check NAT mappings and their idle timeout (with "
               "NAT-T, the details above say whether keepalives still flow).",)),
          (R, ("Check the peer's uptime and SA table.",))),
         inferred=True,
         variants={FROM_THE_PEER: ("peer-dead", "peer-not-listening")}),
    Rule("esp-one-way", OBSERVATION, patterns.esp_one_way, WARNING, "ESP flows in one direction only",
         "Phase 2 completed and ESP packets were seen, but only one way: the tunnel carries traffic out and nothing "
         "back (routing, a crypto ACL / policy on the far side, or the far side dropping the ESP).",
         ("return-path-blocked",),
         ((I, ("Check routing of the protected subnets into the tunnel on the far side.",)),
          (R, ("Check that ESP (IP protocol 50, or UDP 4500 with NAT-T) is allowed back.",)))),
    Rule("delete", OBSERVATION, patterns.delete, INFO, "The SA was deleted",
         "A peer sent a Delete (or, encrypted, a last Informational that ends the SA): the tunnel was closed on "
         "purpose, replaced, or removed by configuration.",
         ("deleted",), (),
         healthy_cause="deleted"),
    Rule("nat-detected", OBSERVATION, patterns.nat_detected, INFO, "A NAT sits between the capture point and a peer",
         "The NAT detection hashes, recomputed from the addresses and ports seen here, do not match what the peer "
         "hashed: the peer's packets were translated between it and the capture point (or it addressed its peer "
         "differently).",
         ("nat-t",),
         ((I, ("If the responder keys its pre-shared key by IP address, it sees the translated address named in the "
               "details.",)),),
         healthy_cause="nat-t"),
    Rule("dh-group-retry", OBSERVATION, patterns.dh_group_retry,
         INFO, "The responder asked for another key exchange group (INVALID_KE_PAYLOAD)",
         "The responder answered the first IKE_SA_INIT with INVALID_KE_PAYLOAD naming the group it wants, and the "
         "initiator retried with that group. This costs one round trip and is normal.",
         ("dh-group-retry",),
         ((I, ("Put the responder's preferred group first to save the round trip.",)),),
         healthy_cause="dh-group-retry"),
    Rule("cookie-challenge", OBSERVATION, patterns.cookie_challenge,
         INFO, "The responder answered with a COOKIE challenge",
         "The responder asked the initiator to repeat IKE_SA_INIT with a COOKIE (RFC 7296 §2.6): it is protecting "
         "itself against half-open SAs. Normal under load.",
         (), ()),
    Rule("aggressive-mode-psk", OBSERVATION, patterns.aggressive_mode_psk,
         WARNING, "Aggressive Mode with a pre-shared key exposes the key to offline cracking",
         "AM2 carries the responder's hash of the pre-shared key in clear; anyone who captures it can run a "
         "dictionary attack offline (psk-crack). This is not why a tunnel fails, but it belongs in the ticket.",
         (), ((I, ("Prefer Main Mode or IKEv2; if Aggressive Mode is required, use a long random key.",)),
              (R, ("Disable Aggressive Mode where it is not needed "
                   "(Cisco: 'crypto isakmp aggressive-mode disable').",)))),
    Rule("weak-algorithms", OBSERVATION, patterns.weak_algorithms, INFO, "The IKE SA uses weak algorithms",
         "The proposal the responder chose includes algorithms that current guidance (RFC 8247) tells peers not to "
         "use, or to phase out: small Diffie-Hellman groups, DES/3DES, MD5, SHA-1. Tunnels with them work, which is "
         "why they linger; they are the first thing an audit or a peer's upgrade will reject.",
         (),
         ((I, ("Offer AES (GCM, or CBC with SHA-2 integrity), SHA-2 PRFs and DH group 14 or higher (19/20/21 "
               "for ECP), and remove the weak proposals once the peer accepts the new ones.",)),
          (R, ("Drop the weak proposals from the responder's policy as soon as every peer offers a strong one.",)))),
    Rule("child-refused", OBSERVATION, patterns.child_refused, WARNING, "A CREATE_CHILD_SA request was refused",
         "A CREATE_CHILD_SA response too small to hold an SA and traffic selectors carries a refusal: the peer "
         "turned down a new child SA or a rekey (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, or TEMPORARY_FAILURE during a "
         "simultaneous rekey). Later "
         "CREATE_CHILD_SA exchanges that succeed limit the damage to the subnets of the refused one.",
         ("p2-ts-mismatch", "p2-proposal-mismatch"),
         ((I, ("Compare the traffic selectors and ESP proposal of the refused request with the peer's.",)),
          (R, ("The peer's log names the refusal ('traffic selectors ... unacceptable', 'no acceptable proposal "
               "found').",))),
         inferred=True,
         variants={PROPOSAL: ("p2-proposal-mismatch",), SELECTORS: ("p2-ts-mismatch",)}),
    Rule("retransmissions", OBSERVATION, patterns.retransmissions, INFO, "Messages were re-sent",
         "Some messages were sent more than once; their timing tells whether they were timer retransmissions of an "
         "unanswered request or answers to duplicates.",
         (), ()),
    # --- Across SAs: decided for the whole capture, not by a per-SA pattern -----------------------
    Rule("superseded", CAPTURE, None, INFO, "A later SA between the same peers completed: this attempt was given up",
         "Nothing answered this attempt, but a later negotiation between the same two peers completed phase 1, so "
         "the tunnel is not stuck here: a peer that was briefly unreachable, a connection started twice, or a "
         "retry after a configuration change. Its own findings follow, as information.",
         ("superseded",),
         ((I, ("Nothing to do for this attempt; look at the later SA if the tunnel still misbehaves.",)),)),
    Rule("scan", CAPTURE, None, WARNING, "IKE scan: one request to each of many responders",
         "One source sent each address a single first request and stopped there, whether it was answered or not. An "
         "IKE daemon re-sends until it is answered and goes on when it is; a scanner records the answer and moves "
         "on. The SAs it opened are probes, and their per-SA verdicts (unanswered, or the initiator did not go on) "
         "describe the probe, not a tunnel.",
         ("scan",),
         ((I, ("If the scan is yours, nothing to do; otherwise find who runs it from the source address.",)),
          (R, ("Expose IKE only to the peers that need it (an ACL on UDP 500/4500), and check what the answered "
               "requests reveal (vendor IDs, accepted proposals).",)))),
    Rule("flood", CAPTURE, None, WARNING, "IKE flood: many SAs that never complete",
         "The capture holds a large number of IKE SAs with no completed negotiation, from many sources: a flood, a "
         "scan or reflected traffic rather than a tunnel to diagnose.",
         ("flood",),
         ((R, ("Rate-limit IKE, enable cookie challenges (IKEv2) and check for spoofed sources.",)),)),
)}


def _derived(flow: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES.values() if rule.flow == flow)


# Derived from the table, in its order: the stalls of each flow, the observations, and the rules
# that name a healthy SA's cause.
STALLS: dict[str, tuple[Rule, ...]] = {flow: _derived(flow) for flow in (*PHASE1_FLOWS, *PHASE2_FLOWS.values())}
OBSERVATIONS: tuple[Rule, ...] = _derived(OBSERVATION)
HEALTHY_CAUSES: tuple[Rule, ...] = tuple(rule for rule in RULES.values() if rule.healthy_cause)
