"""``--format summary``: a short, plain ticket paragraph per problem SA."""

from __future__ import annotations

import re

from conftest import CAPTURES

from ikepcap.report import summary
from report.conftest import diagnose

# What Markdown, HTML or a wiki would read as markup
MARKUP = re.compile(r"\*\*|__|`|^#|^\||<[a-z/]|^```", re.MULTILINE)


def test_every_problem_sa_in_at_most_twelve_plain_lines(views):
    for path, view in views.items():
        text = summary.render(view)
        assert not MARKUP.search(text), path
        paragraphs = text.split("\n\n")
        problems = [sa for sa in view["sas"] if sa["status"] == "problem"]
        assert len(paragraphs) - 1 <= len(problems), path
        if problems:
            assert len(paragraphs) > 1, path
        for paragraph in paragraphs[1:]:
            lines = paragraph.strip("\n").split("\n")
            assert len(lines) <= 12, (path, paragraph)
            assert lines[0].startswith("SA ") and lines[1].startswith("Verdict: "), paragraph
            assert any(line.startswith("Wireshark filter: isakmp.ispi == ") for line in lines), paragraph


def test_the_asa_case_as_a_ticket_paragraph():
    code, text = diagnose("--format", "summary", str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"))
    assert code == 1
    lines = text.splitlines()
    assert lines[0] == ("ikepcap 0.1.0: " + str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap")
                        + ": 1 IKE SA(s), 1 with problems, 0 healthy.")
    assert lines[2] == "SA 1: 192.0.2.1 -> 198.51.100.2, IKEv1 main, ispi c205f30d14beada5 rspi e4bdf6849915886a"
    assert lines[3].startswith("Verdict: Main Mode stalled after MM3: the initiator waits for MM4")
    assert lines[4].startswith("Initiator 192.0.2.1: last sent MM3, waits for MM4; Cisco ASA: MM_WAIT_MSG4;")
    assert lines[5].startswith("Responder 198.51.100.2: last sent —; Cisco ASA: no SA;")
    assert lines[6] == "Implementations: initiator Cisco ASA (likely), responder unknown."
    assert lines[7] == ("Top cause (most likely): the responder has no pre-shared key / tunnel-group for the "
                        "initiator's address.")
    assert "Evidence frames: 3, 4, 5, 6." in lines
    assert "Wireshark filter: isakmp.ispi == c205f30d14beada5 && frame.number in {3, 4, 5, 6}" in lines
    assert lines[-2].startswith("First check on the initiator: ")
    assert lines[-1].startswith("First check on the responder: Check the tunnel-group / pre-shared key")


def test_sas_that_failed_alike_share_a_paragraph(views):
    view = views[CAPTURES / "v1-concentrator-many-sas.pcap"]
    text = summary.render(view)
    assert "The same holds for 1 other SA(s): SA 5 (192.0.2.26 -> 198.51.100.10)." in text
    assert text.count("\nVerdict: ") == 4
    healthy = summary.render(view, verbose=True)
    assert healthy.count(", healthy: ") == 18


def test_a_healthy_capture_is_one_line():
    code, text = diagnose("--format", "summary", str(CAPTURES / "v2-healthy.pcap"))
    assert code == 0 and text.count("\n") == 1 and "1 IKE SA(s), 0 with problems, 1 healthy." in text
