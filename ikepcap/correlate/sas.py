"""Grouping messages into IKE SAs and deciding who initiated each.

An IKE SA is named by its initiator cookie/SPI and the pair of peer addresses: the responder
cookie joins the SA once it appears, and the float from UDP 500 to 4500 changes ports, not
addresses. The initiator is whoever sent the first message with a zero responder cookie; a
capture that starts later only allows a guess (the IKEv2 I flag, or who spoke first), and the
SA records that the roles were inferred.
"""

from __future__ import annotations

import heapq
import struct
from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from ikepcap.correlate.model import AGGRESSIVE, IKE_SA_INIT, INFORMATIONAL, MAIN, V1_KINDS, exchange_kind
from ikepcap.decode import iana
from ikepcap.decode.model import V1_SA, V2_SA, Message, conversation_key, major_version
from ikepcap.extract.budget import MAX_CONVERSATIONS
from ikepcap.extract.store import Store
from ikepcap.values import value_class

ZERO_SPI = bytes(8)
ISAKMP_PROTOCOL = iana.V1_PROTOCOLS.number("ISAKMP")

# A flood of spoofed IKE can hold a million initiator cookies; past this many SAs the oldest
# that are still a lone first message make room and are counted, not tracked (the flood finding
# reports them) — an SA that progressed, or one from a source whose other SAs did, stays. As many
# as extraction keeps conversations: what it kept, grouping tracks.
MAX_SAS = MAX_CONVERSATIONS
MAX_STEPS_PER_SA = 5_000
# ... and this many bytes of them. A real SA's messages come to kilobytes; a hostile one's (a
# transform of 16,000 attributes sent again and again) are 64 KB each, and an SA's messages are
# made together where it is diagnosed.
MAX_BYTES_PER_SA = 16 * 1024 * 1024

# version, initiator cookie/SPI, the peer pair (and the responder's, when the same initiator cookie
# met two responder cookies)
SaKey = tuple


@dataclass(slots=True)
class Bucket:
    key: SaKey
    began: float                        # its first message's time
    # its messages' places in the capture's store, in capture order: the messages are made where
    # the SA is worked on (``messages``)
    indices: array = field(default_factory=lambda: array("I"))
    size: int = 0                       # its messages' bytes
    truncated: int = 0                  # messages beyond MAX_STEPS_PER_SA or MAX_BYTES_PER_SA, counted not kept
    rspi: int = 0                       # the responder cookie/SPI once one is seen, as a number (0: none yet)

    def messages(self, store: Store) -> list[Message]:
        return [store.message(i) for i in self.indices]


V1_INFORMATIONAL = frozenset(number for number, kind in V1_KINDS.items() if kind == INFORMATIONAL)


def _notified_sa(store: Store, i: int, major: int, exchange_type: int) -> bytes | None:
    """The initiator cookie an unprotected IKEv1 Informational is about (its Notify SPI); the message
    at ``i`` is one when its header (``major``, ``exchange_type``) says so.

    RFC 2408 §3.14: a notification about an ISAKMP SA carries the cookie pair as its SPI, and
    the Informational itself may travel under fresh cookies. Only such a message is made, here.
    """
    if major == 2 or exchange_type not in V1_INFORMATIONAL:
        return None
    message = store.message(i)
    for payload in message.notifications():
        if payload.protocol_id == ISAKMP_PROTOCOL and len(payload.spi) >= 8:
            return payload.spi[:8]
    return None


@dataclass(slots=True)
class Grouping:
    store: Store                        # the messages the buckets' indices are places in
    buckets: list[Bucket]
    dropped_messages: int               # messages of SAs beyond MAX_SAS
    dropped_sas: int                    # at most MAX_SAS are told apart: past that, a lower bound
    # the dropped SAs that never went past one unanswered first message from a source none of whose
    # SAs progressed (what a flood is made of), and the first and last of those messages' times
    dropped_lone: int = 0
    dropped_lone_span: tuple[float, float] | None = None
    twice: list[int] = field(default_factory=list)     # capture duplicates left out of the buckets: places in ``store``
    # (earlier, later) pairs of one file's consecutive messages whose clock went backwards
    clock_steps: list[tuple[Message, Message]] = field(default_factory=list)

    @property
    def dropped_capped(self) -> bool:
        """More SAs were dropped than are told apart: the counts are lower bounds."""
        return self.dropped_sas >= MAX_SAS


# The same bytes from the same sender this soon again are one packet captured twice: retransmission
# timers start at half a second, and an answer to a duplicate needs the duplicate first.
CAPTURE_DUPLICATE_SECONDS = 0.002


