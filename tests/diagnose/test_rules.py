"""Rule by rule: each fires on its wire pattern, with its evidence, and stays silent on health.

``SCENARIOS`` holds one built conversation per rule in the rule table; a test checks that no
rule is left without one. Healthy IKEv1 and IKEv2 exchanges must produce no finding at all.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import replace

import pytest
from sequences import I_ADDR, ISPI, R_ADDR, RSA_SA, RSPI, WEAK_SA, Conversation

from ikepcap.correlate.correlate import correlate
from ikepcap.correlate.model import AGGRESSIVE, MAIN, QUICK
from ikepcap.diagnose.causes import CAUSES
from ikepcap.diagnose.diagnose import diagnose, finding
from ikepcap.diagnose.facts import seconds_list
from ikepcap.diagnose.model import Diagnosis, Evidence
from ikepcap.diagnose.patterns import Match
from ikepcap.diagnose.rules import CAPTURE, CHILD, OBSERVATION, RULES, STALLS
from ikepcap.extract.model import Extraction
from ikepcap.read.model import endpoint
from ikepcap.report import markdown, text
from ikepcap.report.view import build_view
from ikepcap.synth import ike


def mm1_unanswered(c):
    for t in (0, 2, 6):
        c.mm(1, t)


def mm1_rejected(c):
    c.mm(1, 0)
    c.notify_v1(0.01, "r", 14, rspi=bytes(8), spi=b"")


def mm2_reply_lost(c):
    for t in (0, 2, 6):
        c.mm(1, t)
        c.mm(2, t + 0.01)


def mm2_unanswered(c):
    c.mm(1, 0)
    c.mm(2, 0.01)
    c.notify_v1(0.02, "i", 14)


def mm3_unanswered(c):
    c.mm(1, 0)
    c.mm(2, 0.01)
    c.mm(3, 0.02)
    c.mm(3, 8.02)


def mm3_invalid_cookie(c):
    mm3_unanswered(c)
    c.notify_v1(8.05, "r", 4)


def mm3_key_refused(c):
    c.mm(1, 0)
    c.mm(2, 0.01)
    c.mm(3, 0.02)
    c.notify_v1(0.03, "r", 17)


def mm4_reply_lost(c):
    c.mm(1, 0)
    c.mm(2, 0.01)
    for t in (0.02, 2, 6):
        c.mm(3, t)
        c.mm(4, t + 0.01)


def mm4_unanswered(c):
    for n in range(1, 5):
        c.mm(n, n * 0.01, nat=(n == 3))


def _to_mm5(c, port=500, **kw):
    for n in range(1, 5):
        c.mm(n, n * 0.01)
    for t in (1, 3, 7):
        c.mm(5, t, port=port, **kw)


def mm5_unanswered(c):
    _to_mm5(c)


def mm5_unanswered_after_float(c):
    _to_mm5(c, port=4500)


def mm5_answered_encrypted(c):
    for n in range(1, 5):
        c.mm(n, n * 0.01)
    for i, t in enumerate((1, 3)):
        c.mm(5, t)
        c.info(t + 0.01, "r", 100 + i, size=48)


def mm5_answered_clear_error(c):
    for n in range(1, 6):
        c.mm(n, n * 0.01)
    c.notify_v1(0.1, "r", 16)


def mm4_resent_by_responder(c):
    for n in range(1, 5):
        c.mm(n, n * 0.01)
    c.mm(5, 0.1)
    c.mm(4, 0.6)
    c.mm(5, 1.1)
    c.mm(4, 1.6)


def mm6_not_accepted(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    c.mm(5, 2.0)


def am1_unanswered(c):
    c.am(1, 0)
    c.am(1, 2)


def am1_rejected(c):
    c.am(1, 0)
    c.notify_v1(0.01, "r", 18, rspi=bytes(8))


def am2_rejected(c):
    c.am(1, 0)
    c.am(2, 0.01)
    c.info(0.02, "i", 7, size=48)
    c.am(2, 2.0)


def am2_not_confirmed(c):
    c.am(1, 0)
    c.am(2, 0.01)
    c.am(2, 2.0)


def aggressive_mode_psk(c):
    c.am(1, 0)
    c.am(2, 0.01)
    c.am(3, 0.02)


def qm1_unanswered(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    c.qm(1, 0.1)
    c.qm(1, 2.1)


def qm1_rejected(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    c.qm(1, 0.1)
    c.info(0.11, "r", 99, size=64)


def qm3_not_accepted(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    c.qm(1, 0.1)
    for t in (0.11, 1.11, 3.11):            # the responder re-sends QM2 after every QM3
        c.qm(2, t)
        c.qm(3, t + 0.01)
    c.qm(2, 7.11)


def qm2_unconfirmed(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    c.qm(1, 0.1)
    c.qm(2, 0.11)


def init_unanswered(c):
    for t in (0, 1, 2.5):
        c.init_request(t)


def init_rejected(c):
    c.init_request(0)
    c.init_response(0.01, (14, b""))


def weak_algorithms(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01, sa=WEAK_SA)
    for n in (1, 2, 3):
        c.qm(n, 0.1 + n * 0.01)


def child_refused(c):
    c.healthy_v2()
    c.sk(1.0, "i", 36, 2, 220)
    c.sk(1.01, "r", 36, 2, 44, response=True)


def init_redirected(c):
    c.init_request(0)
    c.init_response(0.01, (16407, bytes([3, 15]) + b"gw2.example.net"))


def init_ke_loop(c):
    for t in (0, 1):
        c.init_request(t)
        c.init_response(t + 0.01, (17, b"\x00\x0e"))


def init_response_lost(c):
    c.init_request(0)
    c.init_response(0.01)
    c.init_request(1)
    c.init_response(1.01)


def init_no_auth(c):
    c.init_request(0)
    c.init_response(0.01)


def auth_unanswered(c):
    c.init_request(0)
    c.init_response(0.01)
    c.sk(0.02, "i", 35, 1, 256, port=500)
    c.sk(1.02, "i", 35, 1, 256, port=500)


def auth_unanswered_after_float(c):
    c.init_request(0)
    c.init_response(0.01)
    c.sk(0.02, "i", 35, 1, 256)
    c.sk(1.02, "i", 35, 1, 256)


def auth_rejected(c):
    c.init_request(0)
    c.init_response(0.01)
    c.sk(0.02, "i", 35, 1, 256)
    c.sk(0.03, "r", 35, 1, 48, response=True)


def child_rejected(c):
    c.init_request(0)
    c.init_response(0.01)
    c.sk(0.02, "i", 35, 1, 256)
    c.sk(0.03, "r", 35, 1, 112, response=True)


def child_unanswered(c):
    c.healthy_v2()
    c.add_esp(I_ADDR, R_ADDR, 1)
    c.add_esp(R_ADDR, I_ADDR, 2)
    c.sk(10, "i", 36, 2, 200)
    c.sk(11, "i", 36, 2, 200)


def dh_group_retry(c):
    c.init_request(0, group=19)
    c.init_response(0.01, (17, b"\x00\x0e"))
    c.init_request(0.02, group=14)
    c.init_response(0.03)


def cookie_challenge(c):
    c.init_request(0)
    c.init_response(0.01, (16390, b"c" * 16))
    c.init_request(0.02, extra=[(41, ike.notify_v2(16390, data=b"c" * 16))])
    c.init_response(0.03)


def unencrypted_error_notify(c):
    mm3_invalid_cookie(c)


def clear_error_notify(c):
    c.mm(1, 0)
    c.mm(2, 0.01)
    c.notify_v1(0.02, "i", 14)
    c.mm(2, 10)
    for n in range(3, 7):
        c.mm(n, 10 + n * 0.01)


def one_way(c):
    mm1_unanswered(c)


def reply_lost(c):
    c.healthy_main()
    c.qm(1, 5.0, message_id=77)
    c.qm(2, 5.01, message_id=77)
    c.qm(1, 7.0, message_id=77)
    c.qm(3, 7.5, message_id=77)


def fragmented_unanswered(c):
    for n in range(1, 5):
        c.mm(n, n * 0.01, sa=RSA_SA)
    c.mm(5, 1.0, size=1900, fragments=(5, 6, 7), ip_length=2000)


def icmp_error(c):
    c.mm(1, 0)
    c.add_icmp(0.01, "destination unreachable: port unreachable")


def nat_detected(c):
    for n in range(1, 7):
        c.mm(n, n * 0.01, nat=(n == 3))


def retransmissions(c):
    c.healthy_main()
    c.qm(1, 1.0, message_id=5)
    c.qm(1, 3.0, message_id=5)
    c.qm(2, 3.01, message_id=5)
    c.qm(3, 3.02, message_id=5)


def dpd_unanswered(c):
    c.healthy_main()
    for i, t in enumerate((10, 12, 14)):
        c.info(t, "i", 1000 + i)


def delete(c):
    c.healthy_main()
    c.info(10.0, "i", 2000, size=64)
    c.info(10.001, "i", 2001, size=80)


def esp_one_way(c):
    c.healthy_main()
    c.add_esp(I_ADDR, R_ADDR, 0x1001)


# Observations hold for either version; those about IKEv2 alone (their scenario builds IKEv2).
V2_OBSERVATIONS = frozenset({"dh-group-retry", "cookie-challenge", "child-refused"})


def _version(rule: str) -> int:
    """The IKE version a rule's scenario is built in, from the rule's flow."""
    flow = RULES[rule].flow
    if flow == OBSERVATION:
        return 2 if rule in V2_OBSERVATIONS else 1
    return 1 if flow in (MAIN, AGGRESSIVE, QUICK) else 2


SCENARIOS: dict[str, tuple[int, Callable[[Conversation], None]]] = {
    name.replace("_", "-"): (_version(name.replace("_", "-")), fn)
    for name, fn in dict(globals()).items()
    if callable(fn) and name.replace("_", "-") in RULES
}


STALL_RULES = {rule.id for stalls in STALLS.values() for rule in stalls}


def test_every_rule_has_a_scenario():
    # the capture-wide rules are about several SAs; each has its own test
    assert set(RULES) - set(SCENARIOS) == {rule.id for rule in RULES.values() if rule.flow == CAPTURE}


def test_every_cause_of_every_rule_and_variant_is_a_known_cause():
    for rule in RULES.values():
        for ranking in (rule.causes, *rule.variants.values()):
            assert set(ranking) <= set(CAUSES), (rule.id, set(ranking) - set(CAUSES))
        assert rule.healthy_cause is None or rule.healthy_cause in CAUSES
        assert {entry[2] for entry in rule.strongswan if len(entry) > 2} <= set(rule.variants)
        assert set(rule.sent_unseen) <= {None, *rule.variants}, rule.id       # None: the rule's own ranking


def test_every_rule_has_a_pattern_or_is_capture_wide():
    for rule in RULES.values():
        assert (rule.pattern is None) == (rule.flow == CAPTURE), rule.id
        assert rule.pattern is None or rule.pattern.__name__ == rule.id.replace("-", "_")


def test_every_child_sa_stall_says_where_phase_2_stands():
    """IKEv2 phase 2 has no progress of its own to read: each child-SA stall row names its place."""
    assert STALLS[CHILD] and all(rule.stands_at for rule in STALLS[CHILD])
    assert not any(rule.stands_at for rule in RULES.values() if rule.flow != CHILD)


def test_every_variant_of_a_rule_is_returned_by_its_pattern():
    """A variant no detector returns is a ranking that never applies: each rule's variant names
    must appear in its own pattern's body (by constant, as patterns writes them)."""
    import ast
    import inspect

    from ikepcap.diagnose import facts, patterns
    constants = {value: key for module in (facts, patterns) for key, value in vars(module).items()
                 if key.isupper() and isinstance(value, str)}
    for rule in RULES.values():
        if not rule.variants:
            continue
        body = ast.parse(inspect.getsource(rule.pattern))
        used = {node.id for node in ast.walk(body) if isinstance(node, ast.Name)}
        for name in list(used):             # a table of variants the pattern looks its variant up in
            table = getattr(patterns, name, None)
            if isinstance(table, dict):
                inner = [v for t in table.values() for v in (t.values() if isinstance(t, dict) else (t,))]
                used |= {constants[v] for v in inner if isinstance(v, str) and v in constants}
        if "icmp_kind" in used:             # passes on the ICMP kind it finds, one of facts.ICMP_KINDS
            used |= {constants[kind] for kind, _ in facts.ICMP_KINDS}
        assert {constants[v] for v in rule.variants} <= used, rule.id


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_rule_fires_with_evidence(rule: str):
    version, build = SCENARIOS[rule]
    conversation = Conversation(version)
    build(conversation)
    diagnosis = conversation.diagnosis()
    fired = {f.rule: f for f in diagnosis.findings}
    assert rule in fired, f"{rule} did not fire: {sorted(fired)}"
    finding = fired[rule]
    assert finding.evidence and finding.details
    frames = {m.frame for m in conversation.messages} | {e.frame for e in conversation.icmp} | \
        {f.frames[0] for f in conversation.lost} | {f.first_frame for f in conversation.esp}
    assert {e.frame for e in finding.evidence} <= frames
    if rule in STALL_RULES:
        stalls = [f for f in diagnosis.findings if f.rule in STALL_RULES]
        assert len(stalls) <= 2 and rule in {f.rule for f in stalls}


