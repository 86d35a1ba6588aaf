"""Work dealt out in shares to forked processes, for the stages that pay for a second core.

The first share runs here and the others in worker processes forked from this one, so they
inherit what this process holds (a capture's messages, the keys): only each share's
arguments and its result are pickled. What a share needs beyond its arguments is put where
``work`` finds it (a module global) before the call, and taken away after.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Share = TypeVar("Share")
Result = TypeVar("Result")


def map_forked(work: Callable[[Share], Result], shares: Sequence[Share]) -> list[Result]:
    """``work(share)`` for each share, in order; one share runs here alone."""
    if len(shares) <= 1:
        return [work(share) for share in shares]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(shares) - 1, mp_context=context) as pool:
        futures = [pool.submit(work, share) for share in shares[1:]]
        first = work(shares[0])
        return [first] + [future.result() for future in futures]


def balanced(weights: Sequence[int], count: int) -> list[list[int]]:
    """The indices of ``weights`` dealt into at most ``count`` shares of about the same weight
    (the heaviest first, each onto the lightest share), each share in ascending order."""
    shares: list[list[int]] = [[] for _ in range(min(count, len(weights)))]
    loads = [0] * len(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += weights[index]
    return [sorted(share) for share in shares]
