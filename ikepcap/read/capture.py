"""Opening a capture: a path (or ``-``), gzip or not, pcap or pcapng, never read whole.

Anything that makes a file unreadable from the start raises ``CaptureError`` with a one-line
reason; damage further in is a warning in the file's stats and the frames before it count.
"""

from __future__ import annotations

import gzip
import hashlib
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

# A real capture deflates 2 to 20 times (IKE and ESP are mostly random bytes); a file built to
# inflate, a gzip bomb, reaches 1000 to 1. Past this ratio, once this much has been inflated,
# the rest is not read: time and memory stay proportional to the compressed size.
MAX_INFLATION_RATIO = 100
INFLATION_GRACE = 16 * 1024 * 1024

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
    digest: bool = False,
) -> FrameDecoder:
    """Scan one capture file; IKE datagrams go to ``on_datagram`` as they are found.

    Returns the FrameDecoder, which holds the file's counters (ESP, keepalives, ICMP errors,
    lost fragments) and stats once the scan is over. ``span`` walks only the records that
    start in that byte range of a plain pcap file (one part of a parallel read); with
    ``finish=False`` fragment sets still open at the end are left for the caller to merge.
    """
    name = "<stdin>" if path == STDIN else path
    decoder = FrameDecoder(name, on_datagram, extra_ports)
    opened = _open(path)
    raw = _Hashing(opened, digest)
    streamed = False
    try:
        head = raw.read(4)
        if head in MAGICS and path != STDIN and raw.seekable():     # stdin redirected from a file is seekable too
            raw.close()
            start, stop = span if span is not None else (None, None)
            scan_mapped(path, decoder, progress, start, stop, digest)
        else:
            stream: BinaryIO = raw
            streamed = True
            if head[:2] == GZIP_MAGIC:
                compressed = _Prefixed(head, raw)
                stream = _Inflating(gzip.GzipFile(fileobj=compressed, mode="rb"), compressed)
                head = stream.read(4)
                decoder.stats.format = "gzip"
            _scan(stream, head, decoder, progress)
            decoder.stats.sha256 = raw.digest()
        if finish:
            decoder.finish()
    except (OSError, EOFError, zlib.error) as error:
        # gzip damage surfaces as BadGzipFile (an OSError), EOFError or zlib.error, mid-stream.
        if decoder.stats.frames == 0 and not decoder.stats.bytes:
            raise CaptureError(f"{name}: {_describe(error)}") from None
        decoder.stats.warnings.append(f"{_describe(error)} after frame {decoder.stats.frames}: "
                                      "frames up to there are used")
        if streamed:
            decoder.stats.sha256 = raw.digest()
        if finish:
            decoder.finish()
    except CaptureError as error:
        raise CaptureError(f"{name}: {error}") from None
    finally:
        if opened is not sys.stdin.buffer:
            opened.close()
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


class InflationBound(OSError):
    """A gzip stream that inflates far more than any capture does."""


def _describe(error: BaseException) -> str:
    if isinstance(error, InflationBound):
        return str(error)
    if isinstance(error, EOFError):
        return "the gzip stream ends early"
    if isinstance(error, (zlib.error, gzip.BadGzipFile)):
        return f"corrupt gzip data ({error})"
    return f"read error ({error})"


class _Hashing:
    """The file or standard input as read, hashed on the way (SHA-256 for the ticket report):
    a FIFO or a pipe cannot be read twice."""

    def __init__(self, raw: BinaryIO, enabled: bool) -> None:
        self._raw = raw
        self._hash = hashlib.sha256() if enabled else None

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._hash is not None:
            self._hash.update(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = self._raw.read1(size) if hasattr(self._raw, "read1") else self._raw.read(size)
        if self._hash is not None:
            self._hash.update(data)
        return data

    def seekable(self) -> bool:
        return self._raw.seekable()

    def close(self) -> None:
        self._raw.close()

    def digest(self) -> str | None:
        """The digest of the whole input (what the scan left unread, after damage, is read too), or
        None when none was asked for."""
        if self._hash is None:
            return None
        while self.read(1 << 20):
            pass
        return self._hash.hexdigest()


class _Prefixed:
    """A file object that first returns bytes already read (the sniffed magic), then the rest."""

    def __init__(self, prefix: bytes, raw: BinaryIO) -> None:
        self._prefix = prefix
        self._raw = raw
        self.consumed = 0                   # compressed bytes handed out

    def read(self, size: int = -1) -> bytes:
        data = self._read(size)
        self.consumed += len(data)
        return data

    def _read(self, size: int) -> bytes:
        if self._prefix:
            if size < 0:
                data, self._prefix = self._prefix + self._raw.read(), b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            if len(data) < size:
                data += self._raw.read(size - len(data))
            return data
        return self._raw.read(size)


class _Inflating:
    """A gzip stream that stops (InflationBound) once it has inflated more than
    MAX_INFLATION_RATIO times the compressed bytes read, past INFLATION_GRACE."""

    def __init__(self, stream: gzip.GzipFile, compressed: _Prefixed) -> None:
        self._stream = stream
        self._compressed = compressed
        self.inflated = 0

    def read(self, size: int = -1) -> bytes:
        return self._check(self._stream.read(size))

    def read1(self, size: int = -1) -> bytes:
        return self._check(self._stream.read1(size))

    def _check(self, data: bytes) -> bytes:
        self.inflated += len(data)
        consumed = max(self._compressed.consumed, 1)
        if self.inflated > INFLATION_GRACE and self.inflated > MAX_INFLATION_RATIO * consumed:
            raise InflationBound(
                f"the gzip stream inflates more than {MAX_INFLATION_RATIO} to 1 ({self.inflated >> 20} MiB from "
                f"{consumed >> 10} KiB), as no capture does: a decompression bomb? The rest is not read")
        return data
