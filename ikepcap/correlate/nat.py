"""NAT detection, redone from what the capture point saw.

Each peer hashes the addresses and ports it believes are in use (RFC 3947 §3.2, RFC 7296
§2.23): HASH(CKY-I | CKY-R | IP | port). Recomputing the hashes from the addresses in the
captured packets tells whether a NAT sits between the capture point and that peer: a peer's
own-address hash that does not match means its source was translated before the capture point;
a hash of the receiver that does not match means the sender addressed the packet differently
from how the capture point saw it delivered.
"""

from __future__ import annotations

import hashlib
import socket

from ikepcap.correlate.model import AM2, AM3, IKE_SA_INIT, MM3, MM4, NatCheck, Step, exchange_kind
from ikepcap.decode import iana
from ikepcap.decode.model import V1_NATD, V1_NATD_BADDRAFT, V1_NATD_DRAFT, NatDiscovery

# The hashes IKEv1 peers negotiate (RFC 2409 App. A, RFC 4868), by digest size. NAT-D uses the
# negotiated one, whose size is the NAT-D payload's: the size names it without decoding the SA,
# and a size none of them has is a mismatch whatever was agreed.
V1_HASHES = {h().digest_size: h for h in (hashlib.sha1, hashlib.sha256, hashlib.md5, hashlib.sha384, hashlib.sha512)}
V2_HASHES = {20: hashlib.sha1}              # RFC 7296 §2.23: always SHA-1
NAT_DETECTION_SOURCE_IP = iana.V2_NOTIFY_TYPES.number("NAT_DETECTION_SOURCE_IP")
NAT_DETECTION_DESTINATION_IP = iana.V2_NOTIFY_TYPES.number("NAT_DETECTION_DESTINATION_IP")
NATD_MESSAGES = frozenset({MM3, MM4, AM2, AM3})
V1_NATD_TYPES = (V1_NATD, V1_NATD_DRAFT, V1_NATD_BADDRAFT)


def _packed(address: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)


def _matches(candidates: dict, expected: bytes, ispi: bytes, rspi: bytes, address: str, port: int) -> bool:
    hash_ = candidates.get(len(expected))
    return hash_ is not None and hash_(ispi + rspi + _packed(address) + port.to_bytes(2, "big")).digest() == expected


def nat_checks(steps: list[Step]) -> list[NatCheck]:
    checks: list[NatCheck] = []
    for step in steps:
        if step.copy_of is not None:
            continue
        m = step.message
        if m.is_v2:
            if exchange_kind(m) != IKE_SA_INIT:            # the only IKEv2 exchange with NAT-D
                continue
            for payload in m.notifications():
                if payload.notify_type in (NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP):
                    own = payload.notify_type == NAT_DETECTION_SOURCE_IP
                    address, port = (m.src, m.sport) if own else (m.dst, m.dport)
                    ok = _matches(V2_HASHES, payload.data, m.ispi, m.rspi, address, port)
                    checks.append(NatCheck(step.index, step.sender, "sender" if own else "receiver", address, port, ok))
            continue
        if step.name not in NATD_MESSAGES:
            continue
        hashes = [p.hash for kind in V1_NATD_TYPES for p in m.payloads_of(kind, kind, NatDiscovery)]
        if not hashes:
            continue
        # RFC 3947 §3.2: the first NAT-D is the receiver's address, the others the sender's own.
        receiver_ok = _matches(V1_HASHES, hashes[0], m.ispi, m.rspi, m.dst, m.dport)
        checks.append(NatCheck(step.index, step.sender, "receiver", m.dst, m.dport, receiver_ok))
        sender_ok = any(_matches(V1_HASHES, h, m.ispi, m.rspi, m.src, m.sport) for h in hashes[1:])
        checks.append(NatCheck(step.index, step.sender, "sender", m.src, m.sport, sender_ok))
    return checks
