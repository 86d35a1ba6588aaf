"""Building captures: the inverse of ``read``, for reproductions of field cases and for tests.

Nothing in the diagnosis pipeline imports this package. It exists so that a case known only
from a write-up (payload chains, sizes, timing) can be rebuilt byte by byte as a capture, and
so that tests can state their input frames exactly.
"""
