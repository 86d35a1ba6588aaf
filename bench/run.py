"""The span-port benchmark: ikepcap against tshark and tcpdump on the same capture, in one run.

    python3 bench/run.py                      # 1,000,000 frames, 3 repeats, scales 1/4/16
    python3 bench/run.py --frames 20000 --repeat 1 --scales 1 --ike-heavy 2000 --keyed 800 --headend 4000   # a smoke run

It builds the span-like capture (bench/span.py; deterministic, seeded), then times
``ikepcap diagnose``, ``tshark -r F -Y isakmp`` and ``tcpdump -r F -w /dev/null 'udp port 500
or udp port 4500'`` on it, several times each, and prints medians: seconds, frames per second,
peak memory of the whole process tree (PSS, sampled from /proc), and the ratios the targets
are stated in. It then runs ikepcap alone on captures 4 and 16 times as large, to show that
time grows linearly and memory does not, and compares ikepcap with tshark on a capture that
is almost all IKE (also at a million frames, a headend's worth, where it says how much it kept and
that it took none of it for a flood), times ikepcap with and without the keys of every SA of a
busy capture whose keys are known (and checks that every SA decrypts as in the lab), and runs
ikepcap on an IKE flood of a million spoofed initiator cookies. On the almost-all-IKE capture it also
times ikepcap's JSON report and JSON lines beside tshark's JSON (-T json, -T ek). Where the compiled reader is built,
``ikepcap-py`` is the same ikepcap on its Python reader.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, os.getcwd())    # the ikepcap that is timed (python3 -m ikepcap here) also builds the keyed capture
import span  # bench/ is a folder of scripts, not a package

from ikepcap.compiled import reader  # which reader the timed ikepcap runs

POLL_SECONDS = 0.02

# Every figure a run measured, by section, written to --results at the end (and as each section
# ends, so that an interrupted run keeps what it has): what the README and bench/README.md quote.
RESULTS: dict = {}


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except OSError:
            continue
    return pids


def _pss_kib(pids: list[int]) -> int:
    """Proportional set size of the processes: shared pages (a forked worker's, a mapped file's)
    are split between the processes that share them, so the sum is the memory really used."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def timed(command: list[str]) -> float:
    """Wall-clock seconds, with nothing else running from here (memory is sampled separately:
    reading /proc while the command runs would take CPU from it)."""
    start = time.perf_counter()
    code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if code not in (0, 1):
        raise SystemExit(f"{command[0]} failed with exit code {code}: {' '.join(command)}")
    return time.perf_counter() - start


def peak_memory(command: list[str]) -> float:
    """Peak memory in MiB: PSS summed over the command's whole process tree."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _pss_kib(_tree(process.pid)))
        time.sleep(POLL_SECONDS)
    return peak / 1024


def measure(command: list[str]) -> tuple[float, float]:
    return timed(command), peak_memory(command)


def interleaved(commands: dict, repeat: int) -> dict:
    """Each command's median seconds over ``repeat`` rounds that run every command in turn, so
    that a drift in the machine's load hits them all alike."""
    times: dict = {}
    for _ in range(repeat):
        for key, command in commands.items():
            times.setdefault(key, []).append(timed(command))
    return {key: statistics.median(runs) for key, runs in times.items()}


def tools(capture: Path) -> dict[str, list[str]]:
    found = {"ikepcap": [sys.executable, "-m", "ikepcap", "diagnose", "--quiet", str(capture)]}
    if reader() == "compiled":                          # and the Python reader it falls back to without a compiler
        found["ikepcap-py"] = ["env", "IKEPCAP_READER=python", *found["ikepcap"]]
    if shutil.which("tshark"):
        found["tshark"] = ["tshark", "-n", "-r", str(capture), "-Y", "isakmp"]
    if shutil.which("tcpdump"):
        found["tcpdump"] = ["tcpdump", "-r", str(capture), "-w", "/dev/null", "udp port 500 or udp port 4500"]
    return found


