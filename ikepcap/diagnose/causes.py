"""Why an IKE negotiation fails: the causes ikepcap can name, each with what it means.

One vocabulary for the rule table (which ranks these per finding), the JSON report and the
expected diagnoses stored beside the test captures (``captures/*.expected.json``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cause:
    id: str
    title: str
    meaning: str


CAUSES: dict[str, Cause] = {c.id: c for c in (
    Cause("none", "no problem",
          "The negotiation completed; nothing in the capture points to a fault."),
    Cause("responder-no-psk-for-peer", "the responder has no pre-shared key / tunnel-group for the initiator's address",
          "The responder looks up the pre-shared key by the peer's IP address once it must compute keys (after MM3). "
          "With no entry for the address it sees — a wrong peer IP in its configuration, or the initiator's address "
          "translated by NAT — it drops the negotiation and treats further packets as belonging to an unknown SA."),
    Cause("peer-not-configured", "the responder has no connection configured for the initiator",
          "The responder does not know the initiator at all (no crypto map entry, no tunnel-group, no connection "
          "matching its address or identity) and ignores or rejects its first message."),
    Cause("psk-mismatch", "the pre-shared keys differ",
          "Both sides derive the encryption key from the pre-shared key; with different keys the first encrypted "
          "message (MM5, AM3's hash, IKE_AUTH's AUTH) cannot be decrypted or verified."),
    Cause("p1-proposal-mismatch", "no common phase-1 / IKE proposal",
          "The encryption, integrity/hash, Diffie-Hellman group, authentication method or lifetime offered by the "
          "initiator matches nothing the responder accepts."),
    Cause("forward-path-blocked", "the initiator's packets do not reach the responder",
          "A firewall or ACL on the path (or at the responder's edge) drops UDP 500 towards the responder, the "
          "route is wrong, or the responder's address is wrong or down."),
    Cause("return-path-blocked", "the responder's replies do not reach the initiator",
          "The responder answers, but its replies are lost on the way back: a stateful firewall or NAT drops them, "
          "routing is asymmetric, or the responder answers from an address the initiator does not expect."),
    Cause("udp4500-blocked", "UDP 4500 is blocked after the NAT-T port float",
          "NAT detection made the peers move to UDP 4500 (RFC 3947/RFC 7296 §2.23); a device on the path lets "
          "UDP 500 through but drops UDP 4500."),
    Cause("ip-fragments-dropped", "IP fragments of a large IKE message are dropped",
          "Certificates or large key exchanges push the message over the path MTU; it leaves as IP fragments and a "
          "device on the path drops the fragments (or the reassembly fails), so the message never arrives whole."),
    Cause("p2-ts-mismatch", "the traffic selectors (proxy IDs / crypto ACLs) do not match",
          "The phase-2 / CHILD_SA networks proposed by one side are not what the other side's policy allows: "
          "crypto ACLs that are not mirror images, different subnets, or a peer that does not narrow."),
    Cause("p2-proposal-mismatch", "no common phase-2 / CHILD_SA proposal",
          "The ESP/AH transform set or the PFS group offered for the IPsec SA matches nothing the peer accepts."),
    Cause("auth-failed", "authentication failed",
          "The peer rejected the proof of identity: wrong pre-shared key, a certificate it does not trust or whose "
          "identity does not match, or an identity (ID) it does not expect."),
    Cause("id-mismatch", "the identities (IDs) do not match what the peer expects",
          "The peer identifies itself by a type or value the other side is not configured for: IP address versus "
          "FQDN, or a private (NATed) address sent as ID."),
    Cause("dh-group-retry", "a Diffie-Hellman group retry (normal)",
          "The responder asked for a different key exchange group with INVALID_KE_PAYLOAD and the initiator "
          "retried with it: an extra round trip, not a fault, unless it repeats."),
    Cause("peer-dead", "the peer stopped answering (dead peer)",
          "Liveness checks (DPD R-U-THERE, IKEv2 empty INFORMATIONAL) go unanswered: the peer rebooted, lost its "
          "state, or the path between the peers broke (often a NAT mapping that timed out)."),
    Cause("nat-t", "NAT traversal in use (normal)",
          "A NAT sits between the peers; they detected it and moved to UDP 4500 with UDP-encapsulated ESP."),
    Cause("deleted", "the SA was deleted (teardown)",
          "One peer sent a Delete: the tunnel was closed on purpose, replaced by a rekey, or removed by the other "
          "side's configuration."),
    Cause("peer-lost-state", "the peer lost the SA's state",
          "The peer no longer knows the SA (reboot, 'clear crypto', failover, a crossed rekey) and answers its "
          "messages with INVALID_COOKIE / INVALID_IKE_SPI, or not at all."),
    Cause("nat-t-not-needed", "NAT-T forced or misdetected",
          "The peers moved to UDP 4500 although the path may not need it (forced encapsulation, or a NAT detected "
          "where none is wanted) and the path does not carry UDP 4500."),
    Cause("peer-not-listening", "nothing listens for IKE at the peer's address",
          "The peer's host answered with ICMP port unreachable: no IKE daemon is bound to that address and port."),
    Cause("capture-one-direction", "the capture point sees only one direction of the traffic",
          "The other direction takes another path (asymmetric routing, several links or firewalls in a cluster), or "
          "the span, tap or capture filter covers one direction only: what is missing was not necessarily lost."),
    Cause("initiator-stopped", "the initiator did not go on after the responder's answer",
          "The capture was taken next to the initiator, so anything it sent would be here: it received the answer "
          "and sent nothing more. Its own configuration or state stopped it — a probe or scanner that never meant "
          "to go on, an authentication it cannot start (no certificate, key or identity configured), or something "
          "in the answer it rejected without saying so."),
    Cause("superseded", "a later attempt between the same peers succeeded",
          "An attempt nobody answered, followed by a negotiation between the same peers that completed."),
    Cause("redirected", "the responder sent the initiator to another gateway",
          "RFC 5685 redirection: a gateway that does not serve this client (load balancing, maintenance) names "
          "another one in its IKE_SA_INIT response."),
    Cause("filtered", "a filter rejects the traffic and says so",
          "A router or firewall answered with ICMP 'administratively prohibited'."),
    Cause("scan", "an IKE scanner probing for gateways",
          "One source sent a single request to each of many addresses and never re-sent or continued any, answered "
          "or not: ike-scan or a tool like it mapping IKE responders, not a tunnel that fails."),
    Cause("flood", "an IKE flood or reflection attack",
          "Many distinct SAs from many sources with no completed negotiation: spoofed IKE, a scan, or reflected "
          "responses."),
    Cause("malformed-request", "the request is malformed and the peer discards it",
          "The message does not parse (a payload shorter than its header, a length past the end, an unknown "
          "critical payload): a responder drops what it cannot parse, most without an answer. A fuzzer, a broken "
          "implementation or a middlebox that rewrote the packet sends such messages."),
    Cause("sa-install-failed", "the responder could not install the IPsec SA",
          "Phase 2 was agreed, but the responder's IPsec stack refused the SA it was to install (a kernel without "
          "the transform or without UDP encapsulation for NAT-T, a conflicting SA or policy), so it never confirms "
          "the exchange and sends no ESP."),
    Cause("vendor-interop", "an interoperability problem between the implementations",
          "Both sides follow different readings of the RFCs (payload order, optional payloads, vendor extensions); "
          "the peer silently discards a message it considers invalid."),
    Cause("peer-down", "the peer is down or unreachable",
          "The responder's host is not up, or not reachable at that address at all."),
)}
