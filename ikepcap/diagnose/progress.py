"""How far each side of an SA got, phase by phase: the raw material of a verdict.

A side's state is the last distinct message it sent in the flow — that is what a daemon's
state machine is waiting on — so it is read from the side's own messages, not from what the
other side sent. A flow is complete once its last message is seen or later traffic proves it
(Quick Mode after Main Mode, INFORMATIONAL after IKE_AUTH).
"""

from __future__ import annotations

from ikepcap.correlate.model import (
    AGGRESSIVE,
    AGGRESSIVE_MODE,
    CREATE_CHILD_SA,
    IKE_AUTH_REQUEST,
    IKE_AUTH_RESPONSE,
    IKE_SA_INIT_REQUEST,
    IKE_SA_INIT_RESPONSE,
    INFORMATIONAL,
    INITIATOR,
    MAIN,
    MAIN_MODE,
    MM5,
    QM2,
    QM3,
    QUICK,
    QUICK_MODE,
    RESPONDER,
    TRANSACTION,
    V2_INFORMATIONAL,
    Exchange,
    IkeSa,
    Step,
)
from ikepcap.decode.model import V1_SA, V2_SA
from ikepcap.diagnose.facts import NO_SUCH_SA, is_error, notify_only
from ikepcap.diagnose.states import DONE, REFUSED_AUTH, V2
from ikepcap.values import value_class

ORDERS = {
    MAIN: MAIN_MODE,
    AGGRESSIVE: AGGRESSIVE_MODE,
    V2: (IKE_SA_INIT_REQUEST, IKE_SA_INIT_RESPONSE, IKE_AUTH_REQUEST, IKE_AUTH_RESPONSE),
}
QM_ORDER = QUICK_MODE


@value_class
class Progress:
    flow: str
    initiator_last: str | None          # a name from ORDERS[flow], DONE, or None
    responder_last: str | None
    furthest: Step | None               # the step furthest along the flow
    established: bool
    before_capture: bool                # completed before the capture started (only later traffic seen)


def _flow(sa: IkeSa) -> str:
    if sa.version == 2:
        return V2
    return AGGRESSIVE if sa.mode == AGGRESSIVE else MAIN


def _later_traffic(sa: IkeSa) -> bool:
    """Exchanges that only run on an established IKE SA, with messages from both sides."""
    kinds = {QUICK, TRANSACTION, INFORMATIONAL, CREATE_CHILD_SA, V2_INFORMATIONAL}
    senders = {sa.steps[i].sender for x in sa.exchanges if x.kind in kinds for i in x.steps
               if x.kind != INFORMATIONAL or sa.steps[i].message.encrypted}
    return senders == {INITIATOR, RESPONDER}


def _refused_init(sa: IkeSa) -> bool:
    """The responder's last IKE_SA_INIT response carries no SA, and an error notification or no
    responder SPI (a REDIRECT, RFC 5685 §3): it kept no state."""
    last = next((s for s in reversed(sa.steps) if s.sender == RESPONDER and s.base == IKE_SA_INIT_RESPONSE), None)
    return last is not None and not last.message.carries(V1_SA, V2_SA) and \
        (not any(last.message.rspi) or any(is_error(n) for n in last.message.notifications()))


def _last_sent(sa: IkeSa, side: str, order: tuple[str, ...]) -> str | None:
    sent = {s.base for s in sa.steps if s.sender == side}
    mine = [name for name in order if name in sent]
    return mine[-1] if mine else None


def _forgotten(sa: IkeSa, side: str, last: str | None) -> str | None:
    """None when the side said in clear that it has no such SA: whatever it sent before, it holds
    no state now (the responder of the Cisco MM_WAIT_MSG4 case)."""
    for step in reversed(sa.steps):
        if step.sender != side:
            continue
        if not step.message.encrypted and \
                any(p.notify_type == NO_SUCH_SA[sa.version] for p in step.message.notifications()):
            return None
        if step.base == last:
            return last
    return last


def phase1(sa: IkeSa) -> Progress:
    flow = _flow(sa)
    order = ORDERS[flow]
    in_flow = [s for s in sa.steps if s.base in order]
    furthest = max(in_flow, key=lambda s: (order.index(s.base), -s.index), default=None)
    later = _later_traffic(sa)
    initiator_last = _last_sent(sa, INITIATOR, order)
    responder_last = _last_sent(sa, RESPONDER, order)
    final = order[-1]
    final_steps = [s for s in in_flow if s.base == final]
    if final_steps:
        first_final = final_steps[0]
        if flow == MAIN:
            # the initiator accepted MM6 unless it kept re-sending MM5 afterwards
            if not any(s.base == MM5 and s.index > first_final.index for s in in_flow):
                initiator_last = DONE
            responder_last = DONE
        elif flow == AGGRESSIVE:
            initiator_last = responder_last = DONE
        elif not all(notify_only(s) for s in final_steps):
            responder_last = DONE
            initiator_last = DONE
        else:
            # a notification-only IKE_AUTH response: the responder refused and deleted the IKE SA
            responder_last = REFUSED_AUTH
    elif flow == V2 and responder_last == IKE_SA_INIT_RESPONSE and _refused_init(sa):
        # RFC 7296 §2.6: a responder that turns IKE_SA_INIT down keeps no state
        responder_last = None
    if later:
        initiator_last = responder_last = DONE
    else:
        initiator_last = _forgotten(sa, INITIATOR, initiator_last)
        responder_last = _forgotten(sa, RESPONDER, responder_last)
    established = initiator_last == DONE and responder_last == DONE
    return Progress(flow, initiator_last, responder_last, furthest, established, established and not in_flow)


@value_class
class ChildProgress:
    exchange: Exchange | None           # the Quick Mode / CREATE_CHILD_SA exchange the verdict is about
    requester_last: str | None
    responder_last: str | None
    completed: bool
    furthest: Step | None


def quick_mode(sa: IkeSa) -> list[ChildProgress]:
    result = []
    for exchange in sa.exchanges_of(QUICK):
        steps = [sa.steps[i] for i in exchange.steps]
        requester = exchange.requester
        req = [n for n in QM_ORDER if n in {s.base for s in steps if s.sender == requester}]
        rsp = [n for n in QM_ORDER if n in {s.base for s in steps if s.sender != requester}]
        # a responder that re-sends QM2 after the last QM3 passed did not take it: not complete
        last_qm3 = max((s.index for s in steps if s.base == QM3), default=None)
        completed = last_qm3 is not None and not any(
            s.base == QM2 and s.sender != requester and s.index > last_qm3 for s in steps)
        furthest = max((s for s in steps if s.base in QM_ORDER),
                       key=lambda s: (QM_ORDER.index(s.base), -s.index), default=None)
        # the initiator is done once it sent QM3, whether or not the responder took it
        result.append(ChildProgress(exchange, DONE if last_qm3 is not None else (req[-1] if req else None),
                                    DONE if completed else (rsp[-1] if rsp else None), completed, furthest))
    return result
