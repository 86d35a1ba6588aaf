"""The compiled halves of the reader, each loaded where it was built, or None.

``pip install .`` compiles them where a C compiler is (setup.py): the sift (``read/_sift.pyx``)
and the decoding of a well-formed message's header and chain (``decode/_datagram.pyx``). Each
module that has one falls back to its own Python code without it, and tests hold the two equal.
``IKEPCAP_READER=python`` asks for Python throughout (the bench measures both).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

MODULES = ("ikepcap.read._sift", "ikepcap.decode._datagram")


def load(name: str) -> ModuleType | None:
    """The compiled module ``name`` (one of MODULES), or None: not built, or Python asked for."""
    if os.environ.get("IKEPCAP_READER") == "python":
        return None
    try:
        return importlib.import_module(name)
    except ImportError:                         # no C compiler at install time
        return None


def reader() -> str:
    """Which reader runs, for ``ikepcap --version`` and the bench: compiled only when every part is."""
    return "compiled" if all(load(name) is not None for name in MODULES) else "Python"
