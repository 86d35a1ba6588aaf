"""The tshark engine: Wireshark's ISAKMP dissector, driven through pyshark, mapped onto ikepcap's model.

``ikepcap decode --engine tshark`` gives Wireshark's reading of a capture (and Wireshark's
preferences, such as its IKE decryption tables) in the same ``Message`` records the native
engine builds, so correlation, diagnosis and every report work with either engine.

How a file is read
    Frames go through ikepcap's own reader (``ikepcap.read``), as with the native engine: it
    finds the IKE datagrams (link layers, tunnels, IP reassembly, the non-ESP marker) and
    counts ESP, NAT-T keepalives, ICMP errors and lost fragments, and its ``ReadStats`` are the
    file's. Wireshark is asked only for what it alone gives, its ISAKMP dissection: one
    ``pyshark.FileCapture`` per file (JSON output, one tshark process) with the display filter
    ``isakmp``. A message is the reader's datagram of that frame with Wireshark's reading of it;
    so both engines agree on frames, times, addresses, sizes and counters by construction, and
    the tshark engine reads the capture formats and link types ikepcap reads.

``--tshark-option`` (repeatable)
    ``NAME:VALUE`` sets a Wireshark preference (``tshark -o NAME:VALUE``, pyshark's
    ``override_prefs``), e.g. ``ip.defragment:FALSE`` or ``udp.check_checksum:TRUE``.
    ``uat:TABLE:RECORD`` adds one record to a Wireshark table; give it once per record. The IKE
    decryption tables of Wireshark 4.x take records in the form of their files in the
    Wireshark profile, which is also the form of the lab's ``captures/*_decryption_table``::

        uat:ikev1_decryption_table:ICOOKIE,KEY                    (hex, hex)
        uat:ikev2_decryption_table:SPIi,SPIr,SK_ei,SK_er,"AES-CBC-128 [RFC3602]",SK_ai,SK_ar,"HMAC_SHA2_256_128 [RFC4868]"

    (``ikepcap decode --engine tshark --tshark-option "uat:ikev2_decryption_table:$(cat
    captures/v2-healthy.ikev2_decryption_table)" captures/v2-healthy.pcap``.) The payloads
    Wireshark decrypts are the message's ``inner`` payloads, marked ``decrypted``: they follow
    the ``Encrypted`` payload that carried them in ``Message.payloads``. ``--port N`` becomes
    ``decode_as={'udp.port==N': 'isakmp'}``.

What maps, and from what
    Header fields, the payload chain (types, order, lengths, critical bits), proposals,
    transforms and attributes, notifications (protocol, SPI, type, data), deletes, vendor IDs,
    key exchange, nonce/hash/signature sizes, identities, certificates, traffic selectors,
    configuration, NAT-D hashes and SK/SKF payloads come from Wireshark's fields, through one
    table (``PAYLOADS``: payload types, model class, a converter per field). Names come
    from ikepcap's registries (``ikepcap.decode.iana``, ``vendor_name``) and the notification
    details from ikepcap's tables applied to the data Wireshark delimits, so that both engines
    name the same thing alike. ``warnings`` are Wireshark's expert infos of severity warning or
    error in the ISAKMP tree and its "Malformed Packet" and "Packet size limited during
    capture" notes.

What Wireshark does not give, and what is there instead
    * A header field Wireshark does not show (it stops at the first exception in a message)
      is 0 or empty, and the message carries a warning naming the field. A payload whose body
      Wireshark did not read (cut by the snaplen) is ``Opaque``, with a warning.
    * Identities of types Wireshark shows no value for, and certificate fields of encodings
      other than X.509, are empty.
    * ``--port``: a message behind a non-ESP marker on such a port is not seen (Wireshark's
      ISAKMP dissector does not expect the marker there); the native engine removes it.
    * Wireshark names payload type 15 after GDOI (SAK) where the native engine reads the
      draft-era NAT-D that IKE peers sent with that number.
"""  # noqa: E501  (a Wireshark UAT record above is one line)

from __future__ import annotations

import asyncio
import ipaddress
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ikepcap.decode import iana
from ikepcap.decode.attributes import (
    AF_BIT,
    MODECFG_ADDRESSES,
    MODECFG_TEXT,
    MODECFG_VALUES,
    V1_IKE_VALUES,
    V1_IPSEC_VALUES,
)
from ikepcap.decode.context import Context, Head
from ikepcap.decode.identity import DN_SHORT_NAMES, TS_ADDRESS_SIZES, X509_ENCODINGS
from ikepcap.decode.model import (
    V1_FLAG_ENCRYPTION,
    V2_SK,
    Attribute,
    Authentication,
    Certificate,
    CertificateRequest,
    CiscoFragment,
    Configuration,
    Delete,
    Eap,
    Encrypted,
    EncryptedFragment,
    Identification,
    KeyExchange,
    Message,
    NatDiscovery,
    NatOriginalAddress,
    Notification,
    Opaque,
    Payload,
    Proposal,
    SecurityAssociation,
    TrafficSelector,
    TrafficSelectors,
    Transform,
    VendorID,
)
from ikepcap.decode.notify import V1_NOTIFY_DATA, V2_NOTIFY_DATA
from ikepcap.decode.registry import Registry
from ikepcap.decode.text import address, hex_and_ascii, subnet, wire_text
from ikepcap.decode.vendor import vendor_name
from ikepcap.decode.wire import Header
from ikepcap.extract.model import Extraction
from ikepcap.marks import wire
from ikepcap.read.capture import STDIN, read_capture
from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import IKE_PORT, NAT_T_PORT, Datagram, ReadStats

# The frames whose ISAKMP Wireshark is asked for: UDP 500, 4500 behind the marker, --port.
DISPLAY_FILTER = "isakmp"