def _drop_capture_duplicates(store: Store, bucket: Bucket, twice: list[int]) -> None:
    """Leave out of the bucket each message whose bytes its sender sent last less than
    CAPTURE_DUPLICATE_SECONDS before. Reading every message's bytes to find the few copies would
    cost a fifth of grouping, so a sender's are read only from the first of its messages that
    comes that soon after another: until then none of them can be a copy."""
    times, sources = store.time, store.src
    # a capture whose timestamps were zeroed (anonymised) says nothing about timing
    if times[bucket.indices[0]] == times[bucket.indices[-1]]:
        return
    kept = array("I")
    latest: dict[int, float] = {}               # each sender's latest time so far
    earlier: dict[int, list[int]] = {}          # each sender's messages so far, while none came that soon
    hashed: dict[int, dict[bytes, float]] = {}  # the others: when each of their messages' bytes were last seen
    for i in bucket.indices:
        time, sender = times[i], sources[i]
        last_seen = hashed.get(sender)
        if last_seen is None:
            before = latest.get(sender)
            latest[sender] = time if before is None else max(before, time)
            if before is None or time - before >= CAPTURE_DUPLICATE_SECONDS:
                earlier.setdefault(sender, []).append(i)
                kept.append(i)
                continue
            last_seen = hashed[sender] = {store.payload(j): times[j] for j in earlier.pop(sender)}
        payload = store.payload(i)
        seen = last_seen.get(payload)
        last_seen[payload] = time
        if seen is not None and time - seen < CAPTURE_DUPLICATE_SECONDS:
            twice.append(i)
        else:
            kept.append(i)
    bucket.indices = kept


class _Evictor:
    """Which bucket makes room when there are MAX_SAS: the oldest that still holds a lone
    first message (no responder cookie) from a source none of whose SAs progressed."""

    def __init__(self, store: Store) -> None:
        self.src = store.src
        self.lone: deque[int] = deque()     # places in the order of buckets opened by one message
        # sources with an SA that progressed (``group`` adds them), as the store's src column names them
        self.trusted: set[int] = set()

    def opened(self, place: int) -> None:
        self.lone.append(place)

    def victim(self, order: list[Bucket | None]) -> int | None:
        while self.lone:
            place = self.lone.popleft()
            bucket = order[place]
            if (bucket is not None and len(bucket.indices) == 1 and not bucket.rspi
                    and self.src[bucket.indices[0]] not in self.trusted):
                return place
        return None


def ordered(store: Store) -> list[int]:
    """Capture order, as places in ``store``: each file's own order (its frames), and the files of
    a ring interleaved by time. Within a file the frame order is what happened even where the
    capture's clock steps back; sorting by time there would put an answer before its request."""
    by_file: dict[int, list[int]] = {}
    for i, file in enumerate(store.file):
        by_file.setdefault(file, []).append(i)
    streams = [sorted(found, key=store.frame.__getitem__) for found in by_file.values()]
    if len(streams) == 1:
        return streams[0]
    time, file, names, frame = store.time, store.file, store.files, store.frame
    return list(heapq.merge(*streams, key=lambda i: (time[i], names[file[i]], frame[i])))


# What grouping reads of a message's ISAKMP header (RFC 2408 §3.1, RFC 7296 §3.1): the cookies or
# SPIs as numbers, the version byte and the exchange type, in one call.
_HEADER = struct.Struct(">QQxBB")


