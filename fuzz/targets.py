"""What the fuzz harnesses run on each input, kept apart from atheris so that the regression
tests (tests/hostile/test_fuzz_findings.py) replay every past finding through the same code."""

from __future__ import annotations

import gzip
import io
import zlib

from ikepcap.decode.message import decode_datagram
from ikepcap.extract.model import Extraction
from ikepcap.pipeline import analyse
from ikepcap.read.errors import CaptureError
from ikepcap.read.frames import FrameDecoder
from ikepcap.read.model import Datagram
from ikepcap.read.pcap import MAGICS, scan_stream
from ikepcap.read.pcapng import scan_pcapng
from ikepcap.report import markdown, text
from ikepcap.report.messages import message_line, message_record
from ikepcap.report.escape import json_text
from ikepcap.report.redact import Redactor, redact

PCAPNG = b"\x0a\x0d\x0d\x0a"


def message_target(data: bytes) -> None:
    """One UDP payload on port 500: decoded, every payload decoded, rendered two ways."""
    message = decode_datagram(Datagram("fuzz", 1, 0.0, "192.0.2.1", "2001:db8::1", 500, 500, data, False,
                                       len(data) + 28, (), len(data) % 7 == 0))
    if message is None:
        return
    message.notifications()
    message.vendor_ids()
    _ = message.warnings  # a lazy property: asking for it decodes every payload
    message_line(message)
    json_text(message_record(message)).encode("utf-8")


def capture_target(data: bytes) -> None:
    """A capture file's bytes through the whole pipeline; a CaptureError is an answer."""
    stream = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)
    extraction = Extraction(engine="native")

    def keep(datagram: Datagram) -> None:
        message = decode_datagram(datagram)
        if message is not None:
            extraction.messages.append(message)

    decoder = FrameDecoder("fuzz", keep, frozenset({4501}))
    try:
        head = stream.read(4)
        if head in MAGICS:
            scan_stream(stream, head, decoder)
        elif head == PCAPNG:
            scan_pcapng(stream, head, decoder)
        else:
            return
    except (CaptureError, EOFError, OSError, zlib.error):     # what a damaged gzip stream raises
        return
    decoder.finish()
    extraction.files.append(decoder.stats)
    extraction.esp = decoder.esp_flows()
    extraction.keepalives = list(decoder.keepalives.values())
    extraction.icmp_errors = decoder.icmp_errors
    extraction.lost_fragments = decoder.lost_fragments
    view = analyse(extraction, messages=True).view              # what `diagnose` runs
    json_text(view).encode("utf-8")
    text.render(view, verbose=True)
    markdown.render(view, verbose=True)
    clean = Redactor(extraction)                                # what `diagnose --redact` and `decode --redact` run
    json_text(redact(view, extraction)).encode("utf-8")
    for message in extraction.messages:
        json_text(clean.apply(message_record(message))).encode("utf-8")
        clean.text(message_line(message))
