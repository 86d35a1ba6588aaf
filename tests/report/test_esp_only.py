"""A capture with IPsec traffic and no IKE says so, with the SPIs, peers and frames it saw."""

from __future__ import annotations

import json

from ikepcap.synth.capture import Frame, write_pcap
from ikepcap.synth.packets import ethernet, ip_udp, ipv4
from report.conftest import diagnose
from report.test_wireshark_filters import TSHARK, selected

ESP = 50


def _esp(spi: int, sequence: int) -> bytes:
    return spi.to_bytes(4, "big") + sequence.to_bytes(4, "big") + bytes(48)


def test_esp_and_keepalives_without_ike(tmp_path):
    path = tmp_path / "tunnel-up.pcap"
    frames = [Frame(1.0, ethernet(ipv4("192.0.2.1", "198.51.100.2", ESP, _esp(0xC0FFEE01, 1)))),
              Frame(1.1, ethernet(ip_udp("198.51.100.2", "192.0.2.1", 4500, 4500, _esp(0x0BADCAFE, 1)))),
              Frame(2.0, ethernet(ipv4("192.0.2.1", "198.51.100.2", ESP, _esp(0xC0FFEE01, 2)))),
              Frame(3.0, ethernet(ip_udp("198.51.100.2", "192.0.2.1", 4500, 4500, b"\xff")))]
    write_pcap(path, frames)
    code, out = diagnose("--format", "json", str(path))
    view = json.loads(out)
    assert code == 0 and view["summary"]["sas"] == 0
    (finding,) = view["capture_findings"]
    assert finding["rule"] == "esp-without-ike" and finding["severity"] == "warning"
    assert "the IKE SA was negotiated before the capture started" in finding["title"]
    assert "capture across a rekey or clear the SA" in finding["explanation"]
    assert "192.0.2.1 and 198.51.100.2" in finding["explanation"]
    assert finding["details"] == [
        "ESP SPI 0xc0ffee01 from 192.0.2.1 to 198.51.100.2 as IP protocol 50: 2 packet(s), frames 1 to 3.",
        "ESP SPI 0x0badcafe from 198.51.100.2 to 192.0.2.1 in UDP 4500→4500 (NAT-T): 1 packet(s), frames 2 to 2.",
        "NAT-T keepalives from 198.51.100.2:4500 to 192.0.2.1:4500: 1, frames 4 to 4."]
    assert [e["frame"] for e in finding["evidence"]] == [1, 2, 4]
    assert finding["wireshark_filter"] == "frame.number in {1, 2, 4}"
    text = diagnose(str(path))[1]
    assert "[WARNING] IPsec traffic but no IKE" in text and "ESP SPI 0xc0ffee01" in text
    summary = diagnose("--format", "summary", str(path))[1]
    assert "ESP SPI 0x0badcafe from 198.51.100.2 to 192.0.2.1" in summary
    assert "First check on the peers: Capture across a rekey" in summary
    if TSHARK:
        assert selected(path, finding["wireshark_filter"]) == {1, 2, 4}
    redacted = diagnose("--format", "json", "--redact", str(path))[1]
    assert "192.0.2.1" not in redacted and "198.51.100.2" not in redacted
