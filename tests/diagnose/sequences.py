"""Small built message sequences for rule tests: an IKE conversation, message by message.

Each helper sends one well-formed message (RFC layouts via ikepcap.synth) from one side at
a given time; ``diagnosis()`` runs correlation and diagnosis on what was sent, exactly as the
CLI would on a capture holding those messages.
"""

from __future__ import annotations

import hashlib
import ipaddress
import struct
from dataclasses import replace

from ikepcap.correlate.correlate import correlate
from ikepcap.decode.message import decode_datagram
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.diagnose.model import SaDiagnosis
from ikepcap.extract.model import Extraction
from ikepcap.read.model import Datagram, EspFlow, IcmpError, KeepaliveFlow, LostFragments, QuotedDatagram
from ikepcap.synth import ike

I_ADDR, R_ADDR = "192.0.2.10", "198.51.100.20"
ISPI, RSPI = bytes.fromhex("a1a2a3a4a5a6a7a8"), bytes.fromhex("b1b2b3b4b5b6b7b8")
PSK_SA = ike.sa_v1([(1, b"", [(1, [(1, 7), (14, 128), (2, 4), (3, 1), (4, 14), (11, 1), (12, 28800)])])])
RSA_SA = ike.sa_v1([(1, b"", [(1, [(1, 7), (14, 128), (2, 4), (3, 3), (4, 14), (11, 1), (12, 28800)])])])
# 3DES, MD5, pre-shared key, MODP-1024: what an old peer still negotiates
WEAK_SA = ike.sa_v1([(1, b"", [(1, [(1, 5), (2, 1), (3, 1), (4, 2), (11, 1), (12, 28800)])])])
V2_SA = ike.sa_v2([(1, b"", [(1, 12, [(14, 128)]), (2, 5, []), (3, 12, []), (4, 19, [])])])


def natd(address: str, port: int, ispi: bytes = ISPI, rspi: bytes = RSPI, algorithm: str = "sha1") -> bytes:
    return hashlib.new(algorithm, ispi + rspi + ipaddress.ip_address(address).packed + struct.pack("!H", port)).digest()


