"""Rendering decoded messages: one line each, a full tree, or one JSON object each.

The JSON record is a documented interface (README, "decode --format jsonl"); its keys only
ever grow. Text output escapes every wire string for the terminal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from functools import lru_cache

from ikepcap.decode.identity import selector_text
from ikepcap.decode.message import SHARED_MAX_ENTRIES, SHARED_TYPES
from ikepcap.decode.model import (
    V1_FLAG_AUTH_ONLY,
    V1_FLAG_COMMIT,
    V1_FLAG_ENCRYPTION,
    V2_FLAG_INITIATOR,
    V2_FLAG_RESPONSE,
    V2_FLAG_VERSION,
    V2_SK,
    Certificate,
    CiscoFragment,
    Configuration,
    Delete,
    Eap,
    Encrypted,
    EncryptedFragment,
    Identification,
    KeyExchange,
    Message,
    Notification,
    Payload,
    SecurityAssociation,
    TrafficSelectors,
    VendorID,
)
from ikepcap.decode.notify import WIRE_DETAILS
from ikepcap.decode.sa import proposal_text
from ikepcap.decode.text import hex_and_ascii
from ikepcap.marks import marking, wire
from ikepcap.read.model import endpoint
from ikepcap.report.clock import TIME, utc
from ikepcap.report.escape import json_text, terminal

V1_FLAG_LETTERS = ((V1_FLAG_ENCRYPTION, "E"), (V1_FLAG_COMMIT, "C"), (V1_FLAG_AUTH_ONLY, "A"))
V2_FLAG_LETTERS = ((V2_FLAG_INITIATOR, "I"), (V2_FLAG_RESPONSE, "R"), (V2_FLAG_VERSION, "V"))
# A proposal list longer than this is summarised on one line; -v shows it all.
INLINE_TRANSFORMS = 1


def clock(time: float) -> str:
    return utc(time, TIME)


def flag_letters(message: Message) -> str:
    return _flag_text(message.is_v2, message.flags)


@lru_cache(maxsize=512)                 # a byte of flags, for each version: every line asks
def _flag_text(v2: bool, flags: int) -> str:
    letters = V2_FLAG_LETTERS if v2 else V1_FLAG_LETTERS
    return "".join(letter for bit, letter in letters if flags & bit) or "-"


# What is made from a payload the decoder shares between messages (a headend's peers send
# the same SA, VID and Notify payloads in every negotiation) is made once: kept by the
# payload's identity, with the payload, so that its id cannot pass to another while kept.
# Only while nothing is marked: a marked text depends on --redact.
_SHARED = SHARED_TYPES[1] | SHARED_TYPES[2]
_summaries: dict[int, tuple[Payload, str]] = {}
_payload_json: dict[int, tuple[Payload, str]] = {}


def _decoder_shares(payload: Payload) -> bool:
    """A payload of a type the decoder shares, as it travelled in clear (a decrypted one is its own)."""
    return payload.type in _SHARED and not payload.decrypted


def _kept(table: dict[Hashable, tuple[Payload, str]], key: Hashable, payload: Payload,
          make: Callable[[Payload], str]) -> str:
    """``make(payload)``, kept in ``table`` under ``key`` (the payload's identity, or its value)."""
    if marking():
        return make(payload)
    found = table.get(key)
    if found is None:
        if len(table) >= SHARED_MAX_ENTRIES:
            table.clear()
        found = table[key] = payload, make(payload)
    return found[1]


# The JSON of a payload made of numbers and names alone (a KE, nonce, hash or encrypted body is kept as
# its length, not its bytes) is the same for every payload equal to it: a headend's messages repeat a
# few of them by the hundred thousand, each decoded afresh. Kept by the payload's value.
_json_of_value: dict[Hashable, tuple[Payload, str]] = {}


# --- one line ---------------------------------------------------------------------------

def payload_summary(payload: Payload) -> str:
    """The payload's name with what matters about it, for the one-line view."""
    if _decoder_shares(payload):
        return _kept(_summaries, id(payload), payload, _summary)
    return _summary(payload)


def _summary(payload: Payload) -> str:
    name = payload.name
    if isinstance(payload, SecurityAssociation):
        transforms = sum(len(p.transforms) for p in payload.proposals)
        if len(payload.proposals) == 1 and (transforms <= INLINE_TRANSFORMS or payload.type == 33):
            return f"{name}({proposal_text(payload.proposals[0])})"
        return f"{name}({len(payload.proposals)} proposal(s), {transforms} transform(s))"
    if isinstance(payload, KeyExchange):
        group = f"{payload.group_name}, " if payload.group_name else ""
        return f"{name}({group}{payload.data_length}B)"
    if isinstance(payload, Identification):
        return f"{name}({payload.id_type_name} {wire(payload.value)})"
    if isinstance(payload, Notification):
        details = "".join(f" {key}={wire(value) if key in WIRE_DETAILS else value}"
                          for key, value in payload.details if key != "hash")
        return f"N({payload.notify_name}{details})"
    if isinstance(payload, VendorID):
        return f"VID({payload.vendor or hex_and_ascii(payload.data)})"
    if isinstance(payload, Delete):
        return f"D({payload.protocol}, {len(payload.spis)} SPI(s))"
    if isinstance(payload, Encrypted):
        return f"{name}(encrypted, {payload.data_length}B)" if payload.type == V2_SK else \
            f"encrypted({payload.first_payload_name}…, {payload.data_length}B)"
    if isinstance(payload, EncryptedFragment):
        return f"SKF({payload.number}/{payload.total}, {payload.data_length}B)"
    if isinstance(payload, Certificate):
        subject = f", {wire(payload.subject)}" if payload.subject else ""
        return f"{name}({payload.encoding_name}{subject})"
    if isinstance(payload, TrafficSelectors):
        return f"{name}(" + ", ".join(selector_text(s) for s in payload.selectors) + ")"
    if isinstance(payload, Configuration):
        return f"{name}({payload.cfg_type_name})"
    if isinstance(payload, Eap):
        return f"EAP({payload.code_name}{', ' + payload.eap_type_name if payload.eap_type_name else ''})"
    if isinstance(payload, CiscoFragment):
        return f"FRAG({payload.number}{', last' if payload.last else ''})"
    return name


def _chain_text(payloads: tuple[Payload, ...]) -> str:
    """The payload summaries in order, each run of decrypted ones in ``[decrypted: …]``."""
    words: list[str] = []
    run: list[str] = []
    for payload in payloads:
        if payload.decrypted:
            run.append(payload_summary(payload))
            continue
        if run:
            words.append(f"[decrypted: {' '.join(run)}]")
            run = []
        words.append(payload_summary(payload))
    if run:
        words.append(f"[decrypted: {' '.join(run)}]")
    return " ".join(words)


def message_line(message: Message) -> str:
    chain = _chain_text(message.payloads)
    warn = f"  [! {len(message.warnings)} warning(s)]" if message.warnings else ""
    frags = f"  [IP fragments: {', '.join(map(str, message.fragments))}]" if message.fragments else ""
    text = (f"{message.frame:>6} {clock(message.time)} {endpoint(message.src, message.sport)} > "
            f"{endpoint(message.dst, message.dport)} v{message.version_text} {message.exchange} "
            f"{flag_letters(message)} mid={message.message_id} len={message.length} {chain}{frags}{warn}")
    return terminal(text)


# --- tree -----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    """A decoded class's fields as the records and trees walk them, read from the dataclass once
    rather than per object (a busy capture's JSON lines walk millions of fields): their names,
    those that always hold a wire value naming someone (``decode.model.WIRE``), and those that do
    when the object's ``value`` is bytes."""

    names: tuple[str, ...]
    wired: frozenset[str]
    wired_if_bytes: frozenset[str]
    scalar: bool                        # every field is declared a number, a name, a flag or None


# The annotations (as written: the model's modules postpone them) of a field whose value is a scalar.
_SCALAR_TYPES = frozenset({"int", "str", "bool", "int | None", "str | None", "bool | None"})
_LAYOUTS: dict[type, _Layout | None] = {}


def _layout(cls: type) -> _Layout | None:
    """None when ``cls`` is not a dataclass."""
    try:
        return _LAYOUTS[cls]
    except KeyError:
        found = None
        if dataclasses.is_dataclass(cls):
            fields = dataclasses.fields(cls)
            found = _Layout(tuple(f.name for f in fields),
                            frozenset(f.name for f in fields if f.metadata.get("wire") is True),
                            frozenset(f.name for f in fields if f.metadata.get("wire") == "bytes"),
                            all(f.type in _SCALAR_TYPES for f in fields))
        _LAYOUTS[cls] = found
        return found


def _wire_fields(owner: object, layout: _Layout) -> frozenset[str]:
    """The fields of ``owner`` that hold a wire value naming someone, and a notification's raw
    data when its details name a host (a REDIRECT's gateway)."""
    wired = layout.wired
    if layout.wired_if_bytes and isinstance(getattr(owner, "value", None), bytes):
        wired = wired | layout.wired_if_bytes
    if isinstance(owner, Notification) and any(key in WIRE_DETAILS for key, _ in owner.details):
        wired = wired | {"data"}
    return wired


def _field_lines(value: object, indent: str) -> list[str]:
    layout = _layout(type(value))
    if layout is None:
        return [f"{indent}{_scalar(value)}"]
    lines = []
    wired = _wire_fields(value, layout)
    for name in layout.names:
        if name == "decrypted":                 # said on the payload's own line (message_tree)
            continue
        item = getattr(value, name)
        if isinstance(item, tuple) and item and _layout(type(item[0])) is not None:
            lines.append(f"{indent}{name}:")
            for index, element in enumerate(item, 1):
                lines.append(f"{indent}  [{index}]")
                lines.extend(_field_lines(element, indent + "    "))
        else:
            lines.append(f"{indent}{name}: {_scalar(item, name in wired)}")
    return lines


def _scalar(value: object, wire_value: bool = False) -> str:
    if isinstance(value, bytes):
        text = value.hex() if value else "(empty)"
        return wire(text) if wire_value and value else text
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return ", ".join(f"{k}={wire(v) if k in WIRE_DETAILS else v}" for k, v in value)
    if isinstance(value, tuple):
        return ", ".join(_scalar(v, wire_value) for v in value) if value else "(none)"
    return wire(value) if wire_value and value is not None else str(value)


def message_tree(message: Message) -> list[str]:
    lines = [message_line(message)]
    lines.append(f"    ispi={message.ispi.hex()} rspi={message.rspi.hex()} flags=0x{message.flags:02x} "
                 f"size={message.size} ip_length={message.ip_length} marker={message.marker}")
    for index, payload in enumerate(message.payloads, 1):
        mark = ", decrypted" if payload.decrypted else ""
        lines.append(f"    payload {index}: {payload.name} (type {payload.type}, {payload.length} bytes{mark})")
        lines.extend(_field_lines(payload, "        "))
    for warning in message.warnings:
        lines.append(f"    ! {warning}")
    return [terminal(line) for line in lines]


# --- JSON -----------------------------------------------------------------------------------

_PLAIN = (int, str, bool, float, type(None))


def _json_value(value: object, wire_value: bool = False) -> object:
    if type(value) in _PLAIN:
        return wire(value) if wire_value and isinstance(value, str) else value
    if isinstance(value, bytes):
        return wire(value.hex()) if wire_value and value else value.hex()
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple) and len(value[0]) == 2 and isinstance(value[0][0], str):
            return {key: _json_value(item, key in WIRE_DETAILS) for key, item in value}
        return [_json_value(item, wire_value) for item in value]
    layout = _layout(type(value))
    if layout is None:
        return value
    # Unmarked, ``wire`` is ``str`` and no field needs it. A payload's fields are mostly numbers
    # and bytes, read here without a call each.
    wired = _wire_fields(value, layout) if marking() else _UNWIRED
    record = {}
    for name in layout.names:
        item = getattr(value, name)
        kind = type(item)
        if name in wired:
            record[name] = _json_value(item, True)
        else:
            record[name] = item if kind in _PLAIN else item.hex() if kind is bytes else _json_value(item)
    return record


_UNWIRED: frozenset[str] = frozenset()


def payload_record(payload: Payload) -> dict:
    record = _json_value(payload)
    assert isinstance(record, dict)
    # Present only when true: the records of clear payloads stay what they always were.
    del record["decrypted"]
    if isinstance(payload, Encrypted):
        record["encrypted"] = True
    if payload.decrypted:
        record["decrypted"] = True
    return record


def message_record(message: Message) -> dict:
    """The ``decode --format jsonl`` object for one message (documented in the README)."""
    payloads = [payload_record(p) for p in message.payloads]    # all decoded at once: the rest filters them
    head, tail = _message_fields(message)
    return {**head, "payloads": payloads, **tail}


def message_json(message: Message) -> str:
    """``json_text(message_record(message))``, byte for byte, with the JSON of a payload the
    decoder shares made once for every message that carries it, and that of a payload of scalars
    once for every payload equal to it. (Under ``--redact``, a marked record goes to the redactor
    as a record instead.)"""
    parts = [_kept(_payload_json, id(payload), payload, _json_of) if _decoder_shares(payload)
             else _kept(_json_of_value, payload, payload, _json_of) if _layout(type(payload)).scalar
             else _json_of(payload)
             for payload in message.payloads]   # all decoded at once: the rest filters them
    head, tail = _message_fields(message)
    return f'{json_text(head)[:-1]},"payloads":[{",".join(parts)}],{json_text(tail)[1:]}'


def _json_of(payload: Payload) -> str:
    return json_text(payload_record(payload))


def _message_fields(message: Message) -> tuple[dict, dict]:
    """The record's fields before its payloads and after them."""
    return {
        "file": wire(message.file),
        "frame": message.frame,
        "time": message.time,
        "src": wire(message.src),
        "dst": wire(message.dst),
        "sport": message.sport,
        "dport": message.dport,
        "ispi": message.ispi.hex(),
        "rspi": message.rspi.hex(),
        "version": message.version_text,
        "exchange_type": message.exchange_type,
        "exchange": message.exchange,
        "flags": message.flags,
        "flag_names": flag_letters(message),
        "message_id": message.message_id,
        "length": message.length,
        "size": message.size,
        "ip_length": message.ip_length,
        "non_esp_marker": message.marker,
        "encrypted": message.encrypted,
    }, {
        "notify": [{"type": n.notify_type, "name": n.notify_name} for n in message.notifications()],
        "vendor_ids": [v.vendor or hex_and_ascii(v.data) for v in message.vendor_ids()],
        "fragments": list(message.fragments),
        "warnings": list(message.warnings),
    }
