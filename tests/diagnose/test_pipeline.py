"""The sharded pipeline gives exactly the report of correlating and diagnosing in one piece.

``pipeline.analyse`` deals SAs out by peer pair to several processes; that is only right if
no SA's diagnosis depends on an SA in another shard. These tests hold it to the sequential
``build_view(diagnose(correlate(...)))`` byte for byte, on every capture in captures/, on a
busy-concentrator capture where one peer pair holds most SAs, on a flood, and on SAs whose
diagnosis depends on another SA between the same peers.
"""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CAPTURES, bench_span, same
from sequences import Conversation

from ikepcap import pipeline
from ikepcap.correlate.correlate import correlate
from ikepcap.correlate.sas import group
from ikepcap.decrypt.apply import apply
from ikepcap.decrypt.decrypt import key_order, sa_of
from ikepcap.decrypt.keys import KeyStore, gather, read_keys
from ikepcap.decrypt.tables import beside
from ikepcap.diagnose.diagnose import diagnose
from ikepcap.extract.model import Extraction, Scope
from ikepcap.extract.native import extract
from ikepcap.extract.store import Store, as_store
from ikepcap.forking import Dealer, map_forked
from ikepcap.pipeline import analyse
from ikepcap.read.model import IcmpError, QuotedDatagram
from ikepcap.report.view import build_view

CAPTURE_FILES = sorted(CAPTURES.glob("*.pcap*")) + sorted((CAPTURES / "lab").glob("*.pcap*"))


def _sequential(extraction: Extraction, messages: bool = True) -> str:
    return json.dumps(build_view(diagnose(correlate(extraction)), extraction, messages=messages))


def _sharded(extraction: Extraction, jobs: int, messages: bool = True, scope: Scope = Scope()) -> str:
    return json.dumps(analyse(extraction, messages, scope=scope, jobs=jobs).view)


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)


def test_there_are_captures_to_compare():
    assert len(CAPTURE_FILES) >= 30


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=lambda p: p.name)
def test_every_capture_gives_the_sequential_report(path: Path, always_parallel) -> None:
    extraction = extract([str(path)], jobs=1)
    same(_sharded(extraction, jobs=2), _sequential(extraction))


@pytest.mark.parametrize("jobs", [2, 3, 5])
def test_a_busy_capture_gives_the_sequential_report(busy, jobs, always_parallel) -> None:
    assert len({b.key[2:4] for b in group(as_store(busy.messages)).buckets}) >= 5
    same(_sharded(busy, jobs, messages=False), _sequential(busy, messages=False))
    same(_sharded(busy, jobs), _sequential(busy))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_busy_capture_diagnosed_a_peer_pair_at_a_time_gives_the_sequential_report(busy, jobs, monkeypatch,
                                                                                   always_parallel) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 1)
    for message in busy.messages:
        message.forget()
    chunked = _sharded(busy, jobs)
    assert all(not m.cache for m in busy.messages)          # what a chunk decoded went with it
    same(chunked, _sequential(busy))


def test_a_worker_hands_its_views_back_pickled_a_chunk_at_a_time(busy, monkeypatch, always_parallel) -> None:
    """What a worker made stays small while it makes the rest; the share run here is not pickled."""
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 1_000)
    attach = pipeline.attach

    def slowly(*args):                  # a chunk takes long enough for the worker to start and take some
        time.sleep(0.05)
        return attach(*args)

    monkeypatch.setattr(pipeline, "attach", slowly)
    handed = []

    def recorded(work, shares):
        handed.extend(map_forked(work, shares))
        return handed

    monkeypatch.setattr(pipeline, "map_forked", recorded)
    same(_sharded(busy, 2), _sequential(busy))
    (here, _, _, _), (worker, _, _, _) = handed
    assert len(worker) > 1 and all(isinstance(chunk, bytes) for chunk in worker)
    assert all(isinstance(chunk, list) for chunk in here)
    assert sum(len(pickle.loads(chunk)) for chunk in worker) + sum(map(len, here)) == len(json.loads(
        _sequential(busy))["sas"])


