"""Questions the rules ask of an SA: which messages were sent, repeated, answered, refused.

Small, named queries so that each pattern reads like its rule's description.
"""

from __future__ import annotations

from dataclasses import dataclass

from ikepcap.correlate.model import (
    AM1,
    CREATE_CHILD_SA_REQUEST,
    DUPLICATE_REPLY,
    IKE_AUTH,
    IKE_AUTH_REQUEST,
    IKE_SA_INIT_REQUEST,
    IKE_SA_INIT_RETRY,
    INITIATOR,
    MM1,
    TIMER,
    IkeSa,
    Step,
)
from ikepcap.decode import iana
from ikepcap.decode.model import (
    V1_DELETE,
    V1_SA,
    V2_DELETE,
    V2_SA,
    Delete,
    Encrypted,
    Notification,
    SecurityAssociation,
)
from ikepcap.decode.sa import proposal_text
from ikepcap.decode.wire import Header
from ikepcap.decrypt.algorithms import LEAST_OVERHEAD, PRF_BYTES, negotiated_v2
from ikepcap.diagnose.model import Evidence
from ikepcap.read.icmp import MTU_ERRORS
from ikepcap.read.model import NAT_T_PORT, IcmpError

# Notify types below this are errors (RFC 2408 §3.14.1, RFC 7296 §3.10.1); above are status.
ERROR_NOTIFY_LIMIT = 16384
# The notifications the rules name, each looked up in its own version's registry: the two spaces
# share some numbers and not others (17 is IKEv1's INVALID_KEY_INFORMATION and IKEv2's
# INVALID_KE_PAYLOAD; 16384 is CONNECTED in one and INITIAL_CONTACT in the other).
V1_NOTIFY = iana.V1_NOTIFY_TYPES.number
V2_NOTIFY = iana.V2_NOTIFY_TYPES.number
# "I have no SA with these SPIs", by version: INVALID_COOKIE (RFC 2408 §3.14.1), INVALID_IKE_SPI
# (RFC 7296 §3.10.1).
NO_SUCH_SA = {1: V1_NOTIFY("INVALID_COOKIE"), 2: V2_NOTIFY("INVALID_IKE_SPI")}
# IKEv1 phase-1 authentication with a pre-shared key (RFC 2409 App. A; draft-beaulieu-ike-xauth).
AUTHENTICATION_METHOD = iana.V1_IKE_ATTRIBUTES.number("Authentication Method")
PRE_SHARED_KEY_METHODS = frozenset(iana.V1_IKE_AUTH_METHODS.number(name) for name in
                                   ("Pre-Shared Key", "XAUTHInitPreShared", "XAUTHRespPreShared"))
# Above this the IP datagram will not cross a typical Internet path unfragmented.
FRAGMENTATION_RISK_BYTES = 1400
# An encrypted IKEv2 response whose SK payload is this small holds one notification and nothing
# else: IV + an 8-byte Notify + padding + ICV is 33-64 bytes with the usual ciphers, while an
# identity and an AUTH payload alone add some 60 bytes more.
NOTIFY_ONLY_SK_BYTES = 80
# The least a first IKE_AUTH request holds (RFC 7296 §3): IDi with empty data (§3.5); AUTH's
# 8 bytes before its data, which a shared key or NULL authentication fills with one PRF output
# (§2.15, RFC 7619 §2.1); and, to propose a child SA, an SA payload with one proposal of a
# 4-byte SPI and the two transforms ESP (ENCR, ESN) or AH (INTEG, ESN) cannot do without
# (§3.3.3), then TSi and TSr with one IPv4 range each (§3.13.1).
SMALLEST_ID, AUTH_HEAD = 8, 8
SMALLEST_CHILD = (4 + 8 + 4 + 2 * 8) + 2 * (8 + 16)
# Above this much room an IKE_AUTH request can carry a child SA whichever algorithms were chosen.
CHILD_FITS_ANYWAY = SMALLEST_ID + AUTH_HEAD + max(PRF_BYTES.values()) + SMALLEST_CHILD
CHILDLESS_SUPPORTED = V2_NOTIFY("CHILDLESS_IKEV2_SUPPORTED")

