"""The columnar store of kept datagrams: every message it makes is the one the datagram decodes to,
its header reads agree with the message's, and the pipeline reads it without making every message
in the process that forks the workers."""

from __future__ import annotations

import pickle
import random
from array import array

import pytest
from conftest import bench_span, read_captures

from ikepcap import pipeline
from ikepcap.correlate import sas
from ikepcap.correlate.correlate import notes
from ikepcap.correlate.sas import CAPTURE_DUPLICATE_SECONDS, Bucket
from ikepcap.decode.message import decode_datagram
from ikepcap.decode.model import conversation_key
from ikepcap.extract import native
from ikepcap.extract.model import Extraction
from ikepcap.extract.native import extract
from ikepcap.extract.store import Store, as_store
from ikepcap.read.model import Datagram


def _state(message) -> tuple:
    return (message.file, message.frame, message.time, message.src, message.dst, message.sport, message.dport,
            message.marker, message.ip_length, message.fragments, message.ispi, message.rspi, message.chain,
            message.data, message.notes, message.ttl, message.exchange, message.message_id)


def _conversation(store: Store, i: int) -> tuple:
    """The message's ``Message.conversation`` as grouping reads it: from its header and the columns."""
    ispi, _, version, _ = sas._HEADER.unpack_from(store.blob, store.start[i])
    return conversation_key(version, ispi.to_bytes(8, "big"), store.addresses[store.src[i]],
                            store.addresses[store.dst[i]])


def test_every_capture_reads_back_from_its_columns():
    checked = 0
    for path, extraction in read_captures():
        store = extraction.messages
        assert isinstance(store, Store), path
        for i in range(len(store)):
            made = store.message(i)
            assert _state(made) == _state(decode_datagram(store.datagram(i))), (path, i)
            assert _conversation(store, i) == made.conversation
            ispi, rspi, version, exchange_type = sas._HEADER.unpack_from(store.blob, store.start[i])
            assert (ispi.to_bytes(8, "big"), rspi.to_bytes(8, "big")) == (made.ispi, made.rspi)
            assert (version, exchange_type, store.payload(i)) == (made.version, made.exchange_type, made.data)
            seen = store.seen(i)
            assert (seen.place, seen.src, seen.dst, seen.time) == (i, made.src, made.dst, made.time)
            checked += 1
        assert store._made is None, "reading the columns made no message for the list"
        places = array("I", range(0, len(store), 2))
        seens = store.seens(places)
        assert list(seens) == [store.seen(i) for i in places] and len(seens) == len(places), path
        if places:
            assert seens[-1] == store.seen(places[-1]) and seens[1:3] == [store.seen(i) for i in places[1:3]]
    assert checked > 300


def _datagram(n: int, file: str = "a.pcap", fragments: tuple[int, ...] = (), ttl: int | None = 64) -> Datagram:
    payload = bytes([n]) * 8 + bytes(8) + bytes([1, 0x10, 2, 0]) + bytes(4) + (28).to_bytes(4, "big")
    return Datagram(file, n, 10.0 + n, f"192.0.2.{n}", "198.51.100.1", 500, 4500 if n % 2 else 500, payload,
                    bool(n % 2), 56 + n, fragments, bool(n % 3 == 0), ttl)


def test_a_store_extended_column_by_column_is_the_one_added_to_datagram_by_datagram():
    first = Store([_datagram(1), _datagram(2, "b.pcap", ttl=None)])
    second = Store([_datagram(3, "b.pcap", (1, 2)), _datagram(4, "c.pcap")])
    whole = Store([_datagram(1), _datagram(2, "b.pcap", ttl=None)])
    for datagram in second.datagrams():
        whole.add(datagram, 100)
    first.extend(second, 100)
    assert list(first.datagrams()) == list(whole.datagrams())
    assert [d.frame for d in first.datagrams()] == [1, 2, 103, 104]
    assert first.datagram(2).fragments == (101, 102) and first.datagram(1).ttl is None
    back = pickle.loads(pickle.dumps(first))
    assert list(back.datagrams()) == list(first.datagrams())


def test_the_list_a_store_stands_for_makes_each_message_once():
    store = Store([_datagram(1), _datagram(2)])
    assert store.message(0) is not store.message(0)         # made for the caller, not kept
    listed = list(store)
    assert store[0] is listed[0] and store.message(1) is listed[1] and store[-1] is listed[1]
    assert store == listed and listed == store and store[0:1] == listed[:1]
    with pytest.raises(IndexError):
        store[2]


