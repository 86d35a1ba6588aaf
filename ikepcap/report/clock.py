"""Capture timestamps as people read them: UTC, to the microsecond or millisecond.

A capture file states its own timestamps, and a damaged or hostile one can state any number;
a time no calendar can show is printed as the epoch seconds it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

DATE_TIME = "%Y-%m-%d %H:%M:%S.%f"
TIME = "%H:%M:%S.%f"


def utc(epoch: float | None, fmt: str = DATE_TIME, digits: int = 6) -> str:
    """``epoch`` in ``fmt`` with ``digits`` of the fraction kept (6: microseconds, 3: milliseconds)."""
    if epoch is None:
        return "?"
    try:
        text = datetime.fromtimestamp(epoch, UTC).strftime(fmt)
    except (OverflowError, ValueError, OSError):
        return f"{epoch:.6f} (epoch s)"
    return text[:len(text) - (6 - digits)] if fmt.endswith("%f") else text
