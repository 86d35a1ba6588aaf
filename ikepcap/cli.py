"""The ``ikepcap`` command: ``decode`` shows every IKE message, ``diagnose`` says what went wrong.

Exit codes: 0 all well, 1 a problem was found in the capture (``diagnose``), 2 bad input or
usage. A file that cannot be read gets one line naming it and the reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import ipaddress
import itertools
import os
import re
import shutil
import sys
import zlib
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ikepcap import __version__
from ikepcap.extract.model import Extraction, Scope
from ikepcap.marks import marked
from ikepcap.read.capture import GZIP_MAGIC, PCAPNG_MAGIC
from ikepcap.read.errors import CaptureError, reason
from ikepcap.read.pcap import MAGICS
from ikepcap.report.escape import json_document, json_text, terminal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from ikepcap.decode.model import Message
    from ikepcap.decrypt.keys import KeyStore

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2


def examples(*lines: tuple[str, str]) -> str:
    """A --help epilog: a command and what it does, a line each (typer's rich help keeps single line
    breaks; each line must fit in 78 columns, or it wraps)."""
    width = max(len(command) for command, _ in lines)
    return "Examples:\n" + "\n".join(f"  {command:<{width}}  # {what}" for command, what in lines)


app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find where an IKE/IPsec negotiation stalled in a packet capture, why, and what to check next.",
    epilog=examples(
        ("ikepcap diagnose cap.pcap", "where, why, what to check"),
        ("ikepcap diagnose -f html -o r.html ring/", "a page for a ticket"),
        ("ikepcap decode cap.pcap", "every IKE message"),
        ("ikepcap COMMAND -h", "a command's options, examples"),
        ("ikepcap --install-completion", "tab completion, in this shell")) + "\n\n"
    "Exit codes: 0 all SAs healthy, 1 a problem found, 2 bad input or usage.",
)


class Engine(str, Enum):
    native = "native"
    tshark = "tshark"


class DecodeFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    summary = "summary"
    html = "html"


def fail(message: str) -> typer.Exit:
    """One line on stderr; escaped, since file names and capture contents end up in it."""
    typer.echo(f"ikepcap: {terminal(message)}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def is_capture(path: Path) -> bool:
    """Whether a file in a directory is a capture, by its first bytes and never its name: tcpdump's
    rings are ``x.pcap0``, ``x.pcap1``…, rotation compresses them to ``x.pcap1.gz``, and a key
    table or a log beside them is no capture whatever it is called. A gzip file counts when what
    it holds starts like a capture."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            if head[:2] == GZIP_MAGIC:
                f.seek(0)
                with gzip.GzipFile(fileobj=f) as inner:
                    head = inner.read(4)
    except (OSError, EOFError, zlib.error):
        return False
    return head in MAGICS or head == PCAPNG_MAGIC


# What a capture file is usually called, a ring's numbered files and rotated .gz included.
CAPTURE_NAME = re.compile(r"\.(?:pcap|pcapng|cap)\d*(?:\.gz)?$", re.IGNORECASE)


def _natural(name: str) -> list:
    """Name order with numbers as numbers: x.pcap2 before x.pcap10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; a directory stands for the capture files in it (by content, see
    is_capture), in natural name order. A file named twice (again, through its directory, or by
    another path) is read once: its frames must not count twice."""
    expanded: list[str] = []
    seen: set[str] = set()
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            # a file named as a capture that is none (empty, cut, something else) is read to say so
            found = sorted((str(child) for child in p.iterdir()
                            if child.is_file() and (is_capture(child) or CAPTURE_NAME.search(child.name))),
                           key=_natural)
            if not found:
                raise CaptureError(f"{path}: directory holds no capture files (pcap or pcapng, gzip-compressed or not)")
        else:
            found = [path]
        for name in found:
            identity = name if name == "-" else os.path.realpath(name)
            if identity not in seen:
                seen.add(identity)
                expanded.append(name)
    return expanded


