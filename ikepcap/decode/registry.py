"""Open enumerations for protocol numbers.

A capture from the wild carries numbers nobody registered: private-use notify types, vendor
exchange types, payloads from drafts. Like rusticata's ipsec-parser, ikepcap keeps such a
number and prints it as a number instead of failing, so a registry is a lookup that always
answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class Registry(Mapping[int, str]):
    """A named table of protocol numbers.

    ``ranges`` labels whole blocks (``(40960, 65535, "private use")``) so that an unassigned
    number still says which block it fell into. ``registry[n]`` never raises: a known number
    gives its name, a number in a labelled block gives ``"<label> (n)"``, anything else ``"n"``.
    Iterating or ``len()`` covers only the named numbers.
    """

    __slots__ = ("title", "_names", "_ranges", "_numbers")

    def __init__(
        self,
        title: str,
        names: Mapping[int, str],
        ranges: tuple[tuple[int, int, str], ...] = (),
    ) -> None:
        self.title = title
        self._names = dict(names)
        self._ranges = ranges
        self._numbers = {name: number for number, name in self._names.items()}

    def __getitem__(self, number: int) -> str:
        name = self._names.get(number)
        if name is not None:
            return name
        for low, high, label in self._ranges:
            if low <= number <= high:
                return f"{label} ({number})"
        return str(number)

    def __contains__(self, number: object) -> bool:
        return number in self._names

    def __iter__(self) -> Iterator[int]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def number(self, name: str) -> int:
        """The number registered under ``name``; rule tables use names, the wire uses numbers."""
        return self._numbers[name]

    def __repr__(self) -> str:
        return f"Registry({self.title!r}, {len(self._names)} names)"
