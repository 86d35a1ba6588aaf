"""Extraction -> report view: correlation, diagnosis and each SA's view, in parallel where it pays.

Once messages are grouped into SAs, an SA needs nothing from outside but the SAs between the
same two peers (evidence such as ICMP errors is attached among them, and a later SA may
supersede an attempt). So the SAs are dealt out by peer pair into shards, one per process,
and each shard is correlated, diagnosed and turned into views on its own; only what concerns
the whole capture — a flood, what correlation left out, the report order — is decided here.
The result is the one ``build_view(diagnose(correlate(extraction)))`` gives, in less time on a
capture of thousands of SAs (a busy concentrator), where this is most of the work.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ikepcap.correlate.correlate import attach, ike_sa, notes, ordered
from ikepcap.correlate.model import Correlation, IkeSa
from ikepcap.correlate.sas import Bucket, group
from ikepcap.diagnose.diagnose import diagnose_sas, flood_findings, flood_of, order
from ikepcap.extract.model import Extraction
from ikepcap.report.view import document, sa_view

# Below this many messages a second process costs more than it saves.
PARALLEL_MESSAGES = 20_000
# Shards are balanced by messages, an SA counting as this many: diagnosing an SA and building
# its view cost about as much as correlating ten messages.
SA_WEIGHT = 10


@dataclass(frozen=True, slots=True)
class Scope:
    """What the report is narrowed to (--peer, --sa: an SPI prefix, initiator's or responder's)."""

    peer: str | None = None
    spi: str | None = None

    def wants(self, sa: IkeSa) -> bool:
        return ((self.peer is None or self.peer in (sa.initiator, sa.responder))
                and (self.spi is None or sa.ispi.hex().startswith(self.spi) or sa.rspi.hex().startswith(self.spi)))


@dataclass(frozen=True, slots=True)
class Analysis:
    view: dict
    diagnosed: int                      # SAs diagnosed before the scope narrowed the view


@dataclass(frozen=True, slots=True)
class _Work:
    """What every shard reads; a forked worker process inherits it, nothing is pickled."""

    extraction: Extraction
    buckets: list[Bucket]
    built: dict[int, IkeSa]             # buckets already correlated (the single-message ones)
    flood_members: frozenset[int]       # buckets summarised as a flood, not diagnosed
    scope: Scope
    messages: bool                      # views with the per-message list


_work: _Work | None = None


def analyse(extraction: Extraction, messages: bool, digests: dict[str, str] | None = None,
            scope: Scope = Scope(), jobs: int | None = None) -> Analysis:
    global _work
    grouping = group(ordered(extraction.messages))
    capture = Correlation([], grouping.dropped_messages, grouping.dropped_sas, extraction.overflow, notes(grouping))
    # the lone SAs (diagnose.is_lone) are the buckets of one message: grouping dropped the capture duplicates
    built = {i: ike_sa(bucket) for i, bucket in enumerate(grouping.buckets) if len(bucket.messages) == 1}
    lone = list(built.values())
    flood = flood_of(capture, lone)
    members = frozenset(built) if flood is not None else frozenset()
    jobs = jobs or os.cpu_count() or 1
    if len(extraction.messages) - len(members) < PARALLEL_MESSAGES:
        jobs = 1
    _work = _Work(extraction, grouping.buckets, built, members, scope, messages)
    try:
        shards = _shards(grouping.buckets, jobs)
        results = _run(shards) if len(shards) > 1 else [_shard(shards[0])] if shards else []
    finally:
        _work = None
    rows = sorted((row for rows, _ in results for row in rows), key=lambda row: row[0])
    view = document(extraction, [view for _, view in rows], flood_findings(capture, flood, lone), flood,
                    capture.notes, digests)
    return Analysis(view, sum(count for _, count in results))


def _shards(buckets: list[Bucket], count: int) -> list[list[int]]:
    """Bucket indices by peer pair, in ``count`` shards of about the same work (the largest
    pairs placed first, each on the lightest shard), each in capture order."""
    pairs: dict[tuple, list[int]] = {}
    for i, bucket in enumerate(buckets):
        pairs.setdefault(bucket.key[2:4], []).append(i)
    shards: list[list[int]] = [[] for _ in range(min(count, len(pairs)))]
    loads = [0] * len(shards)
    sizes = {pair: sum(SA_WEIGHT + len(buckets[i].messages) for i in members) for pair, members in pairs.items()}
    for pair in sorted(pairs, key=lambda p: (-sizes[p], pairs[p][0])):
        lightest = loads.index(min(loads))
        shards[lightest] += pairs[pair]
        loads[lightest] += sizes[pair]
    return [sorted(shard) for shard in shards]


def _shard(indices: list[int]) -> tuple[list[tuple[tuple, dict]], int]:
    """Each wanted SA's view with its place in the report, and how many SAs were diagnosed."""
    work = _work
    sas = [work.built.get(i) or ike_sa(work.buckets[i]) for i in indices]
    attach(sas, work.extraction)
    kept = [(i, sa) for i, sa in zip(indices, sas) if i not in work.flood_members]
    diagnoses = diagnose_sas([sa for _, sa in kept])
    rows = [((*order(d), i), sa_view(d, work.messages)) for (i, _), d in zip(kept, diagnoses)
            if work.scope.wants(d.sa)]
    return rows, len(diagnoses)


def _run(shards: list[list[int]]) -> list[tuple[list[tuple[tuple, dict]], int]]:
    """The first shard here, the others in forked worker processes (which see ``_work``)."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(shards) - 1, mp_context=context) as pool:
        futures = [pool.submit(_shard, shard) for shard in shards[1:]]
        first = _shard(shards[0])
        return [first] + [future.result() for future in futures]
