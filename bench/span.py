"""Build a span-port-like capture: mostly noise, with the IKE conversations of captures/ inside.

Deterministic for a given seed and size. The noise is what a span port on a VPN concentrator
carries: IPv4 TCP (full-size segments and bare ACKs), IPv4 UDP on other ports (DNS, QUIC),
ESP of established tunnels (several SPIs, both directions) and IPv6 TCP/UDP; frames are 20 µs
apart and average about 760 bytes. Every IKE frame of the lab captures is inserted once, in its
original order within its capture, at seeded random positions.
"""

from __future__ import annotations

import argparse
import random
import struct
from pathlib import Path

import dpkt

from ikepcap.decrypt.ciphers import integrity_icv
from ikepcap.decrypt.keys import V1_TABLE, V2_TABLE, KeyStore, V2Key, beside, read_keys
from ikepcap.synth import packets

ROOT = Path(__file__).resolve().parent.parent
FRAME_GAP = 20e-6
START = 1_750_000_000.0


def lab_frames() -> list[list[bytes]]:
    """The Ethernet frames of every plain pcap in captures/, one list per capture."""
    conversations = []
    for path in sorted((ROOT / "captures").glob("*.pcap")):
        with open(path, "rb") as f:
            reader = dpkt.pcap.Reader(f)
            if reader.datalink() != 1 or reader.snaplen < 1500:
                continue
            conversations.append([bytes(data) for _, data in reader])
    return conversations


class Noise:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.payload = bytes(rng.getrandbits(8) for _ in range(1500))
        self.hosts = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(64)]
        self.hosts6 = [f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(1, 65535):x}" for _ in range(32)]
        self.tunnels = [(rng.choice(self.hosts), rng.choice(self.hosts), rng.getrandbits(32)) for _ in range(10)]
        self.ident = 0
        self.sequence = 0

    def _tcp(self, size: int) -> bytes:
        header = struct.pack("!HHIIBBHHH", self.rng.choice((443, 80, 22, 8443)), self.rng.randrange(1024, 65535),
                             self.sequence, 0, 0x50, 0x10, 512, 0, 0)
        return header + self.payload[:size]

    def frame(self) -> bytes:
        self.ident = (self.ident + 1) & 0xFFFF
        self.sequence = (self.sequence + 1) & 0xFFFFFFFF
        r = self.rng.random()
        if r < 0.55:
            size = 1400 if self.rng.random() < 0.55 else 0
            ip = packets.ipv4(self.rng.choice(self.hosts), self.rng.choice(self.hosts), 6, self._tcp(size),
                              ident=self.ident)
            return packets.ethernet(ip)
        if r < 0.70:
            port = self.rng.choice((53, 443, 123, 5353))
            body = self.payload[:self.rng.randrange(60, 1300)]
            udp = struct.pack("!HHHH", self.rng.randrange(1024, 65535), port, 8 + len(body), 0) + body
            return packets.ethernet(packets.ipv4(self.rng.choice(self.hosts), self.rng.choice(self.hosts), 17, udp,
                                                 ident=self.ident))
        if r < 0.85:
            src, dst, spi = self.rng.choice(self.tunnels)
            if self.rng.random() < 0.5:
                src, dst, spi = dst, src, spi ^ 0xFFFFFFFF
            esp = struct.pack("!II", spi, self.sequence) + self.payload[:self.rng.randrange(80, 1400)]
            return packets.ethernet(packets.ipv4(src, dst, 50, esp, ident=self.ident))
        src, dst = self.rng.choice(self.hosts6), self.rng.choice(self.hosts6)
        if self.rng.random() < 0.7:
            return packets.ethernet(packets.ipv6(src, dst, 6, self._tcp(self.rng.choice((0, 1200)))), packets.ETH_IPV6)
        body = self.payload[:self.rng.randrange(60, 1200)]
        udp = struct.pack("!HHHH", self.rng.randrange(1024, 65535), 443, 8 + len(body), 0) + body
        return packets.ethernet(packets.ipv6(src, dst, 17, udp), packets.ETH_IPV6)


