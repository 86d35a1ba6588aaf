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
import ipaddress
import struct

from ikepcap.correlate.model import NatCheck, Step
from ikepcap.decode.model import NatDiscovery, Notification, SecurityAssociation

# IKEv1 phase-1 Hash Algorithm attribute value -> hashlib name (RFC 2409 App. A, RFC 4868).
V1_HASHES = {1: "md5", 2: "sha1", 4: "sha256", 5: "sha384", 6: "sha512"}
HASH_ATTRIBUTE = 2
NAT_DETECTION_SOURCE_IP = 16388
NAT_DETECTION_DESTINATION_IP = 16389
NATD_MESSAGES = frozenset({"MM3", "MM4", "AM2", "AM3"})


def _digest(algorithm: str, ispi: bytes, rspi: bytes, address: str, port: int) -> bytes:
    return hashlib.new(algorithm, ispi + rspi + ipaddress.ip_address(address).packed + struct.pack("!H", port)).digest()


def negotiated_hash(steps: list[Step]) -> str | None:
    """The phase-1 hash the responder accepted (its one-transform SA in MM2/AM2)."""
    for step in steps:
        if step.name not in ("MM2", "AM2"):
            continue
        for payload in step.message.payloads:
            if isinstance(payload, SecurityAssociation):
                for proposal in payload.proposals:
                    for transform in proposal.transforms:
                        for attribute in transform.attributes:
                            if attribute.type == HASH_ATTRIBUTE and isinstance(attribute.value, int):
                                return V1_HASHES.get(attribute.value)
    return None


def _matches(candidates: list[str], expected: bytes, ispi: bytes, rspi: bytes, address: str, port: int) -> bool:
    return any(_digest(a, ispi, rspi, address, port) == expected for a in candidates)


def nat_checks(steps: list[Step], v1_hash: str | None) -> list[NatCheck]:
    checks: list[NatCheck] = []
    for step in steps:
        if step.copy_of is not None:
            continue
        m = step.message
        if m.is_v2:
            if m.exchange_type != 34:
                continue
            for payload in m.payloads:
                if isinstance(payload, Notification) and payload.notify_type in (NAT_DETECTION_SOURCE_IP,
                                                                                  NAT_DETECTION_DESTINATION_IP):
                    own = payload.notify_type == NAT_DETECTION_SOURCE_IP
                    address, port = (m.src, m.sport) if own else (m.dst, m.dport)
                    ok = _matches(["sha1"], payload.data, m.ispi, m.rspi, address, port)
                    checks.append(NatCheck(step.index, step.sender, "sender" if own else "receiver", address, port, ok))
            continue
        if step.name not in NATD_MESSAGES:
            continue
        hashes = [p.hash for p in m.payloads if isinstance(p, NatDiscovery)]
        if not hashes:
            continue
        candidates = [v1_hash] if v1_hash else list(V1_HASHES.values())
        # RFC 3947 §3.2: the first NAT-D is the receiver's address, the others the sender's own.
        receiver_ok = _matches(candidates, hashes[0], m.ispi, m.rspi, m.dst, m.dport)
        checks.append(NatCheck(step.index, step.sender, "receiver", m.dst, m.dport, receiver_ok))
        sender_ok = any(_matches(candidates, h, m.ispi, m.rspi, m.src, m.sport) for h in hashes[1:])
        checks.append(NatCheck(step.index, step.sender, "sender", m.src, m.sport, sender_ok))
    return checks

