"""Grouping messages into IKE SAs and deciding who initiated each.

An IKE SA is named by its initiator cookie/SPI and the pair of peer addresses: the responder
cookie joins the SA once it appears, and the float from UDP 500 to 4500 changes ports, not
addresses. The initiator is whoever sent the first message with a zero responder cookie; a
capture that starts later only allows a guess (the IKEv2 I flag, or who spoke first), and the
SA records that the roles were inferred.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ikepcap.correlate.model import AGGRESSIVE, IKE_SA_INIT, INFORMATIONAL, MAIN, exchange_kind
from ikepcap.decode import iana
from ikepcap.decode.model import V1_SA, V2_SA, Message

ZERO_SPI = bytes(8)
ISAKMP_PROTOCOL = iana.V1_PROTOCOLS.number("ISAKMP")

# A flood of spoofed IKE can hold a million initiator cookies; past this many SAs the oldest
# that are still a lone first message make room and are counted, not tracked (the flood finding
# reports them) — an SA that progressed, or one from a source whose other SAs did, stays.
MAX_SAS = 20_000
MAX_STEPS_PER_SA = 5_000

# version, initiator cookie/SPI, the peer pair (and the responder's, when the same initiator cookie
# met two responder cookies)
SaKey = tuple


@dataclass(slots=True)
class Bucket:
    key: SaKey
    messages: list[Message] = field(default_factory=list)
    truncated: int = 0                  # messages beyond MAX_STEPS_PER_SA, counted not kept
    rspi: bytes = ZERO_SPI              # the responder cookie/SPI once one is seen


def _notified_sa(message: Message) -> bytes | None:
    """The initiator cookie an unprotected IKEv1 Informational is about (its Notify SPI).

    RFC 2408 §3.14: a notification about an ISAKMP SA carries the cookie pair as its SPI, and
    the Informational itself may travel under fresh cookies.
    """
    if message.is_v2 or exchange_kind(message) != INFORMATIONAL:
        return None
    for payload in message.notifications():
        if payload.protocol_id == ISAKMP_PROTOCOL and len(payload.spi) >= 8:
            return payload.spi[:8]
    return None


@dataclass(slots=True)
class Grouping:
    buckets: list[Bucket]
    dropped_messages: int               # messages of SAs beyond MAX_SAS
    dropped_sas: int                    # at most MAX_SAS are told apart: past that, a lower bound
    # the dropped SAs that never went past one unanswered first message from a source none of whose
    # SAs progressed (what a flood is made of), and the first and last of those messages' times
    dropped_lone: int = 0
    dropped_lone_span: tuple[float, float] | None = None
    twice: list[Message] = field(default_factory=list)     # capture duplicates, left out of the buckets
    # (earlier, later) pairs of one file's consecutive messages whose clock went backwards
    clock_steps: list[tuple[Message, Message]] = field(default_factory=list)

    @property
    def dropped_capped(self) -> bool:
        """More SAs were dropped than are told apart: the counts are lower bounds."""
        return self.dropped_sas >= MAX_SAS


# The same bytes from the same sender this soon again are one packet captured twice: retransmission
# timers start at half a second, and an answer to a duplicate needs the duplicate first.
CAPTURE_DUPLICATE_SECONDS = 0.002


def _drop_capture_duplicates(bucket: Bucket, twice: list[Message]) -> None:
    # a capture whose timestamps were zeroed (anonymised) says nothing about timing
    if bucket.messages[0].time == bucket.messages[-1].time:
        return
    kept: list[Message] = []
    last_seen: dict[tuple[bytes, str], float] = {}
    for message in bucket.messages:
        seen = last_seen.get((message.digest, message.src))
        last_seen[(message.digest, message.src)] = message.time
        if seen is not None and message.time - seen < CAPTURE_DUPLICATE_SECONDS:
            twice.append(message)
        else:
            kept.append(message)
    bucket.messages = kept


class _Evictor:
    """Which bucket makes room when there are MAX_SAS: the oldest that still holds a lone
    first message (no responder cookie) from a source none of whose SAs progressed."""

    def __init__(self) -> None:
        self.lone: deque[int] = deque()     # places in the order of buckets opened by one message
        self.trusted: set[str] = set()

    def opened(self, place: int) -> None:
        self.lone.append(place)

    def grew(self, bucket: Bucket) -> None:
        if len(bucket.messages) > 1 or bucket.rspi != ZERO_SPI:
            self.trusted.add(bucket.messages[0].src)

    def victim(self, order: list[Bucket | None]) -> int | None:
        while self.lone:
            place = self.lone.popleft()
            bucket = order[place]
            if (bucket is not None and len(bucket.messages) == 1 and bucket.rspi == ZERO_SPI
                    and bucket.messages[0].src not in self.trusted):
                return place
        return None


def group(messages: list[Message]) -> Grouping:
    """``messages`` (in capture order) by IKE SA, without the copies a capture point made twice,
    noting where a file's clock went backwards."""
    buckets: dict[SaKey, Bucket] = {}
    order: list[Bucket | None] = []
    dropped = 0
    # each dropped SA (at most MAX_SAS of them): its first message while that is all there is of it
    dropped_keys: dict[SaKey, Message | None] = {}
    last: dict[str, Message] = {}
    steps: list[tuple[Message, Message]] = []
    evictor = _Evictor()
    for message in messages:
        before = last.get(message.file)
        if before is not None and message.time < before.time:
            steps.append((before, message))
        last[message.file] = message
        key = message.conversation
        bucket = buckets.get(key)
        if bucket is not None and message.rspi not in (ZERO_SPI, bucket.rspi) and bucket.rspi != ZERO_SPI:
            # Another responder cookie for the same initiator cookie is another SA: a responder that
            # restarted, or reflectors answering one spoofed cookie.
            key = (*key, message.rspi)
            bucket = buckets.get(key)
        if bucket is None:
            about = _notified_sa(message)
            if about is not None:
                bucket = buckets.get((key[0], about, key[2], key[3]))
        if bucket is None:
            if key in dropped_keys:
                dropped += 1
                dropped_keys[key] = None
                continue
            if len(buckets) >= MAX_SAS:
                place = evictor.victim(order)
                if place is None:
                    dropped += 1
                    if len(dropped_keys) < MAX_SAS:
                        dropped_keys[key] = message if message.rspi == ZERO_SPI else None
                    continue
                victim = order[place]
                order[place] = None
                del buckets[victim.key]
                dropped += len(victim.messages)
                if len(dropped_keys) < MAX_SAS:
                    dropped_keys[victim.key] = victim.messages[0]
            bucket = buckets[key] = Bucket(key)
            evictor.opened(len(order))
            order.append(bucket)
        if len(bucket.messages) >= MAX_STEPS_PER_SA:
            bucket.truncated += 1
            continue
        if bucket.rspi == ZERO_SPI:
            bucket.rspi = message.rspi
        bucket.messages.append(message)
        evictor.grew(bucket)
    kept = [bucket for bucket in order if bucket is not None]
    twice: list[Message] = []
    for bucket in kept:
        _drop_capture_duplicates(bucket, twice)
    lone = [m.time for m in dropped_keys.values() if m is not None and m.src not in evictor.trusted]
    return Grouping(kept, dropped, len(dropped_keys), len(lone), (min(lone), max(lone)) if lone else None,
                    twice, steps)


@dataclass(frozen=True, slots=True)
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
