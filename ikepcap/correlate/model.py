"""Messages put in context: IKE SAs, their exchanges, each message's place and copies.

A Step is one message on the wire as seen at the capture point, named by its place in its
exchange (MM3, QM1, IKE_AUTH request) and marked when it repeats an earlier one. Everything
here is derived from the decoded messages; nothing is guessed that the capture cannot show,
and where roles had to be inferred (a capture that starts mid-SA) the SA says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ikepcap.decode import iana
from ikepcap.decode.model import Message
from ikepcap.extract.budget import Overflow
from ikepcap.read.model import EspFlow, IcmpError, KeepaliveFlow, LostFragments
from ikepcap.values import value_class

INITIATOR = "initiator"
RESPONDER = "responder"

# Exchange kinds, in the words engineers use.
MAIN = "main"
AGGRESSIVE = "aggressive"
QUICK = "quick"
INFORMATIONAL = "informational"
TRANSACTION = "transaction"
IKE_SA_INIT = "ike_sa_init"
IKE_AUTH = "ike_auth"
CREATE_CHILD_SA = "create_child_sa"
V2_INFORMATIONAL = "v2_informational"
IKE_INTERMEDIATE = "ike_intermediate"
OTHER = "other"

# How a copy came to be sent again.
TIMER = "timer"                 # the requester's retransmission timer: no reply arrived
DUPLICATE_REPLY = "duplicate"   # a responder answering a duplicate request with its last reply


# Step names: the one spelling of each message's place in its exchange. Correlation gives them and
# the rules and state tables match them by these names, so a misspelling fails at import instead of
# leaving a rule that never fires.
MM1, MM2, MM3, MM4, MM5, MM6 = (f"MM{n}" for n in range(1, 7))
AM1, AM2, AM3 = (f"AM{n}" for n in range(1, 4))
QM1, QM2, QM3 = (f"QM{n}" for n in range(1, 4))
# Each IKEv1 flow's messages in order: what a side that sent the last of them has completed.
MAIN_MODE, AGGRESSIVE_MODE, QUICK_MODE = (MM1, MM2, MM3, MM4, MM5, MM6), (AM1, AM2, AM3), (QM1, QM2, QM3)
MM_UNRECOGNISED = "MM (unrecognised)"
AM_UNRECOGNISED = "AM (unrecognised)"
TRANSACTION_REQUEST = "Transaction request"
TRANSACTION_REPLY = "Transaction reply"
# An IKEv1 Informational, by whether its body is encrypted (the prefix names both).
INFORMATIONAL_MESSAGES = "Informational"
INFORMATIONAL_PROTECTED = f"{INFORMATIONAL_MESSAGES} (protected)"
INFORMATIONAL_UNPROTECTED = f"{INFORMATIONAL_MESSAGES} (unprotected)"


def v2_names(exchange: str) -> tuple[str, str]:
    """The request's and the response's name in an IKEv2 exchange, by the exchange type's name
    as the registry gives it (its number, for an unregistered type)."""
    return f"{exchange} request", f"{exchange} response"


def _registered(exchange: str) -> str:
    iana.V2_EXCHANGE_TYPES.number(exchange)         # a misspelt name raises here, at import
    return exchange


# The IKEv2 exchanges the rules follow. Each prefix (the exchange's name) matches both its
# messages and their fragments.
IKE_SA_INIT_MESSAGES, IKE_AUTH_MESSAGES = _registered("IKE_SA_INIT"), _registered("IKE_AUTH")
CREATE_CHILD_SA_MESSAGES, INFORMATIONAL_V2_MESSAGES = _registered("CREATE_CHILD_SA"), _registered("INFORMATIONAL")
IKE_SA_INIT_REQUEST, IKE_SA_INIT_RESPONSE = v2_names(IKE_SA_INIT_MESSAGES)
IKE_AUTH_REQUEST, IKE_AUTH_RESPONSE = v2_names(IKE_AUTH_MESSAGES)
CREATE_CHILD_SA_REQUEST, CREATE_CHILD_SA_RESPONSE = v2_names(CREATE_CHILD_SA_MESSAGES)
INFORMATIONAL_REQUEST, INFORMATIONAL_RESPONSE = v2_names(INFORMATIONAL_V2_MESSAGES)
# An IKE_SA_INIT request sent again with a COOKIE or another KE group (RFC 7296 §2.6, §1.2).
IKE_SA_INIT_RETRY = f"{IKE_SA_INIT_REQUEST} (retry)"

# Exchange kinds by the exchange type on the wire (RFC 2408 §4.1 and RFC 2409, RFC 7296 §3.1),
# looked up by the registered names.
V1_KINDS = {iana.V1_EXCHANGE_TYPES.number(name): kind for name, kind in (
    ("Main Mode", MAIN), ("Aggressive Mode", AGGRESSIVE), ("Informational", INFORMATIONAL),
    ("Transaction", TRANSACTION), ("Quick Mode", QUICK))}
V2_KINDS = {iana.V2_EXCHANGE_TYPES.number(name): kind for name, kind in (
    (IKE_SA_INIT_MESSAGES, IKE_SA_INIT), (IKE_AUTH_MESSAGES, IKE_AUTH), (CREATE_CHILD_SA_MESSAGES, CREATE_CHILD_SA),
    (INFORMATIONAL_V2_MESSAGES, V2_INFORMATIONAL), ("IKE_INTERMEDIATE", IKE_INTERMEDIATE))}


def exchange_kind(message: Message) -> str:
    return (V2_KINDS if message.is_v2 else V1_KINDS).get(message.exchange_type, OTHER)


# The IKEv1 messages that answer the peer's, and what each answers (IKEv2 marks its responses with
# the R flag, under the request's message ID). AM3 and QM3 end their exchange and wait for
# nothing: no timer re-sends them, only a duplicate of what they answer.
V1_ANSWERS = {MM2: MM1, MM4: MM3, MM6: MM5, AM2: AM1, AM3: AM2, QM2: QM1, QM3: QM2,
              TRANSACTION_REPLY: TRANSACTION_REQUEST}


@dataclass(slots=True)
class Step:
    index: int                          # position in the SA's message list
    message: Message
    sender: str                         # INITIATOR or RESPONDER (of the IKE SA)
    name: str                           # MM1…MM6, AM1…AM3, QM1…QM3, "IKE_AUTH request", …
    exchange: int                       # index into IkeSa.exchanges
    copy_of: int | None                 # the step this one repeats, or None for an original
    copy_number: int                    # 1 for the original, 2 for its first retransmission, …
    resend: str | None                  # TIMER / DUPLICATE_REPLY for copies
    # How findings name the frame: its number, with the file's name when the SA spans several
    # files of a ring (numbering restarts in each file).
    label: str = ""
    # The name without its qualifier — 'IKE_AUTH request (fragment 1/2)' and 'IKE_SA_INIT request
    # (retry)' are both at their message's place in the exchange. Rules ask for it constantly.
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = self.name.split(" (")[0]

    @property
    def is_answer(self) -> bool:
        """It answers a message of the peer's, so nothing answers it in turn."""
        return self.message.is_response if self.message.is_v2 else self.base in V1_ANSWERS