# Wireshark's expert severities (epan/proto.h PI_WARN, PI_ERROR).
EXPERT_WARNING = 0x00600000
# How long tshark may take to exit by itself once its output has ended.
EXIT_TIMEOUT = 10.0


# --- --tshark-option ------------------------------------------------------------------------

def parse_options(options: list[str]) -> tuple[dict[str, str], list[str]]:
    """``--tshark-option`` values -> (pyshark ``override_prefs``, extra tshark arguments).

    A UAT record is not a preference to override but one more row of a table, and a table
    usually needs several; they go to tshark as repeated ``-o uat:…`` arguments in their order.
    """
    preferences: dict[str, str] = {}
    arguments: list[str] = []
    for option in options:
        if option.startswith("uat:"):
            table, sep, record = option[len("uat:"):].partition(":")
            if not (table and sep and record):
                raise CaptureError(f"--tshark-option {option!r}: expected uat:TABLE:RECORD")
            arguments += ["-o", option]
        else:
            name, sep, value = option.partition(":")
            if not (name and sep) or any(c.isspace() for c in name):
                raise CaptureError(f"--tshark-option {option!r}: expected NAME:VALUE or uat:TABLE:RECORD")
            preferences[name] = value
    return preferences, arguments


# --- running tshark ---------------------------------------------------------------------------

def _capture_class():
    import pyshark

    class _Capture(pyshark.FileCapture):
        """``FileCapture`` for a batch reader, through two pyshark 0.6 hooks.

        * At the end of the file tshark exits by itself, but pyshark kills it anyway; the
          kill's own ``waitpid`` can reap the exited process before asyncio's child watcher
          does, which then reports status 255 and pyshark a crash, at random. The exit is
          awaited here instead, and a kill is kept for a tshark that is still running.
        * All of tshark's stderr is kept (pyshark keeps only the last line) with its exit
          status, so the caller can tell a damaged file from an unreadable one.
        * tshark's version is asked once per run, not once per file (it costs a tshark start).
        """

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.stderr_lines: list[str] = []
            self.returncode: int | None = None

        def _get_tshark_version(self):
            return _tshark_version(self.tshark_path)

        async def _handle_process_stderr_forever(self, stderr) -> None:
            while line := await stderr.readline():
                self.stderr_lines.append(line.decode("utf-8", "replace").strip())

        async def _cleanup_subprocess(self, process) -> None:
            if process.returncode is None and self._eof_reached:
                try:
                    await asyncio.wait_for(process.wait(), EXIT_TIMEOUT)
                except TimeoutError:
                    pass
            if process.returncode is None:
                try:
                    process.kill()
                except ProcessLookupError:
                    pass
                await process.wait()
            self.returncode = process.returncode

    return _Capture


@lru_cache(maxsize=4)
def _tshark_version(tshark_path: str | None):
    from pyshark.tshark.tshark import get_tshark_version
    return get_tshark_version(tshark_path)


def _tshark_path() -> str:
    try:
        from pyshark.tshark.tshark import TSharkNotFoundException, get_process_path
    except ImportError:
        raise CaptureError("--engine tshark needs the pyshark package (pip install pyshark)") from None
    try:
        return get_process_path()
    except TSharkNotFoundException:
        raise CaptureError("--engine tshark: tshark was not found (install Wireshark's tshark, "
                           "or use --engine native)") from None


def _complaints(lines: list[str]) -> list[str]:
    """tshark's own error lines, without its warning about running as root."""
    found = []
    for line in lines:
        if not line or line.startswith("Running as user"):
            continue
        found.append(line.removeprefix("tshark: "))
    return found


def _damage_only(complaints: list[str], frames: int) -> bool:
    """A file damaged after ``frames`` good frames: those are used, as the native reader does."""
    return frames > 0 and bool(complaints) and all(
        "cut short" in line or "appears to be damaged or corrupt" in line for line in complaints)


def _packets(path: str, name: str, preferences: dict[str, str], arguments: list[str],
             extra_ports: frozenset[int], stats: ReadStats) -> Iterator[dict[str, list[dict]]]:
    """Yield each selected frame as {layer name: [its instances' fields]} (outermost first).

    A file damaged after its start (``stats.frames`` readable frames) gets a warning in
    ``stats``; anything else tshark complains about is a ``CaptureError``.
    """
    loop = asyncio.new_event_loop()
    capture = packets = None
    try:
        capture = _capture_class()(
            path, keep_packets=False, display_filter=DISPLAY_FILTER, use_json=True, eventloop=loop,
            override_prefs=preferences or None, custom_parameters=arguments or None,
            decode_as={f"udp.port=={port}": "isakmp" for port in sorted(extra_ports)} or None,
        )
        packets = iter(capture)
        for packet in packets:
            yield _layers(packet)
    except Exception as error:  # noqa: BLE001  (pyshark and tshark fail in many ways; none may become a traceback)
        lines = _complaints(capture.stderr_lines) if capture is not None else []
        raise CaptureError(f"{name}: tshark failed: {lines[0] if lines else error}") from None
    finally:
        # pyshark's generator, then its capture, each end their tshark on this loop: both are
        # closed before the loop is, also when the caller stops early.
        try:
            if packets is not None:
                packets.close()
            if capture is not None:
                capture.close()
        finally:
            loop.close()
    complaints = _complaints(capture.stderr_lines)
    if capture.returncode and not _damage_only(complaints, stats.frames):
        reason = complaints[0] if complaints else f"exit status {capture.returncode}"
        raise CaptureError(f"{name}: tshark: {reason}")
    stats.warnings.extend(f"tshark: {line.rstrip('.')}; the frames before the damage are used"
                          for line in complaints if not line.startswith("("))


