"""The implementation fingerprint names each side from what it put on the wire, and nothing else.

Ground truth: the lab ran strongSwan 5.9.8 on both sides except in the ``sw-lsw-*`` captures
(strongSwan initiator, Libreswan 4.10 responder; captures/README.md, captures/lab/README.md);
the ASA case's initiator is the ASA. A side that sent nothing, or nothing that tells (an IKEv2
response holding one notify, messages cut by a 96-byte snaplen), must stay unknown rather than
be guessed. On the public corpus every side whose vendor IDs name a product is named, and the
table below records what each capture gives, so that a change in the tables shows here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CAPTURES
from sequences import Conversation

from ikepcap.correlate.correlate import correlate
from ikepcap.correlate.model import INITIATOR, RESPONDER, IkeSa
from ikepcap.decode.model import V1_VID
from ikepcap.diagnose import implementations as impl
from ikepcap.diagnose.capture_point import adjacent, locate
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.diagnose.fingerprint import (
    CERTAIN,
    LIKELY,
    POSSIBLE,
    UNKNOWN,
    Clue,
    fingerprint,
    forced_encapsulation,
    identify,
    schedules_matching,
)
from ikepcap.diagnose.implementations import (
    CISCO,
    CISCO_ASA,
    CISCO_IOS,
    FORTINET,
    JUNIPER,
    LIBRESWAN,
    NCP,
    OPENSWAN,
    PLUTO_LINEAGE,
    STRONGSWAN,
    WINDOWS,
)
from ikepcap.extract.model import Extraction
from ikepcap.extract.native import extract

SW, LSW = STRONGSWAN, LIBRESWAN

# capture -> (initiator, responder) for every side that sent at least one message.
LAB: dict[str, tuple[str | None, str | None]] = {
    "asa-mm-wait-msg4-reproduction.pcap": (CISCO_ASA, None),     # the responder sent MM2 (DPD VID only) and N
    "sw-lsw-v1-mm-healthy.pcap": (SW, LSW),
    "sw-lsw-v1-mm-psk-mismatch.pcap": (SW, LSW),
    "sw-lsw-v1-mm-id-refused.pcap": (SW, LSW),
    "sw-lsw-v1-mm-mm3-lost-initiator-side.pcap": (SW, LSW),
    "sw-lsw-v1-mm-mm3-lost-responder-side.pcap": (SW, LSW),
    "sw-lsw-v1-mm-no-psk-for-peer.pcap": (SW, LSW),            # Libreswan's notify format alone
    "sw-lsw-v1-mm-p1-proposal-mismatch.pcap": (SW, LSW),
    "sw-lsw-v1-mm-peer-not-configured.pcap": (SW, None),     # Libreswan ignores the unknown peer: nothing sent
    "sw-lsw-v2-healthy.pcap": (SW, LSW),                     # no VID: the IKE_SA_INIT response's notify order
    "sw-lsw-v2-auth-failed.pcap": (SW, LSW),
    "sw-lsw-v1-am-psk-mismatch.pcap": (SW, LSW),
    # Libreswan's refusal carries its own SPI (strongSwan's none), but so does an unknown responder in
    # scapy's ikev2_notify_redirect: not a clue
    "sw-lsw-v2-no-proposal-chosen.pcap": (SW, None),
    "sw-lsw-v2-ts-unacceptable.pcap": (SW, LSW),
    "v1-mm-id-refused.pcap": (SW, SW),
    "v1-mm-mm3-lost-initiator-side.pcap": (SW, SW),
    "v1-mm-mm3-lost-responder-side.pcap": (SW, SW),
    "v1-am-healthy.pcap": (SW, SW),
    "v1-am-psk-mismatch.pcap": (SW, SW),
    "v1-concentrator-many-sas.pcap": (SW, SW),
    "v1-dpd-dead-peer.pcap": (SW, SW),
    "v1-mm-cert-ip-fragments-dropped.pcap": (SW, SW),
    "v1-mm-delete.pcap": (SW, SW),
    "v1-mm-healthy-ipv6.pcap": (SW, SW),
    "v1-mm-healthy.pcap": (SW, SW),
    "v1-mm-nat-t.pcap": (SW, SW),
    "v1-mm-no-psk-for-peer.pcap": (SW, SW),
    "v1-mm-p1-proposal-mismatch.pcap": (SW, SW),
    "v1-mm-peer-not-configured.pcap": (SW, SW),
    "v1-mm-psk-mismatch.pcap": (SW, SW),
    "v1-mm-return-path-blocked-initiator-side.pcap": (SW, SW),
    "v1-mm-return-path-blocked-responder-side.pcap": (SW, SW),
    "v1-mm-udp4500-blocked.pcap": (SW, SW),
    "v1-mm-udp4500-blocked-responder-side.pcap": (SW, SW),
    "sw-lsw-v1-mm-return-path-blocked-initiator-side.pcap": (SW, None),
    "sw-lsw-v1-mm-return-path-blocked-responder-side.pcap": (SW, LSW),
    "sw-lsw-v1-mm-udp4500-blocked-initiator-side.pcap": (SW, LSW),
    "sw-lsw-v1-mm-udp4500-blocked-responder-side.pcap": (SW, LSW),
    "v2-auth-udp4500-blocked-initiator-side.pcap": (SW, SW),
    "v2-auth-udp4500-blocked-responder-side.pcap": (SW, SW),
    "v1-qm-proposal-mismatch.pcap": (SW, SW),
    "v1-qm-ts-mismatch.pcap": (SW, SW),
    "v2-auth-failed.pcap": (SW, SW),
    "v2-healthy-ipv6.pcap": (SW, SW),
    "v2-healthy.pcap": (SW, SW),
    "v2-invalid-ke-retry.pcap": (SW, SW),
    "v2-no-proposal-chosen.pcap": (SW, None),      # the response is one NO_PROPOSAL_CHOSEN, as anyone sends it
    "v2-ts-unacceptable.pcap": (SW, SW),
    "variant-erspan.pcap": (SW, SW),
    "variant-gzip.pcap.gz": (SW, SW),
    "variant-linux-sll2.pcap": (SW, SW),
    "variant-nanosecond-big-endian.pcap": (SW, SW),
    "variant-pcapng-two-interfaces.pcapng": (SW, SW),
    "variant-snaplen-96.pcap": (None, None),       # every message cut before its VIDs
    "variant-vlan-8021q.pcap": (SW, SW),
}

# corpus capture -> the distinct (initiator, responder) pairs of its SAs; a capture not listed has
# no side that the wire identifies.
CORPUS_NAMED: dict[str, set[tuple[str | None, str | None]]] = {
    "arkime/IKEv1.pcap": {(FORTINET, None), (None, None)},
    "libreswan/inputs/01-isakmp-broadcast.pcap": {(PLUTO_LINEAGE, None)},
    "libreswan/inputs/02-isakmp-vid-first.pcap": {(PLUTO_LINEAGE, None)},
    "libreswan/replay-authip-01/weirdike-eastwest.pcap-ike.pcap": {(WINDOWS, None)},
    "ndpi/ah.pcapng": {(CISCO_IOS, CISCO_IOS)},
    "ndpi/esp.pcapng": {(CISCO_IOS, CISCO_IOS)},
    "onurozcan-ikev1-psk/ikev1-psk-aggressive-mode-simple.pcapng": {(SW, SW)},
    "onurozcan-ikev1-psk/ikev1-psk-aggressive-mode.pcapng": {(SW, SW)},
    "onurozcan-ikev1-psk/ikev1-psk-main-mode.pcapng": {(SW, SW)},
    "openswan/lp06-msg1nopropchosen/parentI1.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp08-parentR1/parentI1.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp08-parentR1/parentI1badKE.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp08-parentR1/parentI1syntax.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp101-v1rwnatQR1failed/v1rwnatM1.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp166-natt-replaceI/nattR1.pcap": {(None, PLUTO_LINEAGE)},
    "openswan/lp177-parentN3/parentM1.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp44-h2hR1-deny-ikev1/parentM1.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp45-h2hR1-noikev2/h2hI1-noikev2.pcap": {(PLUTO_LINEAGE, None)},
    "openswan/lp91-h2h-sareplace-R1/h2hR2rekey.pcap": {(PLUTO_LINEAGE, None)},
    "rub-nds-ikev1-psk/ikev1-psk-main-mode-complete.pcapng": {(SW, SW)},
    "rub-nds-ikev1-psk/ikev1-psk-main-mode-incomplete.pcapng": {(SW, SW)},
    "scapy/ikev2_nat_t.pcapng": {(NCP, NCP)},
    "suricata-verify/ikev1-rules/ikev1-isakmp-main-mode.pcap": {(None, CISCO)},
    "tcpdump/ISAKMP_sa_setup.pcap": {(CISCO, CISCO)},
    "tcpdump/ikev2pI2.pcap": {(PLUTO_LINEAGE, None)},
    "tcpdump/isakmp4500.pcap": {(PLUTO_LINEAGE, PLUTO_LINEAGE)},
    "zeek-plugin-ikev2/ikev2.pcap": {(SW, SW)},
    "zeek-spicy-ipsec/ikev1-certs.pcap": {(OPENSWAN, JUNIPER)},
    "zeek-spicy-ipsec/ipsec-ikev1-isakmp-aggressive-mode.pcap": {(None, CISCO)},
    "zeek-spicy-ipsec/ipsec.cap": {(SW, SW)},
    "zeek-spicy-ipsec/ipsec_client.pcap": {(WINDOWS, None)},
}


def _sas(path: Path) -> list[IkeSa]:
    return correlate(extract([str(path)], jobs=1)).sas


def _sent(sa: IkeSa, side: str) -> bool:
    return any(step.sender == side for step in sa.steps)


def _lab_files() -> list[Path]:
    return sorted(p for p in CAPTURES.iterdir() if p.name.endswith((".pcap", ".pcapng", ".pcap.gz")))


def test_every_capture_has_an_expectation():
    assert sorted(p.name for p in _lab_files()) == sorted(LAB)


@pytest.mark.parametrize("name", sorted(LAB))
def test_lab_sides_are_named_as_the_lab_ran_them(name: str) -> None:
    expected = dict(zip((INITIATOR, RESPONDER), LAB[name]))
    for sa in _sas(CAPTURES / name):
        found = fingerprint(sa)
        for side in (INITIATOR, RESPONDER):
            got = found.side(side)
            want = expected[side] if _sent(sa, side) else None
            assert got.name == want, (sa.ispi.hex(), side, got)
            assert (got.confidence == UNKNOWN) == (want is None)
            assert all("frame" in line for line in got.evidence), got.evidence


def test_libreswan_responder_is_named_by_its_vids_its_timer_and_its_own_re_sends():
    sa = _sas(CAPTURES / "sw-lsw-v1-mm-psk-mismatch.pcap")[0]
    responder = fingerprint(sa).responder
    assert (responder.name, responder.confidence) == (LIBRESWAN, LIKELY)
    evidence = "\n".join(responder.evidence)
    assert "Libreswan's default" in evidence
    assert "MM4 re-send intervals 0.503, 0.501, 1.004, 2.001, 4.002 s" in evidence
    assert "match Libreswan's 0.5 s doubling" in evidence
    assert "MM4 re-sent on the responder's own timer" in evidence
    initiator = fingerprint(sa).initiator
    assert any("match strongSwan's 1 s x1.5" in line for line in initiator.evidence)


def test_strongswan_refusals_are_read_from_the_notify_format():
    no_config = fingerprint(_sas(CAPTURES / "v1-mm-peer-not-configured.pcap")[0]).responder
    assert no_config.name == STRONGSWAN
    assert any("0-byte SPI" in e and "no IKE configuration for this peer" in e for e in no_config.evidence)
    mismatch = fingerprint(_sas(CAPTURES / "v1-mm-p1-proposal-mismatch.pcap")[0]).responder
    assert any("16-byte SPI" in e and "a real proposal mismatch" in e for e in mismatch.evidence)


def test_asa_initiator_is_named_as_far_as_the_wire_allows():
    found = fingerprint(_sas(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap")[0])
    assert (found.initiator.name, found.initiator.confidence) == (CISCO_ASA, LIKELY)
    assert found.initiator.evidence == ("VID 'Cisco Unity' (frame 3)",
                                        ("MM3 re-send intervals 8 s (frames 3, 4) match Cisco ASA's fixed 8 s "
                                        "(VPN 3000 / ASA)"))
    assert found.responder.name is None


def test_libreswan_notify_format_names_the_responder():
    c = Conversation()
    c.mm(1, 0.0)
    c.notify_v1(0.01, "r", 14, rspi=bytes(8))      # NO_PROPOSAL_CHOSEN, message ID 0, responder cookie 0
    sa = correlate(Extraction(engine="native", messages=c.messages)).sas[0]
    responder = fingerprint(sa).responder
    assert (responder.name, responder.confidence) == (LIBRESWAN, LIKELY)
    assert responder.evidence[0].startswith("NO_PROPOSAL_CHOSEN with message ID 0, responder cookie 0")


def test_a_side_with_nothing_telling_stays_unknown():
    c = Conversation()
    c.healthy_main()
    c.mm(1, 5.0, extra=[(V1_VID, b"\x11" * 16)])     # an unnamed VID: no clue either
    for sa in correlate(Extraction(engine="native", messages=c.messages)).sas:
        found = fingerprint(sa)
        assert found.initiator == found.responder == identify([])
        assert found.initiator.confidence == UNKNOWN


def test_product_vid_makes_it_certain_and_carries_the_version():
    c = Conversation()
    c.mm(1, 0.0, extra=[(V1_VID, b"OE-Libreswan-4.10")])
    c.mm(2, 0.01, extra=[(V1_VID, bytes.fromhex("882fe56d6fd20dbc2251613b2ebe5beb"))])   # MD5("strongSwan")
    sa = correlate(Extraction(engine="native", messages=c.messages)).sas[0]
    found = fingerprint(sa)
    assert (found.initiator.name, found.initiator.version, found.initiator.confidence) == (LIBRESWAN, "4.10", CERTAIN)
    assert found.initiator.evidence == ("VID 'OE-Libreswan-4.10' (frame 1)",)
    assert (found.responder.name, found.responder.confidence) == (STRONGSWAN, CERTAIN)


def test_a_tie_names_nobody_and_a_family_yields_to_its_member():
    tie = identify([Clue(STRONGSWAN, "schedule", 1, "a"), Clue(CISCO, "vid", 1, "b")])
    assert (tie.name, tie.confidence, tie.evidence) == (None, UNKNOWN, ("a", "b"))
    member = identify([Clue(CISCO, "vid", 1, "unity"), Clue(CISCO_ASA, "schedule", 1, "8 s")])
    assert (member.name, member.confidence, member.evidence) == (CISCO_ASA, LIKELY, ("unity", "8 s"))
    hint = identify([Clue(CISCO, "vid", 1, "unity")])
    assert (hint.name, hint.confidence) == (CISCO, POSSIBLE)


def test_faked_natd_counts_only_for_a_side_at_the_capture_point():
    sa = _sas(CAPTURES / "v1-mm-nat-t.pcap")[0]          # captured at the responder's side; both ends libipsec
    at_responder = fingerprint(sa, adjacent=frozenset({RESPONDER})).responder
    assert any("NAT-D faked to force UDP encapsulation" in e and "(frames 3, 4)" in e for e in at_responder.evidence)
    assert not any("NAT-D" in e for e in fingerprint(sa).responder.evidence)
    # The initiator's own hash fails too, but a real NAT sits between it and this capture point.
    assert forced_encapsulation(sa, INITIATOR) is not None
    assert not any("NAT-D" in e for e in fingerprint(sa, adjacent=frozenset({RESPONDER})).initiator.evidence)
    inside = _sas(CAPTURES / "v1-mm-udp4500-blocked.pcap")[0]   # inside the NAT: own hashes match
    assert forced_encapsulation(inside, INITIATOR) is None
    assert forced_encapsulation(inside, RESPONDER) is None


@pytest.mark.parametrize(("observed", "expected"), [
    ((4.02, 7.15, 13.1, 23.2), {(STRONGSWAN, "4 s x1.8 (default)")}),
    ((1.0, 1.5, 2.25, 3.375), {(STRONGSWAN, "1 s x1.5 (the lab's retransmit_timeout/base)")}),
    ((2.0, 2.8, 3.92), {(STRONGSWAN, "2 s x1.4 (shortened timers)")}),
    ((0.5, 0.5, 1.0, 2.0, 4.0, 8.0), {(LIBRESWAN, "0.5 s doubling (retransmit-interval=500ms)")}),
    ((1.0, 2.0, 4.0, 8.0), {(WINDOWS, "1 s doubling")}),
    ((10.0, 10.05, 9.98), {(CISCO_IOS, "fixed 10 s (IOS 12.1-15.0)")}),
    ((4.0, 4.0, 4.0, 4.0, 4.0, 4.0), {(JUNIPER, "fixed 4 s (NetScreen)")}),
    ((3.0, 3.0, 3.0), set()),                        # nobody's timer
    ((0.5, 1.0, 2.0), set()),                        # doubling, but without Libreswan's repeated first step
    ((4.0, 7.2, 12.96, 23.33, 41.99, 75.6), set()),  # one re-send more than strongSwan's default makes
    ((), set()),
])
def test_schedule_matcher(observed, expected) -> None:
    assert {(s.implementation, s.setting) for s in schedules_matching(observed)} == expected


def test_schedule_tolerance_is_100_ms_plus_5_percent():
    default = next(s for s in impl.SCHEDULES if s.setting == "4 s x1.8 (default)")
    assert schedules_matching((4.0 + 0.1 + 0.05 * 4.0 - 0.001,)).count(default) == 1
    assert default not in schedules_matching((4.0 + 0.1 + 0.05 * 4.0 + 0.001,))


def test_tables_name_known_implementations_and_causes_and_fall_back():
    covered = {b.implementation for b in impl.BEHAVIOURS}
    assert {STRONGSWAN, LIBRESWAN, CISCO_ASA, CISCO_IOS} <= covered
    # Openswan behaves like Libreswan where it has no rows of its own.
    assert impl.behaviours(OPENSWAN, "psk-mismatch", RESPONDER) == impl.behaviours(LIBRESWAN, "psk-mismatch",
                                                                                  RESPONDER)
    assert impl.behaviours(None, "psk-mismatch") == ()
    assert impl.commands(None, INITIATOR) == impl.commands("no such", RESPONDER) == impl.GENERIC_COMMANDS
    asa_responder = [c.command for c in impl.commands(CISCO_ASA, RESPONDER)]
    assert "show run tunnel-group <peer>" in asa_responder
    assert "show run tunnel-group <peer>" not in [c.command for c in impl.commands(CISCO_ASA, INITIATOR)]
    assert "swanctl --list-sas" in [c.command for c in impl.commands(STRONGSWAN, INITIATOR)]
    assert "ipsec whack --trafficstatus" in [c.command for c in impl.commands(PLUTO_LINEAGE, RESPONDER)]


def test_every_vid_rule_names_a_vendor_the_table_can_give():
    from ikepcap.decode.vendor_ids import VENDOR_IDS
    names = {name for _, name, _ in VENDOR_IDS}
    for rule in impl.VID_RULES:
        assert any(n == rule.name or (rule.prefix and n.startswith(rule.name)) for n in names), rule
    for row in impl.VID_SETS:
        assert set(row.names) <= names, row


def test_corpus_sides_are_named_where_the_wire_allows(corpus) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    assert files
    seen = {}
    for path in files:
        name = str(path.relative_to(corpus))
        pairs = set()
        for sa in _sas(path):
            found = fingerprint(sa)
            pairs.add((found.initiator.name, found.responder.name))
            for side in (INITIATOR, RESPONDER):
                product = [v for s in sa.steps if s.sender == side for v in s.message.vendor_ids()
                           if any(r.weight == impl.PRODUCT and (v.vendor == r.name or (
                               r.prefix and v.vendor and v.vendor.startswith(r.name))) for r in impl.VID_RULES)]
                if product:
                    assert found.side(side).confidence == CERTAIN, (name, side, product)
        seen[name] = pairs
    assert set(CORPUS_NAMED) <= set(seen)
    for name, pairs in seen.items():
        assert pairs == CORPUS_NAMED.get(name, {(None, None)} if pairs else set()), name


# --- the capture point by TTL ------------------------------------------------------------------

def _with_ttls(conversation: Conversation, initiator: int | None, responder: int | None) -> IkeSa:
    for message in conversation.messages:
        message.ttl = initiator if message.src == conversation.addresses["i"] else responder
    return correlate(Extraction(engine="native", messages=conversation.messages)).sas[0]


@pytest.mark.parametrize(("initiator", "responder", "near", "routers"), [
    (64, 62, INITIATOR, "2 routers"),       # captured at the initiator's end of the path
    (250, 128, RESPONDER, "5 routers"),     # a Windows responder next to it, a Cisco initiator 5 hops away
    (63, 127, None, None),                  # in the middle: both decremented
    (64, 64, None, None),                   # both on the capture point's segment: each sees all of the other
    (64, None, None, None),                 # no TTL for one side (another engine, a hand-built message)
])
def test_the_ttl_places_the_capture_point(initiator, responder, near, routers) -> None:
    conversation = Conversation()
    conversation.healthy_main()
    point = locate(_with_ttls(conversation, initiator, responder))
    assert point.near == near
    if near is not None:
        assert routers in point.evidence[0] and "initial value" in point.evidence[0]


def test_a_peer_next_to_the_capture_point_is_not_said_to_be_behind_a_nat() -> None:
    """v1-mm-nat-t was captured at the responder's side (its TTL 64, the initiator's 63): the
    responder's own NAT-D hash fails while the initiator's hash of it matches, so it faked the
    hash to force UDP encapsulation; only the initiator is behind a NAT."""
    (diagnosis,) = [d for d in diagnose(correlate(extract([str(CAPTURES / "v1-mm-nat-t.pcap")], jobs=1))).sas]
    assert diagnosis.capture_point.near == RESPONDER and adjacent(diagnosis.sa) == {RESPONDER}
    assert any("NAT-D faked to force UDP encapsulation" in e for e in diagnosis.implementations.responder.evidence)
    (nat,) = [f for f in diagnosis.findings if f.rule == "nat-detected"]
    assert any("the initiator is behind a NAT" in d for d in nat.details)
    assert not any("responder" in d for d in nat.details)


def test_a_side_is_fingerprinted_only_when_something_reads_it(monkeypatch) -> None:
    """A busy capture's text report shows most SAs as a row, which names no implementation: a side's
    clues, and which sides sit at the capture point, are read when a view, or a rule that ranks
    causes by responder, asks for that side, once."""
    from ikepcap.diagnose import capture_point
    from ikepcap.diagnose import fingerprint as module
    from ikepcap.diagnose.diagnose import diagnose_sa
    from ikepcap.report.view import sa_row, sa_view
    read, placed = [], []
    real, real_adjacent = module.clues, capture_point.adjacent

    def clues(sa, side, adjacent=frozenset()):
        read.append(side)
        return real(sa, side, adjacent)

    def adjacent(sa):
        placed.append(sa)
        return real_adjacent(sa)

    monkeypatch.setattr(module, "clues", clues)
    monkeypatch.setattr(capture_point, "adjacent", adjacent)
    healthy, = _sas(CAPTURES / "sw-lsw-v1-mm-healthy.pcap")
    d = diagnose_sa(healthy)
    sa_row(d)
    assert read == [] and placed == []
    sa_view(d, False)
    assert sorted(read) == [INITIATOR, RESPONDER] and placed == [healthy]
    # a finding whose rule ranks causes the same for every responder (mm2-unanswered)
    read.clear()
    lost, = _sas(CAPTURES / "sw-lsw-v1-mm-mm3-lost-responder-side.pcap")
    d = diagnose_sa(lost)
    assert [f.rule for f in d.findings] == ["mm2-unanswered"]
    sa_row(d)
    assert read == []
    # mm1-rejected ranks its causes for a Libreswan responder: it asks for the responder, and only for it
    read.clear()
    mismatch, = _sas(CAPTURES / "sw-lsw-v1-mm-p1-proposal-mismatch.pcap")
    d = diagnose_sa(mismatch)
    assert read == [RESPONDER] and d.implementations.responder.name == LIBRESWAN
    assert d.implementations.initiator.name == STRONGSWAN and read == [RESPONDER, INITIATOR]
    assert d.implementations == fingerprint(mismatch, adjacent(mismatch))