def test_a_list_of_messages_is_held_as_it_is():
    messages = [decode_datagram(_datagram(n)) for n in (1, 2, 3)]
    store = as_store(messages)
    assert [store.message(i) for i in range(3)] == messages and store.message(1) is messages[1]
    assert [_conversation(store, i) for i in range(3)] == [m.conversation for m in messages]
    assert as_store(store) is store


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_pipeline_makes_no_message_for_the_list(busy, jobs, monkeypatch):
    """Messages are made a chunk at a time where they are worked on; a list of them all, in the
    process the workers fork from, is what the store is for not holding."""
    monkeypatch.setattr(pipeline, "PARALLEL_MESSAGES", 0)
    extraction = Extraction(engine="native", messages=Store(busy.messages.datagrams()), files=busy.files)
    pipeline.analyse(extraction, False, jobs=jobs, whole=False)
    assert extraction.messages._made is None


def test_a_captures_store_is_what_one_pass_keeps(tmp_path, monkeypatch):
    """Read in ranges or in one pass, the capture's store is the same, datagram by datagram."""
    monkeypatch.setattr(native, "SPLIT_BYTES", 4096)
    path = tmp_path / "heavy.pcap"
    bench_span().build_ike_heavy(path, 3000, 1)
    assert len(native.plan([str(path)], 3)) == 3
    assert list(extract([str(path)], jobs=1).messages.datagrams()) == \
        list(extract([str(path)], jobs=3).messages.datagrams())


def _copies_by_hashing_all(store: Store, indices: list[int]) -> list[int]:
    """The rule as stated: a message is a copy when its sender's last message with the same bytes
    came less than CAPTURE_DUPLICATE_SECONDS before."""
    last_seen, copies = {}, []
    for i in indices:
        seen_as = (store.payload(i), store.src[i])
        seen = last_seen.get(seen_as)
        last_seen[seen_as] = store.time[i]
        if seen is not None and store.time[i] - seen < CAPTURE_DUPLICATE_SECONDS:
            copies.append(i)
    return copies


def test_capture_copies_are_found_hashing_only_senders_that_came_that_soon():
    rng = random.Random(7)
    for _ in range(300):
        datagrams, time = [], 10.0
        for frame in range(1, rng.randrange(2, 40)):
            time += rng.choice((0.0005, 0.001, 0.0019, 0.002, 0.5, -0.001, -1.0))     # copies, resends, steps back
            payload = bytes([rng.randrange(3)]) * 8 + bytes(8) + bytes([1, 0x10, 2, 0]) + bytes(8)
            datagrams.append(Datagram("a.pcap", frame, time, f"192.0.2.{rng.randrange(1, 3)}", "198.51.100.1",
                                      500, 500, payload, False, 64))
        store = Store(datagrams)
        bucket = Bucket((1, bytes(8), "a", "b"), 0.0, array("I", range(len(store))))
        twice: list = []
        sas._drop_capture_duplicates(store, bucket, twice)
        expected = _copies_by_hashing_all(store, list(range(len(store))))
        if store.time[0] == store.time[-1]:
            expected = []
        assert twice == expected
        assert sorted(list(bucket.indices) + expected) == list(range(len(store)))


def test_what_the_bounds_evict_leaves_the_store(tmp_path, monkeypatch):
    """A flood's oldest lone first messages make room as more come: stored once kept, they are
    dropped from the store again whenever they weigh as much as what is kept."""
    monkeypatch.setattr(native, "MAX_CONVERSATIONS", 100)
    monkeypatch.setattr(native, "COMPACT_SLACK", 10)
    compacted = []
    subset = Store.subset
    monkeypatch.setattr(Store, "subset", lambda store, indices: compacted.append(len(store)) or subset(store, indices))
    path = tmp_path / "flood.pcap"
    bench_span().build_flood(path, 1000, 1)
    result = extract([str(path)], jobs=1)
    assert [m.frame for m in result.messages] == list(range(901, 1001))      # the newest lone ones
    assert len(compacted) > 3 and max(compacted) <= 2 * 100 + 10 + 1
    assert result.overflow.messages == 900


