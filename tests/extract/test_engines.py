"""The two engines agree: ``--engine native`` (ikepcap's reader and decoder) and ``--engine tshark``
(Wireshark's dissector through pyshark) produce the same messages and counters.

Per capture, ``ikepcap decode --format jsonl`` runs once with each engine and every message
is compared field by field. Where Wireshark and ikepcap read a frame differently for a reason
that is understood, ``ALLOWED`` names the capture, frame and field and says why; the test then
checks that the two really do differ there, so the list cannot outlive its reasons. Nothing
else is loosened. Captures built with ``ikepcap.synth`` check what jsonl does not show: the
message's bytes, and the ESP, keepalive, ICMP and lost-fragment counters.

The whole module is skipped without tshark (CI installs it, see tests/run.sh).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CAPTURES, CORPUS, REPO

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")

CLI = [sys.executable, "-c", "from ikepcap.cli import main; main()"]
PATTERNS = ("*.pcap", "*.pcapng", "*.pcap.gz", "*.pcapng.gz")

# Captures from ../shared/corpus compared as well, for what the lab captures do not have:
# IPv6, NAT-T with keepalives and ESP, IKEv2 fragments, certificates, pcapng timestamps, and
# the malformed messages where the two readings part.
CORPUS_FILES = (
    "arkime/IKEv2.pcap",
    "arkime/ike-cert_synthetic.pcap",
    "scapy/ikev2_nat_t.pcapng",
    "scapy/ikev2_notify_redirect.pcap",
    "suricata-verify/detect-bypass-udp/input.pcap",
    "tcpdump/ISAKMP_sa_setup.pcap",
    "tcpdump/ikev2-id-normal.pcap",
    "tcpdump/isakmp4500.pcap",
    "zeek-spicy-ipsec/ipsec_client.pcap",
    "malformed/tcpdump/isakmp-delete-segfault.pcap",
    "malformed/tcpdump/isakmp-identification-segfault.pcap",
    "malformed/tcpdump/ikev2-id-short.pcap",
    "malformed/zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap",
    "malformed/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap",
)

# (capture, frame, field) -> why the readings differ. Captures are named as in ``capture_name``.
ALLOWED: dict[tuple[str, int, str], str] = {
    # Payload type 15 in an IKE Main Mode: old racoon / Cisco IOS send draft-ietf-ipsec-nat-t-ike-00/01
    # NAT-D with that number. ikepcap reads two 20-byte NAT-D hashes; Wireshark reads GDOI's SA KEK
    # (RFC 3547 reused 15), runs past the payload and stops with "Malformed Packet", losing the second.
    ("corpus/tcpdump/ISAKMP_sa_setup.pcap", 3, "payload_types"): "type 15 read as GDOI SAK, second one lost",
    ("corpus/tcpdump/ISAKMP_sa_setup.pcap", 3, "payloads"): "same",
    ("corpus/tcpdump/ISAKMP_sa_setup.pcap", 4, "payload_types"): "same, in the responder's MM4",
    ("corpus/tcpdump/ISAKMP_sa_setup.pcap", 4, "payloads"): "same",
    # An IDi of ID_IPV4_ADDR whose payload length (9) leaves 1 byte of data: Wireshark reads 4 bytes
    # regardless, past the payload into the bytes after it; ikepcap keeps the byte and warns.
    ("corpus/tcpdump/ikev2-id-normal.pcap", 1, "payloads"): "Wireshark reads an IPv4 ID past the payload",
    # Same with a 4-byte IDi body (no room for the ID type's reserved bytes): ikepcap reports ID type 0
    # and warns; Wireshark reads type and address from beyond the payload.
    ("corpus/malformed/tcpdump/ikev2-id-short.pcap", 1, "payloads"): "Wireshark reads past a short ID",
    # An ID_FQDN of 248 NUL bytes: Wireshark's string ends at the first NUL (empty); ikepcap keeps
    # every byte, escaped.
    ("corpus/malformed/tcpdump/isakmp-identification-segfault.pcap", 1, "payloads"): "FQDN of NUL bytes",
    # Version byte 0xbe: Wireshark stops after the flags for unknown major versions (no exchange
    # type, no length, no payloads); ikepcap reads the 28-byte header and the Delete it announces.
    ("corpus/malformed/tcpdump/isakmp-delete-segfault.pcap", 1, "exchange_type"): "unknown major version",
    ("corpus/malformed/tcpdump/isakmp-delete-segfault.pcap", 1, "exchange"): "same",
    ("corpus/malformed/tcpdump/isakmp-delete-segfault.pcap", 1, "length"): "same",
    ("corpus/malformed/tcpdump/isakmp-delete-segfault.pcap", 1, "payload_types"): "same",
    ("corpus/malformed/tcpdump/isakmp-delete-segfault.pcap", 1, "payloads"): "same",
    # Header length 0: Wireshark's heuristic refuses the datagram as ISAKMP (shows UDP data);
    # ikepcap decodes it and warns that the length is shorter than the header.
    ("corpus/malformed/zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap", 1, "message"): "length 0 refused",
    # An SA payload whose length runs to the end of the message: ikepcap trusts the length (one SA
    # holding the rest); Wireshark ends the SA at its last proposal and reads the two VIDs after it.
    ("corpus/malformed/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap", 1, "payload_types"):
        "SA length covers the VIDs",
    ("corpus/malformed/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap", 1, "payloads"): "same",
    ("corpus/malformed/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap", 1, "vendor_ids"): "same",
    # Captured with snaplen 96: 54 bytes of each message. Wireshark shows no header length when the
    # message is longer than what was captured, and no payload it cannot read whole; ikepcap reads
    # the 28 header bytes and the start of the first payload, and warns of the cut.
    **{("captures/variant-snaplen-96.pcap", frame, field): "snaplen cut: Wireshark shows no length, no payload"
       for frame in (1, 2, 3) for field in ("length", "payload_types", "payloads")},
    # Frame 4's 56-byte Notify message lost its last 2 bytes: Wireshark shows the payload's generic
    # header and nothing of its body (so no notify type: an Opaque payload with a warning here);
    # ikepcap reads the notify type and SPI, which were captured.
    ("captures/variant-snaplen-96.pcap", 4, "payloads"): "snaplen cut: Wireshark reads no Notify body",
    ("captures/variant-snaplen-96.pcap", 4, "notify"): "same",
}

HEADER_FIELDS = ("ispi", "rspi", "version", "exchange_type", "exchange", "flags", "flag_names", "message_id",
                 "length", "size", "encrypted")
PATH_FIELDS = ("src", "dst", "sport", "dport", "ip_length", "non_esp_marker", "fragments")


def capture_name(path: Path) -> str:
    if CORPUS.is_dir() and path.is_relative_to(CORPUS):
        return f"corpus/{path.relative_to(CORPUS)}"
    return str(path.relative_to(REPO))


def capture_files() -> list[Path]:
    found = sorted({p for pattern in PATTERNS for p in CAPTURES.glob(pattern)})
    if CORPUS.is_dir():
        found += [CORPUS / name for name in CORPUS_FILES if (CORPUS / name).is_file()]
    return found


FILES = capture_files()


def decode(engine: str, files: list[Path], *options: str) -> dict[str, dict[int, list[dict]]]:
    """One CLI run over ``files``: capture name -> frame -> jsonl records."""
    run = subprocess.run([*CLI, "decode", "--format", "jsonl", "--engine", engine, *options, *map(str, files)],
                         capture_output=True, text=True, cwd=REPO, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    by_file: dict[str, dict[int, list[dict]]] = {capture_name(f): {} for f in files}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        by_file[capture_name(REPO / record["file"])].setdefault(record["frame"], []).append(record)
    return by_file


@pytest.fixture(scope="module")
def decoded() -> dict[str, dict[str, dict[int, list[dict]]]]:
    if not FILES:
        pytest.skip("no captures in captures/ and no ../shared/corpus")
    # the decoders compared, not the decryptors (tests/decrypt holds ours against tshark's)
    return {engine: decode(engine, FILES, "--no-keys") for engine in ("native", "tshark")}


def views(record: dict) -> dict[str, object]:
    """What is compared, by name: every jsonl key but the file, the time and the warnings."""
    view = {name: record[name] for name in HEADER_FIELDS + PATH_FIELDS}
    view["notify"] = [n["type"] for n in record["notify"]]
    view["payload_types"] = [p["type"] for p in record["payloads"]]
    view["payloads"] = record["payloads"]
    view["vendor_ids"] = record["vendor_ids"]
    return view


@pytest.mark.parametrize("path", FILES, ids=capture_name)
def test_engines_agree(path: Path, decoded: dict[str, dict[str, dict[int, list[dict]]]]) -> None:
    name = capture_name(path)
    native, tshark = decoded["native"][name], decoded["tshark"][name]
    assert native or tshark or path.is_relative_to(CORPUS), f"{name}: no IKE message at all"
    differences = []
    for frame in sorted(set(native) | set(tshark)):
        allowed = {field for (capture, f, field) in ALLOWED if capture == name and f == frame}
        if frame not in native or frame not in tshark:
            missing = "tshark" if frame not in tshark else "native"
            if "message" not in allowed:
                differences.append(f"frame {frame}: no message from the {missing} engine")
            continue
        assert "message" not in allowed, f"{name} frame {frame}: both engines see it now; update ALLOWED"
        assert len(native[frame]) == len(tshark[frame]) == 1, f"{name} frame {frame}: one message per frame"
        ours, theirs = native[frame][0], tshark[frame][0]
        assert math.isclose(ours["time"], theirs["time"], abs_tol=1e-6), f"{name} frame {frame}: time"
        ours, theirs = views(ours), views(theirs)
        for field in ours:
            if field in allowed:
                assert ours[field] != theirs[field], f"{name} frame {frame} {field}: no longer differs; update ALLOWED"
            elif ours[field] != theirs[field]:
                differences.append(f"frame {frame} {field}: "
                                   f"native {ours[field]!r:.300} != tshark {theirs[field]!r:.300}")
    assert not differences, f"{name}:\n" + "\n".join(differences)


def test_allowed_entries_name_compared_captures() -> None:
    names = {capture_name(p) for p in FILES}
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    assert {capture for capture, _, _ in ALLOWED} <= names


# --- what jsonl does not show: digests and counters, on built captures ----------------------------

def synthetic_capture(tmp_path: Path, name: str = "built.pcap", **kw) -> Path:
    from ikepcap.read.model import PROTO_ESP, PROTO_GRE, PROTO_ICMP, PROTO_ICMPV6, PROTO_UDP
    from ikepcap.synth import ike, packets
    from ikepcap.synth.capture import Frame, write_pcap, write_pcapng

    a, b, a6, b6 = "192.0.2.10", "198.51.100.20", "2001:db8::a", "2001:db8:1::b"
    ispi = bytes.fromhex("1122334455667788")
    mm1 = ike.message(ispi, bytes(8), 2, [(ike.V1_SA, ike.sa_v1([(1, b"", [(1, [(1, 7), (14, 128), (2, 2),
                                                                                  (3, 1), (4, 14)])])])),
                                         (ike.V1_VID, bytes.fromhex("4a131c81070358455c5728f20e95452f"))])
    mm2 = ike.message(ispi, bytes(8), 5, [(ike.V1_N, ike.notify_v1(14))], version=0x10)
    sa_init = ike.message(ispi, bytes(8), 34, [(ike.V2_KE, ike.ke_v2(14, bytes(256))),
                                               (ike.V2_N, ike.notify_v2(16388, data=bytes(20)))],
                          version=0x20, flags=0x08)
    big = ike.message(ispi, bytes(8), 2, [(ike.V1_VID, bytes(range(256)) * 6)])
    t0 = 1_700_000_000.0

    def eth(ip: bytes) -> bytes:
        return packets.ethernet(ip, packets.ETH_IPV6 if ip[0] >> 4 == 6 else packets.ETH_IPV4)

    def udp(src, dst, sport, dport, payload):
        return eth(packets.ip_udp(src, dst, sport, dport, payload))

    def esp(src, dst, spi, seq):
        body = struct.pack("!II", spi, seq) + bytes(32)
        if ":" in src:
            return eth(packets.ipv6(src, dst, PROTO_ESP, body))
        return eth(packets.ipv4(src, dst, PROTO_ESP, body))

    def icmp_error(src, dst, kind, code, word, quoted):
        if ":" in src:
            return eth(packets.ipv6(src, dst, PROTO_ICMPV6, struct.pack("!BBHI", kind, code, 0, word) + quoted))
        return eth(packets.ipv4(src, dst, PROTO_ICMP, struct.pack("!BBHI", kind, code, 0, word) + quoted))

    frames = [
        udp(a, b, 500, 500, mm1),
        udp(b, a, 500, 500, mm2),
        udp(a6, b6, 500, 500, sa_init),
        packets.ethernet(packets.ipv4("203.0.113.5", "203.0.113.6", PROTO_GRE,
                                      packets.gre(packets.ip_udp(a, b, 4500, 4500, bytes(4) + mm1), 0x0800, key=7))),
        packets.ethernet(packets.ip_udp(a, b, 500, 500, mm1), vlans=((0x8100, 42),)),
        udp(a, b, 4500, 4500, b"\xff"),
        udp(a, b, 4500, 4500, b"\xff"),
        udp(a, b, 4500, 4500, bytes.fromhex("c0ffee01") + struct.pack("!I", 1) + bytes(40)),
        udp(b, a, 4500, 4500, bytes.fromhex("c0ffee02") + struct.pack("!I", 1) + bytes(40)),
        esp(a, b, 0x1001, 1), esp(a, b, 0x1001, 2), esp(a6, b6, 0x3003, 1),
        icmp_error(b, a, 3, 3, 0, packets.ip_udp(a, b, 500, 500, mm1)),
        icmp_error(b, a, 3, 4, 1400, packets.ip_udp(a, b, 500, 500, mm1)),
        icmp_error("2001:db8:ffff::1", a6, 2, 0, 1280, packets.ip_udp(a6, b6, 4500, 4500, bytes(4) + sa_init)),
        icmp_error(b, a, 3, 13, 0, packets.ipv4(a, b, PROTO_ESP, struct.pack("!II", 0x1001, 9) + bytes(8))),
        icmp_error(b, a, 3, 3, 0, packets.ip_udp(a, b, 53, 53, b"not IKE")),
    ]
    pieces = packets.fragment_ipv4(a, b, PROTO_UDP, packets.udp(a, b, 500, 500, big), 576, 0x1234)
    frames += [packets.ethernet(p) for p in pieces]                                  # reassembled
    frames += [packets.ethernet(p) for p in
               packets.fragment_ipv4(b, a, PROTO_UDP, packets.udp(b, a, 500, 500, big), 576, 0x4321)[:-1]]
    pieces6 = packets.fragment_ipv6(a6, b6, PROTO_UDP, packets.udp(a6, b6, 500, 500, big), 1280, 99)
    frames += [packets.ethernet(p, packets.ETH_IPV6) for p in pieces6]
    built = [Frame(t0 + i * 0.25, data) for i, data in enumerate(frames)]
    path = tmp_path / name
    if name.startswith("built.pcapng"):
        write_pcapng(path, [(1, 6)], built, **kw)
    else:
        write_pcap(path, built, **kw)
    return path


def extract_both(path: Path, ports: frozenset[int] = frozenset(), options: list[str] | None = None):
    from ikepcap.extract import native, tshark
    return native.extract([str(path)], ports), tshark.extract([str(path)], ports, options or [])


@pytest.mark.parametrize("name, kw", [("built.pcap", {}), ("built.pcapng", {}), ("built.pcap.gz", {"compress": True}),
                                      ("built.pcapng.gz", {"compress": True})])
def test_built_capture_agrees_on_everything(tmp_path: Path, name: str, kw: dict) -> None:
    ours, theirs = extract_both(synthetic_capture(tmp_path, name, **kw))
    assert (ours.engine, theirs.engine) == ("native", "tshark")
    assert [m.frame for m in ours.messages] == [m.frame for m in theirs.messages] == [1, 2, 3, 4, 5, 20, 24]
    for mine, other in zip(ours.messages, theirs.messages):
        assert mine == other, mine.frame                  # every field: the bytes, IP facts
        assert mine.payloads == other.payloads, mine.frame
    assert theirs.messages[5].fragments == (18, 19, 20)
    assert theirs.esp == ours.esp and [f.packets for f in theirs.esp] == [1, 1, 2, 1]
    assert theirs.keepalives == ours.keepalives and theirs.keepalives[0].packets == 2
    assert theirs.icmp_errors == ours.icmp_errors and len(theirs.icmp_errors) == 4
    assert theirs.lost_fragments == ours.lost_fragments and theirs.lost_fragments[0].frames == (21, 22)
    assert (theirs.files[0].frames, theirs.files[0].first_time, theirs.files[0].last_time) == \
        (ours.files[0].frames, ours.files[0].first_time, ours.files[0].last_time)
    assert theirs.warnings == ours.warnings == []


def test_both_engines_take_the_same_bytes_on_lab_captures() -> None:
    lab = sorted(CAPTURES.glob("*.pcap"))[:4]
    if not lab:
        pytest.skip("no captures in captures/")
    for path in lab:
        ours, theirs = extract_both(path)
        assert [(m.frame, m.data) for m in ours.messages] == [(m.frame, m.data) for m in theirs.messages]


def test_extra_port_is_decoded_as_isakmp(tmp_path: Path) -> None:
    from ikepcap.synth import ike, packets
    from ikepcap.synth.capture import Frame, write_pcap

    mm1 = ike.message(bytes(range(8)), bytes(8), 2, [(ike.V1_VID, b"ikepcap")])
    path = tmp_path / "port.pcap"
    write_pcap(path, [Frame(1.0, packets.ethernet(packets.ip_udp("192.0.2.1", "192.0.2.2", 10500, 10500, mm1)))])
    assert extract_both(path)[1].messages == []
    ours, theirs = extract_both(path, frozenset({10500}))
    assert theirs.messages == ours.messages and len(theirs.messages) == 1


# --- Wireshark's preferences: decryption tables -----------------------------------------------------

def table(name: str) -> str:
    path = CAPTURES / name
    if not path.is_file():
        pytest.skip(f"captures/{name} is not present")
    return path.read_text().strip()


def test_ikev2_decryption_table_shows_the_encrypted_payloads() -> None:
    record = table("v2-auth-failed.ikev2_decryption_table")
    option = f"uat:ikev2_decryption_table:{record}"
    result = decode("tshark", [CAPTURES / "v2-auth-failed.pcap"], "--no-keys", "--tshark-option", option)
    (frames,) = result.values()
    request, response = frames[3][0], frames[4][0]
    assert [p["name"] for p in request["payloads"]][:4] == ["SK", "IDi", "Notify", "IDr"]
    assert response["payloads"][0]["type"] == 46 and response["notify"] == [{"type": 24,
                                                                             "name": "AUTHENTICATION_FAILED"}]
    plain = decode("tshark", [CAPTURES / "v2-auth-failed.pcap"], "--no-keys")
    assert [p["type"] for p in next(iter(plain.values()))[4][0]["payloads"]] == [46]


def test_ikev1_decryption_table_shows_the_encrypted_body() -> None:
    record = table("v1-mm-healthy.ikev1_decryption_table")
    result = decode("tshark", [CAPTURES / "v1-mm-healthy.pcap"],
                    "--tshark-option", f"uat:ikev1_decryption_table:{record}")
    (frames,) = result.values()
    mm5 = frames[5][0]
    assert mm5["encrypted"] and [p["type"] for p in mm5["payloads"]] == [5, 5, 8, 11]
    assert mm5["payloads"][1]["value"] == "192.0.2.10"


def with_table(capture: str, kind: str):
    """``capture`` read by the tshark engine with its lab decryption table for ``kind`` (ikev1, ikev2)."""
    from ikepcap.extract import tshark
    option = f"uat:{kind}_decryption_table:{table(f'{capture}.{kind}_decryption_table')}"
    return tshark.extract([str(CAPTURES / f"{capture}.pcap")], frozenset(), [option])


def test_what_wireshark_decrypts_is_the_messages_inner_payloads() -> None:
    messages = with_table("v2-auth-failed", "ikev2").messages
    response = next(m for m in messages if m.frame == 4)
    assert response.chain == response.clear_chain == (46,) and response.inner_chain == (41,)
    (notify,) = response.notifications()
    assert (notify.notify_name, notify.decrypted) == ("AUTHENTICATION_FAILED", True)
    for message in messages:
        copy = pickle.loads(pickle.dumps(message))
        assert (copy.payloads, copy.inner, copy.warnings) == (message.payloads, message.inner, message.warnings)


@pytest.mark.parametrize("capture, refusal", [("v1-qm-proposal-mismatch", "NO_PROPOSAL_CHOSEN"),
                                              ("v1-qm-ts-mismatch", "INVALID_ID_INFORMATION")])
def test_a_decrypted_ikev1_notify_is_a_notification(capture: str, refusal: str) -> None:
    messages = with_table(capture, "ikev1").messages
    informational = next(m for m in messages if m.exchange == "Informational")
    assert informational.encrypted and informational.clear_chain == ()
    assert [n.notify_name for n in informational.notifications()] == [refusal]
    assert all(p.decrypted for p in informational.inner) and not informational.payloads[0].decrypted
    copy = pickle.loads(pickle.dumps(informational))
    assert [n.notify_name for n in copy.notifications()] == [refusal] and copy.payloads == informational.payloads
    # the plain reading, without keys, sees nothing inside
    from ikepcap.extract import tshark
    plain = tshark.extract([str(CAPTURES / f"{capture}.pcap")], frozenset(), [])
    assert next(m for m in plain.messages if m.exchange == "Informational").notifications() == ()


def test_redact_hides_what_a_decryption_table_reveals() -> None:
    """With keys, tshark decodes the encrypted MM5/MM6: their certificates and IDs must not
    escape --redact because the E flag was set."""
    record = table("v1-mm-cert-ip-fragments-dropped.ikev1_decryption_table")
    for fmt in ("json", "markdown"):
        run = subprocess.run([*CLI, "diagnose", "--redact", "-v", "--format", fmt, "--engine", "tshark",
                              "--tshark-option", f"uat:ikev1_decryption_table:{record}",
                              str(CAPTURES / "v1-mm-cert-ip-fragments-dropped.pcap")],
                             capture_output=True, text=True, cwd=REPO, check=False)
        assert run.returncode == 1, run.stderr[-2000:]
        assert "ikepcap lab" not in run.stdout and "CERT(" in run.stdout, fmt


# --- failures: one line, exit 2, no tshark left behind ---------------------------------------------------

def tshark_children() -> list[int]:
    """tshark processes that are children of this test process (Linux /proc)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    if not tasks.is_dir():
        return []
    children = [int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()]
    return [pid for pid in children if Path(f"/proc/{pid}/comm").is_file()
            and Path(f"/proc/{pid}/comm").read_text().strip() == "tshark"]


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"not a capture at all\n", "not a pcap or pcapng capture"),     # ikepcap's reader says so before tshark runs
])
def test_unreadable_file_is_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.pcap"
    path.write_bytes(content)
    run = subprocess.run([*CLI, "decode", "--engine", "tshark", str(path)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and str(path) in run.stderr and reason in run.stderr, run.stderr


def test_missing_file_and_bad_option_are_one_line(tmp_path: Path) -> None:
    for arguments, reason in (([str(tmp_path / "none.pcap")], "no such file"),
                              (["--tshark-option", "nocolon", "captures"], "expected NAME:VALUE"),
                              (["--tshark-option", "no.such.pref:1", "captures"], "unknown preference")):
        run = subprocess.run([*CLI, "decode", "--engine", "tshark", *arguments], capture_output=True, text=True,
                             cwd=REPO, check=False)
        assert run.returncode == 2 and run.stderr.startswith("ikepcap: ") and reason in run.stderr, run.stderr
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_cut_short_file_keeps_the_frames_before_and_leaves_no_tshark(tmp_path: Path) -> None:
    from ikepcap.extract import tshark
    from ikepcap.read.errors import CaptureError

    whole = synthetic_capture(tmp_path)
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole.read_bytes()[:-30])
    result = tshark.extract([str(cut)], frozenset(), [])
    assert [m.frame for m in result.messages][:5] == [1, 2, 3, 4, 5]
    assert any("cut short" in w for w in result.warnings)
    garbage = tmp_path / "garbage.pcap"
    garbage.write_bytes(b"\x00" * 100)
    with pytest.raises(CaptureError):
        tshark.extract([str(garbage)], frozenset(), [])
    assert tshark_children() == []


def test_stopping_early_ends_tshark(tmp_path: Path) -> None:
    from ikepcap.extract import tshark

    path = synthetic_capture(tmp_path)
    frames = tshark._packets(str(path), "built", {}, [], frozenset(), [])
    next(frames)
    frames.close()
    assert tshark_children() == []