class ProgressBar:
    """Bytes and frames read, IKE messages found and the rate, on stderr while a long run lasts.

    Shown only when stderr is a terminal and --quiet is not given, so nothing of it reaches a
    pipe or a file.
    """

    def __init__(self, paths: list[str], enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.total = None
        if all(p != "-" and Path(p).is_file() and not p.endswith(".gz") for p in paths):
            self.total = sum(Path(p).stat().st_size for p in paths)
        self._bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )
        self._bar = Progress(TextColumn("reading"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                             TextColumn("{task.fields[frames]:,} frames, {task.fields[messages]} IKE messages"),
                             TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._bar.__enter__()
        self._task = self._bar.add_task("read", total=self.total, frames=0, messages=0)
        return self.update

    def update(self, bytes_read: int, frames: int, messages: int) -> None:
        self._bar.update(self._task, completed=bytes_read, frames=frames, messages=messages)

    def __exit__(self, *exc) -> None:
        self.close(*exc)

    def close(self, *exc) -> None:
        """The bar taken off stderr (once): reading is done."""
        if self._bar is not None:
            self._bar.__exit__(*(exc or (None, None, None)))
            self._bar = None


def analysis_status(messages: int, enabled: bool):
    """A spinner on stderr while the SAs are diagnosed (seconds, on a capture of thousands of
    SAs), on the same terms as the progress bar."""
    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console
    return Console(stderr=True).status(f"diagnosing {messages:,} IKE messages", spinner="line")


def run_extraction(files: list[str], engine: Engine, ports: list[int], tshark_options: list[str],
                   jobs: int | None = None, quiet: bool = True, keys: list[Path] | None = None,
                   no_keys: bool = False, digest: bool = False) -> Extraction:
    """Read ``files`` (as expand_paths gives them) with the chosen engine, and decrypt what the
    keys open: those named with --keys and the tables beside each capture, unless --no-keys."""
    result, store = read_with_keys(files, engine, ports, tshark_options, jobs, quiet, keys, no_keys, digest)
    if store is not None:
        from ikepcap.decrypt.apply import apply
        apply(result, store)
    return result


def read_with_keys(files: list[str], engine: Engine, ports: list[int], tshark_options: list[str],
                   jobs: int | None, quiet: bool, keys: list[Path] | None, no_keys: bool,
                   digest: bool, scope: Scope | None = None) -> tuple[Extraction, KeyStore | None]:
    """``files`` read, and the keys to decrypt them with, not yet used (None: no keys, or the
    tshark engine, which was given them as Wireshark's decryption tables); ``scope``: what the
    report will be narrowed to, which the native engine keeps within bounds of its own."""
    extra = frozenset(ports)
    if tshark_options and engine is not Engine.tshark:
        raise fail("--tshark-option applies to --engine tshark only (the native engine decrypts with --keys)")
    key_paths, captures = _key_sources(files, keys, no_keys)
    from ikepcap.decrypt.tables import beside
    if engine is Engine.tshark:
        from ikepcap.extract.tshark import extract as extract_tshark
        from ikepcap.extract.tshark import key_table_options
        options, warnings = key_table_options(key_paths + [table for c in captures for table in beside(c)])
        result = extract_tshark(files, extra, [*tshark_options, *options])
        result.warnings.extend(warnings)
        return result, None
    from ikepcap.extract.native import extract
    with ProgressBar(files, not quiet) as progress:
        result = extract(files, extra, progress, jobs, digest, scope)
    if not _has_keys(files, keys, no_keys):
        return result, None
    from ikepcap.decrypt.keys import gather
    return result, gather(key_paths, captures)


PortOption = Annotated[list[int], typer.Option("--port", help="Also treat this UDP port as IKE (repeatable).")]
EngineOption = Annotated[Engine, typer.Option("--engine", help="native: ikepcap's decoder; tshark: Wireshark's.")]
TsharkOption = Annotated[list[str], typer.Option(
    "--tshark-option", help="A Wireshark preference for --engine tshark (repeatable), e.g. 'ip.defragment:FALSE' or "
    "'uat:ikev2_decryption_table:<one line of the table>'.")]
KeysOption = Annotated[list[Path], typer.Option(
    "--keys", help="Keys to decrypt with (repeatable): a Wireshark ikev1_decryption_table / ikev2_decryption_table "
    "(strongSwan's save-keys), a strongSwan charon log with ike level 4, a Libreswan pluto log with plutodebug "
    "'crypt private', or a directory of them. Tables beside a capture with its stem are used without asking.")]
NoKeysOption = Annotated[bool, typer.Option(
    "--no-keys", help="Decrypt nothing: ignore --keys and the key tables beside the captures.")]
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help="Processes to read, and to diagnose many SAs, in (default: one per CPU).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")]
RedactOption = Annotated[bool, typer.Option(
    "--redact", help="Replace addresses, identities, certificate names and file names by pseudonyms.")]