@dataclass(slots=True)
class Exchange:
    kind: str
    message_id: int
    requester: str                      # the side that sent the first message of the exchange
    steps: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)     # distinct message names, in order of first sight


@value_class
class NatCheck:
    """A NAT-D hash recomputed from the addresses the capture point saw."""

    step: int
    sender: str
    about: str                          # "sender" (its own address) or "receiver"
    address: str
    port: int
    matches: bool


@dataclass(slots=True)
class IkeSa:
    version: int                        # 1 or 2
    ispi: bytes
    rspi: bytes
    initiator: str                      # addresses
    responder: str
    roles_inferred: bool
    mode: str                           # MAIN / AGGRESSIVE / IKE_SA_INIT, or OTHER when not seen
    steps: list[Step] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    ports: dict[str, set[int]] = field(default_factory=dict)     # side -> ports it used
    float_step: int | None = None       # first step on UDP 4500 after steps on 500
    nat_checks: list[NatCheck] = field(default_factory=list)
    icmp_errors: list[IcmpError] = field(default_factory=list)
    lost_fragments: list[LostFragments] = field(default_factory=list)
    esp: list[EspFlow] = field(default_factory=list)
    keepalives: list[KeepaliveFlow] = field(default_factory=list)
    truncated_messages: int = 0         # messages beyond the per-SA bound, counted not kept

    def address(self, side: str) -> str:
        return self.initiator if side == INITIATOR else self.responder

    def other(self, side: str) -> str:
        return RESPONDER if side == INITIATOR else INITIATOR

    def exchanges_of(self, kind: str) -> list[Exchange]:
        return [x for x in self.exchanges if x.kind == kind]


@dataclass(slots=True)
class Correlation:
    sas: list[IkeSa]
    # SAs of one unanswered first message from a source that progressed nowhere, left out past the
    # tracking bound (a flood's), and the first and last of their times
    dropped_lone: int = 0
    dropped_lone_span: tuple[float, float] | None = None
    dropped_capped: bool = False        # more were dropped than are told apart: the count is a lower bound
    overflow: Overflow | None = None    # what extraction counted but did not keep
    notes: list[str] = field(default_factory=list)    # bounds hit while correlating
