"""Where the capture was taken, relative to the two peers: what it can and cannot show.

A capture taken next to a peer sees everything that peer sends: a message of its that is not
in the capture was never sent, and the path cannot be blamed for it. A capture in the middle
sees neither side's losses on its far side. The TTL (IPv6: hop limit) a peer's messages arrive
with says it most directly: a packet that still carries its stack's initial value crossed no
router between its sender and the capture point. Without TTLs the wire still places the capture
point in two ways:

* a private address (RFC 1918 / RFC 4193) on one side and a public one on the other: the
  capture was taken on the private side of that peer's NAT, between the peer and its NAT;
* NAT detection (RFC 3947, RFC 7296 §2.23): a peer whose own-address hash matches what the
  capture point saw, while the other peer's hash of it does not, sits on this side of the NAT.
"""

from __future__ import annotations

import functools
import ipaddress

from ikepcap.correlate.model import INITIATOR, RESPONDER, IkeSa
from ikepcap.marks import wire
from ikepcap.values import value_class


@value_class
class CapturePoint:
    near: str | None                    # INITIATOR / RESPONDER, or None where the wire does not say
    evidence: tuple[str, ...]

    @property
    def unseen(self) -> str:
        """What a capture at this point cannot show, in one sentence."""
        if self.near is None:
            return ("Where the capture was taken is not known: a message missing here may have been lost on "
                    "either side of the capture point.")
        far = RESPONDER if self.near == INITIATOR else INITIATOR
        return (f"Taken near the {self.near}: everything the {self.near} sent passes here, so a message of its "
                f"that is missing was never sent; what the {far} sent may still be lost after this point.")


# Addresses only a NAT makes reachable: RFC 1918, shared address space (RFC 6598, carrier-grade
# NAT) and unique local IPv6 (RFC 4193). Python's is_private also counts the documentation ranges,
# which labs and examples use on both sides.
BEHIND_NAT = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


@functools.lru_cache(maxsize=4096)
def _private(address: str) -> bool:
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(found in network for network in BEHIND_NAT if network.version == found.version)


# The initial TTL / hop limit of the common stacks: 64 (Linux, the BSDs, macOS), 128 (Windows),
# 255 (Cisco IOS and ASA, Solaris); each router on the way takes one off.
INITIAL_TTLS = (64, 128, 255)


@value_class
class Hops:
    ttl: int                            # the highest TTL the side's messages arrived with
    routers: int                        # routers between the side and the capture point


def hops(sa: IkeSa, side: str) -> Hops | None:
    """How far the side is from the capture point, by its messages' TTL (the highest: a copy may
    take a longer way); None when the capture does not carry TTLs for it."""
    return _distances(sa)[side]


# The SA last measured and its sides' hops: the diagnosis of an SA and several of its rules ask,
# and the answer is the same for as long as that SA is being diagnosed (it holds the SA, so no
# other can take its place under the same identity).
_measured: tuple[IkeSa | None, dict[str, Hops | None]] = (None, {})


def _distances(sa: IkeSa) -> dict[str, Hops | None]:
    global _measured
    if _measured[0] is not sa:
        highest: dict[str, int] = {}
        for step in sa.steps:
            ttl = step.message.ttl
            if ttl is not None and ttl > highest.get(step.sender, -1):
                highest[step.sender] = ttl
        _measured = (sa, {side: None if side not in highest else
                          Hops(highest[side], next(i for i in INITIAL_TTLS if i >= highest[side]) - highest[side])
                          for side in (INITIATOR, RESPONDER)})
    return _measured[1]


def adjacent(sa: IkeSa) -> frozenset[str]:
    """The sides with no router between them and the capture point."""
    return frozenset(side for side, h in _distances(sa).items() if h is not None and not h.routers)


def _unseen_yet_answered(sa: IkeSa, side: str) -> bool:
    """Nothing of ``side`` passed here, yet the other side answered its requests: whatever the
    addresses say, the capture point is not where everything ``side`` sends passes."""
    return not any(s.sender == side for s in sa.steps) and any(s.is_answer for s in sa.steps)


def locate(sa: IkeSa) -> CapturePoint:
    """The side the capture point is next to, with the evidence, or None."""
    distance = _distances(sa)
    for side in (INITIATOR, RESPONDER):
        other = RESPONDER if side == INITIATOR else INITIATOR
        near, far = distance[side], distance[other]
        if near is not None and far is not None and not near.routers and far.routers:
            return CapturePoint(side, (f"the {side}'s messages arrive with TTL {near.ttl}, a stack's initial value "
                                       f"(no router between it and the capture point), the {other}'s with TTL "
                                       f"{far.ttl} ({far.routers} router{'s' if far.routers > 1 else ''} on the "
                                       "way): the capture was taken on the "
                                       f"{side}'s side of the path",))
    for side in (INITIATOR, RESPONDER):
        other = RESPONDER if side == INITIATOR else INITIATOR
        if _unseen_yet_answered(sa, side):
            continue
        if _private(sa.address(side)) and not _private(sa.address(other)):
            return CapturePoint(side, (f"the {side} {wire(sa.address(side))} is a private address and the {other} "
                                       f"{wire(sa.address(other))} a public one: the capture was taken on the {side}'s "
                                       "side of its NAT",))
        own = [c for c in sa.nat_checks if c.sender == side and c.about == "sender"]
        theirs = [c for c in sa.nat_checks if c.sender == other and c.about == "receiver"]
        if own and theirs and all(c.matches for c in own) and not any(c.matches for c in theirs):
            return CapturePoint(side, (f"the {side}'s own NAT-D hash matches its address as seen here, and the "
                                       f"{other}'s hash of it does not: a NAT sits between the capture point and "
                                       f"the {other}",))
    return CapturePoint(None, ())