class Conversation:
    """One IKE SA's messages, as a capture point between the peers would see them."""

    def __init__(self, version: int = 1, initiator: str = I_ADDR, responder: str = R_ADDR) -> None:
        self.version = version
        self.addresses = {"i": initiator, "r": responder}
        self.messages = []
        self.esp: list[EspFlow] = []
        self.icmp: list[IcmpError] = []
        self.lost: list[LostFragments] = []
        self.keepalives: list[KeepaliveFlow] = []
        self.frame = 0

    def send(self, time: float, side: str, data: bytes, port: int = 500, fragments: tuple[int, ...] = (),
             ip_length: int | None = None) -> None:
        self.frame += len(fragments) or 1
        src, dst = (self.addresses[side], self.addresses["r" if side == "i" else "i"])
        payload = (b"\x00" * 4 + data) if port == 4500 else data
        message = decode_datagram(Datagram(
            file="built", frame=self.frame, time=time, src=src, dst=dst, sport=port, dport=port,
            payload=payload[4:] if port == 4500 else payload, marker=port == 4500,
            ip_length=ip_length or 28 + len(payload), fragments=fragments))
        assert message is not None and not message.warnings, message.warnings if message else None
        self.messages.append(message)

    # --- IKEv1 ------------------------------------------------------------------------------

    def mm(self, number: int, time: float, sa: bytes = PSK_SA, port: int = 500, size: int = 64,
           extra: list | None = None, nat: bool = False, algorithm: str = "sha1", **kw) -> None:
        side = "i" if number % 2 else "r"
        rspi = bytes(8) if number == 1 else RSPI
        if number in (1, 2):
            parts = [(ike.V1_SA, sa)]
        elif number in (3, 4):
            me, peer = self.addresses[side], self.addresses["r" if side == "i" else "i"]
            parts = [(ike.V1_KE, b"k" * 256), (ike.V1_NONCE, b"n" * 32),
                     (ike.V1_NATD, natd(peer, 500, rspi=RSPI, algorithm=algorithm)),
                     (ike.V1_NATD, natd("203.0.113.99" if nat else me, 500, rspi=RSPI, algorithm=algorithm))]
        else:
            data = ike.message(ISPI, rspi, 2, [], flags=1, encrypted=b"\x00" * size, first_payload=5)
            return self.send(time, side, data, port=port, **kw)
        self.send(time, side, ike.message(ISPI, rspi, 2, parts + (extra or [])), port=port, **kw)

    def am(self, number: int, time: float, sa: bytes = PSK_SA) -> None:
        side = "i" if number != 2 else "r"
        if number == 1:
            parts = [(ike.V1_SA, sa), (ike.V1_KE, b"k" * 128), (ike.V1_NONCE, b"n" * 20),
                     (ike.V1_ID, ike.id_v1(1, b"\xc0\x00\x02\x0a"))]
            self.send(time, side, ike.message(ISPI, bytes(8), 4, parts))
        elif number == 2:
            parts = [(ike.V1_SA, sa), (ike.V1_KE, b"k" * 128), (ike.V1_NONCE, b"n" * 20),
                     (ike.V1_ID, ike.id_v1(1, b"\xc6\x33\x64\x14")), (ike.V1_HASH, b"h" * 20)]
            self.send(time, side, ike.message(ISPI, RSPI, 4, parts))
        else:
            self.send(time, side, ike.message(ISPI, RSPI, 4, [], flags=1, encrypted=b"\x00" * 32, first_payload=8))

    def qm(self, number: int, time: float, message_id: int = 0x1234, starter: str = "i", size: int = 160,
           port: int = 500) -> None:
        side = starter if number != 2 else ("r" if starter == "i" else "i")
        length = {1: size, 2: size, 3: 48}[number]
        self.send(time, side, ike.message(ISPI, RSPI, 32, [], flags=1, message_id=message_id,
                                          encrypted=b"\x00" * length, first_payload=8), port=port)

    def info(self, time: float, side: str, message_id: int, size: int = 80, port: int = 500) -> None:
        self.send(time, side, ike.message(ISPI, RSPI, 5, [], flags=1, message_id=message_id,
                                          encrypted=b"\x00" * size, first_payload=8), port=port)

    def notify_v1(self, time: float, side: str, notify_type: int, rspi: bytes = RSPI, spi: bytes | None = None) -> None:
        spi = ISPI + rspi if spi is None else spi
        self.send(time, side, ike.message(ISPI, rspi, 5, [(ike.V1_N, ike.notify_v1(notify_type, spi=spi))]))

    def healthy_main(self, t: float = 0.0) -> None:
        for n in range(1, 7):
            self.mm(n, t + n * 0.01)
        for n in (1, 2, 3):
            self.qm(n, t + 0.1 + n * 0.01)

    # --- IKEv2 --------------------------------------------------------------------------------

    def v2(self, time: float, side: str, exchange: int, parts: list, message_id: int = 0, response: bool = False,
           rspi: bytes = RSPI, port: int = 500, **kw) -> None:
        flags = (0x08 if side == "i" else 0) | (0x20 if response else 0)
        first = kw.pop("first_payload", None)
        self.send(time, side, ike.message(ISPI, rspi, exchange, parts, flags=flags, message_id=message_id,
                                          version=0x20, first_payload=first), port=port, **kw)

    def init_request(self, time: float, group: int = 19, extra: list | None = None) -> None:
        me, peer = self.addresses["i"], self.addresses["r"]
        parts = [(33, V2_SA), (34, ike.ke_v2(group, b"k" * 64)), (40, b"n" * 32),
                 (41, ike.notify_v2(16388, data=natd(me, 500, rspi=bytes(8)))),
                 (41, ike.notify_v2(16389, data=natd(peer, 500, rspi=bytes(8))))]
        self.v2(time, "i", 34, (extra or []) + parts, rspi=bytes(8))

    def init_response(self, time: float, notify: tuple[int, bytes] | None = None) -> None:
        if notify is not None:
            self.v2(time, "r", 34, [(41, ike.notify_v2(notify[0], data=notify[1]))], response=True, rspi=bytes(8))
            return
        me, peer = self.addresses["r"], self.addresses["i"]
        parts = [(33, V2_SA), (34, ike.ke_v2(19, b"k" * 64)), (40, b"n" * 32),
                 (41, ike.notify_v2(16388, data=natd(me, 500))), (41, ike.notify_v2(16389, data=natd(peer, 500)))]
        self.v2(time, "r", 34, parts, response=True)

    def sk(self, time: float, side: str, exchange: int, message_id: int, size: int, response: bool = False,
           port: int = 4500, **kw) -> None:
        self.v2(time, side, exchange, [(46, b"\x00" * size)], message_id=message_id, response=response, port=port,
                first_payload=35 if exchange == 35 else 0, **kw)

    def healthy_v2(self, t: float = 0.0) -> None:
        self.init_request(t)
        self.init_response(t + 0.01)
        self.sk(t + 0.02, "i", 35, 1, 256)
        self.sk(t + 0.03, "r", 35, 1, 240, response=True)

    # --- the capture around it --------------------------------------------------------------

    def add_esp(self, src: str, dst: str, spi: int, packets: int = 3) -> None:
        self.esp.append(EspFlow(src, dst, spi, False, None, None, packets, "built", 100, 10.0, 102, 12.0))

    def add_keepalives(self, side: str, times: tuple[float, ...], file: str = "built") -> None:
        """NAT-T keepalives from one side on UDP 4500, one frame each."""
        first = self.frame + 1
        self.frame += len(times)
        src, dst = self.addresses[side], self.addresses["r" if side == "i" else "i"]
        self.keepalives.append(KeepaliveFlow(src, dst, 4500, 4500, len(times), file, first, times[0], self.frame,
                                             times[-1]))

    def add_icmp(self, time: float, description: str, icmp_type: int = 3, code: int = 3) -> None:
        self.frame += 1
        self.icmp.append(IcmpError("built", self.frame, time, self.addresses["r"], self.addresses["i"], 4, icmp_type,
                                   code, description, None,
                                   QuotedDatagram(self.addresses["i"], self.addresses["r"], 17, 500, 500, ISPI)))

    def add_lost_fragments(self, time: float, frames: tuple[int, ...]) -> None:
        self.lost.append(LostFragments("built", frames, time, self.addresses["i"], self.addresses["r"], 4500, 4500,
                                       ISPI, 1480, None, "still incomplete at the end of the capture"))

    def renamed(self, ispi: bytes) -> list:
        """The messages under another initiator SPI (header field and bytes), to put several
        conversations in one capture as distinct SAs."""
        return [replace(m, ispi=ispi, data=ispi + m.data[8:]) for m in self.messages]

    def diagnosis(self) -> SaDiagnosis:
        extraction = Extraction(engine="native", messages=list(self.messages), esp=self.esp,
                                icmp_errors=self.icmp, lost_fragments=self.lost, keepalives=self.keepalives)
        result = diagnose(correlate(extraction))
        assert len(result.sas) == 1, [d.sa.ispi for d in result.sas]
        return result.sas[0]

    def rules(self) -> list[str]:
        return sorted(f.rule for f in self.diagnosis().findings)
