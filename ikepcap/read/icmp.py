"""ICMP errors worth recording: the ones a host or router sends back about an IKE datagram.

"Port unreachable" says the peer's IKE daemon is not listening; "administratively prohibited"
says a filter dropped it and admitted it; "fragmentation needed" / "packet too big" says the
datagram was too large for the path. Each is a direct answer to "why is there no reply".
"""

from __future__ import annotations

# (IP version, ICMP type) -> (type text, {code: code text}). RFC 792 / RFC 1812 for ICMPv4,
# RFC 4443 for ICMPv6. Only error messages quote the offending datagram.
ERRORS: dict[tuple[int, int], tuple[str, dict[int, str]]] = {
    (4, 3): ("destination unreachable", {
        0: "net unreachable",
        1: "host unreachable",
        2: "protocol unreachable",
        3: "port unreachable",
        4: "fragmentation needed and DF set",
        5: "source route failed",
        6: "destination network unknown",
        7: "destination host unknown",
        9: "network administratively prohibited",
        10: "host administratively prohibited",
        11: "network unreachable for TOS",
        12: "host unreachable for TOS",
        13: "communication administratively prohibited",
        14: "host precedence violation",
        15: "precedence cutoff in effect",
    }),
    (4, 11): ("time exceeded", {0: "TTL exceeded in transit", 1: "fragment reassembly time exceeded"}),
    (4, 12): ("parameter problem", {}),
    (6, 1): ("destination unreachable", {
        0: "no route to destination",
        1: "communication administratively prohibited",
        2: "beyond scope of source address",
        3: "address unreachable",
        4: "port unreachable",
        5: "source address failed ingress/egress policy",
        6: "reject route to destination",
    }),
    (6, 2): ("packet too big", {}),
    (6, 3): ("time exceeded", {0: "hop limit exceeded in transit", 1: "fragment reassembly time exceeded"}),
    (6, 4): ("parameter problem", {}),
}

# Where the MTU sits: ICMPv4 "fragmentation needed" (RFC 1191) in the low 16 bits of the
# second word; ICMPv6 "packet too big" in the whole second word.
MTU_ERRORS = frozenset({(4, 3, 4), (6, 2, 0)})


def describe(version: int, icmp_type: int, code: int) -> str | None:
    """``"destination unreachable: port unreachable"``, or None when it is not an error."""
    entry = ERRORS.get((version, icmp_type))
    if entry is None:
        return None
    type_text, codes = entry
    return f"{type_text}: {codes.get(code, f'code {code}')}" if codes or code else type_text
