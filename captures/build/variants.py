"""Reader variants: lab captures re-encoded the ways real captures arrive.

The frames are the lab's own, byte for byte and in the same order; only the container or the
layers around them change: pcapng with two interfaces of different link types and timestamp
resolutions, an 802.1Q tag, Linux cooked (SLL2) headers, a nanosecond big-endian pcap, gzip,
ERSPAN from a remote switch, a 96-byte snaplen. The diagnosis must not change, so each
variant's expected.json is its source's, renamed and marked as a variant; frame numbers stay
valid because every frame keeps its place.

Run from the repository root: ``python3 captures/build/variants.py``.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import dpkt

from ikepcap.synth import packets
from ikepcap.synth.capture import Frame, write_pcap, write_pcapng

CAPTURES = Path(__file__).resolve().parent.parent
ETHERNET, LINUX_SLL2 = 1, 276
ERSPAN_SOURCE, ERSPAN_COLLECTOR = "203.0.113.250", "203.0.113.251"


def frames(source: str) -> list[Frame]:
    with open(CAPTURES / f"{source}.pcap", "rb") as f:
        reader = dpkt.pcap.Reader(f)
        assert reader.datalink() == ETHERNET, source
        return [Frame(float(ts), bytes(data)) for ts, data in reader]


def _ethertype(frame: bytes) -> int:
    return struct.unpack("!H", frame[12:14])[0]


def vlan(frame: Frame) -> Frame:
    data = frame.data
    return Frame(frame.time, data[:12] + struct.pack("!HH", 0x8100, 100) + data[12:])


def sll2(frame: Frame) -> Frame:
    return Frame(frame.time, packets.sll2(frame.data[14:], protocol=_ethertype(frame.data)))


def erspan(index: int, frame: Frame) -> Frame:
    mirrored = packets.erspan2(frame.data, session=7, vlan=100, sequence=index)
    outer = packets.ipv4(ERSPAN_SOURCE, ERSPAN_COLLECTOR, packets.PROTO_GRE, mirrored, ident=index & 0xFFFF)
    return Frame(frame.time, packets.ethernet(outer))


def _pcapng_two_interfaces(path: Path, source: list[Frame], initiator_mac: bytes) -> None:
    """Interface 0: Ethernet, microseconds (the initiator's side); 1: SLL2, nanoseconds."""
    out = []
    for frame in source:
        if frame.data[6:12] == initiator_mac:
            out.append(Frame(frame.time, frame.data, interface=0))
        else:
            out.append(Frame(frame.time, sll2(frame).data, interface=1))
    write_pcapng(path, [(ETHERNET, 6), (LINUX_SLL2, 9)], out)


Builder = Callable[[Path, list[Frame]], None]

VARIANTS: dict[str, tuple[str, str, Builder]] = {
    "variant-pcapng-two-interfaces": (
        "v1-mm-psk-mismatch", "pcapng with two interfaces: Ethernet in microseconds and Linux SLL2 in nanoseconds",
        lambda path, src: _pcapng_two_interfaces(path, src, src[0].data[6:12])),
    "variant-vlan-8021q": (
        "v1-mm-return-path-blocked-responder-side", "every frame carries an 802.1Q tag (VLAN 100)",
        lambda path, src: write_pcap(path, [vlan(f) for f in src])),
    "variant-linux-sll2": (
        "v2-auth-failed", "Linux cooked capture v2 (tcpdump -i any)",
        lambda path, src: write_pcap(path, [sll2(f) for f in src], link_type=LINUX_SLL2)),
    "variant-nanosecond-big-endian": (
        "v1-mm-udp4500-blocked", "nanosecond pcap written in big-endian byte order",
        lambda path, src: write_pcap(path, src, nanosecond=True, big_endian=True)),
    "variant-gzip": (
        "v1-mm-cert-ip-fragments-dropped", "gzip-compressed pcap (IP-fragmented MM5 inside)",
        lambda path, src: write_pcap(path, src, compress=True)),
    "variant-erspan": (
        "v1-qm-ts-mismatch", "mirrored by a remote switch: GRE + ERSPAN type II + the original frame",
        lambda path, src: write_pcap(path, [erspan(i, f) for i, f in enumerate(src)])),
    "variant-snaplen-96": (
        "v1-mm-no-psk-for-peer", "captured with a 96-byte snaplen: every IKE message is cut short",
        lambda path, src: write_pcap(path, src, snaplen=96)),
}
SUFFIX = {"variant-gzip": ".pcap.gz", "variant-pcapng-two-interfaces": ".pcapng"}


def build() -> list[Path]:
    built = []
    for name, (source, how, builder) in VARIANTS.items():
        path = CAPTURES / f"{name}{SUFFIX.get(name, '.pcap')}"
        builder(path, frames(source))
        expected = json.loads((CAPTURES / f"{source}.expected.json").read_text())
        expected["capture"] = path.name
        expected["origin"] = "variant"
        expected["variant_of"] = f"{source}.pcap"
        expected["description"] = f"{how}; otherwise {source}.pcap: {expected['description']}"
        (CAPTURES / f"{name}.expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
        built.append(path)
    return built


if __name__ == "__main__":
    for path in build():
        print(path)