def _layers(packet) -> dict[str, list[dict]]:
    """pyshark's JSON packet as plain dicts: the JSON tshark wrote, one dict per layer instance.

    pyshark's ``JsonLayer`` keeps that dict in ``_all_fields`` and a second instance of a
    protocol (the inner IP of a tunnel) in ``duplicate_layers``; its field accessors match
    names by suffix, which is ambiguous for ISAKMP's nested payload trees, so the dicts are
    read directly.
    """
    layers: dict[str, list[dict]] = {"frame": [packet.frame_info._all_fields]}
    for layer in packet.layers:
        for instance in [layer, *layer.duplicate_layers]:
            fields = instance._all_fields
            if not fields and isinstance(getattr(instance, "value", None), str):
                fields = {"_value": instance.value}        # a layer that is only a text (_ws.short)
            if isinstance(fields, dict):
                layers.setdefault(layer.layer_name, []).append(fields)
    return layers


@contextmanager
def _readable(path: str):
    """The path tshark and the reader read, and the name messages carry (standard input is
    spooled first: both read it)."""
    if path != STDIN:
        yield path, path
        return
    with tempfile.NamedTemporaryFile(prefix="ikepcap-stdin-", suffix=".pcap") as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        spool.flush()
        if spool.tell() == 0:
            raise CaptureError("<stdin>: empty file")
        yield spool.name, "<stdin>"


# --- the engine ---------------------------------------------------------------------------------

# Wireshark's IKE decryption tables, by the file names strongSwan's save-keys plugin writes.
KEY_TABLES = ("ikev1_decryption_table", "ikev2_decryption_table")


def key_table_options(keys: list[Path]) -> tuple[list[str], list[str]]:
    """Key files for Wireshark: each line of each key table in ``keys`` (or in a directory named
    there) as a ``uat:TABLE:LINE`` option. Wireshark reads tables only; a log given to this
    engine is said, not silently dropped."""
    files: list[Path] = []
    warnings = []
    for path in keys:
        found = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in found:
            if file.name.endswith(KEY_TABLES):
                files.append(file)
            elif not path.is_dir():
                warnings.append(f"{file}: --engine tshark decrypts with Wireshark's key tables only; use the native "
                                "engine for logs")
    options = []
    for file in dict.fromkeys(files):
        table = next(name for name in KEY_TABLES if file.name.endswith(name))
        try:
            lines = file.read_text(errors="replace").splitlines()
        except OSError as error:
            warnings.append(f"{file}: cannot read ({error.strerror or error})")
            continue
        options += [f"uat:{table}:{line.strip()}" for line in lines if line.strip() and not line.startswith("#")]
    return options, warnings


def extract(paths: list[str], extra_ports: frozenset[int] = frozenset(),
            tshark_options: list[str] | None = None) -> Extraction:
    preferences, arguments = parse_options(list(tshark_options or ()))
    _tshark_path()
    ports = frozenset(extra_ports) - {IKE_PORT, NAT_T_PORT}
    merged = Extraction(engine="tshark")
    for path in paths:
        part = extract_file(path, ports, preferences, arguments)
        merged.files.extend(part.files)
        merged.messages.extend(part.messages)
        merged.esp.extend(part.esp)
        merged.keepalives.extend(part.keepalives)
        merged.icmp_errors.extend(part.icmp_errors)
        merged.lost_fragments.extend(part.lost_fragments)
        merged.warnings.extend(part.warnings)
    return merged


def extract_file(path: str, extra_ports: frozenset[int], preferences: dict[str, str],
                 arguments: list[str]) -> Extraction:
    """One file: ikepcap's reader finds the frames, datagrams and counters, tshark dissects the
    ISAKMP in them, and each message is the reader's datagram with Wireshark's reading."""
    with _readable(path) as (readable, name):
        datagrams: dict[int, Datagram] = {}
        reader = read_capture(readable, lambda d: datagrams.setdefault(d.frame, d), extra_ports)
        result = _counters(reader, name)
        stats = result.files[0]
        with closing(_packets(readable, name, preferences, arguments, extra_ports, stats)) as frames:
            for layers in frames:
                number = int(layers["frame"][0].get("frame.number", 0))
                datagram = datagrams.get(number)
                # Not an IKE datagram to the reader (ISAKMP over TCP, quoted in an ICMP error): not a message.
                if datagram is not None:
                    _message(replace(datagram, file=name), layers, result)
    result.warnings.extend(f"{wire(name)}: {w}" for w in stats.warnings)
    return result


def _counters(reader: FrameDecoder, name: str) -> Extraction:
    """What the reader counted in the file, named after ``name`` (not a spool of stdin)."""
    reader.file = reader.stats.file = name
    return Extraction(
        engine="tshark", files=[reader.stats], esp=reader.esp_flows(),
        keepalives=[replace(flow, file=name) for flow in reader.keepalives.values()],
        icmp_errors=[replace(error, file=name) for error in reader.icmp_errors],
        lost_fragments=[replace(lost, file=name) for lost in reader.lost_fragments],
    )


