"""Exchanges within an SA, each message's name by its place, and which messages are copies.

Main and Aggressive Mode messages are named by sender and content (the responder's SA reply is
MM2 wherever it falls), so a lost or repeated message cannot shift the numbering. Quick Mode and
IKEv2 exchanges are keyed by message ID, and named by who sent what first.

A copy is the same sender repeating a message of the same exchange: the same bytes, or for an
encrypted body the same length (a sender may encrypt the repeat afresh). A copy is a timer
retransmission unless the other side repeated itself just before it, in which case it answers
a duplicate (an IKEv1 responder re-sending its last reply, or an initiator re-sending its last
message when the responder's reply arrives again).
"""

from __future__ import annotations

from ikepcap.correlate.model import (
    AGGRESSIVE,
    AM1,
    AM2,
    AM3,
    AM_UNRECOGNISED,
    DUPLICATE_REPLY,
    IKE_SA_INIT,
    IKE_SA_INIT_RETRY,
    INFORMATIONAL,
    INFORMATIONAL_PROTECTED,
    INFORMATIONAL_UNPROTECTED,
    INITIATOR,
    MAIN,
    MM1,
    MM2,
    MM3,
    MM4,
    MM5,
    MM6,
    MM_UNRECOGNISED,
    QM1,
    QM2,
    QM3,
    QUICK,
    RESPONDER,
    TIMER,
    TRANSACTION,
    TRANSACTION_REPLY,
    TRANSACTION_REQUEST,
    V1_ANSWERS,
    Exchange,
    Step,
    exchange_kind,
    v2_names,
)
from ikepcap.decode.model import (
    V1_CISCO_FRAGMENT,
    V1_KE,
    V1_SA,
    V2_KE,
    V2_SA,
    V2_SKF,
    CiscoFragment,
    EncryptedFragment,
    Message,
)

FRAGMENT_TYPES = frozenset({V2_SKF, V1_CISCO_FRAGMENT})



def _fragment_suffix(message: Message) -> str:
    if FRAGMENT_TYPES.isdisjoint(message.chain):
        return ""
    for payload in message.clear_payloads:
        if isinstance(payload, EncryptedFragment):
            return f" (fragment {payload.number}/{payload.total})"
        if isinstance(payload, CiscoFragment):
            return f" (fragment {payload.number}{', last' if payload.last else ''})"
    return ""


def _main_name(message: Message, sender: str) -> str:
    initiator = sender == INITIATOR
    if message.encrypted:
        return MM5 if initiator else MM6
    if message.carries(V1_SA, V2_SA):
        return MM1 if initiator else MM2
    if message.carries(V1_KE, V2_KE):
        return MM3 if initiator else MM4
    return MM_UNRECOGNISED


def _aggressive_name(message: Message, sender: str) -> str:
    if message.carries(V1_SA, V2_SA):
        return AM1 if sender == INITIATOR else AM2
    return AM3 if sender == INITIATOR else AM_UNRECOGNISED


