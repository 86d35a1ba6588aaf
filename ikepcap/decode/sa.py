"""Security Association payloads: SA -> proposals -> transforms -> attributes.

The SA is what a proposal mismatch is argued over, so every transform and attribute is kept:
a NO_PROPOSAL_CHOSEN finding lists exactly what was offered.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.attributes import decode_attributes, ike_attributes, ipsec_attributes
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Proposal, SecurityAssociation, Transform
from ikepcap.decode.wire import (
    GenericPayloadHeader,
    ProposalV1,
    ProposalV2,
    SaV1,
    TransformV1,
    TransformV2,
)

V1_PROPOSAL_PAYLOAD = 2
V1_TRANSFORM_PAYLOAD = 3
V1_PROTOCOL_ISAKMP = 1

# Hostile input can declare thousands of proposals; a real peer sends a handful. Past these
# bounds the rest is counted in a warning, not decoded.
MAX_PROPOSALS = 64
MAX_TRANSFORMS = 256


def _substructures(data: bytes, head: Head, ctx: Context, what: str, limit: int):
    """Yield ``(body, kind)`` for each substructure in a proposal or transform chain.

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
        yield data[offset + GenericPayloadHeader.size:end], generic.next_payload
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
    proposals = []
    for proposal_body, _ in _substructures(body[SaV1.size:], head, ctx, "proposal", MAX_PROPOSALS):
        proposals.append(_proposal_v1(proposal_body, head, ctx))
    return SecurityAssociation(*head, doi=sa.doi, situation=sa.situation, proposals=tuple(proposals))


def _proposal_v1(body: bytes, head: Head, ctx: Context) -> Proposal:
    fixed = ProposalV1.unpack(body)
    if fixed is None:
        ctx.warn(head, "proposal shorter than its fixed fields")
        return Proposal(0, 0, iana.V1_PROTOCOLS[0], b"", ())
    spi = body[ProposalV1.size:ProposalV1.size + fixed.spi_size]
    if len(spi) < fixed.spi_size:
        ctx.warn(head, f"proposal {fixed.number} SPI cut short")
    ids = iana.V1_TRANSFORM_IDS.get(fixed.protocol_id)
    decode = ike_attributes if fixed.protocol_id == V1_PROTOCOL_ISAKMP else ipsec_attributes
    transforms = []
    chain = body[ProposalV1.size + fixed.spi_size:]
    for transform_body, _ in _substructures(chain, head, ctx, "transform", MAX_TRANSFORMS):
        t = TransformV1.unpack(transform_body)
        if t is None:
            ctx.warn(head, "transform shorter than its fixed fields")
            continue
        id_name = ids[t.transform_id] if ids is not None else str(t.transform_id)
        attributes = decode(transform_body[TransformV1.size:], head, ctx)
        transforms.append(Transform(t.number, None, None, t.transform_id, id_name, attributes))
    if len(transforms) != fixed.transforms:
        ctx.warn(head, f"proposal {fixed.number} announces {fixed.transforms} transform(s), {len(transforms)} found")
    return Proposal(fixed.number, fixed.protocol_id, iana.V1_PROTOCOLS[fixed.protocol_id], spi, tuple(transforms))


def decode_sa_v2(head: Head, body: bytes, ctx: Context) -> SecurityAssociation:
    proposals = []
    for proposal_body, _ in _substructures(body, head, ctx, "proposal", MAX_PROPOSALS):
        fixed = ProposalV2.unpack(proposal_body)
        if fixed is None:
            ctx.warn(head, "proposal shorter than its fixed fields")
            continue
        spi = proposal_body[ProposalV2.size:ProposalV2.size + fixed.spi_size]
        if len(spi) < fixed.spi_size:
            ctx.warn(head, f"proposal {fixed.number} SPI cut short")
        transforms = []
        chain = proposal_body[ProposalV2.size + fixed.spi_size:]
        for transform_body, _ in _substructures(chain, head, ctx, "transform", MAX_TRANSFORMS):
            t = TransformV2.unpack(transform_body)
            if t is None:
                ctx.warn(head, "transform shorter than its fixed fields")
                continue
            ids = iana.V2_TRANSFORM_IDS.get(t.transform_type)
            id_name = ids[t.transform_id] if ids is not None else str(t.transform_id)
            attributes = decode_attributes(transform_body[TransformV2.size:], iana.V2_TRANSFORM_ATTRIBUTES, {}, head, ctx)
            transforms.append(Transform(
                None, t.transform_type, iana.V2_TRANSFORM_TYPES[t.transform_type], t.transform_id, id_name, attributes,
            ))
        if len(transforms) != fixed.transforms:
            ctx.warn(head, f"proposal {fixed.number} announces {fixed.transforms} transform(s), {len(transforms)} found")
        proposals.append(Proposal(
            fixed.number, fixed.protocol_id, iana.V2_PROTOCOLS[fixed.protocol_id], spi, tuple(transforms),
        ))
    return SecurityAssociation(*head, doi=None, situation=None, proposals=tuple(proposals))
