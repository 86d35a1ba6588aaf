"""Extraction -> report view: correlation, diagnosis and each SA's view, in parallel where it pays.

Once messages are grouped into SAs, an SA needs nothing from outside but the SAs between the
same two peers (evidence such as ICMP errors is attached among them, and a later SA may
supersede an attempt). So the SAs are cut by peer pair into chunks, which the processes take
one at a time as each is free, and each chunk is correlated, diagnosed and turned into views on
its own; only what concerns the whole capture — a flood, what correlation left out, the report
order, which SA each ICMP error and lost fragment set goes to — is decided here. A peer pair too
busy for one chunk is cut into runs of consecutive SAs, and a chunk looks past its run for the
SA that supersedes an attempt (``_Later``). Nothing here makes the capture's messages: a chunk's
are made from the store where it is worked on and let go with it. The result is the one
``build_view(diagnose(correlate(extraction)))`` gives, in less time on a capture of thousands of
SAs (a busy concentrator), where this is most of the work. With keys, the SAs are dealt out
instead in shards of whole pairs, one per process, and each shard first decrypts its own SAs
(see ``analyse``), which gives the report of decrypting the whole capture and then diagnosing it.
"""

from __future__ import annotations

import bisect
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ikepcap.correlate.correlate import Items, attach, ike_sa, notes, placed
from ikepcap.correlate.model import Correlation, IkeSa
from ikepcap.correlate.sas import Bucket, group
from ikepcap.diagnose.diagnose import (
    FLOOD_SAMPLE,
    completed_later,
    diagnose_each,
    flood_findings,
    flood_like,
    flood_of,
    order,
    scan_findings,
)
from ikepcap.diagnose.model import PROBLEM, SaDiagnosis
from ikepcap.diagnose.progress import phase1
from ikepcap.extract.model import Extraction, Scope
from ikepcap.extract.store import Store, as_store
from ikepcap.forking import PARALLEL_MESSAGES, Dealer, balanced, map_forked, processes
from ikepcap.report.spool import Spool
from ikepcap.report.view import document, failure_signature, sa_row, sa_view

if TYPE_CHECKING:                       # the decryptor is loaded only when there are keys
    from ikepcap.decrypt.decrypt import Key, Outcome, SpiGroups
    from ikepcap.decrypt.keys import KeyStore

# Shards are balanced by messages, an SA counting as this many: diagnosing an SA and building its
# view cost about as much as correlating 25 messages (on the bench's IKE-heavy capture, 280-390 µs
# an SA against 12-14 µs a message, decoding included). A message counts once more for each
# BYTES_PER_WEIGHT of it: a chunk's messages are made together, and hostile ones can be 64 KB each.
SA_WEIGHT = 25
BYTES_PER_WEIGHT = 2048
# A shard makes the messages of a chunk of whole peer pairs at a time, of about this weight, and
# correlates and diagnoses them: the chunk's messages and SAs (their steps and exchanges) are let
# go before the next chunk, and only their entries stay. Each SA's diagnosis and decoded payloads
# (some 25 KB an SA) go as soon as its entry is made: a busy peer pair is one chunk of thousands of
# SAs. On the bench's IKE-heavy capture a fifth of the former 50,000 takes the peak from 206 to 184 MiB.
CHUNK_WEIGHT = 10_000


@dataclass(frozen=True, slots=True)
class Analysis:
    view: dict
    diagnosed: int                      # SAs diagnosed before the scope narrowed the view


@dataclass(frozen=True, slots=True)
class _Keys:
    """Keys that each name their SA, dealt out with the SAs: a share decrypts its own SAs
    (by initiator SPI, every message of the capture under it, in capture order)."""

    order: list[Key]                    # in the order they are tried (decrypt.key_order)
    by_spi: SpiGroups                   # the whole capture's
    of_share: list[list[int]]           # the keys (indices into order) each share tries


@dataclass(frozen=True, slots=True)
class _Work:
    """What every shard reads; a forked worker process inherits it, nothing is pickled."""

    extraction: Extraction
    store: Store                        # the messages, which a shard makes a chunk's SAs' of as it works on them
    buckets: list[Bucket]
    flood_members: frozenset[int]       # buckets summarised as a flood, neither correlated nor diagnosed
    scope: Scope
    messages: bool                      # views with the per-message list and notify counts (JSON)
    whole: bool                         # every SA's whole view; False: rows, and the first of each way of failing
    spool: Spool | None                 # where the shares write their SAs' JSON; None: they hand back views
    keys: _Keys | None                  # keys dealt to the shares; None: nothing to decrypt here
    items: Items | None                 # where each ICMP error and lost fragment set goes, by bucket (pairs split)
    # the peer pairs whose SAs more than one chunk holds: each pair's buckets, in capture order
    split: dict[frozenset[str], list[int]]
    chunks: list[list[int]]             # every chunk of buckets (with a dealer, as it numbers them)
    dealer: Dealer | None               # which chunk a process takes next; None: each share has its own


