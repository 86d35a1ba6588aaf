"""Nothing to diagnose is still an answer: ESP or NAT-T keepalives in a capture with no IKE.

The tunnel exists — its data flows — but its IKE SA was negotiated before the capture started
and no rekey, DPD or delete fell inside it. "0 IKE SA(s)" alone would send the engineer looking
for a capture-filter mistake; this finding says what the capture does show (the SPIs, the
peers, the frames) and how to capture what is missing.

It is added to the view's capture-wide findings when the capture holds no IKE message at all,
in the shape of every other finding, so that every format shows it.
"""

from __future__ import annotations

from ikepcap.diagnose.model import WARNING, Evidence
from ikepcap.extract.model import Extraction
from ikepcap.marks import wire
from ikepcap.read.model import endpoint
from ikepcap.report.wireshark import evidence_filters

RULE = "esp-without-ike"
# Flows named one by one in the details; the rest are counted.
NAMED = 20

CHECKS = (
    ("Capture across a rekey: start the capture before the IKE SA's (or the child SA's) lifetime runs out — "
     "Cisco 'show crypto isakmp sa detail' / 'show crypto ikev2 sa detail', strongSwan 'swanctl --list-sas' and "
     "libreswan 'ipsec trafficstatus' show the time left."),
    ("Or clear the SA while capturing, so that it is negotiated again: Cisco ASA 'clear crypto isakmp sa <peer>' / "
     "'clear crypto ikev2 sa <peer>', strongSwan 'swanctl --terminate --ike <name>' then '--initiate', libreswan "
     "'ipsec down <conn>' then 'ipsec up <conn>'."),
    "Make sure the capture filter includes UDP 500 and 4500 (for example 'udp port 500 or udp port 4500 or esp').",
)


def finding(extraction: Extraction) -> dict | None:
    """The finding for a capture with ESP or NAT-T keepalives and no IKE message, else None."""
    if extraction.messages or not (extraction.esp or extraction.keepalives):
        return None
    details, evidence = [], []
    flows = sorted(extraction.esp, key=lambda f: (f.first_time, f.first_frame))
    for flow in flows[:NAMED]:
        carried = f"in UDP {flow.sport}→{flow.dport} (NAT-T)" if flow.encapsulated else "as IP protocol 50"
        details.append(f"ESP SPI 0x{flow.spi:08x} from {wire(flow.src)} to {wire(flow.dst)} {carried}: {flow.packets} "
                       f"packet(s), frames {flow.first_frame} to {flow.last_frame}.")
        evidence.append(Evidence(flow.first_file, flow.first_frame, flow.first_time,
                                 f"ESP SPI 0x{flow.spi:08x}, {wire(flow.src)} → {wire(flow.dst)}, "
                                 f"first of {flow.packets}"))
    if len(flows) > NAMED:
        details.append(f"… and {len(flows) - NAMED} more ESP flow(s).")
    for keepalive in extraction.keepalives[:NAMED]:
        details.append(f"NAT-T keepalives from {endpoint(keepalive.src, keepalive.sport)} to "
                       f"{endpoint(keepalive.dst, keepalive.dport)}: {keepalive.packets}, frames "
                       f"{keepalive.first_frame} to {keepalive.last_frame}.")
        evidence.append(Evidence(keepalive.file, keepalive.first_frame, keepalive.first_time,
                                 f"NAT-T keepalive, {wire(keepalive.src)} → {wire(keepalive.dst)}, "
                                 f"first of {keepalive.packets}"))
    peers = sorted({tuple(sorted((f.src, f.dst))) for f in [*extraction.esp, *extraction.keepalives]})
    named = "; ".join(f"{wire(a)} and {wire(b)}" for a, b in peers[:NAMED])
    filters = evidence_filters(evidence, {})
    return {
        "rule": RULE,
        "severity": WARNING,
        "title": "IPsec traffic but no IKE: the IKE SA was negotiated before the capture started",
        "explanation": f"The capture holds IPsec traffic between {named} but not one IKE message: the tunnel is "
                       "up, and its IKE SA was negotiated before the capture started (no rekey, dead peer detection "
                       "or delete fell inside it). There is no negotiation here to diagnose; capture across a "
                       "rekey or clear the SA.",
        "details": details,
        "inferred": False,
        "evidence": [{"file": wire(e.file), "frame": e.frame, "time": e.time, "note": e.note} for e in evidence],
        "causes": [],
        "checks": {"peers": list(CHECKS)},
        "wireshark_filter": filters[0]["filter"] if len(filters) == 1 else None,
        "wireshark_filters": filters,
    }
