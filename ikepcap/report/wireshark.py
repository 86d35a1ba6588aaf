"""Display filters that open a finding's evidence in Wireshark without retyping a frame number.

A frame that carries an IKE message of the SA is named by its initiator SPI *and* its number
(``isakmp.ispi == c205f30d14beada5 && frame.number in {3, 4}``): pasted into a capture that was
re-cut or merged, the SPI still finds the right packets, or none, never others. Evidence that
is not an IKE message Wireshark would dissect — an ICMP error, ESP, a NAT-T keepalive, an IP
fragment that never completed a message, IKE on a port given with ``--port`` — is named by frame
number alone. Frame numbers restart in each file of a ring, so the filters are per file.

Sets are written with commas: Wireshark 4.0 accepts them and 4.2 requires them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from ikepcap.marks import wire
from ikepcap.read.model import IKE_PORT, NAT_T_PORT

# The ports Wireshark's ISAKMP dissector listens on without being told.
DISSECTED_PORTS = frozenset((IKE_PORT, NAT_T_PORT))


def ike_frames(messages: Iterable) -> dict[tuple[str, int], str]:
    """(file, frame) → initiator SPI (hex) of each message Wireshark dissects as ISAKMP."""
    return {(m.file, m.frame): m.ispi.hex() for m in messages
            if m.sport in DISSECTED_PORTS or m.dport in DISSECTED_PORTS}


def _frames(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"frame.number == {numbers[0]}"
    return "frame.number in {" + ", ".join(map(str, numbers)) + "}"


def display_filter(frames: list[tuple[int, str | None]]) -> str:
    """One file's filter: ``frames`` are (frame number, initiator SPI or None for a frame that
    is no dissected IKE message)."""
    by_spi: dict[str | None, list[int]] = {}
    for number, spi in sorted(set(frames), key=lambda item: item[0]):
        by_spi.setdefault(spi, []).append(number)
    clauses = [f"isakmp.ispi == {spi} && {_frames(numbers)}" for spi, numbers in by_spi.items() if spi is not None]
    if None in by_spi:
        clauses.append(_frames(by_spi[None]))
    if len(clauses) == 1:
        return clauses[0]
    return " || ".join(f"({clause})" for clause in clauses)


def evidence_filters(evidence: Iterable, spis: dict[tuple[str, int], str]) -> list[dict]:
    """``[{file, filter}]``, one per file the evidence is in, in the order the files first appear."""
    per_file: dict[str, list[tuple[int, str | None]]] = {}
    for e in evidence:
        per_file.setdefault(e.file, []).append((e.frame, spis.get((e.file, e.frame))))
    return [{"file": wire(file), "filter": display_filter(frames)} for file, frames in per_file.items()]


def labelled(finding: dict, several_files: bool) -> list[tuple[str | None, str]]:
    """A finding's filters as the reports show them: (the file's name when the capture is
    several files, the filter)."""
    return [(PurePath(f["file"]).name if several_files else None, f["filter"])
            for f in finding["wireshark_filters"]]