_work: _Work | None = None


def analyse(extraction: Extraction, messages: bool, digests: dict[str, str] | None = None,
            scope: Scope = Scope(), jobs: int | None = None, keys: KeyStore | None = None,
            whole: bool = True, spooled: bool = False) -> Analysis:
    """The report view of ``extraction``, decrypted with ``keys`` first when given.

    ``whole=False`` (the text report without -v) gives the whole view (without the per-message
    list) only to the first problem SA, in report order, of each way of failing
    (``failure_signature``), and each other SA its row (``sa_row``): what that report shows.
    ``spooled=True`` (the JSON report) gives each SA as a ``spool.Piece``, its whole view's JSON
    made in the share that diagnosed it and kept in a file until the document is written.

    Keys that name their SA (a key table's) are tried in the shard that diagnoses the SA, so a
    busy capture's decryption is shared out too; keys from a log, which are tried on SA after
    SA, decrypt the whole capture here first."""
    global _work
    if spooled and not whole:
        raise ValueError("only whole views are spooled")
    if keys is not None:
        from ikepcap.decrypt.decrypt import key_order, sa_of
        if not keys or any(sa_of(key) is None for key in key_order(keys)):
            from ikepcap.decrypt.apply import apply
            apply(extraction, keys)
            keys = None
    # the messages are read here from the store's columns; each is made in the shard that works on its SA
    store = as_store(extraction.messages)
    grouping = group(store)
    capture = Correlation([], grouping.dropped_lone, grouping.dropped_lone_span, grouping.dropped_capped,
                          extraction.overflow, notes(grouping))
    # The lone SAs (diagnose.is_lone) are the buckets of one message (grouping dropped the capture
    # duplicates); whether they are a flood's is read from the columns, and only the few the finding
    # shows are correlated here. A flood's members are never correlated.
    buckets = grouping.buckets
    progressed = {store.src[bucket.indices[0]] for bucket in buckets if len(bucket.indices) > 1}
    candidates = [i for i, bucket in enumerate(buckets)
                  if len(bucket.indices) == 1 and flood_like(store.src[bucket.indices[0]], progressed)]
    flood = flood_of(capture, [store.seen(buckets[i].indices[0]) for i in candidates])
    members = frozenset(candidates) if flood is not None else frozenset()
    jobs = processes(jobs)
    if len(store) - len(members) < PARALLEL_MESSAGES:
        jobs = 1
    if keys is None:
        chunks = dealt_chunks(buckets)
        shares: list[tuple[int, list[list[int]] | None]] = [(number, None) for number in range(jobs)]
        dealer, dealt = Dealer(len(chunks)), None
    else:
        # a key opens its SA's messages in the process that tries it: each process has its own SAs
        shards = _shards(buckets, jobs)
        shares = [(number, _chunks(shard, buckets, split=False)) for number, shard in enumerate(shards)]
        chunks = [chunk for _, own in shares for chunk in own]
        dealer, dealt = None, _deal(keys, extraction, buckets, shards)
    spool = Spool(len(shares)) if spooled else None
    split = _split(buckets, chunks)
    # with a pair split, decided here over every SA, as correlating the whole capture would; else in
    # the shards, among each chunk's whole pairs
    items = _placed(buckets, range(len(buckets)), extraction) if split else None
    _work = _Work(extraction, store, buckets, members, scope, messages, whole, spool, dealt, items, split, chunks,
                  dealer)
    try:
        results = map_forked(_shard, shares)
    finally:
        _work = None
    if dealt is not None:
        _record(keys, dealt, extraction, [outcome for _, _, outcomes, _ in results for outcome in outcomes])
    rows = sorted((row for chunks, _, _, _ in results for chunk in chunks
                   for row in (pickle.loads(chunk) if isinstance(chunk, bytes) else chunk)), key=lambda row: row[0])
    if not whole:
        rows = _with_firsts(rows, [firsts for _, _, _, firsts in results])
    elif spool is not None:
        rows = [(key, spool.piece(*place)) for key, place in rows]
    sample = [ike_sa(buckets[i], store) for i in candidates[:FLOOD_SAMPLE]] if flood is not None else []
    capture_findings = flood_findings(capture, flood, sample) + scan_findings(
        (store.seens(b.indices) for b in grouping.buckets), lambda seen: store.message(seen.place))
    view = document(extraction, [view for _, view in rows], capture_findings, flood, capture.notes, digests)
    return Analysis(view, sum(count for _, count, _, _ in results))


