"""Key material from the files peers and tools write, each record with the file and line it
came from, so that a report can say which line decrypted which SA.

* Wireshark's UAT tables as strongSwan's save-keys plugin writes them (and Wireshark itself
  saves them): ``ikev1_decryption_table`` rows ``icookie,encryption-key`` and
  ``ikev2_decryption_table`` rows ``SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"`` (hex
  unquoted or quoted, algorithm names quoted, ``#`` comments).
* A strongSwan charon log with ``ike`` at level 4: ``Sk_ei secret => 16 bytes @ 0x...`` (IKEv2,
  keymat_v2.c) or ``encryption key Ka => 16 bytes`` (IKEv1, keymat_v1.c), each followed by a hex
  dump, all tagged ``<conn|unique-id>``. The SPIs come from the manager's ``checkin IKEv2 SA
  conn[1] with SPIs <i>_i <r>_r`` (``mgr`` at level 2) and the IKEv2 algorithms from
  ``selected proposal: IKE:...``; without them a key is tried on every SA of its version.
* tcpdump's ``-E`` lines ``ikev2 I|R 0x<SPIi> 0x<SPIr> <integ>:0x<SK_a> <encr><bits>:0x<SK_e>``,
  which is also what a Libreswan pluto log holds (``| ikev2 I ...`` debug lines). Found in the
  lab with Libreswan 4.10: pluto prints them with ``plutodebug`` including ``private`` (``crypt``
  adds nothing usable), on each side right after "established IKE SA", once per SA and only for
  IKEv2: an SA that fails authentication gets none, and an AEAD SA's line leaves out the salt
  that AES-GCM, AES-CTR and ChaCha20 need (``none: aes_gcm_16256:0x<32 bytes>``), so only AES-CBC
  and 3DES SAs can be decrypted from them. For IKEv1 pluto prints no such line and no key bytes
  at all, even with ``plutodebug="crypt private"``: the keys stay in NSS and the log names them
  (``skeyid-key@0x... (32-bytes, NSS_IKE1_PRF_DERIVE)``), next to the IVs and the decrypted
  payloads. A pluto log without the lines is said to be unusable, with the reason that applies.

Nothing here raises on content: a line that cannot be read is a warning naming file and line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ikepcap.decrypt.algorithms import NO_INTEGRITY, Encryption, Integrity, encryption_named, integrity_named
from ikepcap.decrypt.tables import V1_TABLE, V2_TABLE, beside

SPI_BYTES = 8


@dataclass(frozen=True, slots=True)
class KeySource:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class V1Key:
    """An IKEv1 SA's encryption key (SKEYID_e, expanded to the cipher's size: RFC 2409 App. B)."""

    icookie: bytes | None           # None: from a log that did not say which SA (tried on each)
    encryption_key: bytes
    source: KeySource


@dataclass(frozen=True, slots=True)
class V2Key:
    """An IKEv2 SA's keys (RFC 7296 §2.14); the algorithms are None where the file does not name
    them, and are then read from the IKE_SA_INIT response of the capture."""

    ispi: bytes | None
    rspi: bytes | None
    sk_ei: bytes
    sk_er: bytes
    sk_ai: bytes
    sk_ar: bytes
    encryption: Encryption | None
    integrity: Integrity | None
    source: KeySource


@dataclass(frozen=True, slots=True)
class KeyStore:
    v1: tuple[V1Key, ...] = ()
    v2: tuple[V2Key, ...] = ()
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.v1 or self.v2)

    def __add__(self, other: KeyStore) -> KeyStore:
        return KeyStore(self.v1 + other.v1, self.v2 + other.v2, self.warnings + other.warnings)


@dataclass(slots=True)
class _Reading:
    """What one file gave so far."""

    name: str
    v1: list[V1Key] = field(default_factory=list)
    v2: list[V2Key] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, line: int, text: str) -> None:
        self.warnings.append(f"{self.name}:{line}: {text}" if line else f"{self.name}: {text}")

    def store(self) -> KeyStore:
        return KeyStore(tuple(self.v1), tuple(self.v2), tuple(self.warnings))


def read_keys(paths: Iterable[str | Path]) -> KeyStore:
    """Every key in ``paths``: files, or directories whose files are read in name order."""
    store = KeyStore()
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file())
            found = KeyStore()
            for file in files:
                found += read_key_file(file, quiet=True)
            if not found and not found.warnings:
                found += KeyStore(warnings=(f"{path}: no key table or key log in this directory",))
            store += found
        else:
            store += read_key_file(path)
    return store


def gather(keys: Iterable[str | Path], captures: Iterable[str | Path]) -> KeyStore:
    """What ``--keys`` gives: the paths named, and the tables beside each capture, each file once."""
    paths = [*map(Path, keys), *(table for capture in captures for table in beside(capture))]
    return read_keys(dict.fromkeys(paths, None))


def read_key_file(path: str | Path, quiet: bool = False) -> KeyStore:
    """The keys of one file, recognised by its name or content. ``quiet``: a file that is not
    key material at all is passed over silently (a directory holds other files too)."""
    path = Path(path)
    reading = _Reading(str(path))
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        reading.warn(0, f"cannot read ({error.strerror or error})")
        return reading.store()
    lines = text.splitlines()
    if path.name.endswith(V1_TABLE) or path.name.endswith(V2_TABLE):
        _read_table(lines, reading, v2=path.name.endswith(V2_TABLE))
    elif any(_CHARON_KEY.search(line) for line in lines):
        _read_charon(lines, reading)
    elif any(_TCPDUMP.search(line) for line in lines):
        _read_tcpdump(lines, reading)
    elif any(_PLUTO.match(line) for line in lines):
        reading.warn(0, f"a Libreswan pluto log without key lines: {_pluto_without_keys(lines)}")
    elif _looks_like_table(lines):
        _read_table(lines, reading, v2=_looks_like_table(lines) == 2)
    elif not quiet:
        reading.warn(0, "neither a Wireshark IKE decryption table nor a strongSwan log with keys (ike level 4)")
    return reading.store()


# --- Wireshark tables --------------------------------------------------------------------------

_HEX = re.compile(r"^(?:0x)?([0-9a-fA-F]*)$")


def _rows(lines: list[str]) -> Iterable[tuple[int, list[str]]]:
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, [cell.strip() for cell in next(csv.reader([line], skipinitialspace=True), [])]


def _looks_like_table(lines: list[str]) -> int:
    """1 or 2 when the file reads as an IKEv1 or IKEv2 table whatever its name (0: neither)."""
    widths = {len(cells) for _, cells in _rows(lines[:50])}
    return 1 if widths == {2} else 2 if widths == {8} else 0


def _hex(cell: str, what: str, number: int, reading: _Reading, size: int | None = None) -> bytes | None:
    match = _HEX.match(cell)
    if match is None or len(match[1]) % 2:
        reading.warn(number, f"{what} {cell!r} is not hexadecimal bytes")
        return None
    value = bytes.fromhex(match[1])
    if size is not None and len(value) != size:
        reading.warn(number, f"{what} has {len(value)} bytes, not {size}")
        return None
    return value


def _read_table(lines: list[str], reading: _Reading, v2: bool) -> None:
    width = 8 if v2 else 2
    for number, cells in _rows(lines):
        if len(cells) != width:
            reading.warn(number, f"{len(cells)} field(s), an {'IKEv2' if v2 else 'IKEv1'} decryption table row "
                                 f"has {width}")
            continue
        source = KeySource(reading.name, number)
        if not v2:
            icookie = _hex(cells[0], "initiator cookie", number, reading, SPI_BYTES)
            key = _hex(cells[1], "encryption key", number, reading)
            if icookie is not None and key:
                reading.v1.append(V1Key(icookie, key, source))
            elif key == b"":
                reading.warn(number, "the encryption key is empty")
            continue
        ispi, rspi = (_hex(cells[i], name, number, reading, SPI_BYTES) for i, name in ((0, "SPIi"), (1, "SPIr")))
        sk_ei, sk_er, sk_ai, sk_ar = (_hex(cells[i], name, number, reading)
                                      for i, name in ((2, "SK_ei"), (3, "SK_er"), (5, "SK_ai"), (6, "SK_ar")))
        encryption = encryption_named(cells[4])
        integrity = integrity_named(cells[7])
        if encryption is None:
            reading.warn(number, f"encryption algorithm {cells[4]!r} is not one ikepcap decrypts")
        if integrity is None and cells[7] not in NO_INTEGRITY:
            reading.warn(number, f"integrity algorithm {cells[7]!r} is not one ikepcap checks")
            continue
        if None in (ispi, rspi, sk_ei, sk_er, sk_ai, sk_ar) or encryption is None:
            continue
        if not _sizes_fit(encryption, integrity, sk_ei, sk_ai, number, reading):
            continue
        reading.v2.append(V2Key(ispi, rspi, sk_ei, sk_er, sk_ai, sk_ar, encryption, integrity, source))


def _sizes_fit(encryption: Encryption, integrity: Integrity | None, sk_e: bytes, sk_a: bytes, number: int,
               reading: _Reading) -> bool:
    if len(sk_e) != encryption.key_bytes:
        reading.warn(number, f"SK_e has {len(sk_e)} bytes; {encryption.name} needs {encryption.key_bytes}")
        return False
    if integrity is None and not encryption.aead:
        reading.warn(number, f"{encryption.name} needs an integrity algorithm")
        return False
    if integrity is not None and len(sk_a) != integrity.key_bytes:
        reading.warn(number, f"SK_a has {len(sk_a)} bytes; {integrity.name} needs {integrity.key_bytes}")
        return False
    return True


# --- tcpdump -E lines (tcpdump's own secrets files, Libreswan's pluto log) -------------------

_TCPDUMP = re.compile(r"\bikev(?P<version>[12]) (?P<role>[IR]) 0x(?P<i>[0-9a-fA-F]{16}) 0x(?P<r>[0-9a-fA-F]{16}) "
                      r"(?P<integ>[a-z0-9_]+):(?:0x)?(?P<sk_a>[0-9a-fA-F]*) "
                      r"(?P<encr>[a-z0-9_]+):(?:0x)?(?P<sk_e>[0-9a-fA-F]*)")


def _read_tcpdump(lines: list[str], reading: _Reading) -> None:
    """Pairs the I and R lines of each SA into one key (the I line is its source)."""
    halves: dict[tuple[str, str], dict[str, tuple[int, re.Match[str]]]] = {}
    for number, line in enumerate(lines, 1):
        match = _TCPDUMP.search(line)
        if match:
            halves.setdefault((match["i"].lower(), match["r"].lower()), {})[match["role"]] = (number, match)
    for (ispi, rspi), roles in halves.items():
        number = min(n for n, _ in roles.values())
        if set(roles) != {"I", "R"}:
            reading.warn(number, f"only the {''.join(roles)} line of SA {ispi}/{rspi}: both directions are needed")
            continue
        (_, initiator), (_, responder) = roles["I"], roles["R"]
        if initiator["version"] == "1" or not initiator["sk_e"]:
            reading.warn(number, "an IKEv1 SA: ikepcap reads only IKEv2 keys from these lines (Libreswan 4.10 "
                                 "writes no IKEv1 line; its IKEv1 keys stay in NSS)")
            continue
        encryption = encryption_named(initiator["encr"])
        integrity = integrity_named(initiator["integ"])
        if encryption is None:
            reading.warn(number, f"encryption {initiator['encr']!r} is not one ikepcap decrypts")
            continue
        if encryption.salt_bytes:
            reading.warn(number, f"{encryption.name} needs the {encryption.salt_bytes}-byte salt that follows SK_e, "
                                 "and these lines leave it out")
            continue
        keys = [bytes.fromhex(match[field]) for match in (initiator, responder) for field in ("sk_e", "sk_a")]
        if not _sizes_fit(encryption, integrity, keys[0], keys[1], number, reading):
            continue
        reading.v2.append(V2Key(bytes.fromhex(ispi), bytes.fromhex(rspi), keys[0], keys[2], keys[1], keys[3],
                                encryption, integrity, KeySource(reading.name, number)))


def _pluto_without_keys(lines: list[str]) -> str:
    """Why a pluto log holds no key lines, from what it does hold (see the module docstring)."""
    if not any(_PLUTO_DEBUG.match(line) for line in lines):
        return ("pluto prints an IKEv2 SA's keys (\"| ikev2 I 0x...\") only with plutodebug including \"private\", "
                "and this log has no debug lines")
    if any(_PLUTO_IKEV1.search(line) for line in lines):
        return ("pluto never prints an IKEv1 SA's keys, not even with plutodebug=\"crypt private\": they stay in NSS "
                "and the log names them (\"skeyid-key@0x...\") without their bytes")
    return ("no IKEv2 SA in it was established, and pluto prints an SA's keys (\"| ikev2 I 0x...\") only then, "
            "not for one that failed authentication")


# --- strongSwan charon log ---------------------------------------------------------------------

_TAG = re.compile(r"<(?P<name>[^|>]+)\|(?P<uid>\d+)>\s?(?P<msg>.*)$")
# A hex dump line: "   0: 1E B2 ...  ascii" in charon's file log; the journal drops the offset.
_DUMP = re.compile(r"^\s*(?:\d+: )?((?:[0-9A-Fa-f]{2}(?: |$)){1,16})")
# What precedes the message on an untagged line: syslog/journal prefix and charon's "05[IKE] ".
_PREFIX = re.compile(r"^.*?\b\d{2}\[[A-Z]{3}\] ")
_CHARON_KEY = re.compile(r"(?P<key>encryption key Ka|Sk_ei secret|Sk_er secret|Sk_ai secret|Sk_ar secret) "
                         r"=> (?P<size>\d+) bytes")
_CHECKIN = re.compile(r"checkin (?P<version>IKEv[12]) SA (?P<name>\S+)\[(?P<uid>\d+)\] with SPIs "
                      r"(?P<i>[0-9a-f]{16})_i (?P<r>[0-9a-f]{16})_r")
_PROPOSAL = re.compile(r"selected proposal: IKE:(?P<p>\S+)")
# pluto's lines start with the connection and state, after its own time stamp (logtime=yes) or
# syslog's: 'Nov 27 14:12:42.654578: "lab" #1: ...', '... pluto[812]: "lab" #1: ...'
_PLUTO_PREFIX = r'^(?:\w{3} +\d+ [\d:.]+: |.*?\bpluto\[\d+\]: )?'
_PLUTO = re.compile(_PLUTO_PREFIX + r'"[^"]+"(?: #\d+)?: ')
_PLUTO_DEBUG = re.compile(_PLUTO_PREFIX + r'\| ')
_PLUTO_IKEV1 = re.compile(r'"[^"]+" #\d+: .*(?:Main Mode|Aggressive Mode|IKEv1)')
_ZERO_SPI = "0" * 16


@dataclass(slots=True)
class _CharonSa:
    """What the log said about one IKE SA (by charon's unique id)."""

    version: str | None = None
    ispi: str | None = None
    rspi: str | None = None
    proposal: str | None = None
    keys: dict[str, tuple[int, int, str]] = field(default_factory=dict)     # name -> (line, size, hex)


def _read_charon(lines: list[str], reading: _Reading) -> None:
    sas: dict[str, _CharonSa] = {}
    collecting: tuple[str, str] | None = None       # (uid, key name) whose hex dump follows
    anonymous = 0                                   # untagged SAs: a key seen again starts the next one
    for number, line in enumerate(lines, 1):
        checkin = _CHECKIN.search(line)
        if checkin and checkin["i"] != _ZERO_SPI:
            sa = sas.setdefault(checkin["uid"], _CharonSa())
            sa.version = checkin["version"]
            if sa.ispi is None or checkin["r"] != _ZERO_SPI:
                sa.ispi, sa.rspi = checkin["i"], checkin["r"]
        tag = _TAG.search(line)
        # A log without "<conn|id>" tags (older charon, a filtered journal) is one anonymous SA.
        uid, message = (tag["uid"], tag["msg"]) if tag else (f"?{anonymous}", _PREFIX.sub("", line, count=1))
        if collecting and collecting[0] == uid:
            dump = _DUMP.match(message)
            if dump:
                at, size, text = sas[uid].keys[collecting[1]]
                sas[uid].keys[collecting[1]] = (at, size, text + dump[1].replace(" ", ""))
                continue
        collecting = None
        key = _CHARON_KEY.match(message)
        if key:
            name = "Ka" if key["key"].startswith("encryption") else key["key"].split()[0]
            if tag is None and name in sas.get(uid, _CharonSa()).keys:
                anonymous += 1
                uid = f"?{anonymous}"
            sas.setdefault(uid, _CharonSa()).keys[name] = (number, int(key["size"]), "")
            collecting = (uid, name)
            continue
        proposal = _PROPOSAL.search(message)
        if proposal:
            sas.setdefault(uid, _CharonSa()).proposal = proposal["p"]
    for uid, sa in sas.items():
        _charon_keys(uid, sa, reading)


def _charon_keys(uid: str, sa: _CharonSa, reading: _Reading) -> None:
    complete: dict[str, bytes] = {}
    for name, (number, size, text) in sa.keys.items():
        if len(text) != 2 * size:
            reading.warn(number, f"{name} announces {size} bytes, its dump holds {len(text) // 2}")
            continue
        complete[name] = bytes.fromhex(text)
    ispi = bytes.fromhex(sa.ispi) if sa.ispi else None
    rspi = bytes.fromhex(sa.rspi) if sa.rspi and sa.rspi != _ZERO_SPI else None
    if "Ka" in complete:
        number = sa.keys["Ka"][0]
        if sa.version == "IKEv2":
            reading.warn(number, f"IKE SA {uid} is IKEv2 but its log line is an IKEv1 key")
            return
        reading.v1.append(V1Key(ispi, complete["Ka"], KeySource(reading.name, number)))
        return
    if "Sk_ei" not in complete or "Sk_er" not in complete:
        return
    number = sa.keys["Sk_ei"][0]
    encryption = integrity = None
    if sa.proposal:
        names = sa.proposal.split("/")
        encryption = next((e for e in map(encryption_named, names) if e), None)
        integrity = next((i for i in map(integrity_named, names) if i), None)
        if encryption is None:
            reading.warn(number, f"the proposal {sa.proposal} has no encryption algorithm ikepcap decrypts")
            return
    reading.v2.append(V2Key(ispi, rspi, complete["Sk_ei"], complete["Sk_er"], complete.get("Sk_ai", b""),
                            complete.get("Sk_ar", b""), encryption, integrity, KeySource(reading.name, number)))