@app.command(epilog=examples(
    ("ikepcap decode cap.pcap", "a line per IKE message"),
    ("ikepcap decode -v cap.pcap", "the full decoded tree"),
    ("ikepcap decode -f jsonl cap.pcap | jq .exchange", "JSON lines"),
    ("ikepcap decode --keys keys/ cap.pcap", "decrypt with the keys"),
    ("tcpdump -U -w - port 500 | ikepcap decode -", "live, from stdin")))
def decode(
    files: Annotated[list[str], typer.Argument(
        help="Capture files (pcap, pcapng, gzip), directories, or - for stdin.")],
    output_format: Annotated[DecodeFormat, typer.Option("--format", "-f", help="text or jsonl.")] = DecodeFormat.text,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print the full decoded tree.")] = False,
    port: PortOption = [],  # noqa: B006  (typer's default; never mutated)
    engine: EngineOption = Engine.native,
    tshark_option: TsharkOption = [],  # noqa: B006  (typer's default; never mutated)
    keys: KeysOption = [],  # noqa: B006  (typer's default; never mutated)
    no_keys: NoKeysOption = False,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    redact: RedactOption = False,
) -> None:
    """Print every IKE message: one line each, the full tree with -v, or JSON lines."""
    from ikepcap.forking import PARALLEL_MESSAGES, processes, write_ordered

    with marked(redact):
        try:
            paths = expand_paths(files)
            # Rendering is most of the work once the capture is read: a headend's capture is rendered
            # on every core, where each range of it was read when nothing else needs its messages.
            parallel = processes(jobs) > 1 and hasattr(sys.stdout, "buffer") and not redact
            if parallel and engine is Engine.native and not _has_keys(paths, keys, no_keys):
                result, written = _decoded_in_place(paths, port, jobs, quiet, _line(_renderer(
                    output_format, verbose, _Unchanged)))
            else:
                result, written = run_extraction(paths, engine, port, tshark_option, jobs, quiet, keys, no_keys), False
        except (CaptureError, OSError) as error:
            raise fail(str(error)) from None
        clean = _redactor(result, redact)
        if not written:
            line = _line(_renderer(output_format, verbose, clean))
            workers = processes(jobs) if parallel and len(result.messages) >= PARALLEL_MESSAGES else 1
            with to_stdout():
                write_ordered(sys.stdout, result.messages, line, workers)
        for warning in result.warnings:
            typer.echo(f"warning: {terminal(clean.text(warning))}", err=True)
    end(EXIT_OK)


def _renderer(output_format: DecodeFormat, verbose: bool, clean) -> Callable[[Message], str]:
    """What decode prints for a message, through ``clean`` (the redactor, or ``_Unchanged``)."""
    from ikepcap.report.messages import message_json, message_line, message_record, message_tree
    if output_format is DecodeFormat.jsonl and clean is _Unchanged:
        return message_json
    if output_format is DecodeFormat.jsonl:
        return lambda message: json_text(clean.apply(message_record(message)))
    if verbose:
        return lambda message: clean.text("\n".join(message_tree(message)))
    return lambda message: clean.text(message_line(message))


def _line(render: Callable[[Message], str]) -> Callable[[Message], str]:
    def line(message: Message) -> str:
        text = render(message)
        message.forget()                # what its line decoded goes with it: never a capture's payloads at once
        return text
    return line


