"""Reading and diagnosing a capture leave no reference cycles behind.

``ikepcap``'s entry point runs the cycle collector rarely (``cli.GC_THRESHOLDS``): the pipeline
makes millions of objects that live to the end, and rescanning them was a third of a run. What
is left in a cycle then lives on long after its last use: a frame decoder whose reassembler held
a bound method of it kept a whole range's datagrams alive until the end of the read. This holds
the read and the analysis, on every capture of captures/ and the corpus, to freeing what they
drop by reference counting alone.
"""

from __future__ import annotations

import gc
from collections import Counter

from conftest import read_captures

from ikepcap.pipeline import analyse


def test_reading_and_diagnosing_every_capture_leaves_no_cycles() -> None:
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        read = 0
        for jobs in (1, 2):
            for _, extraction in read_captures(jobs):
                analyse(extraction, True, jobs=1)
                analyse(extraction, False, jobs=1, whole=False)
                read += 1
        del extraction
        gc.collect()
        left = Counter(type(o).__qualname__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert read >= 80
    assert not left, f"left in cycles: {left.most_common(8)}"