def _with_firsts(rows: list[tuple[tuple, dict]], shares: list[dict[tuple, tuple[tuple, dict]]]) \
        -> list[tuple[tuple, dict]]:
    """The rows with each way of failing's first SA, over all shares, in its whole view."""
    firsts: dict[tuple, tuple[tuple, dict]] = {}
    for share in shares:
        for way, (key, view) in share.items():
            if _before(firsts, way, key):
                firsts[way] = (key, view)
    whole = dict(firsts.values())
    return [(key, whole.get(key, row)) for key, row in rows]


def dealt_chunks(buckets: list[Bucket]) -> list[list[int]]:
    """Every bucket in chunks (``_chunks``), heaviest first: the order in which the processes take
    them, each the next one when it is done with one (``forking.Dealer``)."""
    return sorted(_chunks(list(range(len(buckets))), buckets), key=lambda chunk: -_weight(buckets, chunk))


def _shards(buckets: list[Bucket], count: int) -> list[list[int]]:
    """Bucket indices in ``count`` shares of about the same work, each in capture order, for keys
    to be dealt with their SAs: the buckets of one peer pair stay together (evidence is attached
    among them), and so do pairs that share an initiator SPI (a key opens all the messages under
    it, in order, in the process that tries it)."""
    pair_of_spi: dict[tuple, tuple] = {}
    joined: dict[tuple, tuple] = {}             # pair -> a pair it was joined to (union-find)

    def root(pair: tuple) -> tuple:
        while joined.get(pair, pair) != pair:
            pair = joined[pair]
        return pair

    for bucket in buckets:
        pair = bucket.key[2:4]
        first = root(pair_of_spi.setdefault(bucket.key[:2], pair))
        if first != root(pair):
            joined[root(pair)] = first
    groups: dict[tuple, list[int]] = {}
    for i, bucket in enumerate(buckets):
        groups.setdefault(root(bucket.key[2:4]), []).append(i)
    members = list(groups.values())
    sizes = [_weight(buckets, indices) for indices in members]
    return [sorted(i for group in share for i in members[group]) for share in balanced(sizes, count)]


def _segments(buckets: list[Bucket], group: list[int], limit: float) -> list[list[int]]:
    """``group`` in runs of consecutive buckets of about ``limit`` work each."""
    segments: list[list[int]] = [[]]
    weight = 0
    for i in group:
        if weight >= limit:
            segments.append([])
            weight = 0
        segments[-1].append(i)
        weight += _weight(buckets, [i])
    return segments


def _in_order(buckets: list[Bucket], group: list[int]) -> bool:
    """Each peer pair's SAs in ``group`` began in capture order (a capture whose clock steps back
    may not: there an SA placed earlier can begin later, and its pair is not split)."""
    last: dict[tuple, float] = {}
    for i in group:
        pair, began = buckets[i].key[2:4], buckets[i].began
        if began < last.get(pair, began):
            return False
        last[pair] = began
    return True


def _split(buckets: list[Bucket], chunks: list[list[int]]) -> dict[frozenset[str], list[int]]:
    """The peer pairs more than one of ``chunks`` holds SAs of, each with its buckets in capture order."""
    homes: dict[frozenset[str], set[int]] = {}
    of_pair: dict[frozenset[str], list[int]] = {}
    for number, chunk in enumerate(chunks):
        for i in chunk:
            pair = frozenset(buckets[i].key[2:4])
            homes.setdefault(pair, set()).add(number)
            of_pair.setdefault(pair, []).append(i)
    return {pair: sorted(of_pair[pair]) for pair, numbers in homes.items() if len(numbers) > 1}


def _deal(keys: KeyStore, extraction: Extraction, buckets: list[Bucket], shards: list[list[int]]) -> _Keys:
    """Each key to the share that diagnoses its SA; a key whose SA no share holds is tried here
    after the shares (``of_share``'s last entry), which says so or opens what grouping left out."""
    from ikepcap.decrypt.decrypt import key_order, sa_of, spi_groups
    order = key_order(keys)
    share_of = {buckets[i].key[:2]: number for number, shard in enumerate(shards) for i in shard}
    of_share: list[list[int]] = [[] for _ in range(len(shards) + 1)]
    for index, key in enumerate(order):
        of_share[share_of.get(sa_of(key), len(shards))].append(index)
    return _Keys(order, spi_groups(extraction.messages), of_share)