def compare(capture: Path, frames: int, repeat: int, wanted: float | None = None,
            only: frozenset[str] | None = None) -> dict[str, tuple[float, float]]:
    """``wanted``: the speed a target asks of ikepcap on the capture, as a multiple of tshark's;
    given, bench/floor.py (the least a pure-Python reader can do) and bench/made.py (what ikepcap
    does before its rules) are timed too, to set against it; ``only``: time just these tools
    (ikepcap is always timed)."""
    commands = {name: command for name, command in tools(capture).items()
                if only is None or name in only or name.startswith("ikepcap")}
    if wanted is not None:
        commands["py-floor"] = [sys.executable, str(Path(__file__).with_name("floor.py")), str(capture)]
        commands["made"] = [sys.executable, str(Path(__file__).with_name("made.py")), str(capture)]
    medians = {name: (seconds, peak_memory(commands[name])) for name, seconds in interleaved(commands, repeat).items()}
    print(f"\n{capture.name}: {frames:,} frames, {capture.stat().st_size / 1e6:,.0f} MB, {repeat} run(s) each")
    print(f"  {'tool':<10} {'median s':>9} {'frames/s':>12} {'peak MiB (PSS)':>15}")
    for name, (seconds, rss) in medians.items():
        print(f"  {name:<10} {seconds:>9.3f} {frames / seconds:>12,.0f} {rss:>15.1f}")
    ours = medians["ikepcap"][0]
    if "tshark" in medians:
        ratio = medians["tshark"][0] / ours
        print(f"  ikepcap is {ratio:.1f}× faster than tshark" if ratio >= 1 else
              f"  ikepcap is {1 / ratio:.1f}× slower than tshark")
    if "tcpdump" in medians:
        print(f"  ikepcap takes {ours / medians['tcpdump'][0]:.1f}× the time of the tcpdump filter")
    if "py-floor" in medians and "tshark" in medians:
        target = f"{wanted:g}× faster than tshark" if wanted != 1 else "tshark's speed"
        print(f"  {target} leaves {medians['tshark'][0] / wanted:.3f} s; a pure-Python reader that only "
              f"finds the ISAKMP headers (bench/floor.py) takes {medians['py-floor'][0]:.3f} s, and ikepcap up to its "
              f"rules (bench/made.py: start-up, reading, grouping, every message made) {medians['made'][0]:.3f} s")
    return medians


# Each of ikepcap's machine-readable outputs beside tshark's like it: the JSON report beside
# tshark's JSON of every IKE packet, and decode's JSON lines beside tshark's (-T ek: one
# line each).
OUTPUTS = {
    "JSON report": (["diagnose", "--quiet", "--format", "json"], ["-T", "json"]),
    "JSON lines": (["decode", "--quiet", "--format", "jsonl"], ["-T", "ek"]),
}


def compare_outputs(capture: Path, frames: int, repeat: int) -> dict | None:
    """ikepcap's JSON outputs and tshark's on ``capture``, interleaved, medians and ratios."""
    if not shutil.which("tshark"):
        return None
    commands = {}
    for output, (ours, theirs) in OUTPUTS.items():
        commands[(output, "ikepcap")] = [sys.executable, "-m", "ikepcap", *ours, str(capture)]
        commands[(output, "tshark")] = ["tshark", "-n", "-r", str(capture), "-Y", "isakmp", *theirs]
    medians = interleaved(commands, repeat)
    print(f"\n{capture.name}, machine-readable output: {repeat} run(s) each")
    print(f"  {'output':<12} {'tool':<8} {'median s':>9} {'frames/s':>12} {'peak MiB (PSS)':>15}  options")
    memory = {}
    for key, seconds in medians.items():
        ours, theirs = OUTPUTS[key[0]]
        memory[key] = peak_memory(commands[key])
        print(f"  {key[0]:<12} {key[1]:<8} {seconds:>9.3f} {frames / seconds:>12,.0f} "
              f"{memory[key]:>15.1f}  {' '.join(ours if key[1] == 'ikepcap' else theirs)}")
    for output in OUTPUTS:
        ratio = medians[(output, "tshark")] / medians[(output, "ikepcap")]
        print(f"  {output}: ikepcap is {ratio:.1f}× faster than tshark" if ratio >= 1 else
              f"  {output}: ikepcap is {1 / ratio:.1f}× slower than tshark")
    return {output: {tool: {"seconds": medians[(output, tool)], "peak_mib": memory[(output, tool)]}
                     for tool in ("ikepcap", "tshark")} for output in OUTPUTS}