@pytest.mark.parametrize("version", [1, 2])
def test_healthy_exchanges_produce_no_finding(version: int):
    conversation = Conversation(version)
    if version == 1:
        conversation.healthy_main()
    else:
        conversation.healthy_v2()
    conversation.add_esp(I_ADDR, R_ADDR, 0x1001)
    conversation.add_esp(R_ADDR, I_ADDR, 0x2002)
    diagnosis = conversation.diagnosis()
    assert diagnosis.findings == []
    assert diagnosis.verdict.status == "healthy" and diagnosis.verdict.cause == "none"
    assert diagnosis.verdict.phase1.outcome == "established" and diagnosis.verdict.phase2.outcome == "established"


def test_mm_wait_msg4_verdict_names_every_vendor():
    conversation = Conversation()
    mm3_invalid_cookie(conversation)
    verdict = conversation.diagnosis().verdict
    initiator = verdict.phase1.initiator
    assert (initiator.cisco_asa, initiator.cisco_ios, initiator.libreswan.split()[0]) == \
        ("MM_WAIT_MSG4", "MM_SA_SETUP", "STATE_MAIN_I2")
    # a strongSwan initiator gives up on the clear notify, naming it as its notify enum does
    assert initiator.strongswan == "received INVALID_IKE_SPI error notify [INVALID_COOKIE]"
    assert verdict.cause == "responder-no-psk-for-peer"