def _decrypt(dealt: _Keys, number: int) -> list[tuple[int, Outcome]]:
    """The share's keys tried on their SAs, the messages opened; each key's outcome (its index,
    its uses and warnings: what was opened stays in the messages)."""
    from ikepcap.decrypt.apply import fill
    from ikepcap.decrypt.decrypt import Decryption, Outcome, sa_of, try_keys
    indices = dealt.of_share[number]
    outcomes = try_keys(dealt.by_spi, [dealt.order[i] for i in indices])
    for index, outcome in zip(indices, outcomes):
        fill(dealt.by_spi.get(sa_of(dealt.order[index]), ()), Decryption(outcome.results))
    return [(index, Outcome({}, outcome.uses, outcome.warnings)) for index, outcome in zip(indices, outcomes)]


def _record(keys: KeyStore, dealt: _Keys, extraction: Extraction, outcomes: list[tuple[int, Outcome]]) -> None:
    from ikepcap.decrypt.apply import record
    from ikepcap.decrypt.decrypt import joined
    outcomes = outcomes + _decrypt(dealt, len(dealt.of_share) - 1)
    record(extraction, joined(keys, [outcome for _, outcome in sorted(outcomes, key=lambda item: item[0])]))


def _shard(share: tuple[int, list[list[int]] | None]) -> tuple[list[list[tuple[tuple, dict]] | bytes], int,
                                                          list[tuple[int, Outcome]], dict[tuple, tuple[tuple, dict]]]:
    """Each wanted SA's view with its place in the report (a chunk's rows at a time, pickled in
    a worker), how many SAs were diagnosed, the outcome of each key the share tried, and (views
    not whole) the share's first SA of each way of failing, with its place and whole view. The
    share's chunks are its own, or (None) those it takes from the dealer while there are any."""
    number, chunks = share
    work = _work
    if chunks is None:
        chunks = (work.chunks[k] for k in work.dealer.taken())
    outcomes = [] if work.keys is None else _decrypt(work.keys, number)
    rows: list[list[tuple[tuple, dict]] | bytes] = []
    firsts: dict[tuple, tuple[tuple, dict]] = {}
    diagnosed = 0
    for chunk in chunks:
        kept = [(i, ike_sa(work.buckets[i], work.store)) for i in chunk if i not in work.flood_members]
        # placed among all of the chunk's SAs: what goes to a flood's member is not diagnosed
        items = work.items if work.items is not None else _placed(work.buckets, chunk, work.extraction)
        attach([sa for _, sa in kept], work.extraction, _items_of(items, [i for i, _ in kept]))
        later = _Later(work, dict(kept)) if work.split else None
        made = []
        # each SA's diagnosis is let go once its entry is made, and what its messages decoded with it
        for place, d in diagnose_each([sa for _, sa in kept], later):
            diagnosed += 1
            if work.scope.covers(d.sa.initiator, d.sa.responder, d.sa.ispi, d.sa.rspi):
                made.append(_entry(work, number, (*order(d), kept[place][0]), d, firsts))
            for step in d.sa.steps:
                step.message.forget()
        # A worker's rows go back through a pipe, pickled: pickled chunk by chunk instead of at the
        # end, its views (most of what it holds) take a fraction of the memory while it makes the rest.
        rows.append(pickle.dumps(made, pickle.HIGHEST_PROTOCOL) if number else made)
        if later is not None:
            later.forget()
    if work.spool is not None:
        work.spool.flush(number)
    return rows, diagnosed, outcomes, firsts


def _placed(buckets: list[Bucket], indices: Iterable[int], extraction: Extraction) -> Items:
    """Which of the buckets at ``indices`` (in capture order) each ICMP error and lost fragment set
    goes to (``correlate.placed``), by bucket index: read from the buckets, as ``correlate.begun``
    reads an SA (its peer pair, initiator SPI and first message's time)."""
    indices = list(indices)
    errors, lost = placed([(frozenset(buckets[i].key[2:4]), buckets[i].key[1], buckets[i].began) for i in indices],
                          extraction)
    return {indices[at]: found for at, found in errors.items()}, {indices[at]: found for at, found in lost.items()}


def _items_of(items: Items, chunk: list[int]) -> Items:
    """What ``items`` (by bucket) puts on the chunk's SAs, by their place in it."""
    errors, lost = items
    return ({at: errors[i] for at, i in enumerate(chunk) if i in errors},
            {at: lost[i] for at, i in enumerate(chunk) if i in lost})


