"""The tshark engine's Wireshark field -> model table (``ikepcap.extract.tshark.PAYLOADS``).

These need no tshark: they check the table itself, so that a row cannot silently miss a
field of its class or a payload type the native decoder reads.
"""

from __future__ import annotations

from dataclasses import fields

from ikepcap.decode.context import Head
from ikepcap.decode.message import V1_DECODERS, V2_DECODERS
from ikepcap.decode.model import V2_SK, V2_SKF, Payload
from ikepcap.extract.tshark import OPAQUE, PAYLOADS, V1_ROWS, V2_ROWS

GENERIC = {f.name for f in fields(Payload)}


def test_every_row_converts_exactly_the_fields_of_its_class() -> None:
    for row in PAYLOADS:
        own = [f.name for f in fields(row.kind) if f.name not in GENERIC]
        assert [name for name, _ in row.fields] == own, row.kind.__name__


def test_both_engines_read_the_same_payload_types() -> None:
    assert set(V1_ROWS) == set(V1_DECODERS)
    assert set(V2_ROWS) == set(V2_DECODERS) | {V2_SK, V2_SKF}      # the native chain walk reads SK/SKF itself


def test_a_payload_wireshark_shows_nothing_of_reads_as_defaults() -> None:
    """Every converter copes with an empty subtree (a payload Wireshark stopped in)."""
    for rows, v2 in ((V1_ROWS, False), (V2_ROWS, True)):
        for kind, row in rows.items():
            payload = row.read(Head(kind, "x", 4, False), {}, v2)
            assert isinstance(payload, row.kind) and not payload.decrypted
    assert OPAQUE.read(Head(8, "HASH", 24, False), {}, False).data_length == 20