def test_causes_are_ranked_as_likelihoods():
    conversation = Conversation()
    mm5_unanswered_after_float(conversation)
    finding = next(f for f in conversation.diagnosis().findings if f.rule == "mm5-unanswered-after-float")
    assert [c.likelihood for c in finding.causes] == ["most likely", "likely", "possible"]
    assert finding.causes[0].id == "udp4500-blocked"


def test_a_flood_is_summarised_not_listed():
    messages = []
    for n in range(250):
        c = Conversation(initiator=f"203.0.113.{n % 200 + 1}", responder=R_ADDR)
        c.mm(1, n * 0.01)
        messages += [m for m in c.messages]
    spoofed = [replace(m, ispi=n.to_bytes(8, "big"), data=n.to_bytes(8, "big") + m.data[8:])
               for n, m in enumerate(messages)]
    result = diagnose(correlate(Extraction(engine="native", messages=spoofed)))
    assert result.sas == []
    assert result.flood is not None and result.flood.sas == 250
    assert [f.rule for f in result.capture_findings] == ["flood"]
    assert ISPI not in {m.ispi for m in spoofed}


def test_evidence_rows_of_one_frame_come_out_in_note_order_once_each():
    """Two rows for one frame (both NAT-D hashes of a message) must not come out in hash order,
    or the JSON report would change with PYTHONHASHSEED."""
    rows = [Evidence("built", 3, 1.0, note) for note in ("e", "d", "c", "b", "a")]
    earlier = Evidence("built", 9, 0.5, "z")
    evidence = finding("nat-detected", Match(rows + [earlier] + rows[:2], ["x"])).evidence
    assert [(e.frame, e.note) for e in evidence] == [(9, "z")] + [(3, n) for n in "abcde"]


def test_fragmented_ike_auth_is_counted_by_sends_not_fragments():
    """IKE_AUTH in three SKF fragments (RFC 7383), sent twice: two sends, not four or six."""
    c = Conversation(2)
    c.init_request(0)
    c.init_response(0.01)
    for t in (0.02, 1.02):
        for number in (1, 2, 3):
            c.v2(t + number * 0.001, "i", 35, [(53, struct.pack("!HH", number, 3) + b"\x00" * 400)], message_id=1,
                 port=4500)
    finding = next(f for f in c.diagnosis().findings if f.rule == "auth-unanswered-after-float")
    assert finding.details[0].startswith("IKE_AUTH was sent 2 time(s) on UDP 4500 after the float")


def test_a_responder_that_refused_ike_sa_init_keeps_no_state():
    """RFC 7296 §2.6: NO_PROPOSAL_CHOSEN in the IKE_SA_INIT response leaves the responder nothing to
    wait for; the initiator stood at IKE_SA_INIT when it was turned down."""
    c = Conversation()
    init_rejected(c)
    phase1 = c.diagnosis().verdict.phase1
    responder, initiator = phase1.responder, phase1.initiator
    assert (responder.last_sent, responder.waiting_for, responder.cisco_asa) == (None, None, "no SA")
    assert responder.strongswan == "received proposals unacceptable"
    assert initiator.strongswan == "received NO_PROPOSAL_CHOSEN notify error"


def test_a_responder_that_refused_ike_auth_deleted_the_sa():
    """RFC 7296 §2.21.2: after refusing IKE_AUTH the responder holds no IKE SA; it is not waiting for
    an IKE_AUTH request it already answered."""
    c = Conversation()
    auth_rejected(c)
    responder = c.diagnosis().verdict.phase1.responder
    assert (responder.last_sent, responder.waiting_for, responder.cisco_asa) == \
        ("IKE_AUTH response (refusal)", None, "no SA")
    assert responder.strongswan.endswith("but MAC mismatched (inferred)")


