"""Writing pcap and pcapng files (optionally gzip-compressed) from built or copied frames."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ETHERNET = 1


@dataclass(frozen=True, slots=True)
class Frame:
    time: float
    data: bytes
    wire_length: int | None = None      # larger than len(data) for a snaplen-cut frame
    interface: int = 0                  # pcapng only


def _opener(path: Path, compress: bool):
    return gzip.GzipFile(path, "wb", mtime=0) if compress else open(path, "wb")


def write_pcap(path: str | Path, frames: Iterable[Frame], link_type: int = ETHERNET, nanosecond: bool = False,
               big_endian: bool = False, snaplen: int = 262144, compress: bool = False) -> None:
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    scale = 10**9 if nanosecond else 10**6
    with _opener(Path(path), compress) as out:
        out.write(struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, link_type))
        for frame in frames:
            data = frame.data[:snaplen]
            wire = frame.wire_length if frame.wire_length is not None else len(frame.data)
            units = round(frame.time * scale)
            out.write(struct.pack(order + "IIII", units // scale, units % scale, len(data), wire))
            out.write(data)


def _block(order: str, block_type: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack(order + "II", block_type, length) + body + struct.pack(order + "I", length)


def _option(order: str, code: int, value: bytes) -> bytes:
    return struct.pack(order + "HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def write_pcapng(path: str | Path, interfaces: list[tuple[int, int]], frames: Iterable[Frame],
                 big_endian: bool = False, compress: bool = False) -> None:
    """``interfaces``: (link type, if_tsresol exponent of 10) per interface, in id order."""
    order = ">" if big_endian else "<"
    with _opener(Path(path), compress) as out:
        out.write(_block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for link_type, resolution in interfaces:
            options = _option(order, 9, bytes([resolution])) + _option(order, 0, b"")
            out.write(_block(order, 1, struct.pack(order + "HHI", link_type, 0, 262144) + options))
        for frame in frames:
            units = round(frame.time * 10 ** interfaces[frame.interface][1])
            wire = frame.wire_length if frame.wire_length is not None else len(frame.data)
            body = struct.pack(order + "IIIII", frame.interface, units >> 32, units & 0xFFFFFFFF, len(frame.data), wire)
            out.write(_block(order, 6, body + frame.data))
