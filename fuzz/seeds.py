"""Seed corpora for the fuzz harnesses, built from captures/ and ../shared/corpus.

The shared corpus carries other projects' licences, so seeds are written to a work directory
(default /tmp/ikepcap-fuzz), never into the repository.

    python3 fuzz/seeds.py [WORKDIR]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from ikepcap.read.capture import read_capture
from ikepcap.read.errors import CaptureError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "captures", ROOT.parent / "shared" / "corpus"]
MAX_CAPTURE_SEED = 64 * 1024


def captures() -> list[Path]:
    found = []
    for source in SOURCES:
        if source.is_dir():
            found += sorted(p for p in source.rglob("*") if p.is_file() and p.name.endswith(
                (".pcap", ".pcapng", ".cap", ".pcap.gz")))
    return found


def build(workdir: Path) -> tuple[Path, Path]:
    messages, files = workdir / "seeds-message", workdir / "seeds-capture"
    messages.mkdir(parents=True, exist_ok=True)
    files.mkdir(parents=True, exist_ok=True)
    for path in captures():
        if path.stat().st_size <= MAX_CAPTURE_SEED:
            (files / (hashlib.sha1(path.read_bytes()).hexdigest() + path.suffix)).write_bytes(path.read_bytes())
        datagrams = []
        try:
            read_capture(str(path), datagrams.append)
        except CaptureError:
            continue
        for datagram in datagrams:
            payload = datagram.payload
            (messages / hashlib.sha1(payload).hexdigest()).write_bytes(payload)
    return messages, files


if __name__ == "__main__":
    for directory in build(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ikepcap-fuzz")):
        print(directory, len(list(directory.iterdir())))
