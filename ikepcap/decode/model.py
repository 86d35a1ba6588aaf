"""The decoded message: typed, immutable, named after RFC 2408/2409 and RFC 7296.

Numbers from the wire are always kept beside their names (``notify_type`` and
``notify_name``), so that a value no registry knows still reaches the report. Strings that
came off the wire (identities, certificate fields) are kept as text exactly as decoded;
escaping them is the job of each report format, which alone knows its destination.

Decrypted payloads
    A message has one list of payloads, ``Message.payloads``, in wire order: its clear
    payloads, with the payloads found inside its encrypted body (IKEv2 SK/SKF, the body of an
    IKEv1 message with the E flag) following the ``Encrypted`` payload that carried them.
    Each of those is marked ``decrypted=True``. One chain with a mark, rather than a second
    list beside the first, because every question asked of a message ("is there an
    AUTHENTICATION_FAILED?", "which vendor IDs?") has the same answer whether the payload
    travelled in the clear or was read with keys: ``notifications()``, ``vendor_ids()`` and
    ``payloads_of()`` see both, for IKEv1 and IKEv2 alike, and a reader that cares (a report
    saying what keys revealed, ``--redact``) asks the mark. What the wire shows without keys
    stays apart and unchanged: ``chain`` and ``clear_chain`` hold the clear types only,
    ``inner`` the decrypted payloads, ``inner_chain`` their types.

    What decryption hands over is the opened chain itself, ``Message.plaintext``: its payloads
    are decoded when first asked for, and only those asked for, as the clear ones are (the
    keys of a busy concentrator open tens of thousands of messages, and most findings read one
    notify of each). An engine that decodes them itself (tshark, with Wireshark's decryption
    tables) hands them over decoded in ``given_inner``; nothing else has to change for the
    rules to see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TypeVar

from ikepcap.values import value_class


class _NothingCached(Mapping):
    """A Message's cache before anything was asked: empty, and shared by every message."""

    __slots__ = ()
    __hash__ = object.__hash__          # one object: a dataclass field's default must be hashable

    def __getitem__(self, key: object):
        raise KeyError(key)

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __contains__(self, key: object) -> bool:
        return False

    def get(self, key: object, default: object = None) -> object:
        return default


NOTHING_CACHED = _NothingCached()
T = TypeVar("T")

# Header flag bits (RFC 2408 §3.1, RFC 7296 §3.1).
V1_FLAG_ENCRYPTION = 0x01
V1_FLAG_COMMIT = 0x02
V1_FLAG_AUTH_ONLY = 0x04
V2_FLAG_INITIATOR = 0x08
V2_FLAG_VERSION = 0x10
V2_FLAG_RESPONSE = 0x20

# A field whose text came off the wire and names a host, a person or an organisation: what
# --redact replaces wherever a decoded record or tree shows it (ikepcap.marks). A mode-config
# attribute carries an address or a name in its bytes; an SA attribute's long value is a number.
WIRE = {"wire": True}
WIRE_IF_BYTES = {"wire": "bytes"}

# A field whose text came off the wire and names a host, a person or an organisation: what
# --redact replaces wherever a decoded record or tree shows it (ikepcap.marks). A mode-config
# attribute carries an address or a name in its bytes; an SA attribute's long value is a number.
WIRE = {"wire": True}
WIRE_IF_BYTES = {"wire": "bytes"}


@dataclass(frozen=True, slots=True)
class Attribute:
    """A data attribute: IKEv1 SA/mode-config attribute, IKEv2 transform or CP attribute."""

    type: int
    name: str
    value: int | bytes = field(metadata=WIRE_IF_BYTES)
    meaning: str | None = field(default=None, metadata=WIRE_IF_BYTES)   # the value's name, or its text


@dataclass(frozen=True, slots=True)
class Transform:
    """IKEv1 transform (number, id and attributes) or IKEv2 transform (type, id, attributes)."""

    number: int | None                  # IKEv1 transform number; None in IKEv2
    transform_type: int | None          # IKEv2 transform type; None in IKEv1
    type_name: str | None
    transform_id: int
    id_name: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    number: int
    protocol_id: int
    protocol: str
    spi: bytes
    transforms: tuple[Transform, ...]


