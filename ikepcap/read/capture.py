"""Opening a capture: a path (or ``-``), gzip or not, pcap or pcapng, never read whole.

Anything that makes a file unreadable from the start raises ``CaptureError`` with a one-line
reason; damage further in is a warning in the file's stats and the frames before it count.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Callable
from typing import BinaryIO

from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import Datagram
from ikepcap.read.pcap import MAGICS, scan_mapped, scan_stream
from ikepcap.read.pcapng import scan_pcapng

GZIP_MAGIC = b"\x1f\x8b"
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
STDIN = "-"

Progress = Callable[[int, int], None]


def _open(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except IsADirectoryError:
        raise CaptureError(f"{path}: is a directory") from None
    except FileNotFoundError:
        raise CaptureError(f"{path}: no such file") from None
    except PermissionError:
        raise CaptureError(f"{path}: permission denied") from None
    except OSError as error:
        raise CaptureError(f"{path}: cannot open ({error.strerror or error})") from None


def read_capture(
    path: str,
    on_datagram: Callable[[Datagram], None],
    extra_ports: frozenset[int] = frozenset(),
    progress: Progress | None = None,
    span: tuple[int, int] | None = None,
    finish: bool = True,
) -> FrameDecoder:
    """Scan one capture file; IKE datagrams go to ``on_datagram`` as they are found.

    Returns the FrameDecoder, which holds the file's counters (ESP, keepalives, ICMP errors,
    lost fragments) and stats once the scan is over. ``span`` walks only the records that
    start in that byte range of a plain pcap file (one part of a parallel read); with
    ``finish=False`` fragment sets still open at the end are left for the caller to merge.
    """
    name = "<stdin>" if path == STDIN else path
    decoder = FrameDecoder(name, on_datagram, extra_ports)
    raw = _open(path)
    try:
        head = raw.read(4)
        if head in MAGICS and path != STDIN and raw.seekable():     # stdin redirected from a file is seekable too
            raw.close()
            start, stop = span if span is not None else (None, None)
            scan_mapped(path, decoder, progress, start, stop)
        else:
            stream: BinaryIO = raw
            if head[:2] == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=_Prefixed(head, raw), mode="rb")
                head = stream.read(4)
                decoder.stats.format = "gzip"
            _scan(stream, head, decoder, progress)
        if finish:
            decoder.finish()
    except (OSError, EOFError, zlib.error) as error:
        # gzip damage surfaces as BadGzipFile (an OSError), EOFError or zlib.error, mid-stream.
        if decoder.stats.frames == 0 and not decoder.stats.bytes:
            raise CaptureError(f"{name}: {_describe(error)}") from None
        decoder.stats.warnings.append(f"{_describe(error)} after frame {decoder.stats.frames}: "
                                      "frames up to there are used")
        if finish:
            decoder.finish()
    except CaptureError as error:
        raise CaptureError(f"{name}: {error}") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    return decoder


def _scan(stream: BinaryIO, head: bytes, decoder: FrameDecoder, progress: Progress | None) -> None:
    gzipped = decoder.stats.format == "gzip"
    if not head:
        raise CaptureError("empty file" if not gzipped else "empty gzip stream")
    if head in MAGICS:
        scan_stream(stream, head, decoder, progress)
    elif head == PCAPNG_MAGIC:
        scan_pcapng(stream, head, decoder, progress)
    else:
        raise CaptureError(f"not a pcap or pcapng capture (starts with {head.hex()})")
    if gzipped:
        decoder.stats.format += ", gzip-compressed"


def _describe(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "the gzip stream ends early"
    if isinstance(error, (zlib.error, gzip.BadGzipFile)):
        return f"corrupt gzip data ({error})"
    return f"read error ({error})"


class _Prefixed:
    """A file object that first returns bytes already read (the sniffed magic), then the rest."""

    def __init__(self, prefix: bytes, raw: BinaryIO) -> None:
        self._prefix = prefix
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size < 0:
                data, self._prefix = self._prefix + self._raw.read(), b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            if len(data) < size:
                data += self._raw.read(size - len(data))
            return data
        return self._raw.read(size)
