"""ikepcap against Wireshark on real captures from other projects (../shared/corpus).

For every frame tshark dissects as ISAKMP (its reading is stored beside each capture as
``*.tshark.tsv``), ``ikepcap decode --format jsonl`` must agree on the header fields and the
notify types. Where the two disagree and ikepcap is right, ``DISAGREEMENTS`` records the
frame, the field and why, and the test checks that the disagreement is exactly that one.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

CLI = [sys.executable, "-c", "from ikepcap.cli import main; main()"]

# (capture relative to the corpus, frame) -> {field: why ikepcap's value stands}. In every case
# tshark shows no value at all; ikepcap reads the field from bytes that were captured.
DISAGREEMENTS: dict[tuple[str, int], dict[str, str]] = {
    ("malformed/tcpdump/isakmp-delete-segfault.pcap", 1): {
        "exchange_type": "version byte 0xbe: tshark stops after the flags for major versions other than 1 and 2; "
                         "ikepcap reads the whole 28-byte header and warns of the unknown version",
        "length": "same",
    },
    ("malformed/tcpdump/isakmp-ikev1_n_print-oobr.pcap", 3): {
        "length": "snaplen-cut first IP fragment: tshark raises a bound error before the length field although "
                  "all 28 header bytes were captured; ikepcap reads the length from them",
    },
    ("malformed/tcpdump/isakmp-various-oobr.pcap", 1): {
        "length": "as isakmp-ikev1_n_print-oobr.pcap frame 3",
    },
}

FIELDS = {
    "ispi": "isakmp.ispi",
    "rspi": "isakmp.rspi",
    "version": "isakmp.version",
    "exchange_type": "isakmp.exchangetype",
    "flags": "isakmp.flags",
    "message_id": "isakmp.messageid",
    "length": "isakmp.length",
    "notify": "isakmp.notify.msgtype",
}


def oracle_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.tshark.tsv"))


def ours(record: dict) -> dict[str, str]:
    """ikepcap's jsonl record in tshark's field notation."""
    major, minor = (int(part) for part in record["version"].split("."))
    return {
        "ispi": record["ispi"],
        "rspi": record["rspi"],
        "version": f"0x{major << 4 | minor:02x}",
        "exchange_type": str(record["exchange_type"]),
        "flags": f"0x{record['flags']:02x}",
        "message_id": f"0x{record['message_id']:08x}",
        "length": str(record["length"]),
        "notify": ",".join(str(n["type"]) for n in record["notify"]),
    }


@pytest.fixture(scope="module")
def decoded(corpus: Path) -> dict[str, dict[int, list[dict]]]:
    """One CLI run over every corpus capture: file -> frame -> jsonl records."""
    captures = sorted(p for p in corpus.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    assert len(captures) >= 70
    run = subprocess.run([*CLI, "decode", "--format", "jsonl", *map(str, captures)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    result: dict[str, dict[int, list[dict]]] = {str(c): {} for c in captures}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        result[record["file"]].setdefault(record["frame"], []).append(record)
    return result


@pytest.mark.parametrize("tsv", oracle_files(), ids=lambda p: str(p.relative_to(CORPUS)) if CORPUS.is_dir() else "")
def test_agrees_with_tshark(tsv: Path, corpus: Path, decoded: dict[str, dict[int, list[dict]]]) -> None:
    capture = tsv.with_name(tsv.name[: -len(".tshark.tsv")])
    name = str(capture.relative_to(corpus))
    by_frame = decoded[str(capture)]
    rows = list(csv.DictReader(tsv.open(), delimiter="\t"))
    for row in rows:
        frame = int(row["frame.number"])
        messages = by_frame.get(frame, [])
        assert messages, f"{name} frame {frame}: tshark sees ISAKMP, ikepcap does not"
        got = {field: ",".join(ours(m)[field] for m in messages if ours(m)[field]) for field in FIELDS}
        expected = {field: row[column] for field, column in FIELDS.items()}
        allowed = DISAGREEMENTS.get((name, frame), {})
        for field in FIELDS:
            if field in allowed:
                assert expected[field] == "" and got[field] != "", f"{name} frame {frame} {field}: no longer differs"
            else:
                assert got[field] == expected[field], f"{name} frame {frame} {field}"


def test_every_corpus_capture_decodes(decoded: dict[str, dict[int, list[dict]]]) -> None:
    with_messages = [name for name, frames in decoded.items() if frames]
    assert len(with_messages) >= 60
