"""The one error the read stage raises: a file it cannot read at all.

Everything less than that (a cut-off last record, a corrupt block in the middle) is a warning
in the file's ReadStats, and the frames before it still count.
"""


class CaptureError(Exception):
    """A one-line reason, already naming the file, fit to print as it is."""


def reason(error: Exception, path: str) -> str:
    """What is wrong with ``path``, without the file's name the message begins with: for a line
    that names the file its own way (a pseudonym, a table's first column)."""
    return str(error).removeprefix(f"{path}: ")
