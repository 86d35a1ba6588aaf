"""The IKE datagrams a capture kept, in columns: how a headend's million messages are held.

A decoded Message and the objects it holds weigh about a kilobyte; here a datagram costs its
payload plus some forty bytes of columns, and the whole capture is a handful of large buffers.
That matters twice: the readers hand their datagrams back through a pipe as a few buffers, not a
pickled object each, and forked workers read the buffers without copying them, where a million
small objects would each be copied into a worker by the first touch of its reference count.

A Message is made from a datagram where it is worked on (``message``: decoded afresh, let go by
the caller) or, for code that wants the list a capture used to be, made once and kept (indexing
and iterating the store: the same object every time, so what decryption fills in stays).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import NamedTuple

from ikepcap.decode.message import decode_datagram
from ikepcap.decode.model import Message
from ikepcap.extract.budget import Opened
from ikepcap.read.model import Datagram

NO_TTL = -1
SUBSET_BATCH = 4096
MARKER, TRUNCATED = 1, 2                # bits of a datagram's flags


class Seen(NamedTuple):
    """What the columns say of a message without making it (``diagnose.scan.Sent``)."""

    place: int                          # its index in the store
    src: str
    dst: str
    time: float


class Seens(Sequence[Seen]):
    """``store.seen`` of the messages at ``indices``, each made when read: what is asked of most
    SAs' messages is the first one's (a scan's source that already went on is not read further)."""

    __slots__ = ("_store", "_indices")

    def __init__(self, store: Store, indices: Sequence[int]) -> None:
        self._store, self._indices = store, indices

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._store.seen(i) for i in self._indices[k]]
        return self._store.seen(self._indices[k])

    def __iter__(self) -> Iterator[Seen]:
        return map(self._store.seen, self._indices)