def _key_sources(files: list[str], keys: list[Path] | None, no_keys: bool) -> tuple[list[Path], list[str]]:
    """The keys given, and the captures whose tables beside them are read (none with --no-keys)."""
    if no_keys:
        return [], []
    return list(keys or []), [f for f in files if f != "-"]


def _has_keys(files: list[str], keys: list[Path] | None, no_keys: bool) -> bool:
    """Keys would decrypt the capture (given, or tables beside it): all its messages are needed together."""
    from ikepcap.decrypt.tables import beside
    key_paths, captures = _key_sources(files, keys, no_keys)
    return bool(key_paths) or any(beside(capture) for capture in captures)


def _decoded_in_place(paths: list[str], ports: list[int], jobs: int | None, quiet: bool,
                      line: Callable[[Message], str]) -> tuple[Extraction, bool]:
    """The capture read, and its lines written by the processes that read it when that gives
    what one pass would (``extract.lines``); False: nothing written yet."""
    from ikepcap.extract.lines import extract_rendered
    bar = ProgressBar(paths, not quiet)
    progress = bar.__enter__()
    try:
        return extract_rendered(paths, frozenset(ports), progress, jobs, line, sys.stdout, bar.close, to_stdout)
    finally:
        bar.close()


class _Unchanged:
    """What decode prints through when --redact is not given."""

    @staticmethod
    def text(value: str) -> str:
        return value

    @staticmethod
    def apply(value):
        return value


def _redactor(result: Extraction, redact: bool):
    if not redact:
        return _Unchanged
    from ikepcap.report.redact import Redactor
    return Redactor(result)