def decryption_of(captures: list[Path]) -> tuple[Counter, list[str]]:
    """How ikepcap's JSON says the keys beside ``captures`` did: (version, messages decrypted,
    messages failed) counted over the SAs, and the key warnings."""
    result = subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", "--format", "json", *map(str, captures)],
                            check=False, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"ikepcap failed on {captures[0]}: {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    uses = Counter((use["version"], use["decrypted"], use["failed"]) for use in report["decryption"])
    tables = tuple(table.name for capture in captures for table in span.beside_names(capture))
    return uses, [w for w in report["capture"]["warnings"] if any(name in w for name in tables)]


def check_keyed(capture: Path, replicas: int) -> None:
    """Every replica decrypts as its lab conversation does: the same SAs, the same messages
    decrypted, failures only where the lab has them (the PSK-mismatch conversations, whose
    responder messages are encrypted under the other key)."""
    lab, lab_warnings = decryption_of([path for path, _, _ in span.keyed_conversations()])
    got, warnings = decryption_of([capture])
    expected = Counter({use: count * replicas for use, count in lab.items()})
    if got != expected:
        raise SystemExit(f"{capture.name}: the replicas do not decrypt as the lab does: got {sorted(got.items())}, "
                         f"expected {sorted(expected.items())}")
    if len(warnings) != len(lab_warnings) * replicas:
        raise SystemExit(f"{capture.name}: {len(warnings)} key warning(s), the lab has {len(lab_warnings)} a replica; "
                         f"first: {warnings[:1]}")
    failing = sum(count for (_, _, failed), count in got.items() if failed)
    print(f"  keys: {sum(got.values()):,} SAs decrypted, {sum(d * c for (_, d, _), c in got.items()):,} messages; "
          f"{failing:,} SAs with failures, as in the lab ({failing // replicas} a replica)")