_dealer: Dealer | None = None


def _take_all(share: int) -> list[int]:
    """What a process takes from the dealer until all is taken; the first share as a process
    that the machine's other work slows down."""
    taken = []
    for item in _dealer.taken():
        taken.append(item)
        time.sleep(0.05 if share == 0 else 0.002)
    return taken


def test_the_dealer_gives_each_chunk_to_one_process_and_more_to_the_faster() -> None:
    """A process takes the next chunk when it is done with one: each goes to exactly one process,
    and a slowed one takes fewer, so that all end at about the same time."""
    global _dealer
    _dealer = Dealer(60)
    try:
        taken = map_forked(_take_all, [0, 1, 2])
    finally:
        _dealer = None
    assert sorted(i for share in taken for i in share) == list(range(60))
    assert all(share == sorted(share) for share in taken)
    assert len(taken[0]) < min(len(taken[1]), len(taken[2]))


def test_a_flood_gives_the_sequential_report(tmp_path, always_parallel) -> None:
    path = tmp_path / "flood.pcap"
    bench_span().build_flood(path, 400)
    extraction = extract([str(path)], jobs=1)
    view = json.loads(_sharded(extraction, jobs=2))
    assert view["flood"]["sas"] == 400 and view["sas"] == []
    same(json.dumps(view), _sequential(extraction))


def test_the_scope_keeps_the_sas_of_one_peer_in_report_order(busy, always_parallel) -> None:
    whole = json.loads(_sequential(busy, messages=False))
    peer = whole["sas"][-1]["responder"]["address"]
    narrowed = analyse(busy, False, scope=Scope(peer=peer), jobs=2)
    kept = [sa for sa in whole["sas"] if peer in (sa["initiator"]["address"], sa["responder"]["address"])]
    assert narrowed.view["sas"] == kept and narrowed.diagnosed == len(whole["sas"])
    assert narrowed.view["summary"]["sas"] == len(kept) < len(whole["sas"])


def test_shards_hold_whole_peer_pairs_in_capture_order(busy) -> None:
    buckets = group(as_store(busy.messages)).buckets
    shards = pipeline._shards(buckets, 3)
    assert len(shards) == 3 and sorted(i for shard in shards for i in shard) == list(range(len(buckets)))
    home = {}
    for n, shard in enumerate(shards):
        assert shard == sorted(shard)
        for i in shard:
            assert home.setdefault(buckets[i].key[2:4], n) == n


def test_a_busy_pair_is_cut_in_runs_of_consecutive_sas_no_heavier_than_a_chunk(busy, monkeypatch) -> None:
    """The busy capture's one pair holds more than half the work: whole, it would be one process's
    while the others wait. Cut into runs of consecutive SAs, it is dealt out a chunk at a time."""
    buckets = group(as_store(busy.messages)).buckets
    everything = list(range(len(buckets)))
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", pipeline._weight(buckets, everything) // 8)
    whole = pipeline._chunks(everything, buckets, split=False)
    chunks = pipeline._chunks(everything, buckets)
    assert sorted(i for chunk in chunks for i in chunk) == everything
    split = pipeline._split(buckets, chunks)
    assert split and not pipeline._split(buckets, whole)
    busiest = max(split.values(), key=len)
    assert 2 * len(busiest) > len(buckets)
    segments = pipeline._segments(buckets, busiest, pipeline._weight(buckets, busiest) / 5)
    assert len(segments) >= 5 and [i for segment in segments for i in segment] == busiest
    heaviest_sa = max(pipeline._weight(buckets, [i]) for i in everything)
    assert max(pipeline._weight(buckets, chunk) for chunk in chunks) < 2 * pipeline.CHUNK_WEIGHT + heaviest_sa
    assert max(pipeline._weight(buckets, chunk) for chunk in whole) > pipeline._weight(buckets, everything) / 2


