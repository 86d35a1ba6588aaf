"""ikepcap's own engine: the streaming reader and the ISAKMP decoder."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ikepcap.decode.message import decode_datagram
from ikepcap.extract.model import Extraction
from ikepcap.read.capture import read_capture
from ikepcap.read.model import Datagram

Progress = Callable[[int, int, int], None]


def extract_file(path: str, extra_ports: frozenset[int] = frozenset(),
                 progress: Progress | None = None) -> Extraction:
    result = Extraction(engine="native")

    def on_datagram(datagram: Datagram) -> None:
        message = decode_datagram(datagram)
        if message is None:
            result.warnings.append(f"{datagram.file} frame {datagram.frame}: {len(datagram.payload)} bytes on UDP "
                                   f"{datagram.sport}->{datagram.dport} are too short for an ISAKMP header")
        else:
            result.messages.append(message)

    report = None
    if progress is not None:
        def report(bytes_read: int, frames: int) -> None:
            progress(bytes_read, frames, len(result.messages))

    decoder = read_capture(path, on_datagram, extra_ports, report)
    result.files.append(decoder.stats)
    result.esp = decoder.esp_flows()
    result.keepalives = list(decoder.keepalives.values())
    result.icmp_errors = decoder.icmp_errors
    result.lost_fragments = decoder.lost_fragments
    result.warnings.extend(f"{decoder.stats.file}: {w}" for w in decoder.stats.warnings)
    return result


def extract(paths: Iterable[str], extra_ports: frozenset[int] = frozenset(),
            progress: Progress | None = None) -> Extraction:
    merged = Extraction(engine="native")
    for path in paths:
        part = extract_file(path, extra_ports, progress)
        merged.files.extend(part.files)
        merged.messages.extend(part.messages)
        merged.esp.extend(part.esp)
        merged.keepalives.extend(part.keepalives)
        merged.icmp_errors.extend(part.icmp_errors)
        merged.lost_fragments.extend(part.lost_fragments)
        merged.warnings.extend(part.warnings)
    return merged
