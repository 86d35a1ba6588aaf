"""What can be said about encrypted and fragmented IKE without keys: sizes and order.

A tiny SK payload where an IKE_AUTH response should carry certificates, or fragments that stop
at 2 of 3, are diagnoses in their own right, so lengths and fragment numbers are kept.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import CiscoFragment, Encrypted, EncryptedFragment
from ikepcap.decode.wire import CiscoFragment as CiscoFragmentLayout
from ikepcap.decode.wire import SkfV2

CISCO_LAST_FRAGMENT = 0x01


def decode_sk(head: Head, body: bytes, ctx: Context, first_payload: int) -> Encrypted:
    return Encrypted(*head, first_payload=first_payload, first_payload_name=iana.V2_PAYLOAD_TYPES[first_payload],
                     data_length=len(body))


def decode_skf(head: Head, body: bytes, ctx: Context, first_payload: int) -> EncryptedFragment:
    fixed = SkfV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than fragment number and total")
        return EncryptedFragment(*head, number=0, total=0, first_payload=first_payload,
                                 first_payload_name=iana.V2_PAYLOAD_TYPES[first_payload], data_length=0)
    if not 1 <= fixed.number <= fixed.total:
        ctx.warn(head, f"fragment number {fixed.number} of {fixed.total} is out of range")
    if fixed.number != 1 and first_payload != 0:
        ctx.warn(head, f"fragment {fixed.number} names a first payload; only fragment 1 may (RFC 7383 §2.5)")
    return EncryptedFragment(*head, number=fixed.number, total=fixed.total, first_payload=first_payload,
                             first_payload_name=iana.V2_PAYLOAD_TYPES[first_payload],
                             data_length=len(body) - SkfV2.size)


def decode_v1_body(head: Head, body: bytes, ctx: Context) -> Encrypted:
    """An IKEv1 message with the E flag: the whole body after the header is ciphertext."""
    return Encrypted(*head, first_payload=head.type, first_payload_name=head.name, data_length=len(body))


def decode_cisco_fragment(head: Head, body: bytes, ctx: Context) -> CiscoFragment:
    fixed = CiscoFragmentLayout.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than the fragment header")
        return CiscoFragment(*head, fragment_id=0, number=0, last=False, data_length=0)
    return CiscoFragment(*head, fragment_id=fixed.fragment_id, number=fixed.number,
                         last=bool(fixed.flags & CISCO_LAST_FRAGMENT),
                         data_length=len(body) - CiscoFragmentLayout.size)