def _file_digests(result: Extraction) -> dict[str, str]:
    """SHA-256 of each capture file, for the ticket report's metadata: as the reader computed it
    while reading (so standard input and FIFOs have theirs), else — a file read in parallel
    ranges, or by tshark — read again in chunks."""
    digests = {}
    for stats in result.files:
        if stats.sha256 is not None:
            digests[stats.file] = stats.sha256
        elif os.path.isfile(stats.file):
            h = hashlib.sha256()
            with open(stats.file, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digests[stats.file] = h.hexdigest()
    return digests


def _filters(peer: str | None, sa: str | None) -> tuple[str | None, str | None]:
    """--peer as the address the SAs carry (any IPv6 spelling, brackets allowed) and --sa as
    lowercase hex (colons and a 0x prefix allowed); a value that is neither is a usage error."""
    if peer is not None:
        try:
            peer = str(ipaddress.ip_address(peer.strip().strip("[]")))
        except ValueError:
            raise fail(f"--peer {peer}: not an IPv4 or IPv6 address") from None
    if sa is not None:
        wanted = sa.strip().lower().replace(":", "").removeprefix("0x")
        if not wanted or any(c not in "0123456789abcdef" for c in wanted):
            raise fail(f"--sa {sa}: not a hexadecimal SPI (or a prefix of one)")
        sa = wanted
    return peer, sa


@app.command(epilog=examples(
    ("ikepcap diagnose cap.pcap", "the report, here"),
    ("ikepcap diagnose -v cap.pcap", "with ladders, healthy SAs"),
    ("ikepcap diagnose -f summary cap.pcap", "a paragraph for a ticket"),
    ("ikepcap diagnose -f html -o r.html cap.pcap", "a page for a ticket"),
    ("ikepcap diagnose -f json cap.pcap", "for scripts"),
    ("ikepcap diagnose --peer 198.51.100.2 ring/", "one peer, all files"),
    ("ikepcap diagnose --each captures/", "file by file, then a table"),
    ("ikepcap diagnose --redact -f markdown cap.pcap", "to share publicly")))
def diagnose(
    files: Annotated[list[str], typer.Argument(
        help="Capture files (pcap, pcapng, gzip), directories, or - for stdin.")],
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="text, json, markdown, summary or html.")] = ReportFormat.text,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Add message ladders and healthy SAs.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    peer: Annotated[str | None, typer.Option("--peer", help="Only SAs with this peer address.")] = None,
    sa: Annotated[str | None, typer.Option("--sa", help="Only the SA with this initiator/responder SPI (hex).")]
    = None,
    port: PortOption = [],  # noqa: B006  (typer's default; never mutated)
    engine: EngineOption = Engine.native,
    tshark_option: TsharkOption = [],  # noqa: B006  (typer's default; never mutated)
    keys: KeysOption = [],  # noqa: B006  (typer's default; never mutated)
    no_keys: NoKeysOption = False,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    redact: RedactOption = False,
    no_color: Annotated[bool, typer.Option(
        "--no-color", help="No colour in the text report (also when NO_COLOR is set, or not on a terminal).")]
    = False,
    each: Annotated[bool, typer.Option(
        "--each", help="Diagnose every file on its own (not as one capture, as for a ring), then a table of all.")]
    = False,
) -> None:
    """Say where each IKE exchange stalled, why that most likely happened, and what to check next.

    Exit codes: 0 every SA healthy, 1 at least one problem found, 2 bad input or usage.
    """
    peer, sa = _filters(peer, sa)
    terminal_out = output is None and sys.stdout.isatty()
    from ikepcap.report import text
    width = shutil.get_terminal_size().columns if terminal_out else text.WIDTH
    coloured = (output_format is ReportFormat.text and terminal_out and not no_color
                and not os.environ.get("NO_COLOR"))
    try:
        paths = expand_paths(files)
    except CaptureError as error:
        raise fail(str(error)) from None
    options = {"output_format": output_format, "verbose": verbose, "peer": peer, "sa": sa, "port": port,
               "engine": engine, "tshark_option": tshark_option, "keys": keys, "no_keys": no_keys, "jobs": jobs,
               "quiet": quiet, "redact": redact}
    if each:
        code, everything = _each(paths, width, options)
        rendered: Iterable[str] = (everything,)
    else:
        try:
            view, diagnosed = _diagnosed(paths, **options, spool=True)
        except (CaptureError, OSError) as error:
            raise fail(str(error)) from None
        if not view["sas"] and (peer is not None or sa is not None):
            # a filter that leaves nothing is said, not shown as an empty, healthy capture
            raise fail(f"no IKE SA matches {_asked(peer, sa)} ({diagnosed} SA(s) in the capture)")
        code = _status(view)
        rendered = _render(view, output_format, verbose, width)
    if output is not None:
        try:
            with output.open("w", encoding="utf-8", errors="backslashreplace") as written:
                written.writelines(rendered)
        except OSError as error:
            raise fail(f"{output}: cannot write ({error.strerror or error})") from None
    elif coloured:
        from ikepcap.report import colour
        with to_stdout():
            colour.write("".join(rendered), sys.stdout)
    else:
        with to_stdout():
            sys.stdout.writelines(rendered)
    end(code)


def _asked(peer: str | None, sa: str | None) -> str:
    return " and ".join(f"{name} {value}" for name, value in (("--peer", peer), ("--sa", sa)) if value)


def _status(view: dict) -> int:
    from ikepcap.diagnose.model import PROBLEM
    return EXIT_PROBLEM if view["summary"]["status"] == PROBLEM else EXIT_OK