# Algorithms a negotiated IKE SA should not use, by the names the decoder gives them (decode/iana),
# with why: RFC 8247 §2.1-2.4 (IKEv2; its reasons hold for IKEv1's equivalents), RFC 5114 groups.
WEAK_ALGORITHMS = {
    "DES-CBC": "56-bit key", "DES": "56-bit key", "DES-IV64": "56-bit key",
    "3DES-CBC": "64-bit block, Sweet32", "3DES": "64-bit block, Sweet32",
    "MD5": "broken hash", "HMAC-MD5": "broken hash", "HMAC-MD5-96": "broken hash",
    "SHA": "SHA-1, being phased out", "HMAC-SHA1": "SHA-1, being phased out",
    "HMAC-SHA1-96": "SHA-1, being phased out",
    "MODP-768": "768-bit group", "MODP-1024": "1024-bit group", "MODP-1536": "1536-bit group",
    "MODP-1024-S160": "1024-bit group with a small subgroup",
}

# What an ICMP error about an IKE packet says, by (IP version, type, code) (RFC 792/1812,
# RFC 4443; read.icmp names them), most telling first: nothing listens on the peer, a filter
# refused the packet and said so, the packet was too large for the path.
PORT_UNREACHABLE = "port unreachable"
PROHIBITED = "prohibited"
TOO_BIG = "too big"
ICMP_KINDS = (
    (PORT_UNREACHABLE, frozenset({(4, 3, 3), (6, 1, 4)})),
    (PROHIBITED, frozenset({(4, 3, 9), (4, 3, 10), (4, 3, 13), (6, 1, 1)})),
    (TOO_BIG, MTU_ERRORS),
)


def originals(sa: IkeSa, name: str | None = None, sender: str | None = None) -> list[Step]:
    return [s for s in sa.steps if s.copy_of is None and (name is None or s.name == name)
            and (sender is None or s.sender == sender)]


def first(sa: IkeSa, name: str, sender: str | None = None) -> Step | None:
    found = originals(sa, name, sender)
    return found[0] if found else None


def named(sa: IkeSa, prefix: str) -> list[Step]:
    """Every step (copies included) whose name starts with ``prefix``."""
    return [s for s in sa.steps if s.name.startswith(prefix)]


def copies(sa: IkeSa, step: Step) -> list[Step]:
    """The original and all its copies, in order."""
    origin = step.copy_of if step.copy_of is not None else step.index
    return [s for s in sa.steps if s.index == origin or s.copy_of == origin]


def after(sa: IkeSa, step: Step, sender: str | None = None) -> list[Step]:
    return [s for s in sa.steps[step.index + 1:] if sender is None or s.sender == sender]


def notifications(step: Step) -> tuple[Notification, ...]:
    return step.message.notifications()


def is_error(notification: Notification) -> bool:
    return 0 < notification.notify_type < ERROR_NOTIFY_LIMIT


def clear_errors(steps: list[Step]) -> list[tuple[Step, Notification]]:
    """Error notifications readable in clear, in order."""
    return [(s, n) for s in steps if not s.message.encrypted for n in notifications(s) if is_error(n)]


def revealed(steps: list[Step]) -> list[tuple[Step, Notification]]:
    """Error notifications the keys revealed inside encrypted messages, in order."""
    return [(s, n) for s in steps for n in notifications(s) if n.decrypted and is_error(n)]


def unopened(steps: list[Step]) -> list[Step]:
    """The encrypted messages among ``steps`` that the keys given for their SA did not open."""
    return [s for s in steps if s.message.undecrypted]


def opened(step: Step) -> bool:
    """The keys given opened this encrypted message."""
    return step.message.opened


def inside(step: Step, v1_type: int, v2_type: int, cls: type) -> tuple:
    """The payloads of one type that the keys revealed in this message."""
    return tuple(p for p in step.message.payloads_of(v1_type, v2_type, cls) if p.decrypted)


def childless(sa: IkeSa) -> str | None:
    """How the capture shows an IKE SA set up without a child SA (RFC 6023), or None: the keys
    show IKE_AUTH requests with no SA payload, or, without them, the only IKE_AUTH request has
    too little room to propose a child SA at all (which a merely small proposal never lacks)."""
    if named(sa, CREATE_CHILD_SA_REQUEST):
        return None
    requests = [s for s in named(sa, IKE_AUTH_REQUEST) if s.copy_of is None]
    read = [s for s in requests if opened(s)]
    if read:
        return None if any(s.message.carries(V1_SA, V2_SA) for s in read) else "as the keys show"
    # EAP takes more than one IKE_AUTH exchange, and its first request has no AUTH payload.
    if len(requests) != 1 or len(sa.exchanges_of(IKE_AUTH)) != 1:
        return None
    length = sk_length(requests[0])
    if length is None or length - LEAST_OVERHEAD >= CHILD_FITS_ANYWAY:
        return None                     # no need to read the algorithms
    negotiated = negotiated_v2(s.message for s in sa.steps)
    room = negotiated.room(length) if negotiated is not None else None
    if room is None or negotiated.prf_bytes is None:
        return None
    needed = SMALLEST_ID + AUTH_HEAD + negotiated.prf_bytes + SMALLEST_CHILD
    if room >= needed:
        return None
    offered = next((s for s in sa.steps if s.sender != INITIATOR and not s.message.encrypted
                    and any(n.notify_type == CHILDLESS_SUPPORTED for n in notifications(s))), None)
    return (f"as sizes show: the IKE_AUTH request (frame {requests[0].label}) holds at most {room} bytes of "
            f"payloads, and IDi, AUTH and a child SA's SA, TSi and TSr need {needed}"
            + (f"; the responder offered it (CHILDLESS_IKEV2_SUPPORTED, frame {offered.label})" if offered else ""))


