"""What the fuzz harnesses run on each input, kept apart from atheris so that the regression
tests (tests/hostile/test_fuzz_findings.py) replay every past finding through the same code."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator

from ikepcap.decode import message as message_module
from ikepcap.decode.context import Context
from ikepcap.decode.message import _chain, _message_end, decode_datagram
from ikepcap.decode.model import V1_FLAG_ENCRYPTION, Message
from ikepcap.extract.model import Extraction
from ikepcap.marks import CLOSE, OPEN, marked
from ikepcap.pipeline import analyse
from ikepcap.read import pcap, pcapng, prefilter
from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import Datagram
from ikepcap.report import markdown, text
from ikepcap.report.escape import json_text
from ikepcap.report.messages import message_json, message_line, message_record
from ikepcap.report.redact import Redactor, redact

PCAPNG = b"\x0a\x0d\x0d\x0a"


def message_target(data: bytes) -> None:
    """One UDP payload on port 500: decoded, every payload decoded, rendered two ways; decode's
    line, also made from what an earlier message left kept, is its record as JSON."""
    def decoded(frame: int):
        return decoded_both_ways(Datagram("fuzz", frame, 0.0, "192.0.2.1", "2001:db8::1", 500, 500, data, False,
                                          len(data) + 28, (), len(data) % 7 == 0))

    message = decoded(1)
    if message is None:
        return
    message.notifications()
    message.vendor_ids()
    _ = message.warnings  # a lazy property: asking for it decodes every payload
    message_line(message)
    record = json_text(message_record(message))
    record.encode("utf-8")
    for made in (message, decoded(2)):                        # the second from what the first left kept
        assert message_json(made).replace('"frame":2,', '"frame":1,', 1) == record, "decode's line is not its record"


def decoded_both_ways(datagram: Datagram) -> Message | None:
    """``decode_datagram(datagram)``, held to the Python decoder where the compiled one is built:
    the compiled one decodes exactly the messages the Python one finds nothing wrong in, into
    the same Message, field for field and type for type; and its walk of the clear chain gives
    the Python walk's links exactly where that walk finds nothing wrong."""
    found = decode_datagram(datagram)
    compiled = message_module._compiled
    if compiled is None:
        return found
    message_module._compiled = None
    try:
        python = decode_datagram(datagram)
    finally:
        message_module._compiled = compiled
    fast = compiled.clean(datagram)
    assert (fast is None) == (python is None or python.notes != ()), "the compiled decoder took another message"
    assert fields(found) == fields(python), "the compiled and the Python decoder made different messages"
    if found is not None and not (found.major == 1 and found.flags & V1_FLAG_ENCRYPTION):
        ctx = Context(major=found.major, exchange_type=found.exchange_type)
        walked = list(_chain(found.data, found.next_payload, _message_end(found.length, found.size, ctx), ctx))
        fast = compiled.links(found.data, found.next_payload, found.length, found.major == 2, found.exchange_type)
        assert (fast is None) == bool(ctx.warnings), "the compiled walk took another chain"
        assert fast is None or list(fast) == walked, "the compiled and the Python walk placed payloads differently"
    return found


def fields(message: Message | None) -> list | None:
    """A message's every field with its type, comparable (``==`` on a Message skips some)."""
    if message is None:
        return None
    return [(name, type(value), value) for name in Message.__slots__ if name != "cache"
            for value in (getattr(message, name),)]


def _read(data: bytes) -> Extraction | None:
    """The capture's bytes read as `diagnose` reads a stream; None when they are not one."""
    stream = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)
    extraction = Extraction(engine="native")

    def keep(datagram: Datagram) -> None:
        message = decoded_both_ways(datagram)
        if message is not None:
            extraction.messages.append(message)

    decoder = FrameDecoder("fuzz", keep, frozenset({4501}))
    try:
        head = stream.read(4)
        if head in pcap.MAGICS:
            pcap.scan_stream(stream, head, decoder)
        elif head == PCAPNG:
            pcapng.scan_pcapng(stream, head, decoder)
        else:
            return None
    except (CaptureError, EOFError, OSError, zlib.error):     # what a damaged gzip stream raises
        return None
    decoder.finish()
    extraction.files.append(decoder.stats)
    extraction.esp = decoder.esp_flows()
    extraction.keepalives = list(decoder.keepalives.values())
    extraction.icmp_errors = decoder.icmp_errors
    extraction.lost_fragments = decoder.lost_fragments
    return extraction


def reading(extraction: Extraction | None) -> tuple | None:
    """What a reader hands on, comparable: here, and in tests/read/test_compiled.py, which holds
    the compiled and the Python sift equal on every capture."""
    if extraction is None:
        return None
    return ([(m.file, m.frame, m.time, m.src, m.dst, m.sport, m.dport, m.marker, m.ip_length, m.fragments, m.ttl,
              m.data) for m in extraction.messages], [repr(f) for f in extraction.esp],
            [repr(k) for k in extraction.keepalives], [repr(e) for e in extraction.icmp_errors],
            list(extraction.warnings), repr(extraction.files), repr(extraction.lost_fragments))


@contextlib.contextmanager
def unsifted() -> Iterator[None]:
    """No sift at all: FrameDecoder reads every record. Both sifts must read as it does."""
    saved = pcap.Sift, pcapng.Sift
    pcap.Sift = pcapng.Sift = lambda *args, **kwargs: None
    try:
        yield
    finally:
        pcap.Sift, pcapng.Sift = saved


def uncut(read: tuple | None) -> tuple | None:
    """A reading without the count of frames cut short, which counts only frames a sift passes on."""
    if read is None:
        return None
    return tuple(re.sub(r"truncated_frames=\d+", "", part) if isinstance(part, str) else part for part in read)


PSEUDONYM = re.compile(r"ip[46]-\d+")


def capture_target(data: bytes) -> None:
    """A capture file's bytes through the whole pipeline; a CaptureError is an answer. The
    compiled sift, where built, the Python one and FrameDecoder alone must read them alike; a redacted report
    must hold no mark and only pseudonyms where addresses go."""
    extraction = _read(data)
    if prefilter.compiled is not None:
        compiled, prefilter.compiled = prefilter.compiled, None
        try:
            python = _read(data)
        finally:
            prefilter.compiled = compiled
        assert reading(python) == reading(extraction), "the compiled and the Python sift read differently"
    with unsifted():
        alone = _read(data)
    assert uncut(reading(alone)) == uncut(reading(extraction)), "the sift reads otherwise than FrameDecoder"
    if extraction is None:
        return
    view = analyse(extraction, messages=True).view              # what `diagnose` runs
    json_text(view).encode("utf-8")
    text.render(view, verbose=True)
    markdown.render(view, verbose=True)
    with marked(True):                                          # what `diagnose --redact` and `decode --redact` run
        view_marked = analyse(extraction, messages=True).view
        clean = Redactor(extraction, nets=False)                # the marks alone
        redacted = json_text(clean.apply(view_marked))
        lines = [json_text(clean.apply(message_record(message))) + clean.text(message_line(message))
                 for message in extraction.messages]
    for out in (redacted, *lines):
        assert OPEN not in out and CLOSE not in out, "a mark survived redaction"
    for sa in json.loads(redacted)["sas"]:
        for message in sa["messages"]:
            assert PSEUDONYM.fullmatch(message["src"]) and PSEUDONYM.fullmatch(message["dst"]), message
    redact(view, extraction)                                    # the nets alone, on an unmarked view