def test_a_pair_whose_sas_began_out_of_capture_order_is_not_split() -> None:
    """Where the capture's clock steps back, an SA placed earlier can begin after a later one ends:
    a shard could not tell that such an SA supersedes an attempt after it, so the pair stays whole."""
    messages = []
    for n, began in enumerate((1.0, 50.0, 20.0, 60.0)):
        conversation = Conversation(responder="198.51.100.20")
        conversation.healthy_main(began)
        messages += conversation.renamed(bytes([n + 1]) * 8)
    buckets = group(Store.holding(messages), range(len(messages))).buckets     # in the order given: the third SA
    assert [round(b.began) for b in buckets] == [1, 50, 20, 60]                 # began before the second
    assert not pipeline._in_order(buckets, list(range(4)))
    assert pipeline._in_order(buckets, [0, 1, 3])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "CHUNK_WEIGHT", 1)
        assert not pipeline._split(buckets, pipeline._chunks([0, 1, 2, 3], buckets))
        assert pipeline._split(buckets[:2] + buckets[3:], pipeline._chunks([0, 1, 2], buckets[:2] + buckets[3:]))


@pytest.fixture
def every_pair_split(monkeypatch, always_parallel):
    """Every peer pair cut an SA at a time: any SA whose diagnosis reads another SA of its pair
    finds that SA in another chunk, which another process may have taken."""
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 1)


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=lambda p: p.name)
def test_every_capture_split_an_sa_at_a_time_gives_the_sequential_report(path: Path, every_pair_split) -> None:
    extraction = extract([str(path)], jobs=1)
    same(_sharded(extraction, jobs=3), _sequential(extraction))


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_busy_capture_split_an_sa_at_a_time_gives_the_sequential_report(busy, jobs, every_pair_split) -> None:
    same(_sharded(busy, jobs, messages=False), _sequential(busy, messages=False))


def test_sas_between_the_same_peers_are_diagnosed_together(always_parallel) -> None:
    """An unanswered attempt is superseded by a later SA between the same peers, and an ICMP
    error goes to the latest SA between them that began before it: both look across SAs, and
    come out the same when the pair's SAs are spread among other pairs' in several shards."""
    messages = []
    for n in range(6):
        peer = f"198.51.100.{20 + n}"
        attempt, later = Conversation(responder=peer), Conversation(responder=peer)
        attempt.mm(1, 10.0 * n)
        later.healthy_main(10.0 * n + 5)
        messages += attempt.renamed(bytes([n]) * 8) + later.renamed(bytes([n + 100]) * 8)
    alone = Conversation(responder="198.51.100.99")     # one more SA, so that the shards' loads differ
    alone.healthy_main(1.0)
    messages += alone.renamed(bytes([99]) * 8)
    quoted = QuotedDatagram("192.0.2.10", "198.51.100.23", 17, 500, 500, None)
    error = IcmpError("built", 99, 38.0, "198.51.100.23", "192.0.2.10", 4, 3, 3, "port unreachable", None, quoted)
    extraction = Extraction(engine="native", messages=messages, icmp_errors=[error])
    view = json.loads(_sharded(extraction, jobs=3))
    assert [sa["cause"] for sa in view["sas"]].count("superseded") == 6
    assert sum(len(sa["icmp_errors"]) for sa in view["sas"]) == 1
    same(json.dumps(view), _sequential(extraction))


