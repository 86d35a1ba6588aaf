"""Trim a daemon log to the lines that are evidence for a capture's ground truth.

Drops start-up chatter (plugin lists, credential loading, vici requests, the
long per-connection config dump except its proposals/TS/address lines) and
keeps every line about the negotiation: packets sent and received, parsed
message summaries, retransmits, notifies, state changes.  A marker line shows
where the capture stopped; lines after it (typically the DELETEs a daemon
sends when it is stopped) are not in the pcap.  The lab's PSKs are the only
secrets and they are not logged at these levels; a pluto run with
plutodebug=private also logs them, but of its debug lines only the IKEv2 key
lines are kept (the lab's keys are public anyway: the key tables).
"""

from __future__ import annotations

import re
from pathlib import Path

NOISE = re.compile(
    r"loaded plugins|loading (ca |aa |ocsp |attribute |crl )?certificates|"
    r"dropped capabilities|spawning \d+ worker|loaded (certificate|RSA private key)|"
    r"vici client|Starting IKE charon|no files found matching|"
    r"FIPS|NSS DB|NSS crypto|seccomp|nhelpers|leak-detective|core dump dir|"
    r"Pluto initialized|Using Linux XFRM|selinux|systemd|dnssec|Starting Pluto|"
    r"libcap-ng|AddressSanitizer|debugging|pluto ikev2|Encryption algorithms|"
    r"Hash algorithms|PRF algorithms|Integrity algorithms|DH algorithms|"
    r"^\S+ +(AES|3DES|CAMELLIA|CHACHA|NULL|SERPENT|TWOFISH|CAST|MD5|SHA|HMAC|"
    r"AES_|DH|MODP|ECP|CURVE|RSA|NONE|KEY)")
# config dump lines (charon cfg=2): "  conn lab:", "   proposals = ..."
CFG_DUMP = re.compile(r"\[CFG\] {2,}\S")
CFG_KEEP = re.compile(r"conn \S+:|child \S+:|proposals|_ts =|_addrs|version|aggressive|"
                      r"class|[^a-z]id =|auth|dpd|encap|fragmentation|certs =")
TIME = re.compile(r"^(?:\w{3} +\d+ )?(\d\d:\d\d:\d\d(?:\.\d+)?)")
MAX_LINES = 400
PLUTO_KEYS = re.compile(r"\| ikev2 [IR] 0x")


def trim(src: Path, dst: Path, stop: str | None = None, max_lines: int = MAX_LINES) -> None:
    """Copy src to dst without noise; stop = "HH:MM:SS.mmm" when capture ended.

    max_lines: a scenario with many SAs (the concentrator) needs more."""
    kept: list[str] = []
    marked = False
    pluto = src.name.startswith("pluto")
    for ln in src.read_text(errors="replace").splitlines():
        ln = ln.rstrip()
        if not ln.strip() or NOISE.search(ln):
            continue
        # pluto: start-up self-tests and algorithm tables are long; every line
        # about the negotiation names the connection ("lab" #1: ...), except
        # what it says about a packet no connection takes ("packet from ...")
        # and, with plutodebug=private, an IKEv2 SA's keys ("| ikev2 I 0x...")
        if pluto and '"lab"' not in ln and "shutting down" not in ln and "packet from" not in ln \
                and not PLUTO_KEYS.search(ln):
            continue
        if CFG_DUMP.search(ln) and not CFG_KEEP.search(ln):
            continue
        t = TIME.match(ln)
        if stop and not marked and t and t.group(1) > stop:
            kept.append(f"--- {stop} lab: capture stopped here; lines below are not in the pcap ---")
            marked = True
        kept.append(ln)
    if stop and not marked:
        kept.append(f"--- {stop} lab: capture stopped here ---")
    if len(kept) > max_lines:
        kept = kept[:max_lines] + [f"[... {len(kept) - max_lines} more lines trimmed]"]
    dst.write_text("\n".join(kept) + "\n")
