"""pcapng (draft-ietf-opsawg-pcapng), streamed: sections, interfaces, packet blocks.

Each section has its own byte order and interfaces; each interface its own link type and
timestamp resolution. Frames are counted the way Wireshark counts them: one per Enhanced,
Simple or (obsolete) Packet Block, so frame numbers match Wireshark's.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.linktypes import LINK_TYPE_NAMES
from ikepcap.read.prefilter import FastPath, Sift

SHB = 0x0A0D0D0A
IDB = 1
PB = 2
SPB = 3
EPB = 6
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPT_END = 0
OPT_TSRESOL = 9
OPT_TSOFFSET = 14
CHUNK = 4 * 1024 * 1024
MAX_BLOCK = 16 * 1024 * 1024
EPB_FIXED = 28                          # block header + interface, timestamp, lengths
# The smallest length each block type can have: header, fixed fields, trailing length.
MIN_BLOCK = {IDB: 20, PB: 32, SPB: 16, EPB: EPB_FIXED + 4}

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Interface:
    link_type: int
    snaplen: int
    unit: float = 1e-6
    offset: float = 0.0


class _Corrupt(Exception):
    pass


class PcapngScanner:
    def __init__(self, decoder: FrameDecoder, progress: Progress | None) -> None:
        self.decoder = decoder
        self.progress = progress
        self.order = "<"
        self.interfaces: list[Interface] = []
        self.frame = 0
        self.sift: Sift | None = None

    def scan(self, stream: BinaryIO, head: bytes) -> None:
        stats = self.decoder.stats
        stats.format = "pcapng"
        buf = head
        off = 0
        checked = False
        read = getattr(stream, "read1", stream.read)       # what is there, without waiting for a full chunk
        try:
            while True:
                chunk = read(CHUNK)
                if not chunk and off >= len(buf):
                    break
                buf = buf[off:] + chunk
                off = 0
                if not checked:
                    if len(buf) < 12:
                        if chunk:
                            continue
                        raise CaptureError("pcapng section header block is truncated")
                    self._section(buf, 0, check_only=True)
                    (length,) = struct.unpack_from(self.order + "I", buf, 4)
                    if len(buf) < min(length, MAX_BLOCK):
                        if chunk:
                            continue
                        # nothing of the capture can be read: a file, not a frame, is cut
                        raise CaptureError("pcapng section header block is truncated")
                    checked = True
                try:
                    off = self._blocks(buf, len(buf))
                except _Corrupt as error:
                    stats.warnings.append(f"{error} after frame {self.frame}: the rest of the file is not read; "
                                          "frames up to there are used")
                    off = len(buf)
                    break
                stats.bytes += len(chunk)
                if self.progress is not None:
                    self.progress(stats.bytes, self.frame)
                if not chunk:
                    break
            if off < len(buf):
                stats.warnings.append(
                    f"the file ends inside a block after frame {self.frame} ({len(buf) - off} bytes left over): "
                    "the capture was cut off; frames up to there are used")
        finally:                                            # a damaged gzip stream ends in an exception
            stats.frames = self.frame

    # --- blocks -------------------------------------------------------------------------

    def _blocks(self, buf: bytes, end: int) -> int:
        """Every whole block in ``buf``; returns where the first incomplete one starts."""
        off = 0
        while off + 8 <= end:
            if self.sift is not None:
                off = self._sift(buf, off, end)
                if off + 8 > end:
                    break
            btype, blen = struct.unpack_from(self.order + "II", buf, off)
            if btype == SHB:
                self._section(buf, off)
                btype, blen = struct.unpack_from(self.order + "II", buf, off)
            if blen < MIN_BLOCK.get(btype, 12) or blen % 4 or blen > MAX_BLOCK:
                raise _Corrupt(f"block of type 0x{btype:x} with impossible length {blen}")
            if off + blen > end:
                break
            self._block(btype, buf, off, blen)
            off += blen
        return off

    def _section(self, buf: bytes, off: int, check_only: bool = False) -> None:
        if len(buf) < off + 12:
            return
        magic = buf[off + 8:off + 12]
        if magic == struct.pack("<I", BYTE_ORDER_MAGIC):
            order = "<"
        elif magic == struct.pack(">I", BYTE_ORDER_MAGIC):
            order = ">"
        elif check_only:
            raise CaptureError("pcapng section header has no valid byte-order magic")
        else:
            raise _Corrupt("section header with no valid byte-order magic")
        if not check_only:
            self.order = order
            self.interfaces = []
            self.sift = None
        else:
            self.order = order

    def _block(self, btype: int, buf: bytes, off: int, blen: int) -> None:
        order = self.order
        decoder = self.decoder
        if btype == IDB:
            link_type, _, snaplen = struct.unpack_from(order + "HHI", buf, off + 8)
            iface = Interface(link_type, snaplen)
            self._options(iface, buf, off + 16, off + blen - 4)
            if link_type not in LINK_TYPE_NAMES:
                decoder.stats.note(
                    f"interface {len(self.interfaces)} has link type {link_type}, which ikepcap does not read; "
                    "its frames are skipped")
            self.interfaces.append(iface)
            self._sift_interface(len(self.interfaces) - 1)
        elif btype == EPB:
            if_id, high, low, caplen, wire = struct.unpack_from(order + "IIIII", buf, off + 8)
            self.frame += 1
            iface = self._interface(if_id)
            if iface is None:
                return
            data = buf[off + EPB_FIXED:off + EPB_FIXED + min(caplen, blen - EPB_FIXED - 4)]
            time = ((high << 32) | low) * iface.unit + iface.offset
            self._saw_time(time)
            decoder.decode(self.frame, time, iface.link_type, data, wire)
            self._count_link(iface.link_type)
        elif btype == SPB:
            self.frame += 1
            iface = self._interface(0)
            if iface is None:
                return
            (wire,) = struct.unpack_from(order + "I", buf, off + 8)
            caplen = min(wire, blen - 16, iface.snaplen or wire)
            decoder.decode(self.frame, 0.0, iface.link_type, buf[off + 12:off + 12 + caplen], wire)
            self._count_link(iface.link_type)
        elif btype == PB:
            if_id, _, high, low, caplen, wire = struct.unpack_from(order + "HHIIII", buf, off + 8)
            self.frame += 1
            iface = self._interface(if_id)
            if iface is None:
                return
            data = buf[off + 28:off + 28 + min(caplen, blen - 32)]
            time = ((high << 32) | low) * iface.unit + iface.offset
            self._saw_time(time)
            decoder.decode(self.frame, time, iface.link_type, data, wire)
            self._count_link(iface.link_type)

    def _saw_time(self, time: float) -> None:
        stats = self.decoder.stats
        if stats.first_time is None:
            stats.first_time = time
        stats.last_time = time

    def _interface(self, if_id: int) -> Interface | None:
        if if_id < len(self.interfaces):
            return self.interfaces[if_id]
        self.decoder.stats.note(f"frame {self.frame}: refers to interface {if_id}, which was never described")
        return None

    def _count_link(self, link_type: int) -> None:
        counts = self.decoder.stats.link_types
        counts[link_type] = counts.get(link_type, 0) + 1

    def _options(self, iface: Interface, buf: bytes, off: int, end: int) -> None:
        while off + 4 <= end:
            code, length = struct.unpack_from(self.order + "HH", buf, off)
            if code == OPT_END or off + 4 + length > end:
                return                                  # the end, or an option running past its block
            value = buf[off + 4:off + 4 + length]
            if code == OPT_TSRESOL and length == 1:
                resolution = value[0]
                iface.unit = 2.0 ** -(resolution & 0x7F) if resolution & 0x80 else 10.0 ** -resolution
            elif code == OPT_TSOFFSET and length == 8:
                iface.offset = float(struct.unpack(self.order + "q", value)[0])
            off += 4 + (length + 3) // 4 * 4

    def _sift_interface(self, if_id: int) -> None:
        """Sift EPBs of the first interface's link type; other interfaces' frames take the careful path."""
        iface = self.interfaces[if_id]
        if if_id == 0:
            head = ((0, "I"), (4, "I"), (8, "I"), (20, "I"))     # block type and length, interface, captured
            fast = FastPath.build(iface.link_type, self.order, EPB_FIXED, head, timestamp_at=12, wire_at=24)
            self.sift = None if fast is None else Sift(self.decoder, fast, iface.link_type, block=EPB)
        if self.sift is not None and iface.link_type == self.sift.link_type:
            self.sift.interfaces[if_id] = (iface.unit, iface.offset)

    def _sift(self, buf: bytes, off: int, end: int) -> int:
        """Runs of EPBs on sifted interfaces; returns at the first block the sift does not take."""
        start = off
        before = self.frame
        off, self.frame, last = self.sift.sift(buf, off, end, end, self.frame)
        if last >= 0:
            for where in (start, last):
                if_id, high, low = struct.unpack_from(self.order + "III", buf, where + 8)
                unit, origin = self.sift.interfaces[if_id]
                self._saw_time(((high << 32) | low) * unit + origin)
            counts = self.decoder.stats.link_types
            counts[self.sift.link_type] = counts.get(self.sift.link_type, 0) + self.frame - before
        return off


def scan_pcapng(stream: BinaryIO, head: bytes, decoder: FrameDecoder, progress: Progress | None = None) -> None:
    PcapngScanner(decoder, progress).scan(stream, head)