def _message(datagram: Datagram, layers: dict[str, list[dict]], result: Extraction) -> None:
    """The message in ``datagram`` as Wireshark's ISAKMP tree of its frame shows it."""
    data = datagram.payload
    if len(data) < Header.size:
        result.warnings.append(f"{wire(datagram.file)} frame {datagram.frame}: {len(data)} bytes on UDP "
                               f"{datagram.sport}->{datagram.dport} are too short for an ISAKMP header")
        return
    if datagram.marker and not any("udpencap.non_esp_marker" in encap for encap in layers.get("udpencap", [])):
        return                          # Wireshark read the marker as ISAKMP (a --port): not this message
    isakmp = layers["isakmp"][0]
    warnings: list[str] = []
    header = _Header(isakmp, warnings)
    v2 = header.version >> 4 == 2
    inner: list[Payload] = []
    if header.flags & V1_FLAG_ENCRYPTION and not v2:
        payloads = _v1_encrypted_body(isakmp, header, len(data), warnings, inner)
    else:
        payloads = _chain(isakmp, v2, warnings, inner)
    warnings.extend(_expert(isakmp))
    for malformed in layers.get("_ws.malformed", []):
        warnings.extend(_expert(malformed) or ["Wireshark: Malformed Packet"])
    for short in layers.get("_ws.short", []):
        warnings.append(f"Wireshark: {str(short.get('_value', 'Packet size limited during capture')).strip('[]')}")
    exchanges = iana.V2_EXCHANGE_TYPES if v2 else iana.V1_EXCHANGE_TYPES
    result.messages.append(Message(
        file=datagram.file, frame=datagram.frame, time=datagram.time, src=datagram.src, dst=datagram.dst,
        sport=datagram.sport, dport=datagram.dport, marker=datagram.marker, ip_length=datagram.ip_length,
        fragments=datagram.fragments, ispi=header.ispi, rspi=header.rspi, next_payload=header.next_payload,
        version=header.version, exchange_type=header.exchange_type, exchange=exchanges[header.exchange_type],
        flags=header.flags, message_id=header.message_id, length=header.length, size=len(data),
        chain=tuple(p.type for p in payloads), data=data, notes=tuple(warnings), ttl=datagram.ttl,
        given_inner=tuple(inner), given=(tuple(payloads), ()),
    ))


# --- reading tshark's JSON -----------------------------------------------------------------------
# With --no-duplicate-keys (pyshark passes it) a field shown once is a value, a field shown
# several times a list of values; a field with children has them in "<field>_tree", or as its
# value when the field itself carries no value (FT_NONE).

def _all(tree: dict | None, key: str) -> list:
    if not isinstance(tree, dict):
        return []
    value = tree.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one(tree: dict | None, key: str, default=None):
    values = _all(tree, key)
    return values[0] if values else default


def _int(text) -> int:
    text = str(text)
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def _int_or(tree: dict, key: str, default: int = 0) -> int:
    value = _one(tree, key)
    try:
        return _int(value) if value is not None else default
    except ValueError:
        return default


def _bytes(text) -> bytes:
    if not isinstance(text, str) or not text:
        return b""
    try:
        return bytes.fromhex(text.replace(":", ""))
    except ValueError:
        return b""


def _flag(tree: dict, key: str) -> bool:
    return str(_one(tree, key, "0")) in ("1", "True", "true")


def _expert(tree) -> list[str]:
    """Wireshark's expert infos of severity warning or error anywhere in ``tree``, as text."""
    found: list[str] = []
    if isinstance(tree, list):
        for item in tree:
            found.extend(_expert(item))
    elif isinstance(tree, dict):
        for key, value in tree.items():
            if key == "_ws.expert":
                for note in value if isinstance(value, list) else [value]:
                    if isinstance(note, dict) and _int_or(note, "_ws.expert.severity") >= EXPERT_WARNING:
                        found.append(f"Wireshark: {_one(note, '_ws.expert.message', 'expert info')}")
            elif isinstance(value, (dict, list)):
                found.extend(_expert(value))
    return found


class _Header:
    """The ISAKMP header as Wireshark shows it; a field it does not show is 0 and a warning."""

    FIELDS = (("ispi", "isakmp.ispi"), ("rspi", "isakmp.rspi"), ("next_payload", "isakmp.nextpayload"),
              ("version", "isakmp.version"), ("exchange_type", "isakmp.exchangetype"), ("flags", "isakmp.flags"),
              ("message_id", "isakmp.messageid"), ("length", "isakmp.length"))

    ispi: bytes
    rspi: bytes
    next_payload: int
    version: int
    exchange_type: int
    flags: int
    message_id: int
    length: int

    def __init__(self, isakmp: dict, warnings: list[str]) -> None:
        missing = []
        for attribute, key in self.FIELDS:
            value = _one(isakmp, key)
            if value is None:
                missing.append(attribute)
            if attribute in ("ispi", "rspi"):
                setattr(self, attribute, _bytes(value) if value is not None else bytes(8))
            else:
                setattr(self, attribute, _int(value) if value is not None else 0)
        if missing:
            warnings.append(f"Wireshark shows no {', '.join(missing)} for this message")


# --- payloads ---------------------------------------------------------------------------------
# What Wireshark shows of a payload becomes the model's payload through one table, PAYLOADS:
# a row per payload kind names the IKEv1 and IKEv2 payload types it reads (by their iana
# names), the model class, and for each of the class's fields the converter that reads it
# from the payload's subtree. Simple fields are read by the few converter builders below
# (a number, bytes, a registry name, a length); what needs more (proposals, identities,
# certificates, selectors) is one named function.

Converter = Callable[[dict, Head, bool], object]      # (payload subtree, generic header, IKEv2?) -> field value


def number(key: str) -> Converter:
    """The field's number (0 when Wireshark does not show it)."""
    return lambda sub, head, v2: _int_or(sub, key)


def raw(key: str) -> Converter:
    """The field's bytes (empty when Wireshark does not show it)."""
    return lambda sub, head, v2: _bytes(_one(sub, key, ""))


def named(key: str, v1: Registry, v2: Registry | None = None) -> Converter:
    """The name of the field's number in ``v1`` (IKEv1) or ``v2`` (IKEv2; ``v1`` when not given)."""
    return lambda sub, head, is_v2: (v2 if is_v2 and v2 is not None else v1)[_int_or(sub, key)]


def v1_only(convert: Converter) -> Converter:
    """``convert`` in IKEv1; None in IKEv2, whose layout has no such field."""
    return lambda sub, head, v2: None if v2 else convert(sub, head, v2)


def v2_only(convert: Converter) -> Converter:
    return lambda sub, head, v2: convert(sub, head, v2) if v2 else None


def after(v1_fixed: int, v2_fixed: int | None = None) -> Converter:
    """The length of the data after the payload's fixed fields (``v1_fixed`` bytes, or
    ``v2_fixed`` in IKEv2), from the payload length: Wireshark shows no such field."""
    return lambda sub, head, v2: max(0, head.length - (v2_fixed if v2 and v2_fixed is not None else v1_fixed))