class ExchangeTracker:
    """Assigns each step of one SA to its exchange and names it."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self._keys: dict[tuple, int] = {}

    def place(self, message: Message, sender: str, steps: list[Step]) -> Step:
        index = len(steps)
        if message.is_v2:
            exchange_index, name = self._v2(message, sender)
        else:
            exchange_index, name = self._v1(message, sender, steps)
        exchange = self.exchanges[exchange_index]
        copy_of = _find_original(message, sender, exchange, steps)
        if copy_of is None:
            copy_number, resend = 1, None
            if name not in exchange.names:
                exchange.names.append(name)
        else:
            name = steps[copy_of].name          # a copy keeps its original's name, wherever it falls
            copy_number = 1 + sum(1 for i in exchange.steps if steps[i].copy_of == copy_of or i == copy_of)
            resend = _resend_kind(message, sender, copy_of, exchange, steps)
        exchange.steps.append(index)
        return Step(index, message, sender, name, exchange_index, copy_of, copy_number, resend)

    def _exchange(self, key: tuple, kind: str, message_id: int, requester: str) -> int:
        index = self._keys.get(key)
        if index is None:
            index = self._keys[key] = len(self.exchanges)
            self.exchanges.append(Exchange(kind, message_id, requester))
        return index

    def _v1(self, message: Message, sender: str, steps: list[Step]) -> tuple[int, str]:
        kind = exchange_kind(message)
        suffix = _fragment_suffix(message)
        if kind == MAIN:
            return self._exchange((MAIN,), MAIN, 0, INITIATOR), _main_name(message, sender) + suffix
        if kind == AGGRESSIVE:
            return self._exchange((AGGRESSIVE,), AGGRESSIVE, 0, INITIATOR), _aggressive_name(message, sender) + suffix
        if kind == INFORMATIONAL:
            # An IKEv1 Informational is a one-message exchange that nobody retransmits: each is
            # sent for a reason of its own (a notification per offending packet, a new DPD
            # R-U-THERE), so even identical bytes make a new exchange, never a copy.
            name = INFORMATIONAL_PROTECTED if message.encrypted else INFORMATIONAL_UNPROTECTED
            key = (INFORMATIONAL, len(self.exchanges))
            return self._exchange(key, INFORMATIONAL, message.message_id, sender), name
        index = self._exchange((kind, message.exchange_type, message.message_id), kind, message.message_id, sender)
        exchange = self.exchanges[index]
        return index, _ordinal_name(kind, message, exchange, steps) + suffix

    def _v2(self, message: Message, sender: str) -> tuple[int, str]:
        kind = exchange_kind(message)
        requester = sender if not message.is_response else (RESPONDER if sender == INITIATOR else INITIATOR)
        index = self._exchange((requester, message.message_id, message.exchange_type), kind, message.message_id,
                               requester)
        request, response = v2_names(message.exchange)
        name = response if message.is_response else request
        exchange = self.exchanges[index]
        if not message.is_response and kind == IKE_SA_INIT and any(n.startswith(name) for n in exchange.names):
            name = IKE_SA_INIT_RETRY
        return index, name + _fragment_suffix(message)


def _ordinal_name(kind: str, message: Message, exchange: Exchange, steps: list[Step]) -> str:
    """QM1/QM2/QM3 and Transaction request/reply: by who sent which distinct message first. A
    copy is named after its original by ``place``."""
    position = sum(1 for i in exchange.steps if steps[i].copy_of is None) + 1
    if kind == QUICK:
        return (QM1, QM2, QM3)[position - 1] if position <= 3 else f"QM (extra {position})"
    if kind == TRANSACTION:
        return (TRANSACTION_REQUEST, TRANSACTION_REPLY)[position - 1] if position <= 2 \
            else f"Transaction ({position})"
    return f"{message.exchange} ({position})"


def _same_message(a: Message, b: Message) -> bool:
    if a.data == b.data:
        return True
    return a.encrypted and b.encrypted and a.length == b.length and a.message_id == b.message_id \
        and a.exchange_type == b.exchange_type and _fragment_suffix(a) == _fragment_suffix(b)


def _find_original(message: Message, sender: str, exchange: Exchange, steps: list[Step]) -> int | None:
    if exchange.kind == INFORMATIONAL and not message.is_v2:
        return None
    for i in exchange.steps:
        step = steps[i]
        if step.copy_of is None and step.sender == sender and _same_message(step.message, message):
            return i
    return None


# A copy sent this soon after a duplicate from the other side answers that duplicate; a timer
# retransmission coinciding that closely with the peer's repeat is rare.
DUPLICATE_ANSWER_SECONDS = 1.0


def _resend_kind(message: Message, sender: str, original: int, exchange: Exchange, steps: list[Step]) -> str:
    """TIMER, or DUPLICATE_REPLY when a reply answers a copy of its request the other side just
    sent. Only an answer is re-sent on receipt of a duplicate, and only of the message it answers;
    a request's copies are its sender's timer, even when they happen to follow a copy from the
    other side (libreswan re-sends MM4 and QM2 on its own timer too)."""
    if not steps[original].is_answer:
        return TIMER
    previous_same = max(i for i in exchange.steps if steps[i].sender == sender and
                        (i == original or steps[i].copy_of == original))
    between = [steps[i] for i in exchange.steps if i > previous_same and steps[i].sender != sender]
    if not between or between[-1].copy_of is None:
        return TIMER
    last = between[-1]
    asked = not last.message.is_response if message.is_v2 else last.base == V1_ANSWERS[steps[original].base]
    if asked and message.time - last.message.time <= DUPLICATE_ANSWER_SECONDS:
        return DUPLICATE_REPLY
    return TIMER
