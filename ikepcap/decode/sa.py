"""Security Association payloads: SA -> proposals -> transforms -> attributes.

The SA is what a proposal mismatch is argued over, so every transform and attribute is kept:
a NO_PROPOSAL_CHOSEN finding lists exactly what was offered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ikepcap.decode import iana
from ikepcap.decode.attributes import attribute_values, decode_attributes, ike_attributes, ipsec_attributes
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Attribute, Proposal, SecurityAssociation, Transform
from ikepcap.decode.registry import Registry
from ikepcap.decode.wire import GenericPayloadHeader, SaV1, TransformV1, TransformV2
from ikepcap.decode.wire import Proposal as ProposalLayout

V1_PROTOCOL_ISAKMP = 1

# Hostile input can declare thousands of proposals; a real peer sends a handful. Past these
# bounds the rest is counted in a warning, not decoded.
MAX_PROPOSALS = 64
MAX_TRANSFORMS = 256                    # per proposal, and in all the proposals of one SA payload

# Reads one transform of a proposal of the given protocol; None when too short for its fields.
TransformReader = Callable[[int, bytes, Head, Context], Transform | None]


def _substructures(data: bytes, head: Head, ctx: Context, what: str, limit: int):
    """Yield the body of each substructure in a proposal or transform chain.

    IKEv1 chains them with a next-payload field (2 = proposal, 3 = transform, 0 = last);
    IKEv2 reuses the field as "last substructure" (0 = last, 2 or 3 = more). Both walk the
    same way: a 4-byte generic header whose length covers the substructure.
    """
    offset = 0
    count = 0
    while offset < len(data):
        generic = GenericPayloadHeader.unpack(data, offset)
        if generic is None:
            ctx.warn(head, f"{len(data) - offset} trailing byte(s) where a {what} header was expected")
            return
        if generic.length < GenericPayloadHeader.size:
            ctx.warn(head, f"{what} length {generic.length} is shorter than its header")
            return
        end = offset + generic.length
        if end > len(data):
            ctx.warn(head, f"{what} declares {generic.length} bytes, {len(data) - offset} present")
            end = len(data)
        count += 1
        if count > limit:
            ctx.warn(head, f"more than {limit} {what}s; the rest are not decoded")
            return
        yield data[offset + GenericPayloadHeader.size:end]
        offset = end
        if generic.next_payload == 0:
            if offset < len(data):
                ctx.warn(head, f"{len(data) - offset} byte(s) after the last {what}")
            return


def decode_sa_v1(head: Head, body: bytes, ctx: Context) -> SecurityAssociation:
    sa = SaV1.unpack(body)
    if sa is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than DOI and situation")
        return SecurityAssociation(*head, doi=None, situation=None, proposals=())
    proposals = _proposals(body[SaV1.size:], head, ctx, iana.V1_PROTOCOLS, _transform_v1)
    return SecurityAssociation(*head, doi=sa.doi, situation=sa.situation, proposals=proposals)


def decode_sa_v2(head: Head, body: bytes, ctx: Context) -> SecurityAssociation:
    proposals = _proposals(body, head, ctx, iana.V2_PROTOCOLS, _transform_v2)
    return SecurityAssociation(*head, doi=None, situation=None, proposals=proposals)


def chosen_v1(body: bytes) -> dict[int, int | bytes] | None:
    """The attribute values of an IKEv1 SA payload's first transform of its first proposal (the
    body: DOI and situation first), nothing else decoded: a responder's SA holds the one it
    chose. None when the payload holds no transform."""
    if SaV1.unpack(body) is None:
        return None
    ctx, head = Context(major=1, exchange_type=0), Head(0, "SA", len(body), False)     # warnings: not kept
    for proposal in _substructures(body[SaV1.size:], head, ctx, "proposal", 1):
        fixed = ProposalLayout.unpack(proposal)
        if fixed is None:
            return None
        chain = proposal[ProposalLayout.size + fixed.spi_size:]
        for transform in _substructures(chain, head, ctx, "transform", 1):
            if TransformV1.unpack(transform) is None:
                return None
            return attribute_values(transform[TransformV1.size:])
    return None


def _proposals(data: bytes, head: Head, ctx: Context, protocols: Registry,
               transform: TransformReader) -> tuple[Proposal, ...]:
    """The proposals of either version: the layout is the same, only the transforms differ.

    A proposal too short for its fixed fields is skipped with a warning: its number and
    protocol are unknown, and a made-up one would be argued over in a proposal mismatch.
    """
    proposals = []
    budget = MAX_TRANSFORMS
    for body in _substructures(data, head, ctx, "proposal", MAX_PROPOSALS):
        if budget <= 0:
            ctx.warn(head, f"more than {MAX_TRANSFORMS} transforms in the SA payload; the rest are not decoded")
            break
        fixed = ProposalLayout.unpack(body)
        if fixed is None:
            ctx.warn(head, "proposal shorter than its fixed fields")
            continue
        spi = body[ProposalLayout.size:ProposalLayout.size + fixed.spi_size]
        if len(spi) < fixed.spi_size:
            ctx.warn(head, f"proposal {fixed.number} SPI cut short")
        transforms = []
        chain = body[ProposalLayout.size + fixed.spi_size:]
        for transform_body in _substructures(chain, head, ctx, "transform", budget):
            found = transform(fixed.protocol_id, transform_body, head, ctx)
            if found is None:
                ctx.warn(head, "transform shorter than its fixed fields")
                continue
            transforms.append(found)
        budget -= len(transforms)
        if len(transforms) != fixed.transforms:
            ctx.warn(head, f"proposal {fixed.number} announces {fixed.transforms} transform(s), "
                           f"{len(transforms)} found")
        proposals.append(Proposal(fixed.number, fixed.protocol_id, protocols[fixed.protocol_id], spi,
                                  tuple(transforms)))
    return tuple(proposals)


def _transform_v1(protocol_id: int, body: bytes, head: Head, ctx: Context) -> Transform | None:
    """An IKEv1 transform: its IDs and attributes depend on the proposal's protocol (RFC 2407 §4.4)."""
    t = TransformV1.unpack(body)
    if t is None:
        return None
    ids = iana.V1_TRANSFORM_IDS.get(protocol_id)
    id_name = ids[t.transform_id] if ids is not None else str(t.transform_id)
    decode = ike_attributes if protocol_id == V1_PROTOCOL_ISAKMP else ipsec_attributes
    return Transform(t.number, None, None, t.transform_id, id_name, decode(body[TransformV1.size:], head, ctx))