def _diagnosed(paths: list[str], output_format: ReportFormat, verbose: bool, peer: str | None, sa: str | None,
               port: list[int], engine: Engine, tshark_option: list[str], keys: list[Path], no_keys: bool,
               jobs: int | None, quiet: bool, redact: bool, first_capture: int = 1,
               spool: bool = False) -> tuple[dict, int]:
    """The view of ``paths`` read as one capture, and how many SAs it had before --peer/--sa;
    ``first_capture``: the number --redact gives the first file (--each numbers them all);
    ``spool``: a JSON report's SAs as their JSON (``spool.Piece``), for ``json_document`` alone."""
    from ikepcap.forking import release_freed
    from ikepcap.pipeline import analyse

    ticket = output_format in (ReportFormat.markdown, ReportFormat.html)
    scope = Scope(peer, sa)
    with marked(redact):                    # after it, the renderers' own frame labels are of pseudonyms
        result, store = read_with_keys(paths, engine, port, tshark_option, jobs, quiet, keys, no_keys, ticket, scope)
        if redact and store is not None:
            # The pseudonyms are drawn from every identity the messages carry, also those the keys
            # reveal; decrypted in the shards, a worker's messages would be opened only there.
            from ikepcap.decrypt.apply import apply
            apply(result, store)
            store = None
        digests = _file_digests(result) if ticket else None
        release_freed()
        gc.freeze()
        with analysis_status(len(result.messages), not quiet):
            # the text report without -v shows the first SA of each way of failing in full, the others as rows;
            # the JSON report is written from the SAs' JSON as the shards made it, unless redacted here after
            whole = output_format is not ReportFormat.text or verbose
            analysis = analyse(result, whole, digests, scope, jobs, store, whole=whole,
                               spooled=output_format is ReportFormat.json and spool and not redact)
        view = analysis.view
        from ikepcap.report.esp_only import finding as esp_only
        nothing = esp_only(result)
        if nothing is not None:
            view["capture_findings"].append(nothing)
        if redact:
            from ikepcap.report.redact import redact as redact_view
            view = redact_view(view, result, first_capture)
    return view, analysis.diagnosed


def _render(view: dict, output_format: ReportFormat, verbose: bool, width: int) -> Iterable[str]:
    """The report in pieces (JSON an SA at a time), to be written one after another."""
    if output_format is ReportFormat.json:
        return itertools.chain(json_document(view, "sas"), "\n")
    return (_render_text(view, output_format, verbose, width),)


def _render_text(view: dict, output_format: ReportFormat, verbose: bool, width: int) -> str:
    if output_format is ReportFormat.markdown:
        from ikepcap.report import markdown
        return markdown.render(view, verbose)
    if output_format is ReportFormat.html:
        from ikepcap.report import html
        return html.render(view, verbose)
    if output_format is ReportFormat.summary:
        from ikepcap.report import summary
        return summary.render(view, verbose)
    from ikepcap.report import text
    return text.render(view, verbose, width)


def _each(paths: list[str], width: int, options: dict) -> tuple[int, str]:
    """Every file diagnosed on its own, then a table of them all. JSON is one document per line
    (JSON Lines), without the table; a file that cannot be read is a row of the table (and a line
    on stderr), and makes the exit code 2 once the others are reported."""
    from ikepcap.report import each

    output_format = options["output_format"]
    if output_format is ReportFormat.html:
        raise fail("--each and --format html: one page per file, one command per file "
                   "(for f in DIR/*; do ikepcap diagnose -f html -o \"$f.html\" \"$f\"; done)")
    parts, rows, code, matched = [], [], EXIT_OK, False
    for number, path in enumerate(paths, 1):
        try:
            view, _ = _diagnosed([path], **options, first_capture=number)
        except (CaptureError, OSError) as error:
            # redacted, each file is capture-N, N its place in the run, in its report and in the table
            name, why = f"capture-{number}" if options["redact"] else path, reason(error, path)
            typer.echo(f"ikepcap: {terminal(f'{name}: {why}')}", err=True)
            rows.append(each.unreadable(name, why))
            code = EXIT_BAD_INPUT
            continue
        matched = matched or bool(view["sas"])
        if code != EXIT_BAD_INPUT:
            code = max(code, _status(view))
        rows.append(each.row(view))
        if output_format is ReportFormat.json:
            parts.append(json_text(view) + "\n")
        else:
            parts.append(_render_text(view, output_format, options["verbose"], width))
    if not matched and (options["peer"] is not None or options["sa"] is not None):
        raise fail(f"no IKE SA in any of the {len(paths)} file(s) matches {_asked(options['peer'], options['sa'])}")
    if output_format is ReportFormat.json:
        return code, "".join(parts)
    if output_format is ReportFormat.markdown:
        return code, "\n".join(parts) + f"\n# All {len(rows)} files\n\n" + each.markdown_table(rows)
    rule = "=" * min(width, 80)
    closing = f"{rule}\n{len(rows)} files:\n" + each.text_table(rows, width)
    return code, f"\n{rule}\n".join(parts) + "\n" + closing


