"""Rebuild the Cisco ASA MM_WAIT_MSG4 case from its troubleshooting write-up, byte by byte.

What the write-up gives (Cisco ASA 8.0, initiator side): MM1 = SA + 3 VIDs, 148 bytes; MM2 =
SA + VID, 108 bytes; MM3 = KE + NONCE + 4 VIDs, 256 bytes; nothing for 8 s; MM3 again; then
the responder answers twice with an unencrypted Informational carrying INVALID_COOKIE, 68 bytes
each. The ASA shows MM_WAIT_MSG4. The cause: the responder had the wrong peer IP for the
tunnel-group / pre-shared key, so when it needed the key (after MM3) it had none for this peer,
dropped the SA, and treated the re-sent MM3 as belonging to an SA it did not know.

What the write-up does not give is filled in plausibly and said so here: the addresses
(documentation ranges), the cookies, the proposal (AES-256/SHA/PSK/DH group 2 fits the 60-byte SA
exactly), which vendor IDs (Cisco's usual ones, sized to the message lengths), the 128-byte KE
of group 2 and a 20-byte nonce, and the content of the notify's 12 data bytes (the offending
cookie and message ID). The capture point is the ASA's outside interface.

Run from the repository root: ``python3 captures/build/asa_mm_wait_msg4.py``.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

from ikepcap.synth import ike, packets
from ikepcap.synth.capture import Frame, write_pcap

NAME = "asa-mm-wait-msg4-reproduction"
ASA, PEER = "192.0.2.1", "198.51.100.2"
ICOOKIE = hashlib.sha256(b"asa icookie").digest()[:8]
RCOOKIE = hashlib.sha256(b"peer rcookie").digest()[:8]
T0 = 1_700_000_000.0
RETRANSMIT = 8.0

VID_NAT_T_RFC = bytes.fromhex("4a131c81070358455c5728f20e95452f")
VID_FRAGMENTATION = bytes.fromhex("4048b7d56ebce88525e7de7f00d6c2d3")
VID_DPD = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
VID_UNITY = bytes.fromhex("12f5f28c457168a9702d9fe274cc0100")
VID_XAUTH = bytes.fromhex("09002689dfd6b712")
VID_CISCO_UNKNOWN = hashlib.md5(b"ASA KE VID (reproduction)").digest()

PROPOSAL = [(1, b"", [(1, [(1, 7), (14, 256), (2, 2), (4, 2), (3, 1), (11, 1), (12, 86400)])])]


def messages() -> list[tuple[float, str, str, bytes]]:
    mm1 = ike.message(ICOOKIE, bytes(8), 2, [(ike.V1_SA, ike.sa_v1(PROPOSAL)), (ike.V1_VID, VID_NAT_T_RFC),
                                             (ike.V1_VID, VID_FRAGMENTATION), (ike.V1_VID, VID_DPD)])
    mm2 = ike.message(ICOOKIE, RCOOKIE, 2, [(ike.V1_SA, ike.sa_v1(PROPOSAL)), (ike.V1_VID, VID_DPD)])
    ke = hashlib.shake_256(b"group 2 public value").digest(128)
    nonce = hashlib.sha1(b"initiator nonce").digest()
    mm3 = ike.message(ICOOKIE, RCOOKIE, 2, [(ike.V1_KE, ke), (ike.V1_NONCE, nonce), (ike.V1_VID, VID_UNITY),
                                            (ike.V1_VID, VID_XAUTH), (ike.V1_VID, VID_CISCO_UNKNOWN),
                                            (ike.V1_VID, VID_FRAGMENTATION)])
    notify = ike.notify_v1(4, protocol=1, spi=ICOOKIE + RCOOKIE, data=ICOOKIE + struct.pack("!I", 0))
    invalid_cookie = ike.message(ICOOKIE, RCOOKIE, 5, [(ike.V1_N, notify)])
    sizes = {"MM1": (mm1, 148), "MM2": (mm2, 108), "MM3": (mm3, 256), "INVALID_COOKIE": (invalid_cookie, 68)}
    for name, (data, size) in sizes.items():
        if len(data) != size:
            sys.exit(f"{name} is {len(data)} bytes, the write-up says {size}")
    resend = 0.100 + RETRANSMIT
    return [
        (0.000, ASA, PEER, mm1),
        (0.052, PEER, ASA, mm2),
        (0.100, ASA, PEER, mm3),
        (resend, ASA, PEER, mm3),
        (resend + 0.031, PEER, ASA, invalid_cookie),
        (resend + 0.034, PEER, ASA, invalid_cookie),
    ]


def build(directory: Path) -> Path:
    frames = [Frame(T0 + t, packets.ethernet(packets.ip_udp(src, dst, 500, 500, data, ident=i + 1)))
              for i, (t, src, dst, data) in enumerate(messages())]
    path = directory / f"{NAME}.pcap"
    write_pcap(path, frames)
    return path


if __name__ == "__main__":
    print(build(Path(__file__).resolve().parent.parent))