def from_data(key: str, read: Callable[[bytes], object]) -> Converter:
    """``read`` applied to the field's bytes (a value Wireshark shows only as data)."""
    return lambda sub, head, v2: read(_bytes(_one(sub, key, "")))


@dataclass(frozen=True, slots=True)
class Row:
    """One payload kind: the payload types it reads, its model class, and a converter per field."""

    v1: tuple[str, ...]                 # IKEv1 payload type names (iana.V1_PAYLOAD_TYPES)
    v2: tuple[str, ...]                 # IKEv2 payload type names (iana.V2_PAYLOAD_TYPES)
    kind: type[Payload]
    fields: tuple[tuple[str, Converter], ...]

    def read(self, head: Head, sub: dict, v2: bool) -> Payload:
        return self.kind(*head, **{name: convert(sub, head, v2) for name, convert in self.fields})


# SA -> proposals -> transforms -> attributes

# Wireshark's attribute subtree -> (attribute names, value registries, text types, address types).
ATTRIBUTE_KINDS: dict[str, tuple[Registry, dict[int, Registry], frozenset[int], frozenset[int]]] = {
    "isakmp.ike.attr": (iana.V1_IKE_ATTRIBUTES, V1_IKE_VALUES, frozenset(), frozenset()),
    "isakmp.ipsec.attr": (iana.V1_IPSEC_ATTRIBUTES, V1_IPSEC_VALUES, frozenset(), frozenset()),
    "isakmp.ike2.attr": (iana.V2_TRANSFORM_ATTRIBUTES, {}, frozenset(), frozenset()),
    "isakmp.cfg.attr": (iana.MODECFG_ATTRIBUTES, MODECFG_VALUES, MODECFG_TEXT, MODECFG_ADDRESSES),
}
# A TLV value longer than this is kept as bytes, as ikepcap.decode.attributes does.
MAX_INT_BYTES = 8


def _attributes(tree: dict, key: str) -> tuple[Attribute, ...]:
    names, values, texts, addresses = ATTRIBUTE_KINDS[key]
    found = []
    for attr in _all(tree, key):
        if not isinstance(attr, dict):
            continue
        attr_type = _int_or(attr, f"{key}.type") & ~AF_BIT
        raw_value = _bytes(_one(attr, f"{key}.value", ""))
        value: int | bytes
        if _flag(attr, f"{key}.format") or len(raw_value) <= MAX_INT_BYTES and attr_type not in texts | addresses:
            value = int.from_bytes(raw_value, "big")
        else:
            value = raw_value
        meaning = None
        if attr_type in values and isinstance(value, int):
            meaning = values[attr_type][value]
        elif isinstance(value, bytes) and attr_type in addresses and len(value) in (4, 16):
            meaning = address(value)
        elif isinstance(value, bytes) and attr_type in texts:
            meaning = wire_text(value)
        found.append(Attribute(attr_type, names[attr_type], value, meaning))
    return tuple(found)


def _proposals(sub: dict, head: Head, v2: bool) -> tuple[Proposal, ...]:
    proposals = []
    protocols = iana.V2_PROTOCOLS if v2 else iana.V1_PROTOCOLS
    for proposal in _all(sub, "isakmp.typepayload_tree"):
        if not isinstance(proposal, dict):
            continue
        protocol_id = _int_or(proposal, "isakmp.prop.protoid")
        transforms = [_transform(t, protocol_id, v2) for t in _all(proposal, "isakmp.typepayload_tree")
                      if isinstance(t, dict)]
        proposals.append(Proposal(_int_or(proposal, "isakmp.prop.number"), protocol_id, protocols[protocol_id],
                                  _bytes(_one(proposal, "isakmp.spi", "")), tuple(transforms)))
    return tuple(proposals)


def _transform(tree: dict, protocol_id: int, v2: bool) -> Transform:
    if v2:
        transform_type = _int_or(tree, "isakmp.tf.type")
        id_key = next((k for k in tree if k.startswith("isakmp.tf.id")), "isakmp.tf.id")
        transform_id = _int_or(tree, id_key)
        ids = iana.V2_TRANSFORM_IDS.get(transform_type)
        return Transform(None, transform_type, iana.V2_TRANSFORM_TYPES[transform_type], transform_id,
                         ids[transform_id] if ids is not None else str(transform_id),
                         _attributes(tree, "isakmp.ike2.attr"))
    transform_id = _int_or(tree, "isakmp.trans.id")
    ids = iana.V1_TRANSFORM_IDS.get(protocol_id)
    key = "isakmp.ike.attr" if "isakmp.ike.attr" in tree else "isakmp.ipsec.attr"
    return Transform(_int_or(tree, "isakmp.trans.number"), None, None, transform_id,
                     ids[transform_id] if ids is not None else str(transform_id), _attributes(tree, key))


def _doi(sub: dict, head: Head, v2: bool) -> int | None:
    return _int_or(sub, "isakmp.sa.doi") if "isakmp.sa.doi" in sub else None


def _situation(sub: dict, head: Head, v2: bool) -> int | None:
    situation = _bytes(_one(sub, "isakmp.sa.situation", ""))
    return int.from_bytes(situation, "big") if situation else None


# EAP: Wireshark's EAP fields are those of the EAP dissector; the header is read from the data.

def _eap_type(data: bytes) -> int | None:
    """Present in Request and Response only."""
    return data[4] if data[:1] in (b"\x01", b"\x02") and len(data) > 4 else None


def _eap_type_name(data: bytes) -> str | None:
    eap_type = _eap_type(data)
    return iana.EAP_TYPES[eap_type] if eap_type is not None else None


# Identities and certificates

