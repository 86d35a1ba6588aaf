"""Where key tables are found without being asked for: beside the capture, under its stem.

Apart from the key readers so that a run without keys can look for them without loading the
cryptography they need.
"""

from __future__ import annotations

from pathlib import Path

# Wireshark's IKE decryption tables, by the names strongSwan's save-keys plugin gives its files.
V1_TABLE, V2_TABLE = "ikev1_decryption_table", "ikev2_decryption_table"


def beside(capture: str | Path) -> tuple[Path, ...]:
    """The key tables that sit beside a capture with its stem (``x.pcap`` ->
    ``x.ikev1_decryption_table``, ``x.ikev2_decryption_table``), used without being asked for."""
    path = Path(capture)
    stem = path.name
    for suffix in (".gz", ".pcapng", ".pcap", ".cap"):
        stem = stem.removesuffix(suffix)
    return tuple(p for p in (path.with_name(f"{stem}.{V1_TABLE}"), path.with_name(f"{stem}.{V2_TABLE}"))
                 if p.is_file())
