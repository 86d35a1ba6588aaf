"""The bounded tallies behind the flood finding keep their promises on any stream."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ikepcap.extract import budget
from ikepcap.extract.budget import Overflow

streams = st.lists(st.integers(min_value=0, max_value=40).map(lambda n: f"198.51.100.{n}"), max_size=400)


def _tally(sources: list[str]) -> Overflow:
    overflow = Overflow()
    for source in sources:
        overflow.count(source)
    return overflow


def _keeps_its_promise(overflow: Overflow, sources: list[str]) -> None:
    truth = Counter(sources)
    assert len(overflow.sources) <= budget.MAX_SOURCES
    assert overflow.undercount <= len(sources) // (budget.MAX_SOURCES + 1)
    for source, n in truth.items():
        reported = overflow.sources.get(source, 0)
        assert n - overflow.undercount <= reported <= n
        if n > overflow.undercount:
            assert source in overflow.sources


@settings(max_examples=200, deadline=None)
@given(streams, streams)
def test_heavy_hitters_alone_and_merged(first, second):
    saved = budget.MAX_SOURCES
    budget.MAX_SOURCES = 8
    try:
        a, b = _tally(first), _tally(second)
        _keeps_its_promise(a, first)
        a.merge(b)
        _keeps_its_promise(a, first + second)
    finally:
        budget.MAX_SOURCES = saved


def test_every_source_is_exact_below_the_bound():
    sources = [f"192.0.2.{n % 50}" for n in range(1000)]
    overflow = _tally(sources)
    assert overflow.undercount == 0 and overflow.sources == dict(Counter(sources))