@app.command(epilog=examples(
    ("ikepcap schema > ikepcap.schema.json", "save it"),
    ("check-jsonschema --schemafile ikepcap.schema.json r.json", "validate a report")))
def schema() -> None:
    """Print the JSON Schema of 'diagnose --format json' (schema_version 1)."""
    from importlib.resources import files

    with to_stdout():
        sys.stdout.write(files("ikepcap.report").joinpath("schema.json").read_text(encoding="utf-8"))
    end(EXIT_OK)


def _version(value: bool) -> None:
    if value:
        from ikepcap.compiled import reader
        typer.echo(f"ikepcap {__version__} ({reader()} reader)")
        raise typer.Exit(EXIT_OK)


@app.callback(invoke_without_command=True)
def root(
    version: Annotated[bool | None, typer.Option(
        "--version", "-V", is_eager=True, callback=_version, help="Show the version and exit.")] = None,
) -> None:
    """Find where an IKE/IPsec negotiation stalled in a packet capture, why, and what to check next."""


# The pipeline builds millions of small objects that live to the end of the run and hardly ever
# form cycles; at CPython's default threshold (700) the cyclic collector rescans them again and
# again — a third of the run on a capture that is mostly IKE. Collect young objects less often,
# and freeze each stage's output (gc.freeze) so that no later collection walks it again.
GC_THRESHOLDS = (100_000, 50, 1000)


# Set by main(): the process ends with the command. A run over a capture that is mostly IKE
# leaves some 300 MB of small objects, and freeing them one by one as the interpreter shuts down
# took a second of the IKE-heavy benchmark's nine; the operating system takes them back at once.
_whole_process = False


def end(code: int) -> None:
    """End a command that has written its output with ``code``."""
    if _whole_process:
        with to_stdout():
            sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code)


@contextlib.contextmanager
def to_stdout() -> Iterator[None]:
    """A command writing its output: a reader that goes away (``| head``) ends the writing, and
    the exit code stays the command's own (0 healthy, 1 a problem found) where click would say 1
    for any broken pipe. What stdout still holds goes to /dev/null."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# click's exceptions, from the click typer runs on (recent typer versions carry their own copy)
_click = sys.modules[typer.BadParameter.__module__]


def _run_app() -> int:
    """The commands, with a usage error in one line (exit 2) instead of click's usage box."""
    try:
        code = app(standalone_mode=False)
    except getattr(_click, "NoArgsIsHelpError", ()) as error:      # no arguments at all: the help
        typer.echo(error.ctx.get_help())
        return EXIT_BAD_INPUT
    except _click.UsageError as error:
        sub = error.ctx is not None and error.ctx.parent is not None
        command = error.ctx.command_path.split()[-1] + ": " if sub else ""
        message = " ".join(error.format_message().split())
        typer.echo(f"ikepcap: {terminal(command + message)} (see --help)", err=True)
        return EXIT_BAD_INPUT
    except typer.Abort:
        raise KeyboardInterrupt from None
    return code if isinstance(code, int) else EXIT_OK


def main() -> None:
    """The console entry point: whatever happens, one line on stderr and an exit code, never a
    traceback (set IKEPCAP_DEBUG=1 to see one when reporting a bug)."""
    global _whole_process
    _whole_process = True
    for stream in (sys.stdout, sys.stderr):     # what the locale cannot encode shows as an escape, not a crash
        stream.reconfigure(errors="backslashreplace")
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        sys.exit(_run_app())
    except KeyboardInterrupt:
        typer.echo("ikepcap: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except MemoryError:
        typer.echo("ikepcap: out of memory", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as error:  # the last line of defence for hostile input: no traceback
        if os.environ.get("IKEPCAP_DEBUG"):
            raise
        typer.echo(f"ikepcap: internal error ({error.__class__.__name__}: {terminal(str(error)[:200])}); "
                   "please report it with the capture, or run with IKEPCAP_DEBUG=1", err=True)
        sys.exit(EXIT_BAD_INPUT)