def test_the_strongswan_line_tells_a_message_sent_once_from_one_re_sent():
    """One MM1 and nothing else: no retransmit has been logged yet, only the packet."""
    c = Conversation()
    c.mm(1, 0.0)
    initiator = c.diagnosis().verdict.phase1.initiator
    assert initiator.strongswan.startswith(f"sending packet: from … to {R_ADDR}[500] (")
    c.mm(1, 1.0)
    assert c.diagnosis().verdict.phase1.initiator.strongswan == "sending retransmit 1 of request message ID 0, seq 1"


def test_quick_mode_started_by_the_ike_responder_counts_its_own_copies():
    """The starter's retransmissions are its own copies of QM1 in this Quick Mode, not the IKE
    initiator's copies across every Quick Mode."""
    c = Conversation()
    for n in range(1, 7):
        c.mm(n, n * 0.01)
    for t in (1, 3, 5, 7):
        c.qm(1, t, message_id=5)
    c.qm(2, 7.01, message_id=5)
    for t in (10, 12, 14):
        c.qm(1, t, message_id=9, starter="r")
    phase2 = c.diagnosis().verdict.phase2
    starter, other = phase2.initiator, phase2.responder
    assert (starter.side, starter.address, starter.last_sent) == ("responder", R_ADDR, "QM1")
    assert starter.strongswan == "sending retransmit 2 of request message ID 9, seq 1"
    assert (other.side, other.address, other.last_sent) == ("initiator", I_ADDR, None)


@pytest.mark.parametrize("build", [
    lambda c: [c.qm(1, 0), c.qm(1, 2)],                                   # no phase-1 message: nobody waits
    lambda c: [c.mm(1, 0), c.mm(2, 0.01), c.mm(3, 0.02), c.notify_v1(0.03, "i", 4)],   # the waiting side has no state
], ids=["nobody-waits", "no-asa-name"])
def test_no_asa_state_is_printed_where_asa_names_none(build):
    """The ASA state of the waiting side is one fact (the verdict's), read by every report."""
    c = Conversation()
    build(c)
    d = c.diagnosis()
    view = build_view(Diagnosis([d]), Extraction(engine="native", messages=c.messages))
    assert d.verdict.asa_state is None and (view["sas"][0]["stall"] or {}).get("asa_state") is None
    assert "None" not in d.verdict.headline and "—" not in d.verdict.headline and " in no SA" not in d.verdict.headline
    assert "(—)" not in markdown.render(view) and "[—]" not in text.render(view)


def test_the_asa_state_of_the_waiting_side_is_in_every_report():
    c = Conversation()
    mm3_invalid_cookie(c)
    d = c.diagnosis()
    view = build_view(Diagnosis([d]), Extraction(engine="native", messages=c.messages))
    assert d.verdict.asa_state == view["sas"][0]["stall"]["asa_state"] == "MM_WAIT_MSG4"
    assert "(initiator in MM_WAIT_MSG4)" in d.verdict.headline
    assert "waits for MM4 (MM\\_WAIT\\_MSG4) |" in markdown.render(view)
    assert "waits for MM4 [MM_WAIT_MSG4]" in text.render(view)


def test_am1_resent_after_am2_points_to_the_return_path():
    c = Conversation()
    for t in (0, 2):
        c.am(1, t)
        c.am(2, t + 0.01)
    finding = next(f for f in c.diagnosis().findings if f.rule == "am2-not-confirmed")
    assert "The initiator kept re-sending AM1 after AM2: AM2 does not reach it." in finding.details
    assert finding.causes[0].id == "return-path-blocked"


def _dpd_on_nat_t(c):
    for n in range(1, 5):
        c.mm(n, n * 0.01)
    for n in (5, 6):
        c.mm(n, n * 0.01, port=4500)
    for n in (1, 2, 3):
        c.qm(n, 0.1 + n * 0.01, port=4500)
    for i, t in enumerate((10, 12, 14)):
        c.info(t, "i", 1000 + i, port=4500)


def test_keepalives_from_the_silent_peer_are_told_with_unanswered_dpd():
    """Keepalives still coming from the peer that ignores DPD: it is up and the path from it works."""
    c = Conversation()
    _dpd_on_nat_t(c)
    c.add_keepalives("r", (5.0, 25.0, 45.0))
    details = next(f for f in c.diagnosis().findings if f.rule == "dpd-unanswered").details
    line = next(d for d in details if d.startswith("NAT-T keepalives from the responder (198.51.100.20)"))
    assert "3 in all (frames 13–15)" in line and "the responder is up" in line


def test_keepalives_in_another_file_of_a_ring_name_that_file():
    """Frame numbers count within a file: keepalives from the next file of a ring say which one."""
    c = Conversation()
    _dpd_on_nat_t(c)
    c.add_keepalives("r", (5.0, 25.0), file="ring_00002.pcap")
    details = next(f for f in c.diagnosis().findings if f.rule == "dpd-unanswered").details
    assert any("2 in all (frames 13–14 of ring_00002.pcap)" in d for d in details), details


def test_unanswered_dpd_spacing_is_one_figure_when_regular():
    c = Conversation()
    _dpd_on_nat_t(c)                            # checks at 10, 12 and 14 s
    details = next(f for f in c.diagnosis().findings if f.rule == "dpd-unanswered").details
    assert details[0].startswith("The initiator sent 3 protected Informationals 2.0 s apart (frames ")


def test_no_keepalives_on_nat_t_is_said_with_unanswered_dpd():
    c = Conversation()
    _dpd_on_nat_t(c)
    c.add_keepalives("i", (1.0, 2.0))           # over before the checks began: not part of this story
    details = next(f for f in c.diagnosis().findings if f.rule == "dpd-unanswered").details
    assert "No NAT-T keepalives passed the capture point meanwhile." in details