def security_associations(step: Step) -> tuple[SecurityAssociation, ...]:
    """The message's SA payloads, decoding only those."""
    return step.message.payloads_of(V1_SA, V2_SA, SecurityAssociation)


def offered(sa: IkeSa) -> list[str]:
    """The initiator's first SA payload, one line per proposal: what a mismatch is argued over."""
    for step in sa.steps:
        if step.sender == INITIATOR and step.name in (MM1, AM1, IKE_SA_INIT_REQUEST, IKE_SA_INIT_RETRY):
            found = security_associations(step)
            if found:
                return [f"proposal {p.number}: {proposal_text(p)}" for p in found[0].proposals]
    return []


def signature_methods(sa: IkeSa) -> list[str]:
    """The IKEv1 authentication methods the initiator offered, when none is a pre-shared key
    (certificates or raw keys sign instead); empty when a PSK is among them or nothing says
    (IKEv2 names its method only in the encrypted AUTH payload)."""
    first = next((s for s in sa.steps if s.sender == INITIATOR and s.name in (MM1, AM1)), None)
    found = security_associations(first) if first is not None else ()
    methods = {(a.value, a.meaning or str(a.value)) for sa_payload in found[:1] for p in sa_payload.proposals
               for t in p.transforms for a in t.attributes if a.type == AUTHENTICATION_METHOD}
    if not methods or any(value in PRE_SHARED_KEY_METHODS for value, _ in methods):
        return []
    return sorted(name for _, name in methods)


# A concentrator's peers send the same proposals over and over: the names are kept by the bytes
# after the header (which alone differ between SAs), so each distinct payload is decoded once.
_ALGORITHMS: dict[tuple[int, int, bytes], tuple[str, ...]] = {}
_ALGORITHMS_KEPT = 4096


def algorithm_names(step: Step) -> tuple[str, ...]:
    """The algorithm names of a message's SA payloads: IKEv2 transform IDs, IKEv1 attribute values
    (encryption, hash, group), as the decoder's registries name them."""
    key = (step.message.version, step.message.next_payload, step.message.data[Header.size:])
    names = _ALGORITHMS.get(key)
    if names is None:
        if len(_ALGORITHMS) >= _ALGORITHMS_KEPT:
            _ALGORITHMS.clear()
        names = _ALGORITHMS[key] = tuple(
            name for sa_payload in security_associations(step) for p in sa_payload.proposals for t in p.transforms
            for name in (t.id_name, *(a.meaning for a in t.attributes if a.meaning)))
    return names


def chose_offered(offer: Step, answer: Step) -> bool:
    """The transform ``answer`` (MM2, AM2) holds is one that ``offer`` (MM1, AM1) proposed, with the
    same attributes: an initiator has no reason to refuse its own offer."""
    def transforms(step: Step) -> set:
        # in any order; a hostile message can give one type both a number and bytes (TV and TLV)
        return {(t.transform_id, tuple(sorted(((a.type, a.value) for a in t.attributes),
                                              key=lambda pair: (pair[0], isinstance(pair[1], bytes), pair[1]))))
                for payload in security_associations(step)[:1] for p in payload.proposals for t in p.transforms}
    chosen_ = transforms(answer)
    return bool(chosen_) and chosen_ <= transforms(offer)


def chosen(step: Step) -> list[str]:
    found = security_associations(step)
    return [proposal_text(p) for p in found[0].proposals] if found else []


def describe(step: Step) -> str:
    """``MM3 initiator → responder, 256 bytes, UDP 500``, with the copy number for copies."""
    m = step.message
    arrow = "initiator → responder" if step.sender == INITIATOR else "responder → initiator"
    text = f"{step.name} {arrow}, {m.length} bytes"
    if NAT_T_PORT in (m.sport, m.dport):
        text += f", UDP {NAT_T_PORT}"
    if m.fragments:
        text += f", reassembled from {len(m.fragments)} IP fragments"
    if step.copy_of is not None:
        text += f", copy {step.copy_number}"
    return text