def _dn(tree) -> str | None:
    """``C=XX, O=…, CN=…`` from Wireshark's X.509 name tree, with the native engine's short names."""
    sequence = _find(tree, "x509if.RDNSequence_item_tree")
    if sequence is None:
        return None
    parts = []
    for rdn in sequence if isinstance(sequence, list) else [sequence]:
        for element in _all(rdn, "x509if.RelativeDistinguishedName_item_element"):
            oid = _one(element, "x509if.oid", "")
            parts.append(f"{DN_SHORT_NAMES.get(oid, oid)}={_leaf_text(element) or ''}")
    return ", ".join(parts)


def _find(tree, key: str):
    """The value of the first ``key`` anywhere in ``tree``, depth first."""
    if isinstance(tree, list):
        for item in tree:
            found = _find(item, key)
            if found is not None:
                return found
    elif isinstance(tree, dict):
        if key in tree:
            return tree[key]
        for value in tree.values():
            found = _find(value, key)
            if found is not None:
                return found
    return None


def _leaf_text(tree: dict) -> str | None:
    """An attribute's value: the first string that is not the OID nor a CHOICE index."""
    for key, value in tree.items():
        if key == "x509if.oid" or f"{key}_tree" in tree:
            continue
        if isinstance(value, dict):
            text = _leaf_text(value)
            if text is not None:
                return text
        elif isinstance(value, str):
            return value
    return None


def _packed(text: str | None) -> bytes | None:
    try:
        return ipaddress.ip_address(text).packed if text else None
    except ValueError:
        return None


def _identity(sub: dict, head: Head, v2: bool) -> str:
    """The identity as the native engine writes it, from the fields Wireshark shows; else ''."""
    id_type, data = _int_or(sub, "isakmp.id.type"), sub.get("isakmp.id.data")
    if not isinstance(data, dict):
        return ""
    pick = data.get
    for single in ("isakmp.id.data.ipv4_addr", "isakmp.id.data.ipv6_addr"):
        base, mask = _packed(pick(single)), _packed(pick(single.replace("_addr", "_subnet")))
        if base is not None and mask is not None and id_type in (4, 6):
            return subnet(base, mask)
        if base is not None and id_type in (1, 5):
            return address(base)
    for family in ("ipv4", "ipv6"):
        start = _packed(pick(f"isakmp.id.data.{family}_range_start"))
        end = _packed(pick(f"isakmp.id.data.{family}_range_end"))
        if start is not None and end is not None:
            return f"{address(start)}-{address(end)}"
    for text in ("isakmp.id.data.fqdn", "isakmp.id.data.user_fqdn"):
        if isinstance(pick(text), str):
            return pick(text)
    if "isakmp.id.data.key_id" in data:
        return hex_and_ascii(_bytes(pick("isakmp.id.data.key_id")))
    return _dn(data) or ""


_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)")


def _x509_time(tree) -> str | None:
    """Wireshark's ``2026-02-02 17:40:48 (UTC)`` as the native ``2026-02-02T17:40:48+00:00``."""
    for key in ("x509af.utcTime", "x509af.generalizedTime"):
        text = _find(tree, key)
        match = _TIME.match(text) if isinstance(text, str) else None
        if match:
            return f"{match[1]}T{match[2]}+00:00"
    return None


def _serial(signed: dict) -> str | None:
    serial = _bytes(_one(signed, "x509af.serialNumber", ""))
    return format(int.from_bytes(serial, "big"), "x") if serial else None


def x509(read: Callable[[dict], str | None]) -> Converter:
    """``read`` applied to the certificate's signedCertificate tree; None for encodings other
    than X.509 or a certificate Wireshark did not parse."""
    def convert(sub: dict, head: Head, v2: bool) -> str | None:
        if _int_or(sub, "isakmp.cert.encoding") not in X509_ENCODINGS:
            return None
        signed = _find(sub.get("isakmp.cert.data"), "x509af.signedCertificate_element")
        return read(signed) if isinstance(signed, dict) else None
    return convert


def _validity(signed: dict, which: str):
    return signed.get("x509af.validity_element", {}).get(which)


SHA1_LENGTH = 20


def _authorities(sub: dict, head: Head, v2: bool) -> tuple[str, ...]:
    """CA names (IKEv1) or SHA-1 key hashes (IKEv2), as the native engine gives them."""
    authorities: list[str] = []
    if v2:
        for value in _all(sub, "isakmp.ike.certreq.authority"):
            data = _bytes(value)
            authorities += [data[i:i + SHA1_LENGTH].hex() for i in range(0, len(data) - SHA1_LENGTH + 1, SHA1_LENGTH)]
    else:
        for tree in _all(sub, "isakmp.ike.certreq.authority.sig_tree"):
            name = _dn(tree)
            if name is not None:
                authorities.append(name)
    return tuple(authorities)


def _selectors(sub: dict, head: Head, v2: bool) -> tuple[TrafficSelector, ...]:
    selectors = []
    for ts in _all(sub, "isakmp.ts.data"):
        if not isinstance(ts, dict):
            continue
        ts_type = _int_or(ts, "isakmp.ts.type")
        if ts_type not in TS_ADDRESS_SIZES:     # no ports or addresses; its body is not read from the tree
            selectors.append(TrafficSelector(ts_type, iana.V2_TS_TYPES[ts_type], _int_or(ts, "isakmp.ts.protoid"),
                                             None, None, None, None))
            continue
        start = _one(ts, "isakmp.ts.start_ipv4") or _one(ts, "isakmp.ts.start_ipv6")
        end = _one(ts, "isakmp.ts.end_ipv4") or _one(ts, "isakmp.ts.end_ipv6")
        selectors.append(TrafficSelector(
            ts_type, iana.V2_TS_TYPES[ts_type], _int_or(ts, "isakmp.ts.protoid"), _int_or(ts, "isakmp.ts.start_port"),
            _int_or(ts, "isakmp.ts.end_port"), str(ipaddress.ip_address(start)) if start else "",
            str(ipaddress.ip_address(end)) if end else "",
        ))
    return tuple(selectors)


