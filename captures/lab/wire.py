#!/usr/bin/env python3
"""What tshark shows in a lab capture, per IKE SA: the lab's own wire summary.

Used to check a capture and to fill the wire-derived parts of its
expected.json (initiator SPI, message sequence, retransmission counts,
one-way-ness).  It reads tshark's field output only; it does not use ikepcap.

    python3 captures/lab/wire.py captures/v1-mm-psk-mismatch.pcap

Message names follow the expected.json schema: IKEv1 MM1-MM6 / AM1-AM3 /
QM1-QM3 / INFO, IKEv2 "<EXCHANGE> request|response".  A retransmission is
the same message (sender, SPIs, exchange, message ID, flags, length, payload
chain) seen more than once.
"""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict
from dataclasses import dataclass, field

FIELDS = ["frame.number", "frame.time_relative", "ip.src", "ip.dst", "udp.srcport",
          "udp.dstport", "isakmp.ispi", "isakmp.rspi", "isakmp.exchangetype", "isakmp.flags",
          "isakmp.messageid", "isakmp.length", "isakmp.nextpayload", "isakmp.typepayload",
          "isakmp.notify.msgtype", "isakmp.version", "ip.fragment.count",
          "ipv6.src", "ipv6.dst", "ipv6.fragment.count"]

V1_EXCH = {2: "main", 4: "aggressive", 5: "info", 32: "quick"}
V2_EXCH = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}
P_SA, P_KE = 1, 4
V1_E, V2_R = 0x01, 0x20


@dataclass
class Msg:
    frame: int
    time: float
    src: str
    dst: str
    sport: int
    dport: int
    ispi: str
    rspi: str
    exch: int
    flags: int
    msgid: int
    length: int
    payloads: list
    notifies: list
    version: int
    ip_fragments: int
    name: str = ""
    sender: str = ""  # "initiator" | "responder" (of the IKE SA)

    @property
    def encrypted(self) -> bool:
        if self.version == 1:
            return bool(self.flags & V1_E)
        return 46 in self.payloads or 53 in self.payloads  # SK / SKF

    def key(self):
        return (self.src, self.ispi, self.rspi, self.exch, self.msgid, self.flags,
                self.length, tuple(self.payloads), self.name)


@dataclass
class SaView:
    ispi: str
    version: int
    initiator: str
    responder: str
    messages: list = field(default_factory=list)

    def retransmissions(self) -> list:
        counts: OrderedDict = OrderedDict()
        for m in self.messages:
            counts.setdefault(m.key(), []).append(m)
        out = []
        for msgs in counts.values():
            if len(msgs) > 1:
                out.append({"message": msgs[0].name, "sender": msgs[0].sender,
                            "copies": len(msgs)})
        return out

    def one_way(self) -> bool:
        return len({m.sender for m in self.messages}) == 1


def ints(s: str) -> list:
    return [int(x, 0) for x in s.split(",") if x != ""]


def read(pcap: str) -> list:
    cmd = ["tshark", "-r", pcap, "-Y", "isakmp", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    msgs = []
    for line in out.splitlines():
        v = line.split("\t")
        if len(v) < len(FIELDS) or not v[6]:
            continue
        if not v[2]:  # IPv6: addresses and reassembly from the ipv6 fields
            v[2], v[3], v[16] = v[17], v[18], v[19]
        ver = v[15].split(",")[0]
        version = 2 if ver.startswith("2") or int(v[8].split(",")[0]) >= 34 else 1
        msgs.append(Msg(
            frame=int(v[0]), time=float(v[1]), src=v[2], dst=v[3],
            sport=int(v[4].split(",")[0]), dport=int(v[5].split(",")[0]),
            ispi=v[6].split(",")[0], rspi=v[7].split(",")[0], exch=int(v[8].split(",")[0]),
            flags=int(v[9].split(",")[0], 16), msgid=int(v[10].split(",")[0], 16),
            length=int(v[11].split(",")[0]),
            payloads=ints(v[12].split(",")[0]) + ints(v[13]),
            notifies=ints(v[14]), version=version,
            ip_fragments=int(v[16]) if v[16] else 0))
    return msgs


def name_messages(msgs: list) -> list:
    sas: OrderedDict = OrderedDict()
    quick: dict = {}  # (ispi, msgid) -> [qm initiator, lengths seen from it]
    for m in msgs:
        sa = sas.get(m.ispi)
        if sa is None:
            sa = sas[m.ispi] = SaView(m.ispi, m.version, m.src, m.dst)
        m.sender = "initiator" if m.src == sa.initiator else "responder"
        mine = m.sender == "initiator"
        if m.version == 1:
            exch = V1_EXCH.get(m.exch, str(m.exch))
            if exch == "main":
                if m.encrypted:
                    m.name = "MM5" if mine else "MM6"
                elif P_SA in m.payloads:
                    m.name = "MM1" if mine else "MM2"
                elif P_KE in m.payloads:
                    m.name = "MM3" if mine else "MM4"
                else:
                    m.name = "MM?"
            elif exch == "aggressive":
                m.name = "AM3" if mine and (m.encrypted or P_SA not in m.payloads) else (
                    "AM1" if mine else "AM2")
            elif exch == "quick":
                q = quick.setdefault((m.ispi, m.msgid), [m.src, []])
                if m.src == q[0]:
                    if not q[1] or m.length == q[1][0]:
                        m.name = "QM1"
                    else:
                        m.name = "QM3"
                    if m.length not in q[1]:
                        q[1].append(m.length)
                else:
                    m.name = "QM2"
            else:
                m.name = "INFO"
        else:
            m.name = V2_EXCH.get(m.exch, str(m.exch)) + (
                " response" if m.flags & V2_R else " request")
        sa.messages.append(m)
    return list(sas.values())


def summary(pcap: str) -> list:
    out = []
    for sa in name_messages(read(pcap)):
        out.append({
            "ispi": sa.ispi, "version": sa.version, "initiator": sa.initiator,
            "responder": sa.responder,
            "messages": [
                {"frame": m.frame, "t": round(m.time, 3), "name": m.name, "sender": m.sender,
                 "ports": f"{m.sport}->{m.dport}", "encrypted": m.encrypted,
                 "msgid": f"{m.msgid:08x}", "rspi": m.rspi, "length": m.length,
                 "clear_notifies": [] if m.encrypted else m.notifies,
                 "ip_fragments": m.ip_fragments}
                for m in sa.messages],
            "retransmissions": sa.retransmissions(),
            "one_way": sa.one_way(),
        })
    return out


def main() -> int:
    for pcap in sys.argv[1:]:
        print(f"== {pcap}")
        for sa in summary(pcap):
            print(f"SA {sa['ispi']} v{sa['version']} {sa['initiator']} -> {sa['responder']}"
                  f"  one_way={sa['one_way']}  retransmissions={sa['retransmissions']}")
            for m in sa["messages"]:
                enc = "E" if m["encrypted"] else " "
                frag = f" frags={m['ip_fragments']}" if m["ip_fragments"] else ""
                print(f"  #{m['frame']:<3} {m['t']:7.3f} {m['sender']:9s} {m['name']:22s} "
                      f"{m['ports']:10s} {enc} id={m['msgid']} len={m['length']} "
                      f"rspi={m['rspi'][:8]} notify={m['clear_notifies']}{frag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
