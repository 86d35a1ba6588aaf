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


def span(files: list[dict]) -> tuple[float | None, float | None]:
    """The earliest and the latest of the files' first and last record times: a capture whose
    records are out of order (its clock stepped back) starts later than it ends, and a span read
    from first to last would run backwards."""
    times = [t for f in files for t in (f["first_time"], f["last_time"]) if t is not None]
    return (min(times), max(times)) if times else (None, None)
