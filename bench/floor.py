"""The least a pure-Python tool can do on a capture that is almost all IKE: a lower bound.

    python3 bench/floor.py /tmp/ikepcap-bench/ike-heavy-100000.pcap

It walks a little-endian, microsecond pcap of Ethernet frames through a memory map, keeps
IPv4 UDP datagrams on port 500 or 4500 that are not fragments, unpacks each one's 28-byte
ISAKMP header and appends it to a list per initiator cookie. That is all: no IPv6, VLANs,
reassembly, payloads, retransmissions, diagnosis or report, and one process. Whatever ikepcap
(or any tool written in Python) does on top costs more, so this time, plus the interpreter's
start, bounds from below what Python can reach on the capture; bench/README.md compares it
with the IKE-heavy target.
"""

from __future__ import annotations

import mmap
import struct
import sys
import time

RECORD = struct.Struct("<IIII")
ISAKMP = struct.Struct("!8s8sBBBBII")
UDP_PORTS = struct.Struct("!HH")
IKE_PORTS = (500, 4500)


def main() -> None:
    started = time.perf_counter()
    with open(sys.argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        record, header, ports = RECORD.unpack_from, ISAKMP.unpack_from, UDP_PORTS.unpack_from
        by_cookie: dict[bytes, list] = {}
        offset, end, found = 24, len(data), 0
        while offset + 16 <= end:
            seconds, micros, length, _ = record(data, offset)
            frame = offset + 16
            offset = frame + length
            if data[frame + 12:frame + 14] != b"\x08\x00" or data[frame + 23] != 17 or \
                    struct.unpack_from("!H", data, frame + 20)[0] & 0x3FFF:
                continue
            udp = frame + 14 + (data[frame + 14] & 0x0F) * 4
            sport, dport = ports(data, udp)
            if sport not in IKE_PORTS and dport not in IKE_PORTS:
                continue
            ike = udp + 8
            if 4500 in (sport, dport):
                if data[ike:ike + 4] != bytes(4):
                    continue                            # ESP in UDP or a keepalive
                ike += 4
            if offset - ike < ISAKMP.size:
                continue
            fields = header(data, ike)
            by_cookie.setdefault(fields[0], []).append((seconds + micros / 1e6, fields))
            found += 1
    print(f"{found:,} ISAKMP headers in {len(by_cookie):,} initiator cookies: "
          f"{time.perf_counter() - started:.3f} s after the interpreter started")


if __name__ == "__main__":
    main()
