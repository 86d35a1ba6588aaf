"""IKEv1 NAT traversal payloads (RFC 3947 and its drafts): NAT-D hashes and NAT-OA.

The NAT-D hashes let a passive observer recompute what each peer saw and so tell whether a
NAT sits between the capture point and a peer; correlation does that, with these hashes.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.context import Context, Head
from ikepcap.decode.identity import ID_FORMS, identity_value
from ikepcap.decode.model import NatDiscovery, NatOriginalAddress
from ikepcap.decode.text import hex_and_ascii
from ikepcap.decode.wire import NatOaV1


def decode_natd(head: Head, body: bytes, ctx: Context) -> NatDiscovery:
    if not body:
        ctx.warn(head, "empty hash")
    return NatDiscovery(*head, hash=body)


def decode_natoa(head: Head, body: bytes, ctx: Context) -> NatOriginalAddress:
    fixed = NatOaV1.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its ID type field")
        return NatOriginalAddress(*head, id_type=0, id_type_name=iana.V1_ID_TYPES[0], address="")
    data = body[NatOaV1.size:]
    try:
        value = identity_value(fixed.id_type, data, ID_FORMS)
    except ValueError as error:
        ctx.warn(head, f"original address of type {fixed.id_type}: {error}")
        value = hex_and_ascii(data)
    return NatOriginalAddress(*head, id_type=fixed.id_type, id_type_name=iana.V1_ID_TYPES[fixed.id_type],
                              address=value)