class Store(Sequence[Message]):
    """Datagrams in the order they were added; ``len`` of them, each read back by its index."""

    __slots__ = ("files", "addresses", "_file_of", "_address_of", "file", "frame", "time", "src", "dst",
                 "sport", "dport", "ip_length", "ttl", "flags", "start", "blob", "fragments", "_made")

    def __init__(self, datagrams: Iterable[Datagram] = ()) -> None:
        self.files: list[str] = []              # the names the file column indexes
        self.addresses: list[str] = []          # the addresses the src and dst columns index
        self._file_of: dict[str, int] = {}
        self._address_of: dict[str, int] = {}
        self.file = array("I")
        self.frame = array("q")
        self.time = array("d")
        self.src = array("I")
        self.dst = array("I")
        self.sport = array("H")
        self.dport = array("H")
        self.ip_length = array("I")
        self.ttl = array("h")
        self.flags = bytearray()
        self.start = array("Q")                 # where each payload begins in the blob
        self.blob = bytearray()
        self.fragments: dict[int, tuple[int, ...]] = {}     # the few reassembled ones: frames of their pieces
        self._made: list[Message | None] | None = None
        for datagram in datagrams:
            self.add(datagram)

    def add(self, datagram: Datagram, frame_offset: int = 0) -> None:
        """Append ``datagram``, its frame numbers moved on by ``frame_offset`` (a later range's).
        Every message a reader keeps comes through here, a flood's too: the tables are looked up
        in place."""
        at = len(self.frame)
        file = self._file_of.get(datagram.file)
        if file is None:
            file = self._index(self._file_of, self.files, datagram.file)
        address_of = self._address_of
        src = address_of.get(datagram.src)
        if src is None:
            src = self._index(address_of, self.addresses, datagram.src)
        dst = address_of.get(datagram.dst)
        if dst is None:
            dst = self._index(address_of, self.addresses, datagram.dst)
        self.file.append(file)
        self.frame.append(datagram.frame + frame_offset)
        self.time.append(datagram.time)
        self.src.append(src)
        self.dst.append(dst)
        self.sport.append(datagram.sport)
        self.dport.append(datagram.dport)
        self.ip_length.append(datagram.ip_length)
        ttl = datagram.ttl
        self.ttl.append(NO_TTL if ttl is None else ttl)
        self.flags.append(MARKER * datagram.marker | TRUNCATED * datagram.truncated)
        self.start.append(len(self.blob))
        self.blob += datagram.payload
        if datagram.fragments:
            self.fragments[at] = tuple(frame + frame_offset for frame in datagram.fragments)
        if self._made is not None:
            self._made.append(None)

    def extend(self, other: Store, frame_offset: int = 0) -> None:
        """Append ``other``'s datagrams, their frame numbers moved on by ``frame_offset``: column
        by column, which is what merging the parts of a headend's capture costs."""
        at, base = len(self), len(self.blob)
        files = [self._index(self._file_of, self.files, name) for name in other.files]
        addresses = [self._index(self._address_of, self.addresses, address) for address in other.addresses]
        self.file.extend(array("I", [files[i] for i in other.file]))
        self.frame.extend(array("q", [frame + frame_offset for frame in other.frame]) if frame_offset else other.frame)
        self.time.extend(other.time)
        self.src.extend(array("I", [addresses[i] for i in other.src]))
        self.dst.extend(array("I", [addresses[i] for i in other.dst]))
        for mine, theirs in ((self.sport, other.sport), (self.dport, other.dport), (self.ip_length, other.ip_length),
                             (self.ttl, other.ttl)):
            mine.extend(theirs)
        self.flags += other.flags
        self.start.extend(array("Q", [start + base for start in other.start]))
        self.blob += other.blob
        for i, frames in other.fragments.items():
            self.fragments[at + i] = tuple(frame + frame_offset for frame in frames)
        if self._made is not None:
            self._made += [None] * len(other)

    def subset(self, indices: Sequence[int]) -> Store:
        """The datagrams at ``indices``, in that order, as a store of their own: column by column,
        with only the addresses they use (a reader compacts its store this way again and again
        while a flood of spoofed sources passes, and must not keep every source it ever saw)."""
        store = Store()
        store.files, store._file_of = list(self.files), dict(self._file_of)
        src, dst = array("I", map(self.src.__getitem__, indices)), array("I", map(self.dst.__getitem__, indices))
        used = sorted(set(src).union(dst))
        renamed = {old: new for new, old in enumerate(used)}
        store.addresses = [self.addresses[old] for old in used]
        store._address_of = {address: new for new, address in enumerate(store.addresses)}
        store.src, store.dst = array("I", map(renamed.__getitem__, src)), array("I", map(renamed.__getitem__, dst))
        for name in ("file", "frame", "time", "sport", "dport", "ip_length", "ttl"):
            column = getattr(self, name)
            setattr(store, name, array(column.typecode, map(column.__getitem__, indices)))
        store.flags = bytearray(map(self.flags.__getitem__, indices))
        blob, start, end = self.blob, self.start, self._end
        sizes = array("Q", (end(i) - start[i] for i in indices))
        store.start = array("Q", accumulate(sizes[:-1], initial=0)) if indices else array("Q")
        # the payloads a batch at a time: a slice each for all of them at once would weigh as much again
        for at in range(0, len(indices), SUBSET_BATCH):
            store.blob += b"".join([blob[start[i]:end(i)] for i in indices[at:at + SUBSET_BATCH]])
        if self.fragments:
            place = {old: new for new, old in enumerate(indices)}
            store.fragments = {place[old]: frames for old, frames in self.fragments.items() if old in place}
        return store

    def keep(self, indices: Sequence[int]) -> None:
        """Hold only the datagrams at ``indices``, in that order (``subset``, in place: the bounds
        read the store they compact through ``opened``)."""
        self._take(self.subset(indices))

    def opened(self, i: int) -> Opened:
        """The datagram at ``i`` as the bounds knew it when they kept it."""
        return Opened(self.addresses[self.src[i]], self.files[self.file[i]], self.frame[i], self.time[i], self.size(i))

    def truncated(self) -> int:
        """How many of the datagrams the capture cut short."""
        return sum(1 for flags in self.flags if flags & TRUNCATED)

    @classmethod
    def holding(cls, messages: Iterable[Message]) -> Store:
        """A store of messages made elsewhere (tshark's reading, a test's), each kept as it is: its
        columns are read from it, and ``message`` gives it back."""
        store = cls()
        made: list[Message | None] = []
        for m in messages:
            store.add(Datagram(m.file, m.frame, m.time, m.src, m.dst, m.sport, m.dport, m.data, m.marker,
                               m.ip_length, m.fragments, False, m.ttl))
            made.append(m)
        store._made = made
        return store

    def absorb(self, other: Store, frame_offset: int = 0) -> None:
        """``extend``, for an ``other`` that is let go of after: into an empty store its buffers
        are taken as they are, not copied (a capture read in one piece has its whole store copied
        otherwise, twice its size at once)."""
        if len(self) or frame_offset or self._made is not None:
            self.extend(other, frame_offset)
        else:
            self._take(other)

    def _take(self, other: Store) -> None:
        """Become ``other``: its columns and buffers, not copies."""
        for name in self.__slots__:
            setattr(self, name, getattr(other, name))

    @staticmethod
    def _index(index_of: dict[str, int], table: list[str], value: str) -> int:
        found = index_of.get(value)
        if found is None:
            found = index_of[value] = len(table)
            table.append(value)
        return found

    def _end(self, i: int) -> int:
        """Where the payload at ``i`` ends in the blob."""
        return self.start[i + 1] if i + 1 < len(self.start) else len(self.blob)

    def payload(self, i: int) -> bytes:
        return bytes(self.blob[self.start[i]:self._end(i)])

    def size(self, i: int) -> int:
        """The payload's length."""
        return self._end(i) - self.start[i]

    def datagram(self, i: int, frame_offset: int = 0) -> Datagram:
        flags, ttl, addresses = self.flags[i], self.ttl[i], self.addresses
        fragments = self.fragments.get(i, ())
        if fragments and frame_offset:
            fragments = tuple(frame + frame_offset for frame in fragments)
        return Datagram(self.files[self.file[i]], self.frame[i] + frame_offset, self.time[i], addresses[self.src[i]],
                        addresses[self.dst[i]], self.sport[i], self.dport[i], self.payload(i), flags & MARKER != 0,
                        self.ip_length[i], fragments, flags & TRUNCATED != 0, None if ttl == NO_TTL else ttl)

    def datagrams(self, frame_offset: int = 0) -> Iterator[Datagram]:
        return (self.datagram(i, frame_offset) for i in range(len(self.frame)))

    def messages(self, frame_offset: int = 0) -> Iterator[Message]:
        """Each message made afresh, not kept (``frame_offset`` as for ``datagram``)."""
        return (decode_datagram(self.datagram(i, frame_offset)) for i in range(len(self.frame)))

    def message(self, i: int) -> Message:
        """The message at ``i``: the one made for the list when there is one, else made now and not kept."""
        made = self._made[i] if self._made is not None else None
        return made if made is not None else decode_datagram(self.datagram(i))

    def seen(self, i: int) -> Seen:
        addresses = self.addresses
        return Seen(i, addresses[self.src[i]], addresses[self.dst[i]], self.time[i])

    def seens(self, indices: Sequence[int]) -> Seens:
        return Seens(self, indices)

    def at_frames(self, frames: set[tuple[str, int]]) -> Iterator[Message]:
        """The messages at these (file, frame) places, made."""
        names, file, frame = self.files, self.file, self.frame
        return (self.message(i) for i in range(len(self)) if (names[file[i]], frame[i]) in frames)

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if self._made is None:
            self._made = [None] * len(self)
        made = self._made[i]
        if made is None:
            made = self._made[i] = decode_datagram(self.datagram(i))
        return made

    def __iter__(self) -> Iterator[Message]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return len(self.frame) > 0

    def __eq__(self, other: object) -> bool:
        """Equal to a store or list of the same messages, as the list a capture used to be is."""
        if isinstance(other, (Store, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None                     # type: ignore[assignment]


def as_store(messages: Sequence[Message]) -> Store:
    """``messages`` as a store: the store itself, or one holding a list (another engine's, a test's)."""
    return messages if isinstance(messages, Store) else Store.holding(messages)