def evidence(step: Step, note: str | None = None) -> Evidence:
    m = step.message
    return Evidence(m.file, m.frame, m.time, note or describe(step))


@dataclass(frozen=True, slots=True)
class Resent:
    """One message sent more than once: its copies, the gaps between them, and why."""

    name: str
    sender: str
    steps: tuple[Step, ...]
    intervals: tuple[float, ...]
    kinds: tuple[str, ...]


def resent(sa: IkeSa) -> list[Resent]:
    by_original: dict[int, list[Step]] = {}        # what copies() gives, for every step in one pass
    for step in sa.steps:
        by_original.setdefault(step.index if step.copy_of is None else step.copy_of, []).append(step)
    groups = []
    for step in sa.steps:
        if step.copy_of is not None:
            continue
        all_copies = by_original[step.index]
        if len(all_copies) < 2:
            continue
        times = [s.message.time for s in all_copies]
        groups.append(Resent(step.name, step.sender, tuple(all_copies),
                             tuple(round(b - a, 3) for a, b in zip(times, times[1:])),
                             tuple(s.resend or "" for s in all_copies[1:])))
    return groups


def seconds(value: float, unit_of: float | None = None) -> str:
    """A duration, rounded half up from whole milliseconds so that one interval reads the same
    wherever it is told (2.250 s is '2.3 s', never '2.2 s' elsewhere). ``unit_of``: the largest
    value in the same list, so that a list keeps one unit ('1.0 s, 1.5 s', not '999 ms, 1.5 s')."""
    ms = round(value * 1000)
    if max(value, unit_of or 0) < 1:
        return f"{ms} ms"
    tenths = (ms + 50) // 100
    return f"{tenths // 10}.{tenths % 10} s"


def seconds_list(values: list[float]) -> str:
    """'interval 8.0 s' or 'intervals 1.0 s, 1.5 s'; nothing to time when the capture's timestamps
    are all equal (zeroed by an anonymiser, or a synthetic file)."""
    if not any(values):
        return "no timing: the frames carry equal timestamps"
    return ("interval " if len(values) == 1 else "intervals ") + ", ".join(seconds(v, max(values)) for v in values)


def resent_text(group: Resent) -> str:
    frames = ", ".join(s.label for s in group.steps)
    gaps = seconds_list(group.intervals)
    why = {TIMER: "timer retransmissions", DUPLICATE_REPLY: "answers to duplicates"}
    kinds = sorted({why.get(k, k) for k in group.kinds})
    return (f"{group.name} from the {group.sender} sent {len(group.steps)} times (frames {frames}; "
            f"{gaps}; {' and '.join(kinds)})")


def icmp_kind(errors: list[IcmpError]) -> str | None:
    """The most telling kind among these ICMP errors, or None when none says more than 'lost'."""
    seen = {(e.ip_version, e.icmp_type, e.icmp_code) for e in errors}
    return next((kind for kind, codes in ICMP_KINDS if seen & codes), None)


def esp_both_ways(sa: IkeSa) -> bool:
    """ESP in both directions: a child SA that carries traffic, which sizes alone only suggest."""
    return len({(f.src, f.dst) for f in sa.esp}) >= 2


def large(step: Step) -> bool:
    return bool(step.message.fragments) or step.message.ip_length > FRAGMENTATION_RISK_BYTES


def child_deleted(sa: IkeSa) -> bool:
    """A clear Delete names AH or ESP SPIs: a child SA, not (only) the IKE SA, was deleted."""
    return any(p.protocol in ("AH", "ESP") for s in sa.steps for p in s.message.payloads_of(V1_DELETE, V2_DELETE,
                                                                                                Delete))


def size_text(step: Step) -> str:
    """Both sizes, since evidence rows give the message's and the MTU applies to the datagram's."""
    return f"a {step.message.length}-byte message, {step.message.ip_length} bytes as an IP datagram"


def answered(sa: IkeSa, step: Step) -> bool:
    """Anything from the other side after this step."""
    return any(s.sender != step.sender for s in after(sa, step))


def sk_length(step: Step) -> int | None:
    for payload in step.message.clear_payloads:
        if isinstance(payload, Encrypted):
            return payload.data_length
    return None


def notify_only(step: Step) -> bool:
    """An encrypted IKEv2 message too small to carry more than one notification."""
    length = sk_length(step)
    return length is not None and length <= NOTIFY_ONLY_SK_BYTES