@pytest.mark.parametrize(("icmp_type", "code", "description", "mm1_first", "icmp_first"), [
    (3, 3, "destination unreachable: port unreachable", "peer-not-listening", "peer-not-listening"),
    (3, 13, "destination unreachable: communication administratively prohibited", "filtered", "filtered"),
    (3, 4, "destination unreachable: fragmentation needed and DF set", "forward-path-blocked", "ip-fragments-dropped"),
])
def test_an_icmp_error_is_read_once_by_type_and_code(icmp_type, code, description, mm1_first, icmp_first):
    c = Conversation()
    c.mm(1, 0)
    c.add_icmp(0.01, description, icmp_type, code)
    findings = {f.rule: f for f in c.diagnosis().findings}
    assert findings["mm1-unanswered"].causes[0].id == mm1_first
    assert findings["icmp-error"].causes[0].id == icmp_first


def test_unanswered_ike_auth_names_every_request_frame():
    """Fragment 1 re-sent before fragment 2 first went out: the copy is evidence too."""
    c = Conversation(2)
    c.init_request(0)
    c.init_response(0.01)
    for t, number in ((0.02, 1), (1.02, 1), (1.5, 2)):
        c.v2(t, "i", 35, [(53, struct.pack("!HH", number, 2) + b"\x00" * 400)], message_id=1)
    finding = next(f for f in c.diagnosis().findings if f.rule == "auth-unanswered")
    assert [e.frame for e in finding.evidence] == [3, 4, 5]


def test_copies_of_a_request_are_its_timer_even_right_after_a_peer_copy():
    """libreswan re-sends MM4 on its own timer; a strongSwan initiator's MM5 copy that happens to
    follow one within milliseconds is still its timer, not an answer: only replies answer duplicates."""
    c = Conversation()
    for n in range(1, 6):
        c.mm(n, n * 0.01)
    c.mm(4, 0.5)
    c.mm(5, 0.502)                              # 2 ms after the responder's copy
    c.mm(3, 2.0)                                # and the responder answers a duplicate MM3 ...
    c.mm(4, 2.001)                              # ... with its last reply
    steps = {(s.base, s.copy_number): s.resend for s in c.diagnosis().sa.steps if s.copy_of is not None}
    assert steps[("MM5", 2)] == "timer"
    assert steps[("MM4", 3)] == "duplicate"


def test_the_headline_names_a_problem_that_is_not_a_stall():
    """An established SA whose peer stopped answering DPD is a problem SA: its headline says which."""
    c = Conversation()
    _dpd_on_nat_t(c)
    headline = c.diagnosis().verdict.headline
    assert headline == ("Main Mode completed; phase 2 established (1 of 1 Quick Mode). Problem: liveness checks go "
                        "unanswered (dead peer detection). Most likely: the peer stopped answering (dead peer).")


@pytest.mark.parametrize(("build", "causes"), [
    (mm3_invalid_cookie, ["responder-no-psk-for-peer", "peer-lost-state"]),
    (mm3_key_refused, ["responder-no-psk-for-peer", "peer-lost-state"]),
    (mm5_answered_clear_error, ["psk-mismatch", "peer-lost-state"]),
])
def test_a_clear_error_ranks_a_key_mismatch_only_once_keys_are_in_use(build, causes):
    """Different pre-shared keys show only once a message is protected with them (MM5): a clear
    error after MM3 speaks of a missing key or a lost SA."""
    c = Conversation()
    build(c)
    finding = next(f for f in c.diagnosis().findings if f.rule == "unencrypted-error-notify")
    assert [cause.id for cause in finding.causes] == causes


@pytest.mark.parametrize(("sa", "cause", "psk_checks"), [(RSA_SA, "auth-failed", False), (None, "psk-mismatch", True)])
def test_with_certificates_no_pre_shared_key_is_blamed(sa, cause, psk_checks):
    """MM5 unanswered with RSA signatures in MM1: the certificate exchange, not a key, is at fault."""
    c = Conversation()
    for n in range(1, 5):
        c.mm(n, n * 0.01, **({"sa": sa} if sa else {}))
    for t in (1, 3, 7):
        c.mm(5, t)
    found = next(f for f in c.diagnosis().findings if f.rule == "mm5-unanswered")
    assert found.causes[0].id == cause and "psk-mismatch" not in [x.id for x in found.causes[1:]]
    advice = " ".join(line for _, lines in found.checks for line in lines)
    assert ("pre-shared key" in advice) == psk_checks
    assert any("authenticates with RSA Signatures" in d for d in found.details) == (not psk_checks)


@pytest.mark.parametrize(("values", "text"), [
    ([2.25], "interval 2.3 s"),
    ([2.2499999], "interval 2.3 s"),                     # the same interval from other timestamps
    ([0.999, 1.5], "intervals 1.0 s, 1.5 s"),            # one unit in one list
    ([0.5004, 0.25], "intervals 500 ms, 250 ms"),
    ([0.0, 0.0], "no timing: the frames carry equal timestamps"),
])
def test_intervals_read_the_same_wherever_they_are_told(values, text):
    assert seconds_list(values) == text


def test_quick_mode_under_aggressive_mode_is_am_active_on_the_asa():
    c = Conversation()
    for n in (1, 2, 3):
        c.am(n, n * 0.01)
    for n in (1, 2, 3):
        c.qm(n, 0.1 + n * 0.01)
    verdict = c.diagnosis().verdict
    assert verdict.phase1.initiator.cisco_asa == "AM_ACTIVE"
    assert verdict.phase2.initiator.cisco_asa == "AM_ACTIVE, IPsec SA up"


def test_a_side_silent_at_the_capture_point_is_unknown_not_stateless():
    """MM1 re-sent and nothing back: the responder may have answered beyond the capture point."""
    c = Conversation()
    for t in (0, 1, 3):
        c.mm(1, t)
    responder = c.diagnosis().verdict.phase1.responder
    assert (responder.cisco_asa, responder.libreswan) == ("unknown", "unknown")
    assert responder.strongswan.startswith("(unknown: nothing from this side")


def test_after_a_teardown_both_phases_say_deleted():
    """After the Delete burst neither side holds the SAs: the tables must not still say MM_ACTIVE."""
    c = Conversation()
    delete(c)
    verdict = c.diagnosis().verdict
    p1, p2 = verdict.phase1, verdict.phase2
    assert (p1.outcome, p1.initiator.cisco_asa, p1.responder.cisco_asa) == ("deleted", "no SA (deleted)",
                                                                            "no SA (deleted)")
    assert (p1.initiator.strongswan, p1.responder.strongswan) == ("sending DELETE for IKE_SA ...",
                                                                  "received DELETE for IKE_SA ...")
    assert p2.summary.endswith(", then deleted") and p2.initiator.cisco_asa == "IPsec SA deleted"


