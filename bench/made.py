"""What every ikepcap diagnosis costs before it diagnoses anything: a lower bound for ``diagnose``.

    python3 bench/made.py /tmp/ikepcap-bench/ike-heavy-100000.pcap

It does what ``ikepcap diagnose`` does up to its rules, the way it does it: it imports the CLI
(and with it every stage), reads the capture with as many processes as CPUs, groups the
messages into IKE SAs, and makes each kept SA's ``Message`` objects a chunk at a time in a
process per CPU, each taking the next chunk when it is done with one, as the pipeline deals
them (one process on a capture too small to pay for a second). Then it stops: no correlation
(exchanges, retransmissions, roles, NAT checks), no rules, no report. A speed target for
``diagnose`` leaves correlation and the rules the difference between its time and this one
(bench/README.md).
"""

from __future__ import annotations

import gc
import sys
import time

import ikepcap.cli as cli  # the start-up of a real run: its imports
from ikepcap.correlate.sas import group
from ikepcap.extract.native import extract
from ikepcap.extract.store import as_store
from ikepcap.forking import PARALLEL_MESSAGES, Dealer, map_forked, processes, release_freed
from ikepcap.pipeline import dealt_chunks

_made: dict = {}


def _make(share: int) -> int:
    """The messages of the chunks this process takes, made and counted."""
    buckets, store, chunks, dealer = _made["buckets"], _made["store"], _made["chunks"], _made["dealer"]
    return sum(len(buckets[i].messages(store)) for k in dealer.taken() for i in chunks[k])


def main() -> None:
    started = time.perf_counter()
    gc.set_threshold(*cli.GC_THRESHOLDS)
    extraction = extract([sys.argv[1]])
    store = as_store(extraction.messages)
    buckets = group(store).buckets
    release_freed()
    gc.freeze()
    chunks = dealt_chunks(buckets)
    _made.update(buckets=buckets, store=store, chunks=chunks, dealer=Dealer(len(chunks)))
    jobs = processes(None) if len(store) >= PARALLEL_MESSAGES else 1      # as the pipeline decides
    made = sum(map_forked(_make, range(jobs)))
    print(f"{made:,} messages of {len(buckets):,} IKE SAs made: "
          f"{time.perf_counter() - started:.3f} s after the imports")


if __name__ == "__main__":
    main()