@dataclass(frozen=True, slots=True)
class TrafficSelector:
    """One selector (RFC 7296 §3.13.1). Ports and addresses exist in the address ranges only;
    any other type (TS_SECLABEL, TS_FC_ADDR_RANGE, unknown) keeps its body in ``body``."""

    ts_type: int
    ts_type_name: str
    ip_protocol: int                    # reserved (normally 0) outside the address ranges
    start_port: int | None
    end_port: int | None
    start_address: str | None = field(metadata=WIRE)
    end_address: str | None = field(metadata=WIRE)
    body: str | None = field(default=None, metadata=WIRE)   # TS_SECLABEL: the label as text when printable; else hex


@value_class
class Payload:
    """What every payload has. Subclasses add what their RFC section defines.

    ``decrypted`` is keyword-only so that each subclass's own fields keep their positions."""

    type: int
    name: str
    length: int                         # the generic header's payload length
    critical: bool                      # IKEv2 critical bit; always False in IKEv1
    decrypted: bool = field(default=False, kw_only=True)     # found inside an encrypted body


@value_class
class SecurityAssociation(Payload):
    doi: int | None                     # IKEv1 only
    situation: int | None               # IKEv1 IPsec DOI only
    proposals: tuple[Proposal, ...]


@value_class
class KeyExchange(Payload):
    group: int | None                   # IKEv2 carries it; IKEv1 leaves it to the SA
    group_name: str | None
    data_length: int


@value_class
class Identification(Payload):
    id_type: int
    id_type_name: str
    value: str = field(metadata=WIRE)
    protocol_id: int | None             # IKEv1 only
    port: int | None                    # IKEv1 only


@value_class
class Certificate(Payload):
    encoding: int
    encoding_name: str
    data_length: int
    subject: str | None = field(metadata=WIRE)          # X.509 only
    issuer: str | None = field(metadata=WIRE)
    not_before: str | None
    not_after: str | None
    serial: str | None


@value_class
class CertificateRequest(Payload):
    encoding: int
    encoding_name: str
    authorities: tuple[str, ...] = field(metadata=WIRE)     # CA DNs (IKEv1) or SHA-1 key hashes (IKEv2)


@value_class
class Opaque(Payload):
    """HASH, SIG, nonces and payloads whose body is not structured for a passive observer."""

    data_length: int


@value_class
class Notification(Payload):
    doi: int | None                     # IKEv1 only
    protocol_id: int
    spi: bytes
    notify_type: int
    notify_name: str
    data: bytes
    details: tuple[tuple[str, object], ...]   # the data of known types, decoded, in order


@value_class
class Delete(Payload):
    doi: int | None
    protocol_id: int
    protocol: str
    spis: tuple[bytes, ...]


@value_class
class VendorID(Payload):
    data: bytes
    vendor: str | None                  # None when no table entry matches


@value_class
class TrafficSelectors(Payload):
    selectors: tuple[TrafficSelector, ...]


@value_class
class Authentication(Payload):
    method: int
    method_name: str
    data_length: int


@value_class
class Configuration(Payload):
    """IKEv2 CP payload, or IKEv1 mode-config/XAUTH Attribute payload."""

    cfg_type: int
    cfg_type_name: str
    identifier: int | None              # IKEv1 only
    attributes: tuple[Attribute, ...]


@value_class
class Eap(Payload):
    code: int
    code_name: str
    identifier: int
    eap_type: int | None                # present in Request and Response only
    eap_type_name: str | None
    eap_length: int


@value_class
class Encrypted(Payload):
    """IKEv2 SK payload, or the whole body of an IKEv1 message with the E flag.

    Without keys only the size and the type of the first inner payload are knowable; an
    IKEv1 encrypted body has no payload header of its own, so ``type`` is the header's
    next-payload value and ``length`` the body length.
    """

    first_payload: int
    first_payload_name: str
    data_length: int


@value_class
class EncryptedFragment(Payload):
    """IKEv2 SKF payload (RFC 7383)."""

    number: int
    total: int
    first_payload: int                  # non-zero in fragment 1 only
    first_payload_name: str
    data_length: int


@value_class
class NatDiscovery(Payload):
    """IKEv1 NAT-D payload (RFC 3947 and drafts): HASH(CKY-I | CKY-R | IP | port)."""

    hash: bytes


@value_class
class NatOriginalAddress(Payload):
    id_type: int
    id_type_name: str
    address: str = field(metadata=WIRE)


@value_class
class CiscoFragment(Payload):
    fragment_id: int
    number: int
    last: bool
    data_length: int


