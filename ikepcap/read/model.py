"""What the read stage hands on: IKE datagrams, and the counters that prove a path works.

Only IKE is decoded in full. Everything else a diagnosis needs from the rest of the traffic
(ESP packets per SPI, NAT-T keepalives, ICMP errors quoting IKE) is boiled down here to small
records, so memory grows with the number of SAs and flows, not with the number of frames.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

from ikepcap.marks import wire

# Per file: enough to show what is wrong, bounded against a file built to repeat a fault.
MAX_WARNINGS = 100
# ESP SPIs and NAT-T keepalive flows counted one by one, per file and kind: a busy concentrator has
# a few thousand; random SPIs or spoofed keepalives would otherwise cost some 250-800 bytes each.
MAX_FLOWS = 20_000

# Ports and IP protocol numbers: their one home. Every later stage already imports this
# module for the records above, so it reaches them without importing the reader itself.
IKE_PORT = 500                      # RFC 7296 §2
NAT_T_PORT = 4500                   # RFC 3947, RFC 3948: IKE behind the non-ESP marker, ESP-in-UDP
VXLAN_PORT = 4789                   # RFC 7348: a remote span may arrive inside it

# IANA "Assigned Internet Protocol Numbers": the IPv4 protocol, the IPv6 next header.
PROTO_HOPOPTS = 0                   # IPv6 hop-by-hop options
PROTO_ICMP = 1
PROTO_IPIP = 4                      # IPv4 in IP
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_IPV6 = 41                     # IPv6 in IP
PROTO_ROUTING = 43                  # IPv6 routing header
PROTO_FRAGMENT = 44                 # IPv6 fragment header
PROTO_GRE = 47
PROTO_ESP = 50
PROTO_AH = 51
PROTO_ICMPV6 = 58
PROTO_DSTOPTS = 60                  # IPv6 destination options
PROTO_MOBILITY = 135
PROTO_HIP = 139
PROTO_SHIM6 = 140
# IPv6 extension headers that all share the (next header, length in 8-octet units) form
# (RFC 8200 §4, RFC 6564); AH counts its length in 4-octet units and the fragment header
# has none, so both are followed apart.
IPV6_EXTENSIONS = frozenset({PROTO_HOPOPTS, PROTO_ROUTING, PROTO_DSTOPTS, PROTO_MOBILITY, PROTO_HIP, PROTO_SHIM6})


@dataclass(slots=True)
class Datagram:
    """One UDP datagram carrying an ISAKMP/IKE message."""

    file: str
    frame: int                          # Wireshark's frame number; for a reassembled
    time: float                         # datagram, the frame that completed it
    src: str
    dst: str
    sport: int
    dport: int
    payload: bytes                      # the ISAKMP message (non-ESP marker removed)
    marker: bool                        # UDP 4500 with the RFC 3948 non-ESP marker
    ip_length: int                      # IP datagram size on the wire, reassembled
    fragments: tuple[int, ...] = ()     # frames of every IP fragment, in offset order
    truncated: bool = False             # the capture cut it shorter than the wire had it
    ttl: int | None = None              # IPv4 TTL / IPv6 hop limit as captured (of the last fragment)


@dataclass(frozen=True, slots=True)
class QuotedDatagram:
    """The start of the datagram an ICMP error sends back (RFC 792, RFC 4443)."""

    src: str
    dst: str
    protocol: int
    sport: int | None
    dport: int | None
    ispi: bytes | None                  # the IKE initiator SPI, when enough was quoted


@dataclass(frozen=True, slots=True)
class IcmpError:
    file: str
    frame: int
    time: float
    src: str                            # who reported the error (a router or the host)
    dst: str
    ip_version: int
    icmp_type: int
    icmp_code: int
    description: str
    mtu: int | None                     # for "fragmentation needed" / "packet too big"
    quoted: QuotedDatagram


@lru_cache(maxsize=65536)
def address(data: bytes) -> str:
    """An IPv4 or IPv6 address from its 4 or 16 bytes (a capture repeats few addresses often)."""
    if len(data) == 4:
        return socket.inet_ntop(socket.AF_INET, data)
    if len(data) == 16:
        return socket.inet_ntop(socket.AF_INET6, data)
    raise ValueError(f"{len(data)} bytes are not an IPv4 or IPv6 address")


def frame_label(file: str, frame: int) -> str:
    """A frame named with its file, for reports over several files (numbering restarts in each)."""
    return f"{wire(PurePath(file).name)}:{frame}"


def endpoint(address: str, port: int) -> str:
    """address:port, with an IPv6 address in brackets (RFC 5952 §6): '2001:db8::20:500' would be
    another address."""
    return f"[{wire(address)}]:{port}" if ":" in address else f"{wire(address)}:{port}"


@dataclass(slots=True)
class EspFlow:
    """ESP packets seen for one SPI in one direction: the proof that a tunnel carries data."""

    src: str
    dst: str
    spi: int
    encapsulated: bool                  # ESP-in-UDP (RFC 3948) rather than IP protocol 50
    sport: int | None
    dport: int | None
    packets: int = 0
    first_file: str = ""
    first_frame: int = 0
    first_time: float = 0.0
    last_frame: int = 0
    last_time: float = 0.0


@dataclass(frozen=True, slots=True)
class LostFragments:
    """An IP-fragmented IKE datagram that never became whole at the capture point.

    Only sets whose first fragment was seen can be tied to IKE (the UDP header is in it);
    a missing tail is the classic picture of a middlebox dropping non-first fragments.
    """

    file: str
    frames: tuple[int, ...]
    time: float
    src: str
    dst: str
    sport: int
    dport: int
    ispi: bytes | None
    received: int                       # bytes of fragments seen
    total: int | None                   # bytes the datagram should have, once the last was seen
    reason: str


@dataclass(slots=True)
class KeepaliveFlow:
    """NAT-T keepalives (a single 0xFF on UDP 4500, RFC 3948 §2.3) from one endpoint."""

    src: str
    dst: str
    sport: int
    dport: int
    packets: int = 0
    file: str = ""                      # one flow per file: frame numbers count within it
    first_frame: int = 0
    first_time: float = 0.0
    last_frame: int = 0
    last_time: float = 0.0


@dataclass(slots=True)
class ReadStats:
    """Counters for one capture file; shown in report metadata and used for sanity checks."""

    file: str
    format: str = ""
    frames: int = 0
    bytes: int = 0                      # bytes of the capture file read
    first_time: float | None = None
    last_time: float | None = None
    link_types: dict[int, int] = field(default_factory=dict)    # link type -> frames
    ike_datagrams: int = 0
    fragments: int = 0                  # IP fragments of UDP seen
    reassembled: int = 0
    incomplete_fragments: int = 0       # fragment sets that never completed
    truncated_frames: int = 0           # frames the capture cut short (snaplen), of those past the sift
    undecodable_frames: int = 0         # link/IP headers that did not parse
    esp_unflowed: int = 0               # ESP packets of SPIs beyond MAX_FLOWS: counted, not by flow
    keepalives_unflowed: int = 0        # NAT-T keepalives of flows beyond MAX_FLOWS
    sha256: str | None = None           # of the file's bytes, computed as they were read (whole-file reads)
    warnings: list[str] = field(default_factory=list)
    unlisted: int = 0                   # warnings beyond MAX_WARNINGS: "and N more"

    def note(self, warning: str) -> None:
        """A warning a hostile file could repeat endlessly: kept once, and only so many."""
        if len(self.warnings) >= MAX_WARNINGS:
            self.unlisted += warning not in self.warnings
        elif warning not in self.warnings:
            self.warnings.append(warning)

    def all_warnings(self) -> list[str]:
        """The warnings, the flow bounds hit and how many more there were, for the report."""
        said = list(self.warnings)
        for count, what in ((self.esp_unflowed, "ESP packets of further SPIs"),
                            (self.keepalives_unflowed, "NAT-T keepalives of further flows")):
            if count:
                said.append(f"more than {MAX_FLOWS} flows: {count} {what} were counted, not listed by flow")
        if self.unlisted:
            said.append(f"and {self.unlisted} more warning(s) about this file, not listed")
        return said