def build(path: Path, frames: int, seed: int = 1) -> dict:
    """Write the capture; returns how many frames of each kind it holds."""
    rng = random.Random(seed)
    noise = Noise(rng)
    conversations = lab_frames()
    ike_total = sum(len(c) for c in conversations)
    if 2 * ike_total >= frames:
        raise SystemExit(f"{frames} frames cannot hold the {ike_total} IKE frames of captures/ among noise")
    # each conversation starts at a random point and keeps its frames in order, 1..gap frames apart
    gap = max(2, min(50, frames // (2 * ike_total)))
    slots: dict[int, bytes] = {}
    for conversation in conversations:
        position = rng.randrange(0, max(1, frames - (gap + 1) * len(conversation)))
        for frame in conversation:
            while position in slots:
                position += 1
            slots[position] = frame
            position += rng.randrange(1, gap)
    size = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        chunk = []
        for index in range(frames):
            data = slots.get(index) or noise.frame()
            units = round((START + index * FRAME_GAP) * 1e6)
            chunk.append(struct.pack("<IIII", units // 1_000_000, units % 1_000_000, len(data), len(data)) + data)
            size += 16 + len(data)
            if len(chunk) == 4096:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))
    return {"frames": frames, "ike_frames": len(slots), "bytes": size + 24}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(build(args.output, args.frames, args.seed))


if __name__ == "__main__":
    main()


VLAN_TAGS = (0x8100, 0x88A8, 0x9100)


def _ip_offset(frame: bytes) -> tuple[int, int] | None:
    """(offset, IP version) of the IP header in an Ethernet frame, past any VLAN tags."""
    offset = 12
    ethertype = struct.unpack_from("!H", frame, offset)[0]
    while ethertype in VLAN_TAGS and len(frame) >= offset + 6:
        offset += 4
        ethertype = struct.unpack_from("!H", frame, offset)[0]
    version = {0x0800: 4, 0x86DD: 6}.get(ethertype)
    return (offset + 2, version) if version else None


def _isakmp_offset(frame: bytes) -> int | None:
    """Where the ISAKMP header starts in an Ethernet frame of IKE, or None (not IKE, or a later fragment)."""
    located = _ip_offset(frame)
    if located is None:
        return None
    ip, version = located
    if version == 4:
        ihl = (frame[ip] & 0x0F) * 4
        if frame[ip + 9] != 17 or struct.unpack_from("!H", frame, ip + 6)[0] & 0x1FFF:
            return None
        udp = ip + ihl
    elif frame[ip + 6] == 17:
        udp = ip + 40
    else:
        return None
    sport, dport = struct.unpack_from("!HH", frame, udp)
    if 4500 in (sport, dport):
        return udp + 12 if frame[udp + 8:udp + 12] == b"\x00\x00\x00\x00" else None
    return udp + 8 if 500 in (sport, dport) else None


def _replicate(frame: bytes, replica: int) -> bytes:
    """The frame as replica ``replica`` of its conversation: the initiator cookie and the IPv4
    identification XORed with the replica number (header checksum redone), so that replicas are
    distinct SAs and their fragments never meet in reassembly."""
    data = bytearray(frame)
    offset = _isakmp_offset(frame)
    if offset is not None and len(data) >= offset + 8:
        data[offset:offset + 4] = struct.pack("!I", struct.unpack_from("!I", data, offset)[0] ^ replica)
    located = _ip_offset(frame)
    if located is not None and located[1] == 4:
        ip = located[0]
        ihl = (data[ip] & 0x0F) * 4
        struct.pack_into("!H", data, ip + 4, struct.unpack_from("!H", data, ip + 4)[0] ^ (replica & 0xFFFF))
        struct.pack_into("!H", data, ip + 10, 0)
        words = struct.unpack_from(f"!{ihl // 2}H", data, ip)
        total = sum(words)
        while total > 0xFFFF:
            total = (total & 0xFFFF) + (total >> 16)
        struct.pack_into("!H", data, ip + 10, ~total & 0xFFFF)
    return bytes(data)


def build_ike_heavy(path: Path, frames: int, seed: int = 1) -> dict:
    """A capture that is almost all IKE: the lab conversations replayed under fresh initiator
    cookies until ``frames`` is reached, with one noise frame in twenty — a busy concentrator."""
    rng = random.Random(seed)
    noise = Noise(rng)
    conversations = [frames_ for frames_ in lab_frames() if any(_isakmp_offset(f) is not None for f in frames_)]
    written = 0
    replica = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < frames:
            replica += 1
            for frame in (frame for conversation in conversations for frame in conversation):
                for data in ((noise.frame(),) if rng.random() < 0.05 else ()) + (_replicate(frame, replica),):
                    if written >= frames:
                        break
                    units = round((START + written * FRAME_GAP) * 1e6)
                    out.write(struct.pack("<IIII", units // 1_000_000, units % 1_000_000, len(data), len(data)))
                    out.write(data)
                    written += 1
    return {"frames": written, "replicas": replica}


def build_flood(path: Path, messages: int, seed: int = 1) -> dict:
    """An IKE flood: Main Mode first messages with a fresh initiator cookie each, from spoofed
    sources, towards one responder — what a DoS on UDP 500 looks like at the victim."""
    rng = random.Random(seed)
    sa = bytes.fromhex("0000000100000001000000240101000100000018010100008001000780020002800300018004000e")
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for index in range(messages):
            header = rng.getrandbits(64).to_bytes(8, "big") + bytes(8) + bytes([1, 0x10, 2, 0]) + \
                struct.pack("!II", 0, 28 + 4 + len(sa))
            ike = header + struct.pack("!BBH", 0, 0, 4 + len(sa)) + sa
            source = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            frame = packets.ethernet(packets.ip_udp(source, "198.51.100.1", 500, 500, ike))
            units = round((START + index * FRAME_GAP) * 1e6)
            out.write(struct.pack("<IIII", units // 1_000_000, units % 1_000_000, len(frame), len(frame)))
            out.write(frame)
    return {"frames": messages}


V2_SK, V2_SKF = 46, 53                  # the IKEv2 payloads that carry ciphertext (RFC 7296, RFC 7383)
V2_FLAG_INITIATOR = 0x08


def keyed_conversations() -> list[tuple[Path, list[bytes], KeyStore]]:
    """The lab conversations that have key tables beside them: capture, frames, keys."""
    found = []
    for path in sorted((ROOT / "captures").glob("*.pcap")):
        tables = beside(path)
        if not tables:
            continue
        with open(path, "rb") as f:
            reader = dpkt.pcap.Reader(f)
            if reader.datalink() != 1 or reader.snaplen < 1500:
                continue
            frames = [bytes(data) for _, data in reader]
        keys = read_keys(tables)
        if keys.warnings:
            raise SystemExit(f"{path.name}: the lab's key tables do not read cleanly: {keys.warnings[0]}")
        found.append((path, frames, keys))
    return found


def _sk_end(data: bytes | bytearray, ike: int) -> int | None:
    """Where the SK or SKF payload of the IKEv2 message at ``ike`` ends, or None (no such payload)."""
    length = struct.unpack_from("!I", data, ike + 24)[0]
    kind, offset = data[ike + 16], ike + 28
    while kind not in (0, V2_SK, V2_SKF) and offset + 4 <= ike + length:
        kind, payload_length = data[offset], struct.unpack_from("!H", data, offset + 2)[0]
        if payload_length < 4:
            return None
        offset += payload_length
    if kind not in (V2_SK, V2_SKF) or offset + 4 > len(data):
        return None
    return offset + struct.unpack_from("!H", data, offset + 2)[0]


def _replicate_keyed(frame: bytes, replica: int, v2: dict[tuple[bytes, bytes], V2Key]) -> bytes:
    """The frame as replica ``replica`` (``_replicate``), and for IKEv2 the responder SPI changed
    too and the checksum of an SK/SKF payload recomputed with the SA's SK_ai or SK_ar: the
    checksum covers the IKE header, SPIs included (RFC 7296 §3.14), so without it the replica's
    keys would fail the integrity check. IKEv1 encryption does not depend on the cookies."""
    offset = _isakmp_offset(frame)
    data = bytearray(_replicate(frame, replica))
    if offset is None or len(data) < offset + 28 or data[offset + 17] >> 4 != 2:
        return bytes(data)
    key = v2.get((frame[offset:offset + 8], frame[offset + 8:offset + 16]))
    if any(data[offset + 8:offset + 16]):
        struct.pack_into("!I", data, offset + 8, struct.unpack_from("!I", data, offset + 8)[0] ^ replica)
    end = _sk_end(data, offset)
    if key is None or end is None:
        return bytes(data)
    if key.integrity is None:
        raise SystemExit(f"{key.source}: an AEAD SA's replicas would need resealing; the lab has none to replicate")
    sk_a = key.sk_ai if data[offset + 19] & V2_FLAG_INITIATOR else key.sk_ar
    icv = key.integrity.icv_bytes
    data[end - icv:end] = integrity_icv(key.integrity, sk_a, bytes(data[offset:end - icv]))
    return bytes(data)


def _replica_spi(spi: bytes, replica: int) -> bytes:
    return (int.from_bytes(spi[:4], "big") ^ replica).to_bytes(4, "big") + spi[4:]


def build_keyed(path: Path, frames: int, seed: int = 1) -> dict:
    """A busy concentrator whose peers' keys are known: the keyed lab conversations replayed as
    in ``build_ike_heavy`` (whole replicas, at least ``frames`` frames), with key tables beside
    the capture (``x.ikev1_decryption_table``, ``x.ikev2_decryption_table``: ikepcap reads them
    unless told ``--no-keys``) holding every replica's keys under its own cookies and SPIs."""
    rng = random.Random(seed)
    noise = Noise(rng)
    conversations = keyed_conversations()
    v1 = [key for _, _, keys in conversations for key in keys.v1]
    v2 = {(key.ispi, key.rspi): key for _, _, keys in conversations for key in keys.v2}
    v1_lines, v2_lines = [], []
    written = replica = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < frames:
            replica += 1
            for frame in (frame for _, conversation, _ in conversations for frame in conversation):
                for data in ((noise.frame(),) if rng.random() < 0.05 else ()) + \
                        (_replicate_keyed(frame, replica, v2),):
                    units = round((START + written * FRAME_GAP) * 1e6)
                    out.write(struct.pack("<IIII", units // 1_000_000, units % 1_000_000, len(data), len(data)))
                    out.write(data)
                    written += 1
            v1_lines += [f"{_replica_spi(k.icookie, replica).hex()},{k.encryption_key.hex()}\n" for k in v1]
            v2_lines += [f'{_replica_spi(k.ispi, replica).hex()},{_replica_spi(k.rspi, replica).hex()},'
                         f'{k.sk_ei.hex()},{k.sk_er.hex()},"{k.encryption.wireshark}",'
                         f'{k.sk_ai.hex()},{k.sk_ar.hex()},"{k.integrity.wireshark}"\n' for k in v2.values()]
    tables = beside_names(path)
    tables[0].write_text("".join(v1_lines))
    tables[1].write_text("".join(v2_lines))
    return {"frames": written, "replicas": replica, "keys": len(v1_lines) + len(v2_lines)}


def beside_names(capture: Path) -> tuple[Path, Path]:
    """The key tables ikepcap reads beside ``capture`` without being asked (``decrypt.beside``)."""
    return (capture.with_name(f"{capture.stem}.{V1_TABLE}"), capture.with_name(f"{capture.stem}.{V2_TABLE}"))