class _Later:
    """The SA that supersedes an unanswered attempt of a chunk (``diagnose.Later``). For a pair
    whose SAs other chunks hold too it is looked for past the chunk, in the pair's order: an SA
    held here counts as completed as its diagnosis said; another is correlated here and its phase
    1 followed (what its diagnosis's phase-1 verdict rests on) as far as the first one that
    completed after the attempt ended. Pairs are split only where their SAs began in capture
    order (``_chunks``), so no SA before the attempt can have begun after it ended."""

    def __init__(self, work: _Work, kept: dict[int, IkeSa]) -> None:
        self.work = work
        self.place_of = {id(sa): i for i, sa in kept.items()}
        self.kept = kept
        self.elsewhere: dict[int, tuple[IkeSa, bool]] = {}

    def __call__(self, attempt: IkeSa, completed: dict[frozenset, list[IkeSa]]) -> IkeSa | None:
        pair = frozenset((attempt.initiator, attempt.responder))
        members = self.work.split.get(pair)
        if members is None:
            return completed_later(attempt, completed)
        done_here = {id(sa) for sa in completed.get(pair, ())}
        end = attempt.steps[-1].message.time
        for i in members[bisect.bisect_right(members, self.place_of[id(attempt)]):]:
            if i in self.work.flood_members:            # never diagnosed, so never completed
                continue
            sa = self.kept.get(i)
            if sa is not None:
                done = id(sa) in done_here
            else:
                if i not in self.elsewhere:
                    built = ike_sa(self.work.buckets[i], self.work.store)
                    self.elsewhere[i] = built, phase1(built).established
                sa, done = self.elsewhere[i]
            if done and sa.steps[0].message.time > end:
                return sa
        return None

    def forget(self) -> None:
        """Let go of what the SAs correlated here decoded."""
        for sa, _ in self.elsewhere.values():
            for step in sa.steps:
                step.message.forget()
        self.elsewhere.clear()


def _entry(work: _Work, number: int, key: tuple, d: SaDiagnosis, firsts: dict[tuple, tuple[tuple, dict]]) \
        -> tuple[tuple, object]:
    """An SA's entry in the report at its place ``key``: where share ``number`` spooled its JSON,
    its view, or its row (the share's first SA of each way of failing kept whole in ``firsts``)."""
    if work.spool is not None:
        return key, (number, d.verdict.status, *work.spool.add(number, sa_view(d, work.messages)))
    if work.whole:
        return key, sa_view(d, work.messages)
    row = sa_row(d)
    way = failure_signature(row) if row["status"] == PROBLEM else None
    if way is not None and _before(firsts, way, key):
        firsts[way] = (key, sa_view(d, False))
    return key, row


def _before(firsts: dict[tuple, tuple[tuple, dict]], way: tuple, key: tuple) -> bool:
    """The SA at ``key`` comes before the first SA of its way of failing so far (or is the first)."""
    return way not in firsts or key < firsts[way][0]


def _weight(buckets: list[Bucket], indices: list[int]) -> int:
    """The work the buckets at ``indices`` make, in messages (see SA_WEIGHT)."""
    return sum(SA_WEIGHT + len(buckets[i].indices) + buckets[i].size // BYTES_PER_WEIGHT for i in indices)


def _chunks(indices: list[int], buckets: list[Bucket], split: bool = True) -> list[list[int]]:
    """Bucket indices in chunks of about CHUNK_WEIGHT, each in capture order. A chunk holds whole
    peer pairs (ICMP errors, ESP and supersession are settled among the SAs of a pair), but with
    ``split`` (no keys) a pair heavier than a chunk, a headend's busy peer, is cut into runs of
    consecutive SAs when they began in capture order: an attempt is then only ever superseded by
    an SA after it, which ``_Later`` looks for past the run, and what else is settled among the
    pair's SAs is settled here for all of them (``_split``)."""
    pairs: dict[tuple, list[int]] = {}
    for i in indices:
        pairs.setdefault(buckets[i].key[2:4], []).append(i)
    chunks: list[list[int]] = []
    chunk: list[int] = []
    weight = 0
    for members in pairs.values():
        whole = _weight(buckets, members)
        pieces = _segments(buckets, members, CHUNK_WEIGHT) if split and whole > CHUNK_WEIGHT and \
            _in_order(buckets, members) else [members]
        for piece in pieces:
            chunk += piece
            weight += _weight(buckets, piece)
            if weight >= CHUNK_WEIGHT:
                chunks.append(sorted(chunk))
                chunk, weight = [], 0
    if chunk:
        chunks.append(sorted(chunk))
    return chunks