def test_a_responder_re_sending_its_reply_on_a_timer_is_not_strongswan():
    """libreswan re-sends MM4 on its own timer; strongSwan only answers duplicates, so its log line
    would be wrong here, while a duplicate answered is what strongSwan logs as a retransmit."""
    c = Conversation()
    for n in range(1, 5):
        c.mm(n, n * 0.01)
    c.mm(4, 0.5)
    c.mm(4, 1.0)
    assert c.diagnosis().verdict.phase1.responder.strongswan.endswith("not a strongSwan peer)")
    d = Conversation()
    for n in range(1, 5):
        d.mm(n, n * 0.01)
    d.mm(3, 1.0)
    d.mm(4, 1.001)
    assert d.diagnosis().verdict.phase1.responder.strongswan == \
        "received retransmit of request with ID 0, retransmitting response"


def test_an_ipv6_endpoint_is_bracketed():
    """'2001:db8::20:500' would be another address (RFC 5952 §6), also to --redact."""
    assert endpoint("2001:db8:bb::20", 500) == "[2001:db8:bb::20]:500"
    assert endpoint("192.0.2.10", 4500) == "192.0.2.10:4500"


def test_answers_only_mean_the_capture_misses_a_direction():
    """Responses prove the requests arrived: one-way traffic of answers is a capture limit, not loss."""
    c = Conversation()
    c.init_response(0.01, (17, b"\x00\x0e"))
    c.init_response(1.01, (17, b"\x00\x0e"))
    found = next(f for f in c.diagnosis().findings if f.rule == "one-way")
    assert [cause.id for cause in found.causes] == ["capture-one-direction"]
    d = Conversation()
    for t in (0, 1, 3):
        d.mm(1, t)
    assert next(f for f in d.diagnosis().findings if f.rule == "one-way").causes[0].id == "forward-path-blocked"


def test_a_capture_that_starts_at_mm2_starts_with_the_responder():
    """IKEv1 has no I flag; an SA payload under a set responder cookie is MM2, the responder's."""
    c = Conversation()
    c.mm(2, 0.0)
    sa = c.diagnosis().sa
    assert (sa.initiator, sa.responder, sa.steps[0].name) == (I_ADDR, R_ADDR, "MM2")


def test_a_second_responder_cookie_is_a_second_sa():
    """Reflectors answering one spoofed cookie, or a responder that restarted: two SAs, not one."""
    c = Conversation()
    c.mm(1, 0.0)
    c.send(0.01, "r", ike.message(ISPI, RSPI, 2, [(ike.V1_SA, RSA_SA)]))
    c.send(0.02, "r", ike.message(ISPI, bytes(range(8, 16)), 2, [(ike.V1_SA, RSA_SA)]))
    result = diagnose(correlate(Extraction(engine="native", messages=list(c.messages))))
    assert sorted(d.sa.rspi for d in result.sas) == sorted([RSPI, bytes(range(8, 16))])


def test_ike_auth_retransmits_are_logged_with_its_message_id():
    c = Conversation()
    auth_unanswered(c)
    initiator = c.diagnosis().verdict.phase1.initiator
    assert initiator.strongswan == "retransmit 1 of request with message ID 1"


def test_a_request_sent_under_the_responders_spi_proves_an_answer_the_capture_missed():
    """IKE_AUTH carries the responder's SPI: the IKE_SA_INIT response reached the initiator."""
    c = Conversation()
    c.init_request(0)
    c.sk(0.02, "i", 35, 1, 256, port=500)
    assert "init-unanswered" not in [f.rule for f in c.diagnosis().findings]


def test_a_large_response_is_not_an_unanswered_message():
    """RFC 7383 fragments of an IKE_AUTH response are large, and a response never gets an answer."""
    c = Conversation()
    c.init_request(0)
    c.init_response(0.01)
    c.sk(0.02, "i", 35, 1, 256)
    c.sk(0.03, "r", 35, 1, 1600, response=True)
    assert "fragmented-unanswered" not in [f.rule for f in c.diagnosis().findings]


def test_silence_after_a_small_ike_auth_points_to_the_path_first():
    c = Conversation()
    auth_unanswered(c)
    found = next(f for f in c.diagnosis().findings if f.rule == "auth-unanswered")
    assert [x.id for x in found.causes] == ["forward-path-blocked", "return-path-blocked", "auth-failed"]


def test_a_busy_summary_table_is_cut_unless_verbose():
    """Past TABLE_ROWS the table lists problems only and says how to see the rest; -v lists all."""
    messages = []
    for n in range(text.TABLE_ROWS + 5):
        c = Conversation()
        c.addresses = {"i": f"192.0.2.{n + 1}", "r": R_ADDR}
        c.healthy_main()
        messages += c.messages
    view = build_view(diagnose(correlate(Extraction(engine="native", messages=messages))),
                      Extraction(engine="native", messages=messages))
    assert "more SA(s) not listed (35 healthy)" in text.render(view, False)
    verbose = text.render(view, True)
    assert "not listed" not in verbose and "192.0.2.35 → " in verbose


def test_a_packet_captured_twice_is_not_a_retransmission():
    """A span port copying both directions shows one packet twice, microseconds apart."""
    c = Conversation()
    for n in range(1, 7):
        c.mm(n, n * 0.01)
        c.mm(n, n * 0.01 + 0.00001)
    result = diagnose(correlate(Extraction(engine="native", messages=list(c.messages))))
    (d,) = result.sas
    assert len(d.sa.steps) == 6 and all(s.copy_of is None for s in d.sa.steps)
    assert d.findings == [] and any("6 IKE message(s) were captured twice" in n for n in result.notes)


def test_a_redirect_is_not_a_failure():
    c = Conversation()
    init_redirected(c)
    d = c.diagnosis()
    assert (d.verdict.status, d.verdict.cause) == ("healthy", "redirected")
    assert "redirected the initiator to gw2.example.net" in d.findings[0].details[0]


