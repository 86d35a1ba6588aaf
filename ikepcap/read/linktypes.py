"""Link-layer types ikepcap reads (tcpdump.org LINKTYPE_* numbers) and EtherTypes it follows.

``FAST_LAYOUTS`` is what lets the scanners reject plain TCP and non-IKE UDP without building
any object: for link types whose header carries an EtherType-like field at a fixed offset, it
says where that field and the IP header are.
"""

from __future__ import annotations

from typing import NamedTuple

NULL = 0                    # BSD loopback: 4-byte address family in the writer's byte order
ETHERNET = 1
RAW = 101                   # raw IP, version from the first nibble
RAW_OPENBSD = 12            # DLT_RAW as OpenBSD numbers it in pcap files
RAW_BSDOS = 14
LOOP = 108                  # OpenBSD loopback: address family in network byte order
LINUX_SLL = 113
IPV4 = 228
IPV6 = 229
LINUX_SLL2 = 276

LINK_TYPE_NAMES: dict[int, str] = {
    NULL: "BSD loopback",
    ETHERNET: "Ethernet",
    RAW: "raw IP",
    RAW_OPENBSD: "raw IP",
    RAW_BSDOS: "raw IP",
    LOOP: "OpenBSD loopback",
    LINUX_SLL: "Linux cooked (SLL)",
    IPV4: "raw IPv4",
    IPV6: "raw IPv6",
    LINUX_SLL2: "Linux cooked v2 (SLL2)",
}

# EtherTypes (IEEE registry) met on the way to IKE.
ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100           # 802.1Q
ETH_QINQ = 0x88A8           # 802.1ad service tag
ETH_QINQ_OLD = 0x9100       # pre-standard QinQ
ETH_TEB = 0x6558            # transparent Ethernet bridging inside GRE
ETH_ERSPAN_2 = 0x88BE       # ERSPAN type II (and type I) inside GRE
ETH_ERSPAN_3 = 0x22EB       # ERSPAN type III inside GRE
VLAN_TAGS = frozenset({ETH_VLAN, ETH_QINQ, ETH_QINQ_OLD})

# BSD address families for IPv6 differ per OS (NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30).
NULL_AF_INET = 2
NULL_AF_INET6 = frozenset({24, 28, 30})


class FastLayout(NamedTuple):
    """Where a link type keeps its EtherType-like field and where the IP header starts."""

    type_offset: int
    ip_offset: int


FAST_LAYOUTS: dict[int, FastLayout] = {
    ETHERNET: FastLayout(12, 14),
    LINUX_SLL: FastLayout(14, 16),
    LINUX_SLL2: FastLayout(0, 20),
}