def group(store: Store, order: Iterable[int] | None = None) -> Grouping:
    """The messages of ``store`` (taken in ``order``, places in it: capture order by default) by
    IKE SA, without the copies a capture point made twice, noting where a file's clock went
    backwards. Read from the store's columns and headers: only the few messages that need more
    (a notification's SPI, the clock steps a note names) are made here.

    The loop runs once per message of the capture, ahead of the workers: it looks an SA up by
    numbers (the SPIs as integers, the addresses as the store's indexes of them) and spells the
    SA's key (``Message.conversation``) once, when the SA opens."""
    buckets: dict[tuple, Bucket] = {}           # by (major, ispi, one address, the other[, rspi]), as numbers
    sequence: list[Bucket | None] = []
    named: list[tuple] = []                     # each of ``sequence``'s buckets' number key
    dropped = 0
    # each dropped SA (at most MAX_SAS of them): its first message while that is all there is of it
    dropped_keys: dict[tuple, int | None] = {}
    last: dict[int, int] = {}
    steps: list[tuple[int, int]] = []
    evictor = _Evictor(store)
    trusted = evictor.trusted
    times, files, sources, destinations = store.time, store.file, store.src, store.dst
    blob, starts, addresses, header = store.blob, store.start, store.addresses, _HEADER.unpack_from
    final, blob_end = len(starts) - 1, len(blob)
    for i in ordered(store) if order is None else order:
        file, time = files[i], times[i]
        before = last.get(file)
        if before is not None and time < times[before]:
            steps.append((before, i))
        last[file] = i
        at = starts[i]
        ispi, rspi, version, exchange_type = header(blob, at)
        major = major_version(version)
        src, dst = sources[i], destinations[i]
        key = (major, ispi, src, dst) if src <= dst else (major, ispi, dst, src)
        bucket = buckets.get(key)
        if bucket is not None and rspi and bucket.rspi and rspi != bucket.rspi:
            # Another responder cookie for the same initiator cookie is another SA: a responder that
            # restarted, or reflectors answering one spoofed cookie.
            key = (*key, rspi)
            bucket = buckets.get(key)
        if bucket is None:
            about = _notified_sa(store, i, major, exchange_type)
            if about is not None:
                bucket = buckets.get((major, int.from_bytes(about, "big"), key[2], key[3]))
        if bucket is None:
            if key in dropped_keys:
                dropped += 1
                dropped_keys[key] = None
                continue
            if len(buckets) >= MAX_SAS:
                place = evictor.victim(sequence)
                if place is None:
                    dropped += 1
                    if len(dropped_keys) < MAX_SAS:
                        dropped_keys[key] = None if rspi else i
                    continue
                victim = sequence[place]
                sequence[place] = None
                del buckets[named[place]]
                dropped += len(victim.indices)
                if len(dropped_keys) < MAX_SAS:
                    dropped_keys[named[place]] = victim.indices[0]
            spelled = conversation_key(version, ispi.to_bytes(8, "big"), addresses[src], addresses[dst])
            bucket = buckets[key] = Bucket(spelled if len(key) == 4 else (*spelled, rspi.to_bytes(8, "big")), time)
            evictor.opened(len(sequence))
            sequence.append(bucket)
            named.append(key)
        size = (starts[i + 1] if i < final else blob_end) - at
        indices = bucket.indices
        if len(indices) >= MAX_STEPS_PER_SA or bucket.size + size > MAX_BYTES_PER_SA:
            bucket.truncated += 1
            continue
        if rspi and not bucket.rspi:
            bucket.rspi = rspi
        indices.append(i)
        bucket.size += size
        if bucket.rspi or len(indices) > 1:
            trusted.add(sources[indices[0]])
    kept = [bucket for bucket in sequence if bucket is not None]
    twice: list[int] = []
    for bucket in kept:
        _drop_capture_duplicates(store, bucket, twice)
    lone = [times[i] for i in dropped_keys.values() if i is not None and store.src[i] not in evictor.trusted]
    return Grouping(store, kept, dropped, len(dropped_keys), len(lone), (min(lone), max(lone)) if lone else None,
                    twice, [(store.message(before), store.message(after)) for before, after in steps])


@value_class
class Roles:
    initiator: str
    responder: str
    initiator_port: int | None          # set only when both peers share one address
    inferred: bool


def _opens_sa(message: Message) -> bool:
    if message.rspi != ZERO_SPI:
        return False
    if message.is_v2:
        return exchange_kind(message) == IKE_SA_INIT and not message.is_response
    return exchange_kind(message) in (MAIN, AGGRESSIVE)


def roles(messages: list[Message]) -> Roles:
    opener = next((m for m in messages if _opens_sa(m)), None)
    if opener is not None:
        return _roles_from(opener, sender_is_initiator=True, inferred=False)
    first = messages[0]
    if first.is_v2:
        # The I flag marks every message the original initiator sends (RFC 7296 §3.1).
        flagged = next((m for m in messages if m.from_original_initiator), None)
        if flagged is not None:
            return _roles_from(flagged, sender_is_initiator=True, inferred=True)
        return _roles_from(first, sender_is_initiator=False, inferred=True)
    # IKEv1 has no I flag, but in Main and Aggressive Mode only the responder sends an SA payload
    # with its cookie already set (MM2/AM2): a capture that starts there starts with the responder.
    answer = exchange_kind(first) in (MAIN, AGGRESSIVE) and first.rspi != ZERO_SPI and first.carries(V1_SA, V2_SA)
    return _roles_from(first, sender_is_initiator=not answer, inferred=True)


def _roles_from(message: Message, sender_is_initiator: bool, inferred: bool) -> Roles:
    initiator, responder = (message.src, message.dst) if sender_is_initiator else (message.dst, message.src)
    port = None
    if message.src == message.dst:
        port = message.sport if sender_is_initiator else message.dport
    return Roles(initiator, responder, port, inferred)