def test_an_unanswered_attempt_before_a_completed_sa_was_given_up():
    """MM1 once, nothing back; 25 s later the same peers complete Main Mode under other cookies."""
    first = Conversation()
    first.mm(1, 0.0)
    later = Conversation()
    later.healthy_main(25.0)
    later.messages = [replace(m, ispi=bytes(range(16, 24)), data=bytes(range(16, 24)) + m.data[8:])
                      for m in later.messages]
    result = diagnose(correlate(Extraction(engine="native", messages=first.messages + later.messages)))
    given_up = next(d for d in result.sas if d.sa.ispi == ISPI)
    assert (given_up.verdict.status, given_up.verdict.cause) == ("healthy", "superseded")
    assert [f.rule for f in given_up.findings][:1] == ["superseded"]
    assert all(f.severity == "info" for f in given_up.findings)
    alone = Conversation()
    alone.mm(1, 0.0)
    assert alone.diagnosis().verdict.status == "problem"


def test_quick_mode_copies_are_classed_by_what_they_answer():
    """QM2 re-sent with no QM1 copy before it is the responder's timer (a QM3 copy is no request to
    answer); QM3 waits for nothing, so its copies can only answer QM2's."""
    c = Conversation()
    c.healthy_main()                            # Main Mode, then QM1-QM3
    for t in (2.0, 3.0):
        c.qm(2, t)
        c.qm(3, t + 0.01)
    kinds = {(s.base, s.copy_number): s.resend for s in c.diagnosis().sa.steps if s.copy_of is not None}
    assert kinds[("QM2", 2)] == kinds[("QM2", 3)] == "timer"
    assert kinds[("QM3", 2)] == kinds[("QM3", 3)] == "duplicate"


def test_weak_algorithms_are_named_once_the_responder_chose_them():
    c = Conversation()
    weak_algorithms(c)
    (found,) = [f for f in c.diagnosis().findings if f.rule == "weak-algorithms"]
    assert found.details == ("3DES-CBC (64-bit block, Sweet32), MD5 (broken hash), MODP-1024 (1024-bit group): "
                             "chosen in MM2 (frame 2).",)
    # a negotiation that stalls after MM2 has agreed on them all the same (issue 13)
    stalled = Conversation()
    for n in (1, 2, 3):
        stalled.mm(n, n * 0.01, sa=WEAK_SA)
    assert "weak-algorithms" in [f.rule for f in stalled.diagnosis().findings]
    # before the responder chose, nothing is agreed
    offered = Conversation()
    offered.mm(1, 0, sa=WEAK_SA)
    offered.mm(1, 2, sa=WEAK_SA)
    assert "weak-algorithms" not in [f.rule for f in offered.diagnosis().findings]


def test_an_ike_sa_init_response_alone_points_to_a_one_sided_capture():
    c = Conversation(2)
    c.init_response(0.01)
    found = next(f for f in c.diagnosis().findings if f.rule == "init-no-auth")
    assert found.causes[0].id == "capture-one-direction"


@pytest.mark.parametrize("version, number, name, notable", [
    (1, 16384, "CONNECTED", False),             # RFC 2408 status: nothing a reader concludes from
    (1, 24578, "INITIAL_CONTACT", True),        # RFC 2407 §4.6.3
    (2, 16384, "INITIAL_CONTACT", True),        # RFC 7296 §3.10.1
], ids=["v1-connected", "v1-initial-contact", "v2-initial-contact"])
def test_status_notifies_are_read_in_their_own_version(version, number, name, notable):
    """16384 is CONNECTED in IKEv1 and INITIAL_CONTACT in IKEv2: the report never mixes the spaces."""
    c = Conversation(version)
    if version == 1:
        c.mm(1, 0)
        c.mm(2, 0.01)
        c.notify_v1(0.02, "i", number)
    else:
        c.init_request(0)
        c.v2(0.01, "r", 34, [(41, ike.notify_v2(number))], response=True, rspi=bytes(8))
    view = build_view(Diagnosis([c.diagnosis()]), Extraction(engine="native", messages=c.messages))
    notifies = view["sas"][0]["notifies"]
    assert [(n["type"], n["name"]) for n in notifies] == ([(number, name)] if notable else [])
    assert [n["name"] for m in view["sas"][0]["messages"] for n in m["notify"] if n["type"] == number] == [name]


def test_a_clock_step_back_keeps_the_file_order_and_is_noted():
    """A capture clock that steps back between a request and its answer must not turn the answer
    into one sent before the request (and the request into a re-send that the answer did not stop)."""
    c = Conversation(2)
    c.init_request(10.0)
    c.init_response(10.01)
    messages = list(c.messages)
    messages[1] = replace(messages[1], time=7.61)          # the clock stepped back 2.4 s
    correlation = correlate(Extraction(engine="native", messages=messages))
    assert [s.name for s in correlation.sas[0].steps] == ["IKE_SA_INIT request", "IKE_SA_INIT response"]
    assert any("clock steps back" in note and "2.390 s" in note for note in correlation.notes)
    rules = {f.rule for f in diagnose(correlation).sas[0].findings}
    assert "init-response-lost" not in rules and "init-no-auth" in rules


def test_every_responder_ranking_names_a_known_implementation_and_causes():
    from ikepcap.diagnose.implementations import IMPLEMENTATIONS
    for rule in RULES.values():
        assert set(rule.by_responder) <= set(IMPLEMENTATIONS), rule.id
        assert all(set(ranking) <= set(CAUSES) for ranking in rule.by_responder.values()), rule.id


@pytest.mark.parametrize("rspi, message_id, first", [
    (bytes(8), 0, "p1-proposal-mismatch"),           # Libreswan's format: it never answers an unknown peer
    (RSPI, 0x4d2, "peer-not-configured"),            # strongSwan's, no SPI: no config for this peer
], ids=["libreswan", "strongswan"])
def test_the_same_refusal_means_what_the_responders_implementation_makes_it(rspi, message_id, first):
    """NO_PROPOSAL_CHOSEN to MM1 without an SPI: strongSwan's 'no IKE config found'; from a responder
    whose notify format is Libreswan's (responder cookie and message ID zero), a proposal refusal."""
    c = Conversation()
    c.mm(1, 0)
    c.send(0.01, "r", ike.message(ISPI, rspi, 5, [(ike.V1_N, ike.notify_v1(14, spi=b""))], message_id=message_id))
    d = c.diagnosis()
    found = next(f for f in d.findings if f.rule == "mm1-rejected")
    assert found.causes[0].id == first
    if first == "p1-proposal-mismatch":
        assert d.implementations.responder.name == "Libreswan"
        assert "peer-not-configured" not in [c.id for c in found.causes]
        assert any(detail.startswith("The responder is Libreswan") for detail in found.details)