def keyed(capture: Path, frames: int, replicas: int, repeat: int) -> dict[str, tuple[float, float, float]]:
    """``ikepcap diagnose --quiet`` on the keyed capture without and with its keys (the tables
    beside it), interleaved: the overhead of decrypting every SA, in wall-clock seconds and in
    CPU seconds of the process tree (which a machine busy with other work disturbs less)."""
    base = [sys.executable, "-m", "ikepcap", "diagnose", "--quiet", str(capture)]
    commands = {"no-keys": [*base, "--no-keys"], "keys": base}
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            walls.setdefault(name, []).append(timed(command))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.setdefault(name, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    medians = {name: (statistics.median(walls[name]), statistics.median(cpus[name]), peak_memory(command))
               for name, command in commands.items()}
    print(f"\n{capture.name}: {frames:,} frames, {replicas} replicas of the keyed lab conversations, "
          f"{capture.stat().st_size / 1e6:,.1f} MB, {repeat} run(s) each")
    print(f"  {'ikepcap':<10} {'median s':>9} {'CPU s':>7} {'frames/s':>12} {'peak MiB (PSS)':>15}")
    for name, (seconds, cpu, memory) in medians.items():
        print(f"  {name:<10} {seconds:>9.3f} {cpu:>7.3f} {frames / seconds:>12,.0f} {memory:>15.1f}")
    wall, cpu = (medians["keys"][i] / medians["no-keys"][i] - 1 for i in (0, 1))
    print(f"  decrypting every SA adds {wall:.1%} to the time ({cpu:.1%} to the CPU time of the process tree), "
          f"{medians['keys'][2] - medians['no-keys'][2]:+.1f} MiB to the peak")
    # A machine whose speed drifts (other work, a neighbour on the host) moves single runs by
    # a quarter; each pair of runs was taken back to back, so the pairs' own ratios, and the
    # fastest run of each, say more than the medians alone.
    pairs = sorted(k / n - 1 for k, n in zip(walls["keys"], walls["no-keys"]))
    print(f"  back-to-back pairs: median {statistics.median(pairs):.1%} (from {pairs[0]:.1%} to {pairs[-1]:.1%}); "
          f"fastest runs: {min(walls['keys']) / min(walls['no-keys']) - 1:.1%}")
    return medians


def kept(capture: Path) -> dict:
    """What ikepcap kept of a capture beyond its bounds, and whether it took the honest
    conversations it could not keep for a flood."""
    result = subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", "--format", "json", str(capture)],
                            capture_output=True)
    report = json.loads(result.stdout)
    counted = [w for w in report["capture"]["warnings"] if "counted, not kept" in w]
    print(f"  kept and diagnosed: {report['capture']['messages']:,} IKE messages in {report['summary']['sas']:,} "
          f"SAs; flood finding: {'yes' if report['flood'] else 'no'}")
    for warning in counted:
        print(f"  {warning}")
    return {"messages": report["capture"]["messages"], "sas": report["summary"]["sas"],
            "flood_finding": bool(report["flood"]), "counted_not_kept": counted}


def _compared(capture: Path, frames: int, repeat: int, medians: dict[str, tuple[float, float]]) -> dict:
    return {"capture": capture.name, "frames": frames, "bytes": capture.stat().st_size, "runs": repeat,
            "tools": {name: {"seconds": seconds, "peak_mib": memory} for name, (seconds, memory) in medians.items()}}


def _version(command: list[str]) -> str | None:
    """The first line a tool prints about its version (tcpdump prints it on stderr)."""
    if not shutil.which(command[0]):
        return None
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return next(iter((result.stdout or result.stderr).splitlines()), None)


def machine() -> dict:
    """What the figures were taken on and with."""
    commit = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit or None, "cpus": os.cpu_count(), "python": sys.version.split()[0], "reader": reader(),
            "tshark": _version(["tshark", "--version"]), "tcpdump": _version(["tcpdump", "--version"])}


def _record(path: Path, section: str, figures: object) -> None:
    RESULTS[section] = figures
    path.write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False) + "\n")


def _ratio(results: dict, section: str, tool: str, other: str) -> float | None:
    """How many times ``other``'s time ``tool``'s is (above 1: ``tool`` is faster)."""
    tools = (results.get(section) or {}).get("tools", {})
    if tool not in tools or other not in tools:
        return None
    return tools[other]["seconds"] / tools[tool]["seconds"]


def _before_rules(results: dict, section: str) -> str:
    """How fast ikepcap is against tshark before its rules run (bench/made.py), when measured: the
    share of a speed target that correlation and diagnosis have left."""
    ratio = _ratio(results, section, "made", "tshark")
    return f" (before correlation and rules, bench/made.py: {ratio:.2f}×)" if ratio else ""


