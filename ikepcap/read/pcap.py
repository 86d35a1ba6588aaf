"""The classic pcap format (microsecond and nanosecond, either byte order), streamed.

The loop below is the hot path of the whole tool: it runs once per frame of a capture that may
hold millions of frames and a handful of IKE messages. It reads the file in large chunks,
pre-filters each record with one ``struct`` call (see ``prefilter``) and hands on only the
frames that may matter.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import BinaryIO

from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.linktypes import LINK_TYPE_NAMES
from ikepcap.read.prefilter import (
    IPV4_HEADER,
    IPV4_NO_OPTIONS,
    IPV6_HEADER,
    PORTS,
    PROTO_ESP,
    PROTO_TCP,
    PROTO_UDP,
    FastPath,
)

# magic as read little-endian -> (byte order, seconds per timestamp unit, record header size)
MAGICS: dict[bytes, tuple[str, float, int]] = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6, 16),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6, 16),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9, 16),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9, 16),
    b"\x34\xcd\xb2\xa1": ("<", 1e-6, 24),   # Alexey Kuznetsov's patched format
    b"\xa1\xb2\xcd\x34": (">", 1e-6, 24),
}
GLOBAL_HEADER = 24
CHUNK = 4 * 1024 * 1024
# No real capture has a frame this large; a larger length means the file is corrupt here.
MAX_RECORD = 16 * 1024 * 1024
LINK_TYPE_MASK = 0x0000FFFF             # the upper bits carry FCS information

Progress = Callable[[int, int], None]


def scan_pcap(stream: BinaryIO, head: bytes, decoder: FrameDecoder, progress: Progress | None = None) -> None:
    """Read every record after the 4 ``head`` bytes already taken from ``stream``."""
    order, unit, record_size = MAGICS[head]
    header = head + stream.read(GLOBAL_HEADER - len(head))
    stats = decoder.stats
    if len(header) < GLOBAL_HEADER:
        raise CaptureError(f"pcap global header is truncated ({len(header)} of {GLOBAL_HEADER} bytes)")
    link_type = struct.unpack_from(order + "I", header, 20)[0] & LINK_TYPE_MASK
    if link_type not in LINK_TYPE_NAMES:
        raise CaptureError(f"link type {link_type} is not supported (ikepcap reads "
                           f"{', '.join(sorted(set(LINK_TYPE_NAMES.values())))})")
    stats.format = "pcap (nanosecond)" if unit == 1e-9 else "pcap"
    stats.bytes = GLOBAL_HEADER
    prefix = "IIII" + ("8x" if record_size == 24 else "")
    fast = FastPath.build(link_type, order, prefix, record_size)
    plain = struct.Struct(order + prefix)
    frame = 0
    buf = b""
    off = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        buf = buf[off:] + chunk
        off = 0
        end = len(buf)
        last = -1
        if fast is not None:
            off, frame, last = _fast_records(buf, end, frame, fast, unit, link_type, decoder)
        off, frame, tail = _records(buf, off, end, frame, plain, record_size, unit, link_type, decoder)
        last = max(last, tail)
        if last >= 0:
            sec, frac = plain.unpack_from(buf, last)[:2]
            stats.last_time = sec + frac * unit
            if stats.first_time is None:
                sec, frac = plain.unpack_from(buf, 0)[:2]
                stats.first_time = sec + frac * unit
        if off < 0:
            break
        stats.bytes += len(chunk)
        if progress is not None:
            progress(stats.bytes, frame)
    if 0 <= off < len(buf):
        stats.warnings.append(
            f"the file ends inside a record after frame {frame} ({len(buf) - off} bytes left over): "
            "the capture was cut off; frames up to there are used")
    stats.frames = frame
    if frame:
        stats.link_types[link_type] = frame


def _fast_records(buf: bytes, end: int, frame: int, fast: FastPath, unit: float, link_type: int,
                  decoder: FrameDecoder) -> tuple[int, int, int]:
    """The pre-filtering loop; stops where a record no longer fits wholly into ``buf``.

    Returns where it stopped, the frame count, and where the last record it read starts."""
    unpack = fast.record.unpack_from
    ports = PORTS.unpack_from
    watched = decoder.watched_ports
    esp = decoder.esp
    decode = decoder.decode
    rec_size = fast.frame_offset
    ip = fast.ip_offset
    tag4, tag6, fragmask, nh_shift = fast.tag_ipv4, fast.tag_ipv6, fast.fragment_mask, fast.next_header_shift
    limit = end - fast.record.size
    off = 0
    last = -1
    while off <= limit:
        sec, frac, incl, wire, tag, version, word, protocol = unpack(buf, off)
        p = off + rec_size
        nxt = p + incl
        if nxt > end:
            break
        frame += 1
        if tag == tag4 and protocol == PROTO_TCP:
            pass
        elif tag == tag4 and version == IPV4_NO_OPTIONS and not word & fragmask and incl >= ip + 24 \
                and protocol in (PROTO_UDP, PROTO_ESP):
            if protocol == PROTO_UDP:
                sport, dport = ports(buf, p + ip + IPV4_HEADER)
                if sport in watched or dport in watched:
                    decode(frame, sec + frac * unit, link_type, buf[p:nxt], wire)
            else:
                key = buf[p + ip + 12:p + ip + 24]          # source, destination, SPI
                entry = esp.get(key)
                if entry is None:
                    esp[key] = [1, frame, sec + frac * unit, frame, sec + frac * unit]
                else:
                    entry[0] += 1
                    entry[3] = frame
                    entry[4] = sec + frac * unit
        elif tag == tag6 and incl >= ip + 44 and (word >> nh_shift) & 0xFF in (PROTO_TCP, PROTO_UDP, PROTO_ESP):
            next_header = (word >> nh_shift) & 0xFF
            if next_header == PROTO_UDP:
                sport, dport = ports(buf, p + ip + IPV6_HEADER)
                if sport in watched or dport in watched:
                    decode(frame, sec + frac * unit, link_type, buf[p:nxt], wire)
            elif next_header == PROTO_ESP:
                key = buf[p + ip + 8:p + ip + 44]
                entry = esp.get(key)
                if entry is None:
                    esp[key] = [1, frame, sec + frac * unit, frame, sec + frac * unit]
                else:
                    entry[0] += 1
                    entry[3] = frame
                    entry[4] = sec + frac * unit
        else:
            decode(frame, sec + frac * unit, link_type, buf[p:nxt], wire)
        last = off
        off = nxt
    return off, frame, last


def _records(buf: bytes, off: int, end: int, frame: int, plain: struct.Struct, rec_size: int, unit: float,
             link_type: int, decoder: FrameDecoder) -> tuple[int, int, int]:
    """Records the fast loop left: all of them for other link types, the last few otherwise.

    Returns ``(-1, frame, last)`` when a record length is implausible: the file is corrupt from
    there on, and what was read before stays usable.
    """
    last = -1
    while off + rec_size <= end:
        sec, frac, incl, wire = plain.unpack_from(buf, off)[:4]
        if incl > MAX_RECORD:
            decoder.stats.warnings.append(
                f"record after frame {frame} claims {incl} bytes: the file is corrupt from byte "
                f"{decoder.stats.bytes + off} on; frames up to there are used")
            return -1, frame, last
        nxt = off + rec_size + incl
        if nxt > end:
            break
        frame += 1
        decoder.decode(frame, sec + frac * unit, link_type, buf[off + rec_size:nxt], wire)
        last = off
        off = nxt
    return off, frame, last