def test_an_sa_is_kept_up_to_its_bytes_bound(monkeypatch):
    """An SA's messages are made together where it is diagnosed: past MAX_BYTES_PER_SA of them (64 KB
    messages sent again and again) the later ones are counted, not diagnosed, and the report says so."""
    monkeypatch.setattr(sas, "MAX_BYTES_PER_SA", 100)
    store = Store(_datagram(1) for _ in range(5))           # 28 bytes each, one conversation
    grouping = sas.group(store, range(len(store)))
    (bucket,) = grouping.buckets
    assert (len(bucket.indices), bucket.size, bucket.truncated) == (3, 84, 2)
    assert any("2 later ones were counted, not diagnosed" in note for note in notes(grouping))


def test_a_store_absorbed_whole_is_taken_not_copied():
    part = Store([_datagram(1), _datagram(2, "b.pcap")])
    whole = Store()
    whole.absorb(part)
    assert whole.blob is part.blob and list(whole.datagrams()) == list(part.datagrams())
    later = Store([_datagram(3)])
    whole.absorb(later, 10)                              # into a store that holds some: appended, as extend does
    assert whole.blob is not later.blob and [d.frame for d in whole.datagrams()] == [1, 2, 13]


def test_a_subset_is_the_store_its_datagrams_make_one_by_one():
    """Compaction copies columns: the same datagrams, in the order named, with only the addresses
    they use (a flood's evicted sources must not stay in the table) and their fragments' frames."""
    store = Store([_datagram(1), _datagram(2, "b.pcap", (7, 8), ttl=None), _datagram(3), _datagram(4, fragments=(9,))])
    for indices in ([3, 1], [0, 2], [1], [], [0, 1, 2, 3]):
        subset = store.subset(indices)
        one_by_one = Store(store.datagram(i) for i in indices)
        assert list(subset.datagrams()) == list(one_by_one.datagrams()), indices
        assert sorted(subset.addresses) == sorted(one_by_one.addresses), indices
    assert len(store.subset([])) == 0 and store.subset([]).blob == bytearray()
    subset = store.subset([3, 1])
    subset.add(_datagram(5))
    store.add(_datagram(6))                 # the copy holds no view of the store's blob, which still grows
    assert [d.frame for d in subset.datagrams()] == [4, 2, 5] and subset.fragments == {0: (9,), 1: (7, 8)}


def _header(ispi: int, rspi: int, exchange_type: int, next_payload: int, body: bytes = b"") -> bytes:
    return (ispi.to_bytes(8, "big") + rspi.to_bytes(8, "big") + bytes([next_payload, 0x10, exchange_type, 0])
            + bytes(4) + (28 + len(body)).to_bytes(4, "big") + body)


def test_grouping_tells_sas_apart_by_the_responder_cookie_and_joins_a_notify_to_its_sa():
    """The same initiator cookie under a second responder cookie is a second SA (a responder that
    restarted); an unprotected Informational under fresh cookies joins the SA its Notify names
    (RFC 2408 §3.14: the cookie pair as the SPI)."""
    a, b = "192.0.2.1", "198.51.100.1"
    # Notify: next 0, length 28, DOI 1, protocol ISAKMP (1), SPI size 16, INVALID_COOKIE (4), the cookie pair
    notify = bytes([0, 0, 0, 28]) + (1).to_bytes(4, "big") + bytes([1, 16]) + (4).to_bytes(2, "big") \
        + (0xA1).to_bytes(8, "big") + (0xB1).to_bytes(8, "big")
    sent = [(a, b, _header(0xA1, 0, 2, 1)), (b, a, _header(0xA1, 0xB1, 2, 1)),    # MM1, MM2
            (b, a, _header(0xA1, 0xB2, 2, 1)),                                     # MM2 from a restarted responder
            (a, b, _header(0xA1, 0xB1, 2, 4)),                                     # MM3 of the first
            (b, a, _header(0xC1, 0xD1, 5, 11, notify)),                            # about the first, fresh cookies
            (b, a, _header(0xA2, 0, 2, 1))]                                        # another SA
    store = Store(Datagram("a.pcap", n, 10.0 + n, src, dst, 500, 500, payload, False, 64)
                  for n, (src, dst, payload) in enumerate(sent, 1))
    grouping = sas.group(store)
    assert [list(bucket.indices) for bucket in grouping.buckets] == [[0, 1, 3, 4], [2], [5]]
    assert [bucket.key for bucket in grouping.buckets] == [
        (1, (0xA1).to_bytes(8, "big"), a, b), (1, (0xA1).to_bytes(8, "big"), a, b, (0xB2).to_bytes(8, "big")),
        (1, (0xA2).to_bytes(8, "big"), a, b)]
    assert [bucket.rspi for bucket in grouping.buckets] == [0xB1, 0xB2, 0]