def test_sas_between_the_same_peers_in_different_shards_are_diagnosed_as_together(every_pair_split) -> None:
    """An attempt whose pair is split finds the SA that supersedes it in another shard, past SAs
    between the same peers that did not complete (correlated where the attempt is), and an ICMP
    error goes to the SA it would go to among all of the pair's, whichever shard holds it."""
    messages = []
    for n in range(4):
        peer = f"198.51.100.{20 + n}"
        first, second, later = (Conversation(responder=peer) for _ in range(3))
        first.mm(1, 30.0 * n)
        second.mm(1, 30.0 * n + 5)          # another attempt in between: it supersedes nothing
        later.healthy_main(30.0 * n + 12)
        messages += first.renamed(bytes([n]) * 8) + second.renamed(bytes([n + 50]) * 8)
        messages += later.renamed(bytes([n + 100]) * 8)
    quoted = QuotedDatagram("192.0.2.10", "198.51.100.21", 17, 500, 500, None)
    error = IcmpError("built", 99, 38.0, "198.51.100.21", "192.0.2.10", 4, 3, 3, "port unreachable", None, quoted)
    extraction = Extraction(engine="native", messages=messages, icmp_errors=[error])
    buckets = group(as_store(messages)).buckets
    assert len(pipeline._split(buckets, pipeline._chunks(list(range(len(buckets))), buckets))) == 4
    view = json.loads(_sharded(extraction, jobs=3))
    assert [sa["cause"] for sa in view["sas"]].count("superseded") == 8
    assert sum(len(sa["icmp_errors"]) for sa in view["sas"]) == 1
    same(json.dumps(view), _sequential(extraction))


# --- decryption in the shards ------------------------------------------------------------------

KEYED = [p for p in CAPTURE_FILES if beside(p)]


def _decrypted_in_one_piece(path: Path, keys: KeyStore, messages: bool = True) -> str:
    extraction = extract([str(path)], jobs=1)
    apply(extraction, keys)
    return _sequential(extraction, messages)


def _decrypted_in_shards(path: Path, keys: KeyStore, jobs: int, messages: bool = True) -> str:
    return json.dumps(analyse(extract([str(path)], jobs=1), messages, jobs=jobs, keys=keys).view)


def test_there_are_keyed_captures_to_compare():
    assert len(KEYED) >= 8


@pytest.mark.parametrize("path", KEYED, ids=lambda p: p.name)
def test_keys_that_name_their_sa_decrypt_in_the_shards_as_in_one_piece(path: Path, always_parallel) -> None:
    keys = read_keys(beside(path))
    assert keys and all(sa_of(key) is not None for key in key_order(keys))
    view = _decrypted_in_shards(path, keys, jobs=2)
    same(view, _decrypted_in_one_piece(path, keys))
    assert json.loads(view)["decryption"]              # the report says which key opened which SA


def test_keys_from_a_log_decrypt_the_whole_capture_first(corpus, always_parallel) -> None:
    """A key from a log names no SA: it is tried on SA after SA, in one process, before the shards."""
    base = corpus / "rub-nds-ikev1-psk"
    keys = read_keys([base / "logs" / "ikev1-psk-main-mode-incomplete-responder-view-journalctl-filtered.log"])
    assert keys and all(sa_of(key) is None for key in key_order(keys))
    path = base / "ikev1-psk-main-mode-incomplete.pcapng"
    view = _decrypted_in_shards(path, keys, jobs=2)
    same(view, _decrypted_in_one_piece(path, keys))
    assert json.loads(view)["decryption"]


@pytest.fixture(scope="module")
def keyed_busy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keyed") / "keyed.pcap"
    bench_span().build_keyed(path, 3000)
    return path


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_busy_keyed_capture_decrypts_in_shards_as_in_one_piece(keyed_busy, jobs, always_parallel) -> None:
    keys = gather([], [str(keyed_busy)])
    assert len(keys.v1) + len(keys.v2) >= 20
    same(_decrypted_in_shards(keyed_busy, keys, jobs, messages=False),
         _decrypted_in_one_piece(keyed_busy, keys, messages=False))
    same(_decrypted_in_shards(keyed_busy, keys, jobs), _decrypted_in_one_piece(keyed_busy, keys))


def test_a_key_for_an_sa_not_in_the_capture_is_still_reported(always_parallel) -> None:
    path = next(p for p in KEYED if read_keys(beside(p)).v1)
    keys = read_keys(beside(path))
    stranger = replace(keys.v1[0], icookie=bytes(range(8)))
    keys = replace(keys, v1=keys.v1 + (stranger,))
    view = json.loads(_decrypted_in_shards(path, keys, jobs=2))
    assert any("no IKEv1 SA with initiator cookie 0001020304050607" in w for w in view["capture"]["warnings"])
    same(json.dumps(view), _decrypted_in_one_piece(path, keys))