V2_CFG_GENERIC = frozenset(f"isakmp.cfg.attr.{k}" for k in ("type", "format", "length", "value"))


def _cfg_attributes(sub: dict, head: Head, v2: bool) -> tuple[Attribute, ...]:
    if not v2:
        return _attributes(sub, "isakmp.cfg.attr")
    # Wireshark's own rendering of each value (an address, a prefix) is the meaning here.
    attributes = []
    for attr in _all(sub, "isakmp.cfg.attr"):
        if not isinstance(attr, dict):
            continue
        attr_type = _int_or(attr, "isakmp.cfg.attr.type") & 0x7FFF
        meaning = next((str(v) for k, v in attr.items() if k not in V2_CFG_GENERIC and isinstance(v, str)), None)
        attributes.append(Attribute(attr_type, iana.V2_CFG_ATTRIBUTES[attr_type],
                                    _bytes(_one(attr, "isakmp.cfg.attr.value", "")), meaning))
    return tuple(attributes)


# Notifications, NAT traversal

def _details(sub: dict, head: Head, v2: bool) -> tuple[tuple[str, object], ...]:
    """ikepcap's reading of the data Wireshark delimits, so that both engines present them
    alike; what that reading would warn about is ikepcap's, not Wireshark's."""
    notify_type = _int_or(sub, "isakmp.notify.msgtype")
    decoder = (V2_NOTIFY_DATA if v2 else V1_NOTIFY_DATA).get(notify_type)
    if decoder is None:
        return ()
    return decoder(_bytes(_one(sub, "isakmp.notify.data", "")), head, Context(major=2 if v2 else 1, exchange_type=0))


def _original_address(sub: dict, head: Head, v2: bool) -> str:
    original = _one(sub, "isakmp.ike.nat_original_address_ipv4") or _one(sub, "isakmp.ike.nat_original_address_ipv6")
    return str(ipaddress.ip_address(original)) if original else ""


EAP_DATA = "isakmp.eap.data"

PAYLOADS: tuple[Row, ...] = (
    Row(("SA",), ("SA",), SecurityAssociation, (
        ("doi", v1_only(_doi)),
        ("situation", v1_only(_situation)),
        ("proposals", _proposals),
    )),
    Row(("KE",), ("KE",), KeyExchange, (
        ("group", v2_only(number("isakmp.key_exchange.dh_group"))),
        ("group_name", v2_only(named("isakmp.key_exchange.dh_group", iana.KE_GROUPS))),
        ("data_length", after(4, 8)),
    )),
    Row(("ID",), ("IDi", "IDr"), Identification, (
        ("id_type", number("isakmp.id.type")),
        ("id_type_name", named("isakmp.id.type", iana.V1_ID_TYPES, iana.V2_ID_TYPES)),
        ("value", _identity),
        ("protocol_id", v1_only(number("isakmp.id.protoid"))),
        ("port", v1_only(number("isakmp.id.port"))),
    )),
    Row(("CERT",), ("CERT",), Certificate, (
        ("encoding", number("isakmp.cert.encoding")),
        ("encoding_name", named("isakmp.cert.encoding", iana.CERT_ENCODINGS)),
        ("data_length", after(5)),
        ("subject", x509(lambda signed: _dn(signed.get("x509af.subject_tree")))),
        ("issuer", x509(lambda signed: _dn(signed.get("x509af.issuer_tree")))),
        ("not_before", x509(lambda signed: _x509_time(_validity(signed, "x509af.notBefore_tree")))),
        ("not_after", x509(lambda signed: _x509_time(_validity(signed, "x509af.notAfter_tree")))),
        ("serial", x509(_serial)),
    )),
    Row(("CERTREQ",), ("CERTREQ",), CertificateRequest, (
        ("encoding", number("isakmp.certreq.type")),
        ("encoding_name", named("isakmp.certreq.type", iana.CERT_ENCODINGS)),
        ("authorities", _authorities),
    )),
    Row(("HASH", "SIG", "NONCE"), ("Nonce",), Opaque, (
        ("data_length", after(4)),
    )),
    Row(("Notify",), ("Notify",), Notification, (
        ("doi", v1_only(number("isakmp.notify.doi"))),
        ("protocol_id", number("isakmp.notify.protoid")),
        ("spi", raw("isakmp.spi")),
        ("notify_type", number("isakmp.notify.msgtype")),
        ("notify_name", named("isakmp.notify.msgtype", iana.V1_NOTIFY_TYPES, iana.V2_NOTIFY_TYPES)),
        ("data", raw("isakmp.notify.data")),
        ("details", _details),
    )),
    Row(("Delete",), ("Delete",), Delete, (
        ("doi", v1_only(number("isakmp.delete.doi"))),
        ("protocol_id", number("isakmp.delete.protoid")),
        ("protocol", named("isakmp.delete.protoid", iana.V1_PROTOCOLS, iana.V2_PROTOCOLS)),
        ("spis", lambda sub, head, v2: tuple(_bytes(s) for s in _all(sub, "isakmp.delete.spi"))),
    )),
    Row(("VID",), ("VID",), VendorID, (
        ("data", raw("isakmp.vid_bytes")),
        ("vendor", from_data("isakmp.vid_bytes", vendor_name)),
    )),
    Row(("Attributes",), ("CP",), Configuration, (
        ("cfg_type", number("isakmp.cfg.type")),
        ("cfg_type_name", named("isakmp.cfg.type", iana.MODECFG_TYPES, iana.V2_CFG_TYPES)),
        ("identifier", v1_only(number("isakmp.cfg.identifier"))),
        ("attributes", _cfg_attributes),
    )),
    Row((), ("TSi", "TSr"), TrafficSelectors, (
        ("selectors", _selectors),
    )),
    Row((), ("AUTH",), Authentication, (
        ("method", number("isakmp.auth.method")),
        ("method_name", named("isakmp.auth.method", iana.V2_AUTH_METHODS)),
        ("data_length", after(8)),
    )),
    Row((), ("EAP",), Eap, (
        ("code", from_data(EAP_DATA, lambda data: data[0] if data else 0)),
        ("code_name", from_data(EAP_DATA, lambda data: iana.EAP_CODES[data[0] if data else 0])),
        ("identifier", from_data(EAP_DATA, lambda data: data[1] if len(data) > 1 else 0)),
        ("eap_type", from_data(EAP_DATA, _eap_type)),
        ("eap_type_name", from_data(EAP_DATA, _eap_type_name)),
        ("eap_length", from_data(EAP_DATA, lambda data: int.from_bytes(data[2:4], "big") if len(data) >= 4 else 0)),
    )),
    Row((), ("SK",), Encrypted, (
        ("first_payload", number("isakmp.nextpayload")),
        ("first_payload_name", named("isakmp.nextpayload", iana.V2_PAYLOAD_TYPES)),
        ("data_length", after(4)),
    )),
    Row((), ("SKF",), EncryptedFragment, (
        ("number", number("isakmp.frag.number")),
        ("total", number("isakmp.frag.total")),
        ("first_payload", number("isakmp.nextpayload")),
        ("first_payload_name", named("isakmp.nextpayload", iana.V2_PAYLOAD_TYPES)),
        ("data_length", after(8)),
    )),
    Row(("NAT-D", "NAT-D (draft)"), (), NatDiscovery, (
        ("hash", raw("isakmp.ike.nat_hash")),
    )),
    Row(("NAT-OA", "NAT-OA (draft)"), (), NatOriginalAddress, (
        ("id_type", number("isakmp.id.type")),
        ("id_type_name", named("isakmp.id.type", iana.V1_ID_TYPES)),
        ("address", _original_address),
    )),
    Row(("Cisco-Fragment",), (), CiscoFragment, (
        ("fragment_id", number("isakmp.frag.packetid")),
        ("number", number("isakmp.frag.seq")),
        ("last", lambda sub, head, v2: _int_or(sub, "isakmp.frag.last") == 1),
        ("data_length", after(8)),
    )),
)
# What a payload of a type no row reads, or with nothing more than its generic header, is.
OPAQUE = next(row for row in PAYLOADS if row.kind is Opaque)
V1_ROWS: dict[int, Row] = {iana.V1_PAYLOAD_TYPES.number(name): row for row in PAYLOADS for name in row.v1}
V2_ROWS: dict[int, Row] = {iana.V2_PAYLOAD_TYPES.number(name): row for row in PAYLOADS for name in row.v2}