@dataclass(frozen=True, slots=True)
class Plaintext:
    """An encrypted body the keys opened: the payload chain inside, from its first type."""

    first_payload: int                  # 0: nothing inside (an empty INFORMATIONAL, a lone fragment)
    chain: bytes
    notes: tuple[str, ...] = ()         # what decryption itself noted (an IV it could not check, a fragment)
    # The types inside when decryption walked the chain already (IKEv1 checks every plaintext
    # that way); None: walked when first asked.
    types: tuple[int, ...] | None = field(default=None, compare=False)


@dataclass(slots=True)
class Message:
    """One ISAKMP/IKE message as the capture point saw it.

    ``frame`` is Wireshark's frame number in ``file``; a message reassembled from IP
    fragments carries the frame that completed it and lists all of them in ``fragments``.
    ``data`` is the message's exact bytes: a retransmission repeats them, a new message does
    not.

    The header and the chain of payload types are read at once; the payloads themselves are
    decoded the first time ``payloads`` or ``warnings`` is asked for. A busy capture holds
    thousands of messages whose SA and vendor ID payloads no finding ever looks at. An engine
    that decodes the payloads itself (tshark) hands them over in ``given`` instead, and they
    are what the message holds, also after pickling.

    ``inner`` holds the payloads read from the encrypted body (see the module's docstring).
    """

    file: str
    frame: int
    time: float                         # epoch seconds
    src: str
    dst: str
    sport: int
    dport: int
    marker: bool                        # arrived on UDP 4500 behind the non-ESP marker
    ip_length: int                      # the IP datagram's size on the wire
    fragments: tuple[int, ...]
    ispi: bytes
    rspi: bytes
    next_payload: int
    version: int                        # the raw byte: major in the high nibble
    exchange_type: int
    exchange: str
    flags: int
    message_id: int
    length: int                         # the header's length field
    size: int                           # bytes of the message in the capture
    chain: tuple[int, ...]              # payload types in order (IKEv1 encrypted: the first inside)
    data: bytes                         # the message as captured
    notes: tuple[str, ...]              # what the header and the chain walk found wrong
    ttl: int | None = None              # IPv4 TTL / IPv6 hop limit as captured: routers between sender and capture
    plaintext: Plaintext | None = None  # what the keys opened, decoded into ``inner`` when asked for
    given_inner: tuple[Payload, ...] = ()   # ``inner`` as another engine decoded it
    # Why the keys given for its SA did not open this encrypted message (integrity check failed,
    # padding or payload chain garbled): with the right key for one side, the other side's
    # messages failing is what proves that the two sides' keys differ. None: opened, or not tried.
    undecrypted: str | None = None
    opened: bool = False                # the keys given opened it (an empty INFORMATIONAL has no inner)
    # The clear payloads and their warnings as another engine decoded them; None: decoded
    # from ``data`` by ikepcap's decoder when first asked for. Like the cache, not compared:
    # the same bytes are the same message whichever engine read them.
    given: tuple[tuple[Payload, ...], tuple[str, ...]] | None = field(default=None, compare=False, repr=False)
    # Decoded payloads, by what was asked: a dict once something was, else (read and not yet
    # asked, or told to ``forget`` once its SA's entry was made) the one empty mapping all share.
    cache: Mapping = field(default=NOTHING_CACHED, compare=False, repr=False)

    def __reduce__(self) -> tuple:
        """Pickled as its fields without the cache: payloads ikepcap decodes are rebuilt where
        they are needed (``plaintext``, ``given`` and ``given_inner`` go along), and a plain
        argument tuple pickles at twice the speed of a slotted dataclass's state (a worker
        process sends back every message it read)."""
        return Message, _MESSAGE_FIELDS(self)

    def open_with(self, plaintext: Plaintext) -> None:
        """What the keys opened: from now on every question sees the inside too (answers
        cached before, without it, are dropped)."""
        self.plaintext = plaintext
        self.opened = True
        self.forget()

    def forget(self) -> None:
        """Let go of what was decoded: asked again, it is decoded again."""
        self.cache = NOTHING_CACHED

    def _remember(self, key: object, answer: T) -> T:
        if self.cache is NOTHING_CACHED:
            self.cache = {}
        self.cache[key] = answer
        return answer

    def _decoded(self) -> tuple[tuple[Payload, ...], tuple[str, ...]]:
        """The clear payloads and their warnings."""
        if self.given is not None:
            return self.given
        full = self.cache.get(ALL)
        if full is None:
            from ikepcap.decode.message import decode_payloads
            full = self._remember(ALL, decode_payloads(self))
        return full

    def _only(self, v1_type: int, v2_type: int, cls: type = Payload) -> tuple[Payload, ...]:
        """The payloads of one type, clear then decrypted (the order of ``payloads``), decoding
        only those (all of them once anything asked for all).

        ``cls`` drops those that could not be read as that type (kept as Opaque)."""
        # asked for hundreds of thousands of times on a busy capture, mostly of a type the message
        # does not carry: that is answered from the chain, the rest from the cache
        kind = v2_type if self.is_v2 else v1_type
        # an IKEv1 Encrypted body has the type of its first payload: it is not in the clear chain
        clear = kind in self.clear_chain
        if not clear and self.plaintext is None and not self.given_inner:
            return ()
        found = self.cache.get((v1_type, v2_type, cls))
        if found is None:
            found = self._clear_only(kind, cls) if clear else ()
            if self.plaintext is not None or self.given_inner:
                found += self._inner_only(kind, cls)
            self._remember((v1_type, v2_type, cls), found)
        return found

    def _clear_only(self, kind: int, cls: type) -> tuple[Payload, ...]:
        full = self.given if self.given is not None else self.cache.get(ALL)
        if full is not None:
            return tuple(p for p in full[0] if p.type == kind and isinstance(p, cls))
        from ikepcap.decode.message import decode_only
        return tuple(p for p in decode_only(self, kind) if isinstance(p, cls))

    def _inner_only(self, kind: int, cls: type) -> tuple[Payload, ...]:
        if self.plaintext is None or INNER in self.cache:
            return tuple(p for p in self.inner if p.type == kind and isinstance(p, cls))
        if kind not in self.inner_chain:
            return ()
        from ikepcap.decode.message import decode_plaintext_only
        found = decode_plaintext_only(self.plaintext, self.major, self.exchange_type, kind, self._inner_links()[1])
        return tuple(p for p in found if isinstance(p, cls))

    def _inner_decoded(self) -> tuple[tuple[Payload, ...], tuple[str, ...]]:
        """The decrypted payloads and what their decoders found wrong."""
        if self.plaintext is None:
            return self.given_inner, ()
        found = self.cache.get(INNER)
        if found is None:
            from ikepcap.decode.message import decode_plaintext
            found = self._remember(INNER, decode_plaintext(self.plaintext, self.major, self.exchange_type))
        return found

    @property
    def payloads(self) -> tuple[Payload, ...]:
        """Every payload in wire order: ``inner`` right after the Encrypted (or first
        EncryptedFragment) payload that carried it."""
        clear = self._decoded()[0]
        if not self.inner:
            return clear
        at = next((i + 1 for i, p in enumerate(clear) if isinstance(p, (Encrypted, EncryptedFragment))), len(clear))
        return clear[:at] + self.inner + clear[at:]

    @property
    def clear_payloads(self) -> tuple[Payload, ...]:
        """The payloads that travelled in clear (an Encrypted one stands for what it carried)."""
        return self._decoded()[0]

    @property
    def inner(self) -> tuple[Payload, ...]:
        """The payloads inside the encrypted body, each marked decrypted (decodes them all)."""
        return self._inner_decoded()[0]

    @property
    def inner_chain(self) -> tuple[int, ...]:
        """The types of the decrypted payloads, in order, without decoding them."""
        if self.plaintext is None:
            return tuple(p.type for p in self.given_inner) if self.given_inner else ()
        if self.plaintext.types is not None:
            return self.plaintext.types
        return self._inner_links()[0]

    def _inner_links(self) -> tuple[tuple[int, ...], tuple]:
        """The types inside what the keys opened, and where each payload sits."""
        found = self.cache.get(INNER_CHAIN)
        if found is None:
            from ikepcap.decode.message import plaintext_links
            links = plaintext_links(self.plaintext, self.major, self.exchange_type)
            found = self._remember(INNER_CHAIN, (tuple(link[0] for link in links), links))
        return found

    @property
    def warnings(self) -> tuple[str, ...]:
        """Everything malformed, truncated or unknown in this message (decodes the payloads), what
        decryption noted, and why the keys given did not open it."""
        found = self.notes
        if self.plaintext is not None:
            found += tuple(f"decrypted: {w}" for w in self._inner_decoded()[1] + self.plaintext.notes)
        found += self._decoded()[1]
        return found + (f"not decrypted: {self.undecrypted}",) if self.undecrypted else found

    @property
    def malformed(self) -> tuple[str, ...]:
        """What is malformed, truncated or unknown in the message as it travelled (decodes the clear
        payloads): what a peer that received it would have found, before any key."""
        return self.notes + self._decoded()[1]

    @property
    def major(self) -> int:
        """1 or 2: which RFC's layouts apply (``version_text`` shows the byte as it came)."""
        return major_version(self.version)

    @property
    def version_text(self) -> str:
        return f"{self.version >> 4}.{self.version & 0x0F}"

    @property
    def is_v2(self) -> bool:
        return self.version >> 4 == 2

    @property
    def encrypted(self) -> bool:
        """The body (IKEv1 E flag) or a payload (IKEv2 SK/SKF) is encrypted."""
        if self.is_v2:
            return V2_SK in self.chain or V2_SKF in self.chain
        return bool(self.flags & V1_FLAG_ENCRYPTION)

    @property
    def clear_chain(self) -> tuple[int, ...]:
        """The payload types that can be read without keys: ``chain``, but nothing for an IKEv1
        message with the E flag, whose ``chain`` holds the type of the first payload inside."""
        return () if not self.is_v2 and self.flags & V1_FLAG_ENCRYPTION else self.chain

    @property
    def is_response(self) -> bool:
        """IKEv2 R flag. IKEv1 has no such flag: its roles come from correlation."""
        return self.is_v2 and bool(self.flags & V2_FLAG_RESPONSE)

    @property
    def from_original_initiator(self) -> bool:
        """IKEv2 I flag: set by the original initiator of the IKE SA."""
        return self.is_v2 and bool(self.flags & V2_FLAG_INITIATOR)

    @property
    def conversation(self) -> tuple[int, bytes, str, str]:
        return conversation_key(self.version, self.ispi, self.src, self.dst)

    def carries(self, v1_type: int, v2_type: int) -> bool:
        """A payload of this type is in the clear chain or was decrypted (the numbers differ
        between versions)."""
        kind = v2_type if self.is_v2 else v1_type
        return kind in self.clear_chain or kind in self.inner_chain

    def notifications(self) -> tuple[Notification, ...]:
        return self._only(V1_NOTIFY, V2_NOTIFY, Notification)

    def vendor_ids(self) -> tuple[VendorID, ...]:
        return self._only(V1_VID, V2_VID, VendorID)

    def payloads_of(self, v1_type: int, v2_type: int, cls: type = Payload) -> tuple[Payload, ...]:
        return self._only(v1_type, v2_type, cls)


