"""SA views turned into their JSON where they are made, and kept in files until the report is written.

The JSON report of a busy headend runs to hundreds of megabytes (194 MB for the bench's
IKE-heavy capture of 12,119 SAs); held as views until written, it took three times that in
memory. Each share of the pipeline (``pipeline.analyse``) writes the JSON of its SAs, as the
document shows them, to a file of its own, unnamed and gone when closed, and hands back where
each lies: the document is written from those files in report order, an SA at a time.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from ikepcap.report.escape import json_item

WRITE_BYTES = 1 << 20
PURPOSE = "the JSON report is put together"


class Spool:
    """A file per share, closed when the last piece is let go; a share is written by one
    process only (forked, it keeps the parent's files open), which counts its own place in it."""

    def __init__(self, shares: int) -> None:
        self.files = [unnamed(PURPOSE) for _ in range(shares)]
        self.ends = [0] * shares
        self.held: list[list[bytes]] = [[] for _ in range(shares)]
        self.held_bytes = [0] * shares
        weakref.finalize(self, close_all, self.files)

    def add(self, share: int, view: dict) -> tuple[int, int]:
        """The view's JSON item appended to the share's file: where it lies (offset, length). An
        SA's view is let go as soon as it is written (a busy peer pair's thousands of SAs are
        diagnosed together); the file is written a megabyte or so at a time."""
        piece = json_item(view).encode()
        place = (self.ends[share] + self.held_bytes[share], len(piece))
        self.held[share].append(piece)
        self.held_bytes[share] += len(piece)
        if self.held_bytes[share] >= WRITE_BYTES:
            self.flush(share)
        return place

    def flush(self, share: int) -> None:
        """What the share added, written."""
        self.ends[share] = write_at(self.files[share], b"".join(self.held[share]), self.ends[share], PURPOSE)
        self.held[share], self.held_bytes[share] = [], 0

    def piece(self, share: int, status: str, offset: int, length: int) -> Piece:
        return Piece(status, self, share, offset, length)


def unnamed(purpose: str) -> int:
    """A file of the temporary directory, open and already unlinked: nothing stays behind.
    ``purpose``: what is put together in it (``unwritable`` says it)."""
    try:
        descriptor, path = tempfile.mkstemp(prefix="ikepcap-")
    except OSError as error:
        raise unwritable(error, purpose) from None
    os.unlink(path)
    return descriptor


def unwritable(error: OSError, purpose: str) -> OSError:
    """What the user can act on: ``purpose`` happens in the temporary directory, which TMPDIR
    moves (a capture box's /tmp is often a small RAM disk)."""
    return OSError(error.errno, f"{error.strerror or error} in {tempfile.gettempdir()}, where {purpose}: set TMPDIR "
                                "to a directory with room")


def write_at(descriptor: int, data: bytes, end: int, purpose: str) -> int:
    """``data`` written at ``end`` of an unnamed file (``purpose``: see ``unnamed``); its new end."""
    view = memoryview(data)
    try:
        while view:
            written = os.pwrite(descriptor, view, end)
            view, end = view[written:], end + written
    except OSError as error:
        raise unwritable(error, purpose) from None
    return end


def close_all(descriptors: Iterable[int]) -> None:
    for descriptor in descriptors:
        os.close(descriptor)


@dataclass(frozen=True, slots=True)
class Piece:
    """An SA of the report whose JSON is in a spool: its status (the summary counts it) and where."""

    status: str
    spool: Spool
    share: int
    offset: int
    length: int

    def text(self) -> str:
        """The SA's item as ``json_document`` writes it."""
        return os.pread(self.spool.files[self.share], self.length, self.offset).decode()