def _transform_v2(protocol_id: int, body: bytes, head: Head, ctx: Context) -> Transform | None:
    """An IKEv2 transform: its IDs depend on its own type (RFC 7296 §3.3.2), not on the protocol."""
    t = TransformV2.unpack(body)
    if t is None:
        return None
    ids = iana.V2_TRANSFORM_IDS.get(t.transform_type)
    id_name = ids[t.transform_id] if ids is not None else str(t.transform_id)
    attributes = decode_attributes(body[TransformV2.size:], iana.V2_TRANSFORM_ATTRIBUTES, {}, head, ctx)
    return Transform(None, t.transform_type, iana.V2_TRANSFORM_TYPES[t.transform_type], t.transform_id, id_name,
                     attributes)


# --- one line per proposal, as configurations write them ----------------------------------

class V1TextClasses(NamedTuple):
    """The IKEv1 attribute classes a one-line transform places apart, and where the rest go."""

    key_length: int                     # joined to the cipher: AES-CBC-256
    life_type: int                      # the unit of the life duration that follows it
    life_duration: int                  # last on the line: 28800 s
    places: dict[int, int]              # attribute class -> place on the line (unlisted: OTHER_PLACE)


# In the order a proposal is read: cipher and key length, integrity, authentication, group,
# encapsulation, lifetime. Phase 1 classes from RFC 2409 App. A, phase 2 from RFC 2407 §4.5
# (where the transform ID, placed first, names the cipher).
V1_IKE_TEXT = V1TextClasses(key_length=14, life_type=11, life_duration=12,
                            places={1: 0, 2: 2, 13: 3, 3: 4, 4: 5, 5: 2})
V1_IPSEC_TEXT = V1TextClasses(key_length=6, life_type=1, life_duration=2, places={5: 2, 4: 6, 3: 5})
TRANSFORM_ID_PLACE, OTHER_PLACE, LIFE_PLACE = 1, 7, 9
LIFE_UNITS = {1: "s", 2: "KB"}
V2_KEY_LENGTH = 14                      # IKEv2 transform attribute Key Length (RFC 7296 §3.3.5)


def _attribute_word(attribute: Attribute) -> str:
    if attribute.meaning is not None:
        return attribute.meaning
    if isinstance(attribute.value, bytes):
        return f"{attribute.name}={attribute.value.hex()}"
    return f"{attribute.name}={attribute.value}"


def transform_text(transform: Transform, ipsec: bool = False) -> str:
    """``AES-CBC-256 SHA2-256 Pre-Shared Key MODP-2048 28800 s`` (IKEv1) or
    ``ENCR=AES-CBC-128`` (IKEv2): the transform in the words of a configuration."""
    if transform.transform_type is not None:
        keys = [a.value for a in transform.attributes if a.type == V2_KEY_LENGTH]
        return f"{transform.type_name}={transform.id_name}" + (f"-{keys[0]}" if keys else "")
    classes = V1_IPSEC_TEXT if ipsec else V1_IKE_TEXT
    words: list[tuple[int, str]] = [(TRANSFORM_ID_PLACE, transform.id_name)] if ipsec else []
    key = next((a.value for a in transform.attributes if a.type == classes.key_length), None)
    unit = "s"
    for attribute in transform.attributes:
        if attribute.type == classes.key_length:
            continue
        if attribute.type == classes.life_type:
            unit = LIFE_UNITS.get(attribute.value, "") if isinstance(attribute.value, int) else ""
            continue
        if attribute.type == classes.life_duration:
            words.append((LIFE_PLACE, f"{attribute.value} {unit}" if isinstance(attribute.value, int) else
                          _attribute_word(attribute)))
            continue
        words.append((classes.places.get(attribute.type, OTHER_PLACE), _attribute_word(attribute)))
    words.sort(key=lambda word: word[0])
    text = [w for _, w in words]
    if key is not None and text:
        text[0] = f"{text[0]}-{key}"
    return " ".join(text)


def proposal_text(proposal: Proposal) -> str:
    ipsec = proposal.protocol_id != V1_PROTOCOL_ISAKMP
    transforms = ", ".join(transform_text(t, ipsec) for t in proposal.transforms)
    return f"{proposal.protocol} {transforms}" if transforms else proposal.protocol
