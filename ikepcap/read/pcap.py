"""The classic pcap format (microsecond and nanosecond, either byte order), streamed.

A plain file is memory-mapped and walked window by window (pages behind the walk are given
back, so memory stays flat); a gzip stream or standard input is read in large chunks. Either
way the records go through the sift, the hot path shared with pcapng (see ``prefilter``), and
only frames that may matter go further; the careful loop here takes the records the sift
leaves (link types it has no layout for, impossible lengths).

A plain file can also be walked in byte ranges by separate processes: ``resync`` finds the
first record boundary at or after an arbitrary offset, and ``scan_mapped`` walks exactly the
records that start inside a range, so ranges joined end to end cover every record once.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.linktypes import LINK_TYPE_NAMES
from ikepcap.read.prefilter import FastPath, Sift

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
WINDOW = 32 * 1024 * 1024               # mapped bytes walked before their pages are given back
# No real capture has a frame this large; a larger length means the file is corrupt here.
MAX_RECORD = 16 * 1024 * 1024
LINK_TYPE_MASK = 0x0000FFFF             # the upper bits carry FCS information
# A record boundary found by resync is trusted once this many records in a row parse sanely.
RESYNC_CHAIN = 16
MAX_WIRE = 256 * 1024                   # no link carries a larger frame (TSO/GRO included)
RESYNC_SEARCH = 4 * 1024 * 1024

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PcapFormat:
    order: str
    unit: float
    record_size: int
    link_type: int
    snaplen: int

    @classmethod
    def parse(cls, header: bytes) -> PcapFormat:
        if len(header) < GLOBAL_HEADER:
            raise CaptureError(f"pcap global header is truncated ({len(header)} of {GLOBAL_HEADER} bytes)")
        if header[:4] not in MAGICS:
            raise CaptureError("not a pcap file (unknown magic number)")
        order, unit, record_size = MAGICS[header[:4]]
        snaplen, network = struct.unpack_from(order + "II", header, 16)
        link_type = network & LINK_TYPE_MASK
        if link_type not in LINK_TYPE_NAMES:
            raise CaptureError(f"link type {link_type} is not supported (ikepcap reads "
                               f"{', '.join(sorted(set(LINK_TYPE_NAMES.values())))})")
        return cls(order, unit, record_size, link_type, snaplen)

    @property
    def name(self) -> str:
        return "pcap (nanosecond)" if self.unit == 1e-9 else "pcap"


class RecordWalker:
    """Walks records in a buffer, sifting them (see ``prefilter``), and counts frames as Wireshark does."""

    def __init__(self, fmt: PcapFormat, decoder: FrameDecoder, first_frame: int = 0) -> None:
        self.fmt = fmt
        self.decoder = decoder
        fast = FastPath.build(fmt.link_type, fmt.order, fmt.record_size, head=((8, "I"),), timestamp_at=0,
                              wire_at=12)
        self.sift = None if fast is None else Sift(decoder, fast, fmt.link_type, fmt.unit, max_record=MAX_RECORD)
        self.plain = struct.Struct(fmt.order + "IIII")
        self.frame = first_frame
        self.last: int | None = None        # where the last record walked starts (its time ends the span)
        self.corrupt = False

    def walk(self, buf, off: int, stop: int, end: int) -> int:
        """Every record that starts before ``stop`` and lies wholly before ``end``.

        Returns the offset of the first record not walked. Sets ``corrupt`` when a record
        claims an impossible length: the file cannot be followed past it.
        """
        if self.sift is not None:
            off, self.frame, last = self.sift.sift(buf, off, stop, end, self.frame)
            if last >= 0:
                self.last = last
        return self._plain(buf, off, stop, end)

    def record_time(self, buf, off: int) -> float:
        sec, frac = self.plain.unpack_from(buf, off)[:2]
        return sec + frac * self.fmt.unit

    def _plain(self, buf, off: int, stop: int, end: int) -> int:
        """The careful loop: link types without a fast layout, and records the fast loop left."""
        rec_size = self.fmt.record_size
        unit = self.fmt.unit
        while off < stop and off + rec_size <= end:
            sec, frac, incl, wire = self.plain.unpack_from(buf, off)[:4]
            if incl > MAX_RECORD:
                self.decoder.stats.warnings.append(
                    f"record after frame {self.frame} claims {incl} bytes: the file is corrupt from byte {off} on; "
                    "frames up to there are used")
                self.corrupt = True
                return off
            nxt = off + rec_size + incl
            if nxt > end:
                break
            self.frame += 1
            self.last = off
            self.decoder.decode(self.frame, sec + frac * unit, self.fmt.link_type, buf[off + rec_size:nxt], wire)
            off = nxt
        return off


def _finish(walker: RecordWalker, leftover: int) -> None:
    stats = walker.decoder.stats
    if leftover and not walker.corrupt:
        stats.warnings.append(
            f"the file ends inside a record after frame {walker.frame} ({leftover} bytes left over): "
            "the capture was cut off; frames up to there are used")
    stats.frames = walker.frame
    if walker.frame:
        stats.link_types[walker.fmt.link_type] = walker.frame


def scan_stream(stream: BinaryIO, head: bytes, decoder: FrameDecoder, progress: Progress | None = None) -> None:
    """Read a pcap from a stream (gzip, standard input) after its 4 sniffed ``head`` bytes."""
    fmt = PcapFormat.parse(head + stream.read(GLOBAL_HEADER - len(head)))
    decoder.stats.format = fmt.name
    decoder.stats.bytes = GLOBAL_HEADER
    walker = RecordWalker(fmt, decoder)
    read = getattr(stream, "read1", stream.read)           # what is there, without waiting for a full chunk
    buf = b""
    off = 0
    try:
        while not walker.corrupt:
            chunk = read(CHUNK)
            if not chunk:
                break
            buf = buf[off:] + chunk
            before = walker.frame
            off = walker.walk(buf, 0, len(buf), len(buf))
            if walker.frame > before:
                if decoder.stats.first_time is None:
                    decoder.stats.first_time = walker.record_time(buf, 0)
                decoder.stats.last_time = walker.record_time(buf, walker.last)
            decoder.stats.bytes += len(chunk)
            if progress is not None:
                progress(decoder.stats.bytes, walker.frame)
    finally:                                                # a damaged gzip stream ends in an exception
        _finish(walker, len(buf) - off)


def scan_mapped(path: str, decoder: FrameDecoder, progress: Progress | None = None,
                start: int | None = None, stop: int | None = None, digest_wanted: bool = False) -> None:
    """Walk a plain pcap file through a memory map, window by window.

    With ``start``/``stop``, walk only the records that start in [start, stop): ``start`` must
    be a record boundary (``resync`` finds one) and frame numbers then count from 1 within
    the range — the caller adds the frames of the ranges before it.
    """
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        if size == 0:
            raise CaptureError("empty file")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            fmt = PcapFormat.parse(mm[:GLOBAL_HEADER])
            decoder.stats.format = fmt.name
            if hasattr(mm, "madvise"):
                mm.madvise(mmap.MADV_SEQUENTIAL)
            walker = RecordWalker(fmt, decoder)
            # the digest of a whole file is taken from the pages as they are walked, not by reading it again
            digest = hashlib.sha256(mm[:GLOBAL_HEADER]) if digest_wanted and start is None and stop is None else None
            off = GLOBAL_HEADER if start is None else start
            stop = size if stop is None else stop
            released = off - off % mmap.PAGESIZE
            if off + fmt.record_size <= size:
                decoder.stats.first_time = walker.record_time(mm, off)
            while off < stop and not walker.corrupt:
                window_end = min(off + WINDOW, stop)
                nxt = walker.walk(mm, off, window_end, size)
                if nxt == off:
                    break                                      # a record runs past the end of the file
                if digest is not None:
                    digest.update(mm[off:nxt])
                off = nxt
                decoder.stats.bytes = off - (start or 0)
                # give the pages behind the walk back: the map must not grow with the file
                boundary = off - off % mmap.PAGESIZE
                if boundary > released and hasattr(mm, "madvise"):
                    mm.madvise(mmap.MADV_DONTNEED, released, boundary - released)
                    released = boundary
                if progress is not None:
                    progress(decoder.stats.bytes, walker.frame)
            if digest is not None:
                digest.update(mm[off:size])
                decoder.stats.sha256 = digest.hexdigest()
            if walker.last is not None:
                decoder.stats.last_time = walker.record_time(mm, walker.last)
            _finish(walker, stop - off if off < stop and stop == size else 0)


def read_format(path: str) -> PcapFormat:
    with open(path, "rb") as f:
        return PcapFormat.parse(f.read(GLOBAL_HEADER))


def resync(path: str, fmt: PcapFormat, offset: int) -> int | None:
    """The first record boundary at or after ``offset``, or None when none is found nearby.

    A boundary is accepted when a chain of RESYNC_CHAIN records starting there (or all the
    records up to the exact end of the file) have sane lengths (captured ≤ on the wire ≤ 256 KiB,
    captured within the snaplen) and timestamps in order, within a year of the file's first
    record. Random data passes that by chance with vanishing probability; the caller also
    checks that the range before it ends exactly on the boundary.
    """
    rec = struct.Struct(fmt.order + "IIII")
    # no record can be larger than MAX_WIRE (checked below), whatever the header's snaplen says
    limit = min(max(fmt.snaplen, 65535), MAX_WIRE) if fmt.snaplen else MAX_WIRE
    frac_limit = 1_000_000_000 if fmt.unit == 1e-9 else 1_000_000
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        f.seek(GLOBAL_HEADER)
        first = f.read(fmt.record_size)
        if len(first) < fmt.record_size:
            return None
        origin = rec.unpack_from(first)[0]
        f.seek(offset)
        window = f.read(RESYNC_SEARCH + RESYNC_CHAIN * (limit + fmt.record_size))
    for candidate in range(0, min(RESYNC_SEARCH, len(window))):
        pos = candidate
        previous = origin - 86400
        for _ in range(RESYNC_CHAIN):
            if offset + pos == size:
                break                                       # the chain ends exactly at the end of the file
            if pos + fmt.record_size > len(window):
                pos = -1                                    # past the file, or too far to verify
                break
            sec, frac, incl, wire = rec.unpack_from(window, pos)
            if frac >= frac_limit or incl > wire or incl > limit or wire > MAX_WIRE or \
                    not previous <= sec <= origin + 366 * 86400:
                pos = -1
                break
            previous = sec - 1
            pos += fmt.record_size + incl
        if pos >= 0 and offset + pos <= size:
            return offset + candidate
    return None