# The generic payload header as Wireshark shows it; a payload with nothing more has no body read.
GENERIC_KEYS = frozenset({"isakmp.nextpayload", "isakmp.reserved", "isakmp.reserved7", "isakmp.criticalpayload",
                          "isakmp.payloadlength", "_ws.expert"})


def _chain(tree: dict, v2: bool, warnings: list[str], inner: list[Payload]) -> list[Payload]:
    """The payloads of a tree level (a message, or what Wireshark decrypted), in order; what
    Wireshark decrypted from an SK payload goes to ``inner``, marked decrypted.

    A payload whose body Wireshark did not read (the capture cut it short) stays in the chain
    as ``Opaque`` with a warning: its type and length are known, its contents are not.
    """
    kinds = _all(tree, "isakmp.typepayload")
    subtrees = _all(tree, "isakmp.typepayload_tree")
    names: Registry = iana.V2_PAYLOAD_TYPES if v2 else iana.V1_PAYLOAD_TYPES
    rows = V2_ROWS if v2 else V1_ROWS
    payloads: list[Payload] = []
    for kind_text, sub in zip(kinds, subtrees):
        kind = _int(kind_text)
        if not isinstance(sub, dict):
            sub = {}
        head = Head(kind, names[kind], _int_or(sub, "isakmp.payloadlength"),
                    v2 and _flag(sub, "isakmp.criticalpayload"))
        if v2 and kind == V2_SK:
            payloads.append(rows[kind].read(head, sub, v2))
            inner.extend(_marked(_chain(_decrypted(sub), True, warnings, inner)))
        elif head.length > 4 and not set(sub) - GENERIC_KEYS:
            warnings.append(f"{head.name} payload: Wireshark shows no body")
            payloads.append(OPAQUE.read(head, sub, v2))
        else:
            payloads.append(rows.get(kind, OPAQUE).read(head, sub, v2))
    return payloads


def _decrypted(sub: dict) -> dict:
    """The payloads Wireshark decrypted from an SK payload (with a decryption table), else {}."""
    decrypted = sub.get("isakmp.enc.decrypted")
    contained = decrypted.get("isakmp.enc.contained") if isinstance(decrypted, dict) else None
    return contained if isinstance(contained, dict) else {}


def _marked(payloads: list[Payload]) -> list[Payload]:
    return [replace(p, decrypted=True) for p in payloads]


def _v1_encrypted_body(isakmp: dict, header: _Header, size: int, warnings: list[str],
                       inner: list[Payload]) -> list[Payload]:
    """An IKEv1 message with the E flag: one Encrypted body; what Wireshark decrypted of it
    goes to ``inner``."""
    body = max(0, min(header.length, size) - Header.size)
    name = iana.V1_PAYLOAD_TYPES[header.next_payload]
    decrypted = isakmp.get("isakmp.enc.data")
    if isinstance(decrypted, dict):
        inner.extend(_marked(_chain(decrypted, False, warnings, inner)))
    return [Encrypted(header.next_payload, name, body, False, first_payload=header.next_payload,
                      first_payload_name=name, data_length=body)]