def targets(results: dict) -> dict:
    """The speed targets (of the issue that asked for the compiled reader), each with what this run
    measured and whether that meets it (a target the run had nothing to measure with is left out)."""
    found: dict = {}

    def target(name: str, wanted: str, measured: float | None, met: bool, text: str) -> None:
        if measured is not None:
            found[name] = {"wanted": wanted, "measured": text, "met": met}

    ratio = _ratio(results, "ike_heavy", "ikepcap", "tshark")
    target("ike_heavy_diagnose", "at least 1.5× faster than tshark -Y isakmp", ratio,
           ratio is not None and ratio >= 1.5, f"{ratio:.2f}× tshark's speed{_before_rules(results, 'ike_heavy')}"
           if ratio else "")
    outputs = results.get("outputs") or {}
    for output, wanted, text in (("JSON report", 1.0, "at least as fast as tshark -T json"),
                                 ("JSON lines", 5.0, "at least 5× faster than tshark -T ek")):
        tools = outputs.get(output)
        if tools:
            ratio = tools["tshark"]["seconds"] / tools["ikepcap"]["seconds"]
            target(f"ike_heavy_{output.lower().replace(' ', '_')}", text, ratio, ratio >= wanted,
                   f"{ratio:.2f}× tshark's speed")
    heavy = (results.get("ike_heavy") or {}).get("tools", {})
    peaks = [heavy.get("ikepcap", {}).get("peak_mib")] + [tools["ikepcap"]["peak_mib"] for tools in outputs.values()]
    if "tshark" in heavy and all(peak is not None for peak in peaks):
        worst = max(peaks)
        target("ike_heavy_memory", "peak below tshark's", worst, worst < heavy["tshark"]["peak_mib"],
               f"{worst:.0f} MiB at most, tshark {heavy['tshark']['peak_mib']:.0f} MiB")
    headend = results.get("headend")
    if headend:
        kept_ = headend["kept"]
        every = not kept_["counted_not_kept"]
        ratio = _ratio(results, "headend", "ikepcap", "tshark")
        peak = headend["tools"]["ikepcap"]["peak_mib"]
        target("headend", "every message kept and diagnosed, no flood finding, under 1 GB, faster than tshark",
               peak, every and not kept_["flood_finding"] and peak < 1024 and (ratio or 0) > 1,
               f"{kept_['messages']:,} messages kept{'' if every else ' (not all)'}, flood finding "
               f"{'yes' if kept_['flood_finding'] else 'no'}, {peak:.0f} MiB"
               + (f", {ratio:.2f}× tshark's speed{_before_rules(results, 'headend')}" if ratio else ""))
    span_ = results.get("span")
    if span_:
        tools = span_["tools"]
        ratio = _ratio(results, "span", "ikepcap", "tshark")
        slower = (tools["ikepcap"]["seconds"] / tools["tcpdump"]["seconds"]) if "tcpdump" in tools else None
        peak = tools["ikepcap"]["peak_mib"]
        target("span", "at least 25× tshark, within 2.5× of tcpdump, under 150 MB", ratio,
               (ratio or 0) >= 25 and slower is not None and slower <= 2.5 and peak * 1.048576 < 150,
               f"{ratio:.1f}× tshark, {slower:.2f}× tcpdump's time, {peak:.0f} MiB" if ratio and slower else "")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16", help="multiples of --frames for the scaling runs")
    parser.add_argument("--ike-heavy", type=int, default=100_000, help="frames of the almost-all-IKE capture")
    parser.add_argument("--keyed", type=int, default=100_000,
                        help="frames (at least; whole replicas) of the capture whose keys are known (0: skip)")
    parser.add_argument("--flood", type=int, default=1_000_000, help="messages of the IKE flood (0: skip)")
    parser.add_argument("--headend", type=int, default=1_000_000,
                        help="frames of the headend capture: the IKE-heavy one at this size (0: skip)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ikepcap-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tools", help="comma-separated tools to compare ikepcap with (default: every one found; "
                                         "'' for ikepcap alone, e.g. to compare two builds of it)")
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("results.json"),
                        help="where the run's figures are written as JSON (default: bench/results.json, "
                             "which the README quotes)")
    args = parser.parse_args()
    only = None if args.tools is None else frozenset(t for t in args.tools.split(",") if t)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"ikepcap benchmark on {os.cpu_count()} CPU(s); python {sys.version.split()[0]}; "
          f"reader: {reader()}")
    RESULTS.update(machine(), options={key: str(value) if isinstance(value, Path) else value
                                       for key, value in vars(args).items() if key not in ("results", "workdir")})
    record = functools.partial(_record, args.results)

    capture = args.workdir / f"span-{args.frames}.pcap"
    if not capture.exists():
        print(f"building {capture} …", flush=True)
        span.build(capture, args.frames, args.seed)
    record("span", _compared(capture, args.frames, args.repeat, compare(capture, args.frames, args.repeat, only=only)))

    scaling = []
    print("\nscaling (ikepcap alone, one run each):")
    print(f"  {'scale':>5} {'frames':>12} {'seconds':>9} {'µs/frame':>9} {'peak MiB (PSS)':>15}")
    for scale in (int(s) for s in args.scales.split(",") if s):
        frames = args.frames * scale
        path = args.workdir / f"span-{frames}.pcap"
        if not path.exists():
            print(f"  building {path} …", flush=True)
            span.build(path, frames, args.seed)
        seconds, rss = measure(tools(path)["ikepcap"])
        print(f"  {scale:>5} {frames:>12,} {seconds:>9.2f} {seconds / frames * 1e6:>9.3f} {rss:>15.1f}", flush=True)
        scaling.append({"scale": scale, "frames": frames, "bytes": path.stat().st_size, "seconds": seconds,
                        "peak_mib": rss})
        if scale > 1:
            path.unlink()                                # the large ones are cheap to rebuild, costly to keep

    record("scaling", scaling)

    if args.ike_heavy:
        heavy = args.workdir / f"ike-heavy-{args.ike_heavy}.pcap"
        if not heavy.exists():
            span.build_ike_heavy(heavy, args.ike_heavy, args.seed)
        found = compare(heavy, args.ike_heavy, args.repeat, wanted=1.5, only=only)
        record("ike_heavy", _compared(heavy, args.ike_heavy, args.repeat, found))
        if only is None or "tshark" in only:
            record("outputs", compare_outputs(heavy, args.ike_heavy, args.repeat))

    if args.headend:
        headend = args.workdir / f"ike-heavy-{args.headend}.pcap"
        if not headend.exists():
            print(f"\nbuilding {headend} …", flush=True)
            span.build_ike_heavy(headend, args.headend, args.seed)
        repeat = max(1, args.repeat // 2)
        found = _compared(headend, args.headend, repeat, compare(headend, args.headend, repeat, wanted=1.0, only=only))
        record("headend", {**found, "kept": kept(headend)})

    if args.keyed:
        capture = args.workdir / f"keyed-{args.keyed}.pcap"
        built = span.build_keyed(capture, args.keyed, args.seed)   # rebuilt each time: cheap, and its tables too
        medians = keyed(capture, built["frames"], built["replicas"], args.repeat)
        check_keyed(capture, built["replicas"])
        record("keyed", {"capture": capture.name, "frames": built["frames"], "replicas": built["replicas"],
                         "runs": args.repeat, "decrypted_as_in_the_lab": True,
                         "tools": {name: {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": memory}
                                   for name, (seconds, cpu, memory) in medians.items()}})

    if args.flood:
        flood = args.workdir / f"flood-{args.flood}.pcap"
        if not flood.exists():
            print(f"\nbuilding {flood} …", flush=True)
            span.build_flood(flood, args.flood, args.seed)
        seconds, memory = measure(tools(flood)["ikepcap"])
        print(f"\nIKE flood, {args.flood:,} distinct initiator cookies (ikepcap alone): {seconds:.2f} s, "
              f"{args.flood / seconds:,.0f} messages/s, peak {memory:.1f} MiB (PSS)")
        record("flood", {"capture": flood.name, "messages": args.flood, "seconds": seconds, "peak_mib": memory})

    record("targets", targets(RESULTS))
    print("\ntargets (from this run's figures):")
    for name, target in RESULTS["targets"].items():
        verdict = "met    " if target["met"] else "NOT met"
        print(f"  {verdict}  {name}: {target['wanted']}; measured {target['measured']}")
    print(f"\nfigures written to {args.results}")


if __name__ == "__main__":
    main()