def test_a_capture_next_to_the_initiator_blames_the_initiator_not_the_path():
    """Captured on the private side of the initiator's NAT, an IKE_AUTH the initiator sent would be in
    the capture: it was never sent, so UDP 4500 being blocked (or any path cause) is not the answer."""
    c = Conversation(2, initiator="192.168.2.100", responder="203.0.113.80")
    c.init_request(0)
    c.init_response(0.05)
    d = c.diagnosis()
    assert d.capture_point.near == "initiator"
    found = next(f for f in d.findings if f.rule == "init-no-auth")
    assert [c.id for c in found.causes] == ["initiator-stopped", "vendor-interop"]
    assert d.verdict.cause == "initiator-stopped"
    # in the middle of the path (neither side private) nothing says where the capture was taken
    middle = Conversation(2)
    middle.init_request(0)
    middle.init_response(0.05)
    assert middle.diagnosis().capture_point.near is None


def test_a_create_child_sa_refusal_is_named_by_the_notify_the_keys_show():
    from ikepcap.decode.model import Notification
    c = Conversation(2)
    c.healthy_v2()
    c.sk(1.0, "i", 36, 2, 300)
    c.sk(1.01, "r", 36, 2, 48, response=True)
    response = c.messages[-1]
    response.opened = True
    response.given_inner = (Notification(41, "Notify", 8, False, None, 0, b"", 38, "TS_UNACCEPTABLE", b"", (),
                                         decrypted=True),)
    found = next(f for f in c.diagnosis().findings if f.rule == "child-refused")
    assert [cause.id for cause in found.causes] == ["p2-ts-mismatch"] and not found.inferred
    assert any("TS_UNACCEPTABLE (38), encrypted (read with the keys)" in d for d in found.details)


def test_an_unanswered_request_that_does_not_parse_is_put_down_to_its_own_fault():
    """A malformed MM1 (a Vendor ID payload whose length, 3, is shorter than its header) that
    nothing answers: the responder discarding it comes first, with the decoder's words."""
    from sequences import PSK_SA

    from ikepcap.decode.message import decode_datagram
    from ikepcap.read.model import Datagram
    from ikepcap.synth import ike
    good = ike.message(ISPI, bytes(8), 2, [(ike.V1_SA, PSK_SA), (ike.V1_VID, b"v" * 16)])
    vid_at = len(good) - 20                         # the last payload's generic header
    bad = good[:vid_at + 2] + (3).to_bytes(2, "big") + good[vid_at + 4:]
    conversation = Conversation(1)
    for frame, time in ((1, 0.0), (2, 1.0), (3, 2.5)):
        conversation.messages.append(decode_datagram(Datagram(
            file="built", frame=frame, time=time, src=I_ADDR, dst=R_ADDR, sport=500, dport=500, payload=bad,
            marker=False, ip_length=28 + len(bad), fragments=())))
    stall = next(f for f in conversation.diagnosis().findings if f.rule == "mm1-unanswered")
    assert stall.causes[0].id == "malformed-request"
    assert any("is malformed: VID payload" in d and "shorter than its header" in d for d in stall.details)


def test_a_redirecting_responder_keeps_no_state_and_the_initiator_waits_for_nothing_here():
    """RFC 5685 §3: the REDIRECT answer carries no responder SPI; the initiator goes to the gateway
    it names, in an SA of its own."""
    conversation = Conversation(2)
    init_redirected(conversation)
    phase1 = conversation.diagnosis().verdict.phase1
    assert phase1.responder.last_sent is None and phase1.responder.libreswan == "— (no state for this SA)"
    assert phase1.initiator.waiting_for.startswith("nothing: it received IKE_SA_INIT response (frame 2) and goes on")


@pytest.mark.parametrize(("request_bytes", "first"), [(256, "auth-failed"), (1400, "auth-failed")])
def test_an_auth_refusal_after_a_certificate_sized_request_does_not_suspect_the_pre_shared_key(request_bytes, first):
    """An IKE_AUTH request of a certificate's size: the refused authentication is by certificate,
    so 'the pre-shared keys differ' drops out of the ranking."""
    conversation = Conversation(2)
    conversation.init_request(0)
    conversation.init_response(0.01)
    conversation.sk(0.02, "i", 35, 1, request_bytes)
    conversation.sk(0.03, "r", 35, 1, 48, response=True)
    stall = next(f for f in conversation.diagnosis().findings if f.rule == "auth-rejected")
    causes = [c.id for c in stall.causes]
    assert causes[0] == first
    assert ("psk-mismatch" in causes) == (request_bytes < 1000)
    assert any("room for a certificate" in d for d in stall.details) == (request_bytes >= 1000)


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "md5", "sha384", "sha512"])
def test_nat_d_is_checked_with_the_hash_its_size_names(algorithm):
    """RFC 3947 §3.2: NAT-D is hashed with the negotiated hash, whose digest size the payload has."""
    c = Conversation()
    for n in range(1, 5):
        c.mm(n, n * 0.01, nat=(n == 3), algorithm=algorithm)
    (sa,) = correlate(Extraction(engine="native", messages=c.messages)).sas
    assert [(check.sender, check.about, check.matches) for check in sa.nat_checks] == [
        ("initiator", "receiver", True), ("initiator", "sender", False),
        ("responder", "receiver", True), ("responder", "sender", True)]


def test_a_nat_d_hash_of_no_negotiable_size_matches_nothing():
    c = Conversation()
    for n in range(1, 5):
        c.mm(n, n * 0.01, algorithm="sha224")
    (sa,) = correlate(Extraction(engine="native", messages=c.messages)).sas
    assert [check.matches for check in sa.nat_checks] == [False] * 4
