"""A capture's messages and a key store in, the payloads inside the encrypted ones out.

Only the SAs a key names are looked at, so decryption costs nothing without keys. A key that
names no SA (a key from a log, which does not) is tried on each SA of its version that no
other key covers, and kept for the first SA of which it opens a message (with another PSK the
peers' keys differ, so the key of one side may open only that side's messages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ikepcap.decode import iana
from ikepcap.decode.encrypted import CISCO_LAST_FRAGMENT
from ikepcap.decode.message import clear_links
from ikepcap.decode.model import (
    V1_CISCO_FRAGMENT,
    V1_FLAG_ENCRYPTION,
    V1_KE,
    V1_SA,
    V2_SK,
    V2_SKF,
    Message,
    Plaintext,
)
from ikepcap.decode.sa import chosen_v1
from ikepcap.decode.wire import CiscoFragment, GenericPayloadHeader, SkfV2
from ikepcap.decrypt import ikev1, ikev2
from ikepcap.decrypt.algorithms import V1_CIPHERS, V1_HASHES, negotiated_v2
from ikepcap.decrypt.keys import KeySource, KeyStore, V1Key, V2Key
from ikepcap.read.model import frame_label

MessageId = tuple[str, int]                     # (file, frame): what a result belongs to
# Main Mode (MM3/MM4) and Aggressive Mode (AM1/AM2) carry the KE payloads of the first IV.
V1_EXCHANGES_WITH_KE = (iana.V1_EXCHANGE_TYPES.number("Main Mode"), iana.V1_EXCHANGE_TYPES.number("Aggressive Mode"))
V1_ATTR_ENCRYPTION, V1_ATTR_HASH, V1_ATTR_KEY_LENGTH = (iana.V1_IKE_ATTRIBUTES.number(name) for name in (
    "Encryption Algorithm", "Hash Algorithm", "Key Length"))


@dataclass(frozen=True, slots=True)
class Inner:
    """What one encrypted message carried: the payload chain inside, left for the message to
    decode when asked (``Message.plaintext``).

    For a message sent in fragments (IKEv2 SKF, Cisco IKEv1 fragments) the chain is on the
    message that completed it; ``parts`` lists the frames of all its fragments, and the other
    fragments carry no chain of their own."""

    plaintext: Plaintext
    source: KeySource
    parts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """An encrypted message the key did not open: integrity failed, padding or payload chain
    garbled (IKEv1's sign of a wrong key or IV), unknown algorithm, truncated."""

    reason: str
    source: KeySource


@dataclass(frozen=True, slots=True)
class KeyUse:
    """Which key decrypted which SA, and how well."""

    source: KeySource
    version: int
    ispi: bytes
    rspi: bytes
    decrypted: int
    failed: int


@dataclass(frozen=True, slots=True)
class Decryption:
    results: dict[MessageId, Inner | Failed] = field(default_factory=dict)
    uses: tuple[KeyUse, ...] = ()
    warnings: tuple[str, ...] = ()

    def of(self, message: Message) -> Inner | Failed | None:
        return self.results.get((message.file, message.frame))


Key = V1Key | V2Key
SpiGroups = dict[tuple[int, bytes], list[Message]]     # (major version, initiator SPI): its messages


def decrypt(messages: Iterable[Message], keys: KeyStore) -> Decryption:
    """Decrypt the SAs ``keys`` has keys for; ``messages`` in capture order."""
    if not keys:
        return Decryption(warnings=keys.warnings)
    by_spi = spi_groups(messages)
    return joined(keys, try_keys(by_spi, key_order(keys)))


def spi_groups(messages: Iterable[Message]) -> SpiGroups:
    """The messages under each initiator SPI, in the order given: what a key is tried on (an
    IKEv1 SA's IVs chain through its messages in order)."""
    by_spi: SpiGroups = defaultdict(list)
    for message in messages:
        by_spi[(message.major, message.ispi)].append(message)
    return by_spi


def key_order(keys: KeyStore) -> list[Key]:
    """The keys in the order they are tried: IKEv2's, then IKEv1's, each version's keys that
    name their SA first, so that a key from a log is tried only on the SAs left over."""
    return [*sorted(keys.v2, key=lambda k: k.ispi is None), *sorted(keys.v1, key=lambda k: k.icookie is None)]


def sa_of(key: Key) -> tuple[int, bytes] | None:
    """The ``spi_groups`` entry a key names; None for a key from a log that names none."""
    if isinstance(key, V2Key):
        return None if key.ispi is None else (2, key.ispi)
    return None if key.icookie is None else (1, key.icookie)


@dataclass(slots=True)
class Outcome:
    """One key's work: what it opened, its use, what it warns of."""

    results: dict[MessageId, Inner | Failed] = field(default_factory=dict)
    uses: list[KeyUse] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def try_keys(by_spi: SpiGroups, keys: Iterable[Key]) -> list[Outcome]:
    """Each key tried in turn. A key that names its SA needs nothing from the others, so any
    such keys can be tried apart; a key from a log leaves the SAs that earlier keys opened."""
    taken: set[tuple[int, bytes, bytes]] = set()
    outcomes = []
    for key in keys:
        run = _Run(by_spi, taken)
        if isinstance(key, V2Key):
            run.v2(key)
        else:
            run.v1(key)
        taken.update((use.version, use.ispi, use.rspi) for use in run.outcome.uses)
        outcomes.append(run.outcome)
    return outcomes


def joined(keys: KeyStore, outcomes: Iterable[Outcome]) -> Decryption:
    """The outcomes of ``keys``' keys, in ``key_order``, as one decryption."""
    results: dict[MessageId, Inner | Failed] = {}
    uses: list[KeyUse] = []
    warnings = list(keys.warnings)
    for outcome in outcomes:
        results.update(outcome.results)
        uses += outcome.uses
        warnings += outcome.warnings
    return Decryption(results, tuple(uses), tuple(warnings))


@dataclass(slots=True)
class _Run:
    by_spi: SpiGroups
    taken: set[tuple[int, bytes, bytes]]            # SAs opened by earlier keys
    outcome: Outcome = field(default_factory=Outcome)

    def _record(self, source: KeySource, version: int, ispi: bytes, rspi: bytes,
                results: dict[MessageId, Inner | Failed]) -> None:
        self.outcome.results.update(results)
        failed = [r for r in results.items() if isinstance(r[1], Failed)]
        decrypted = sum(isinstance(r, Inner) and r.plaintext.first_payload != 0 for r in results.values())
        self.outcome.uses.append(KeyUse(source, version, ispi, rspi, decrypted, len(failed)))
        if failed:
            reasons = sorted({r.reason.split(':')[0] for _, r in failed})
            frames = ", ".join(frame_label(*key) for key, _ in failed[:8]) + (" …" if len(failed) > 8 else "")
            self.outcome.warnings.append(f"{source}: {len(failed)} of {len(results)} encrypted message(s) of SA "
                                         f"{ispi.hex()}/{rspi.hex()} did not decrypt ({'; '.join(reasons)}): {frames}")

    # --- IKEv2 --------------------------------------------------------------------------------

    def v2(self, key: V2Key) -> None:
        if key.ispi is None:
            for (major, ispi), messages in self.by_spi.items():
                for rspi in dict.fromkeys(m.rspi for m in messages if m.encrypted):
                    if major == 2 and (2, ispi, rspi) not in self.taken and self._v2_sa(key, ispi, rspi, trial=True):
                        return
            self.outcome.warnings.append(f"{key.source}: this IKEv2 key opens no SA of the capture")
            return
        named = f"IKEv2 SA {key.ispi.hex()}/{key.rspi.hex()}"
        sa = [m for m in self.by_spi.get((2, key.ispi), []) if m.rspi == key.rspi]
        if not sa:
            self.outcome.warnings.append(f"{key.source}: no {named} in the capture")
        elif not any(m.encrypted for m in sa):
            self.outcome.warnings.append(f"{key.source}: {named} has no encrypted message in the capture")
        else:
            self._v2_sa(key, key.ispi, key.rspi, trial=False)

    def _v2_sa(self, key: V2Key, ispi: bytes, rspi: bytes, trial: bool) -> bool:
        messages = self.by_spi.get((2, ispi), [])
        encrypted = [m for m in messages if m.rspi == rspi and m.encrypted]
        if not encrypted:
            return False
        encryption, integrity = key.encryption, key.integrity
        if encryption is None:
            negotiated = negotiated_v2(messages)
            if negotiated is None:
                if not trial:
                    self.outcome.warnings.append(f"{key.source}: the key names no algorithms and the capture "
                                                 f"holds no IKE_SA_INIT response of SA {ispi.hex()}/{rspi.hex()} "
                                                 "that does")
                return False
            encryption, integrity = negotiated.encryption, negotiated.integrity
        initiator = ikev2.Direction(encryption, integrity, key.sk_ei, key.sk_ai)
        responder = ikev2.Direction(encryption, integrity, key.sk_er, key.sk_ar)
        fragments: dict[tuple[bool, int], dict[int, tuple[Message, bytes, int]]] = defaultdict(dict)
        complete: set[tuple[bool, int]] = set()     # later copies of a fragment do not reassemble again
        results: dict[MessageId, Inner | Failed] = {}
        for message in encrypted:
            keys = initiator if message.from_original_initiator else responder
            opened = _open_v2(message, keys)
            if isinstance(opened, ikev2.Refused):
                results[(message.file, message.frame)] = Failed(opened.reason, key.source)
                continue
            chain, first, number, total = opened
            if total == 0:
                results[(message.file, message.frame)] = Inner(Plaintext(first, chain), key.source)
                continue
            which = (message.from_original_initiator, message.message_id)
            parts = fragments[which]
            parts.setdefault(number, (message, chain, first))
            results[(message.file, message.frame)] = Inner(Plaintext(0, b"", (f"fragment {number} of {total}",)),
                                                           key.source)
            if which not in complete and all(n in parts for n in range(1, total + 1)):
                complete.add(which)
                whole = b"".join(parts[n][1] for n in range(1, total + 1))
                frames = tuple(parts[n][0].frame for n in range(1, total + 1))
                results[(message.file, message.frame)] = Inner(Plaintext(parts[1][2], whole), key.source, frames)
        if trial and not any(isinstance(r, Inner) for r in results.values()):
            return False                        # a key from a log that is not this SA's
        self._record(key.source, 2, ispi, rspi, results)
        return True

    # --- IKEv1 --------------------------------------------------------------------------------

    def v1(self, key: V1Key) -> None:
        if key.icookie is None:
            taken = {t[:2] for t in self.taken}
            for (major, ispi), messages in self.by_spi.items():
                if major == 1 and (1, ispi) not in taken and \
                        self._v1_sa(key, ispi, messages, trial=True):
                    return
            self.outcome.warnings.append(f"{key.source}: this IKEv1 key opens no SA of the capture")
            return
        messages = self.by_spi.get((1, key.icookie), [])
        if not messages:
            self.outcome.warnings.append(f"{key.source}: no IKEv1 SA with initiator cookie {key.icookie.hex()} "
                                         "in the capture")
            return
        self._v1_sa(key, key.icookie, messages, trial=False)

    def _v1_sa(self, key: V1Key, icookie: bytes, messages: list[Message], trial: bool) -> bool:
        protected = [m for m in messages if m.flags & V1_FLAG_ENCRYPTION or m.chain[:1] == (V1_CISCO_FRAGMENT,)]
        if not protected:
            if not trial:
                self.outcome.warnings.append(f"{key.source}: IKEv1 SA {icookie.hex()} has no encrypted message")
            return False
        session = _v1_session(key, messages)
        rspi = next((m.rspi for m in messages if any(m.rspi)), bytes(8))
        if isinstance(session, str):
            if not trial:
                self.outcome.warnings.append(f"{key.source}: IKEv1 SA {icookie.hex()}: {session}")
            return False
        results: dict[MessageId, Inner | Failed] = {}
        pieces: dict[int, list[tuple[int, bool, bytes]]] = defaultdict(list)
        piece_frames: dict[int, list[int]] = defaultdict(list)
        for message in protected:
            data, parts = message.data, ()
            if not message.flags & V1_FLAG_ENCRYPTION:
                fragment = _cisco_fragment(message)
                if fragment is None:
                    continue
                fragment_id, number, last, body = fragment
                pieces[fragment_id].append((number, last, body))
                piece_frames[fragment_id].append(message.frame)
                whole = ikev1.cisco_reassemble(pieces[fragment_id])
                if whole is None:
                    results[(message.file, message.frame)] = Inner(Plaintext(0, b"", (f"Cisco fragment {number}",)),
                                                                   key.source)
                    continue
                data, parts = whole, tuple(piece_frames.pop(fragment_id))
                pieces.pop(fragment_id)
            opened = session.open(data)
            if isinstance(opened, ikev1.Garbled):
                results[(message.file, message.frame)] = Failed(opened.reason, key.source)
                continue
            results[(message.file, message.frame)] = Inner(opened, key.source, parts)
        if trial and not any(isinstance(r, Inner) for r in results.values()):
            return False                        # a key from a log that is not this SA's
        self._record(key.source, 1, icookie, rspi, results)
        return True


def _open_v2(message: Message, keys: ikev2.Direction) -> tuple[bytes, int, int, int] | ikev2.Refused:
    """(plaintext chain, first inner payload, fragment number, total; 0 when not a fragment)."""
    link = next((link for link in clear_links(message) if link[0] in (V2_SK, V2_SKF)), None)
    if link is None:
        return ikev2.Refused("no SK payload")
    kind, offset, body_end, next_payload, _, _ = link
    number = total = 0
    if kind == V2_SKF:
        fixed = SkfV2.unpack(message.data[offset + GenericPayloadHeader.size:body_end])
        if fixed is None or not 1 <= fixed.number <= fixed.total:
            return ikev2.Refused("truncated or out-of-range fragment header")
        number, total = fixed.number, fixed.total
    opened = ikev2.open_encrypted(message.data, ikev2.sk_iv_start(offset, kind == V2_SKF), body_end, keys)
    if isinstance(opened, ikev2.Refused):
        return opened
    return opened.chain, next_payload, number, total


def _v1_session(key: V1Key, messages: list[Message]) -> ikev1.Session | str:
    """The IV state for an ISAKMP SA: cipher and hash from the responder's SA payload, g^xi and
    g^xr from the KE payloads of MM3/MM4 or AM1/AM2."""
    # The initiator sent the message with no responder cookie yet (MM1/AM1); a capture that
    # starts later has only the order to go by.
    initiator = next((m.src for m in messages if not any(m.rspi)), messages[0].src)
    chosen = None
    kes: dict[bool, bytes] = {}
    for message in messages:
        if message.exchange_type not in V1_EXCHANGES_WITH_KE or message.flags & V1_FLAG_ENCRYPTION:
            continue
        from_initiator = message.src == initiator
        wanted = set() if from_initiator in kes else {V1_KE}
        if not from_initiator and chosen is None:
            wanted.add(V1_SA)
        wanted.intersection_update(message.chain)
        for kind, offset, body_end, *_ in clear_links(message) if wanted else ():
            if kind not in wanted:
                continue
            body = message.data[offset + GenericPayloadHeader.size:body_end]
            if kind == V1_SA and chosen is None:
                chosen = chosen_v1(body)
                if chosen is not None:
                    wanted.discard(V1_SA)
            elif kind == V1_KE:
                kes[from_initiator] = body
                wanted.discard(V1_KE)
            if not wanted:
                break
        if chosen is not None and len(kes) == 2:
            break
    if chosen is None:
        return "the capture holds no responder SA payload (MM2/AM2) naming the cipher"
    if len(kes) < 2:
        return "the capture lacks a KE payload of MM3/MM4 (AM1/AM2), which the first IV needs"
    cipher = V1_CIPHERS.get(chosen.get(V1_ATTR_ENCRYPTION))
    hash_name = V1_HASHES.get(chosen.get(V1_ATTR_HASH))
    if cipher is None or hash_name is None:
        return (f"encryption algorithm {chosen.get(V1_ATTR_ENCRYPTION)} / hash {chosen.get(V1_ATTR_HASH)} "
                "is not one ikepcap decrypts")
    bits = chosen.get(V1_ATTR_KEY_LENGTH)
    fitted = ikev1.fit_key(key.encryption_key, cipher, bits if isinstance(bits, int) else None)
    if isinstance(fitted, str):
        return fitted
    return ikev1.Session(fitted, cipher, hash_name, ikev1.phase1_iv(hash_name, kes[True], kes[False], cipher.block))


def _cisco_fragment(message: Message) -> tuple[int, int, bool, bytes] | None:
    """(fragment id, number, last, data) of a Cisco fragmentation payload (type 132)."""
    link = next((link for link in clear_links(message) if link[0] == V1_CISCO_FRAGMENT), None)
    if link is None:
        return None
    _, offset, body_end, *_ = link
    body = message.data[offset + GenericPayloadHeader.size:body_end]
    fixed = CiscoFragment.unpack(body)
    if fixed is None:
        return None
    return fixed.fragment_id, fixed.number, bool(fixed.flags & CISCO_LAST_FRAGMENT), body[CiscoFragment.size:]