_MESSAGE_FIELDS = attrgetter(*(f.name for f in fields(Message) if f.name != "cache"))


def conversation_key(version: int, ispi: bytes, src: str, dst: str) -> tuple[int, bytes, str, str]:
    """What names the IKE SA a message belongs to: version, initiator cookie/SPI and the pair
    of peer addresses (the responder cookie joins later; the port float keeps the addresses)."""
    low, high = (src, dst) if src <= dst else (dst, src)
    return (major_version(version), ispi, low, high)


def major_version(version: int) -> int:
    """1 or 2 from the header's version byte: a major version other than 2 is read as IKEv1."""
    return 2 if version >> 4 == 2 else 1


ALL, INNER, INNER_CHAIN = "all", "inner", "inner chain"      # the cache's keys besides (type, class)
# Payload type numbers that code refers to by name: this is their one home. The registries,
# with every number's name and where it comes from, are in ``iana`` (V1_PAYLOAD_TYPES says
# which NAT-T draft used 15 and which 130).
V1_SA, V1_KE, V1_ID, V1_HASH, V1_NONCE, V1_NOTIFY, V1_DELETE, V1_VID = 1, 4, 5, 8, 10, 11, 12, 13
V1_NATD, V1_NATD_DRAFT, V1_NATD_BADDRAFT = 20, 130, 15    # RFC 3947's NAT-D, and the drafts' two numbers
V1_CISCO_FRAGMENT = 132
V2_SA, V2_KE, V2_NONCE, V2_NOTIFY, V2_DELETE, V2_VID, V2_SK, V2_SKF = 33, 34, 40, 41, 42, 43, 46, 53
V2_IDI, V2_IDR, V2_CERT, V2_AUTH, V2_TSI, V2_TSR = 35, 36, 37, 39, 44, 45
