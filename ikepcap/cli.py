"""The ``ikepcap`` command: ``decode`` shows every IKE message, ``diagnose`` says what went wrong.

Exit codes: 0 all well, 1 a problem was found in the capture (``diagnose``), 2 bad input or
usage. A file that cannot be read gets one line naming it and the reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import ipaddress
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ikepcap import __version__
from ikepcap.extract.model import Extraction
from ikepcap.read.errors import CaptureError
from ikepcap.report.escape import json_text, terminal

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".dmp", ".pcap.gz", ".pcapng.gz", ".cap.gz")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Find where an IKE/IPsec negotiation stalled in a packet capture, why, and what to check next.",
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


def fail(message: str) -> typer.Exit:
    """One line on stderr; escaped, since file names and capture contents end up in it."""
    typer.echo(f"ikepcap: {terminal(message)}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; a directory stands for the capture files in it, in name order. A file
    named twice (again, through its directory, or by another path) is read once: its frames
    must not count twice."""
    expanded: list[str] = []
    seen: set[str] = set()
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            found = sorted(str(child) for child in p.iterdir()
                           if child.is_file() and child.name.lower().endswith(CAPTURE_SUFFIXES))
            if not found:
                raise CaptureError(f"{path}: directory holds no capture files ({', '.join(CAPTURE_SUFFIXES)})")
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
        if self._bar is not None:
            self._bar.__exit__(*exc)


def analysis_status(messages: int, enabled: bool):
    """A spinner on stderr while the SAs are diagnosed (seconds, on a capture of thousands of
    SAs), on the same terms as the progress bar."""
    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console
    return Console(stderr=True).status(f"diagnosing {messages:,} IKE messages", spinner="line")


def run_extraction(files: list[str], engine: Engine, ports: list[int], tshark_options: list[str],
                   jobs: int | None = None, quiet: bool = True, keys: list[Path] | None = None,
                   no_keys: bool = False) -> Extraction:
    """Read ``files`` (as expand_paths gives them) with the chosen engine, and decrypt what the
    keys open: those named with --keys and the tables beside each capture, unless --no-keys."""
    extra = frozenset(ports)
    if tshark_options and engine is not Engine.tshark:
        raise fail("--tshark-option applies to --engine tshark only (the native engine decrypts with --keys)")
    key_paths = [] if no_keys else list(keys or [])
    captures = [] if no_keys else [f for f in files if f != "-"]
    if engine is Engine.tshark:
        from ikepcap.decrypt.keys import beside
        from ikepcap.extract.tshark import extract as extract_tshark
        from ikepcap.extract.tshark import key_table_options
        options, warnings = key_table_options(key_paths + [table for c in captures for table in beside(c)])
        result = extract_tshark(files, extra, [*tshark_options, *options])
        result.warnings.extend(warnings)
        return result
    from ikepcap.decrypt.apply import apply
    from ikepcap.decrypt.keys import gather
    from ikepcap.extract.native import extract
    with ProgressBar(files, not quiet) as progress:
        result = extract(files, extra, progress, jobs)
    apply(result, gather(key_paths, captures))
    return result


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


@app.command()
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
    from ikepcap.report.messages import message_line, message_record, message_tree

    try:
        result = run_extraction(expand_paths(files), engine, port, tshark_option, jobs, quiet, keys, no_keys)
    except CaptureError as error:
        raise fail(str(error)) from None
    out = sys.stdout
    clean = _redactor(result, redact)
    if output_format is DecodeFormat.jsonl:
        for message in result.messages:
            out.write(json_text(clean.apply(message_record(message))) + "\n")
    else:
        for message in result.messages:
            if verbose:
                out.write(clean.text("\n".join(message_tree(message))) + "\n")
            else:
                out.write(clean.text(message_line(message)) + "\n")
    for warning in result.warnings:
        typer.echo(f"warning: {terminal(clean.text(warning))}", err=True)
    end(EXIT_OK)


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


@app.command()
def diagnose(
    files: Annotated[list[str], typer.Argument(
        help="Capture files (pcap, pcapng, gzip), directories, or - for stdin.")],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="text, json or markdown.")] =
    ReportFormat.text,
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
) -> None:
    """Say where each IKE exchange stalled, why that most likely happened, and what to check next.

    Exit codes: 0 every SA healthy, 1 at least one problem found, 2 bad input or usage.
    """
    from ikepcap.diagnose.model import PROBLEM
    from ikepcap.pipeline import Scope, analyse

    peer, sa = _filters(peer, sa)
    try:
        paths = expand_paths(files)
        result = run_extraction(paths, engine, port, tshark_option, jobs, quiet, keys, no_keys)
        digests = _file_digests(result) if output_format is ReportFormat.markdown else None
    except (CaptureError, OSError) as error:
        raise fail(str(error)) from None
    gc.freeze()
    with analysis_status(len(result.messages), not quiet):
        analysis = analyse(result, output_format is not ReportFormat.text or verbose, digests, Scope(peer, sa), jobs)
    view = analysis.view
    if not view["sas"] and (peer is not None or sa is not None):
        # a filter that leaves nothing is said, not shown as an empty, healthy capture
        asked = " and ".join(f"{name} {value}" for name, value in (("--peer", peer), ("--sa", sa)) if value)
        raise fail(f"no IKE SA matches {asked} ({analysis.diagnosed} SA(s) in the capture)")
    if redact:
        from ikepcap.report.redact import redact as redact_view
        view = redact_view(view, result)
    if output_format is ReportFormat.json:
        rendered = json_text(view, indent=2) + "\n"
    elif output_format is ReportFormat.markdown:
        from ikepcap.report import markdown
        rendered = markdown.render(view, verbose)
    else:
        from ikepcap.report import text
        rendered = text.render(view, verbose)
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8", errors="backslashreplace")
        except OSError as error:
            raise fail(f"{output}: cannot write ({error.strerror or error})") from None
    else:
        sys.stdout.write(rendered)
    end(EXIT_PROBLEM if view["summary"]["status"] == PROBLEM else EXIT_OK)


@app.callback(invoke_without_command=True)
def root(
    version: Annotated[bool | None, typer.Option("--version", help="Show the version and exit.")] = None,
) -> None:
    if version:
        typer.echo(f"ikepcap {__version__}")
        raise typer.Exit(EXIT_OK)


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
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code)


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