def test_shards_keep_the_pairs_of_one_initiator_spi_together() -> None:
    """A key opens every message under its initiator SPI in order (IKEv1's IVs chain through
    them), so the pairs an SPI was seen between go to one shard, and with keys no pair is split."""
    messages = []
    for n in range(8):
        conversation = Conversation(responder=f"198.51.100.{30 + n}")
        conversation.healthy_main(10.0 * n)
        messages += conversation.renamed(bytes([n // 2]) * 8)     # each SPI between two pairs
    buckets = group(as_store(messages)).buckets
    shards = pipeline._shards(buckets, 4)
    home = {}
    for number, shard in enumerate(shards):
        for i in shard:
            assert home.setdefault(buckets[i].key[:2], number) == number
    assert len(shards) == 4 and all(shards)


def test_what_views_take_whole_from_the_tables_is_shared_not_copied(busy) -> None:
    """Commands, causes and checks come from the tables: one object for every SA that shows them
    (a busy headend's views grow with its SAs)."""
    sas = analyse(busy, False, jobs=1).view["sas"]
    by_name: dict = {}
    for sa in sas:
        for side in ("initiator", "responder"):
            name = (sa[side]["implementation"] or {}).get("name"), side
            assert by_name.setdefault(name, sa[side]["commands"]) is sa[side]["commands"]
    findings = [f for sa in sas for f in sa["findings"]]
    by_rule = {}
    for f in findings:
        first = by_rule.setdefault((f["rule"], tuple(c["id"] for c in f["causes"])), f)
        assert first["causes"] is f["causes"] and (first["checks"] is f["checks"] or first["checks"] != f["checks"])
    assert len(findings) > len(by_rule) > 1


# --- an SA at a time -----------------------------------------------------------------------------

def test_each_diagnosis_is_handed_on_before_the_next_sa_is_diagnosed_and_attempts_last(monkeypatch) -> None:
    """A busy peer pair's thousands of SAs are diagnosed together; what is handed on at once can
    be let go at once. An unanswered attempt waits for the SAs after it, which may supersede it."""
    from ikepcap.diagnose import diagnose as diagnose_module
    messages = []
    attempt, later, other = (Conversation(responder="198.51.100.20") for _ in range(3))
    attempt.mm(1, 1.0)
    later.healthy_main(5.0)
    other.healthy_main(9.0)
    for n, conversation in enumerate((attempt, later, other)):
        messages += conversation.renamed(bytes([n + 1]) * 8)
    sas = correlate(Extraction(engine="native", messages=messages)).sas
    assert len(sas) == 3
    calls = []
    real = diagnose_module.diagnose_sa
    monkeypatch.setattr(diagnose_module, "diagnose_sa", lambda sa: calls.append(sa) or real(sa))
    handed = [(place, len(calls), d) for place, d in diagnose_module.diagnose_each(sas)]
    assert [(place, seen) for place, seen, _ in handed] == [(1, 2), (2, 3), (0, 3)]
    assert handed[-1][2].verdict.cause == "superseded"
    assert [d for _, _, d in sorted(handed, key=lambda h: h[0])] == diagnose_module.diagnose_sas(sas)


def test_a_chunk_lets_what_an_sa_decoded_go_once_its_entry_is_made(busy, monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_WEIGHT", 10 ** 9)          # one chunk: every peer pair together
    handed, held = [], []
    real = pipeline.diagnose_each

    def watched(sas, later):
        for place, d in real(sas, later):
            held.append(sum(1 for sa in handed for step in sa.steps if step.message.cache))
            handed.append(d.sa)
            yield place, d

    monkeypatch.setattr(pipeline, "diagnose_each", watched)
    analyse(busy, False, jobs=1)
    assert len(handed) > 100 and not any(held)
    assert sum(1 for sa in handed for step in sa.steps if step.message.cache) == 0
