"""Payloads that carry key material or proofs: KE, nonces, HASH, SIG, AUTH, EAP.

A passive observer cannot check any of them; what it can use is their sizes and types (a
DH group, an AUTH method, an EAP method), so that is what is kept.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Authentication, Eap, KeyExchange, Opaque
from ikepcap.decode.wire import AuthV2, EapV2, KeV2

# RFC 3748 §4: only Request (1) and Response (2) carry a Type field.
EAP_CODES_WITH_TYPE = frozenset({1, 2})


def decode_opaque(head: Head, body: bytes, ctx: Context) -> Opaque:
    return Opaque(*head, data_length=len(body))


def decode_ke_v1(head: Head, body: bytes, ctx: Context) -> KeyExchange:
    # IKEv1's KE payload has no group field: the group is the one the SA negotiated.
    return KeyExchange(*head, group=None, group_name=None, data_length=len(body))


def decode_ke_v2(head: Head, body: bytes, ctx: Context) -> KeyExchange:
    fixed = KeV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its group field")
        return KeyExchange(*head, group=None, group_name=None, data_length=0)
    return KeyExchange(*head, group=fixed.group, group_name=iana.KE_GROUPS[fixed.group],
                       data_length=len(body) - KeV2.size)


def decode_auth(head: Head, body: bytes, ctx: Context) -> Authentication:
    fixed = AuthV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its method field")
        return Authentication(*head, method=0, method_name=iana.V2_AUTH_METHODS[0], data_length=0)
    return Authentication(*head, method=fixed.method, method_name=iana.V2_AUTH_METHODS[fixed.method],
                          data_length=len(body) - AuthV2.size)


def decode_eap(head: Head, body: bytes, ctx: Context) -> Eap:
    fixed = EapV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than an EAP header")
        return Eap(*head, code=0, code_name=iana.EAP_CODES[0], identifier=0, eap_type=None,
                   eap_type_name=None, eap_length=0)
    if fixed.length != len(body):
        ctx.warn(head, f"EAP length {fixed.length} differs from the {len(body)} bytes present")
    eap_type = None
    if fixed.code in EAP_CODES_WITH_TYPE:
        if len(body) > EapV2.size:
            eap_type = body[EapV2.size]
        else:
            ctx.warn(head, "EAP request/response without a type")
    return Eap(*head, code=fixed.code, code_name=iana.EAP_CODES[fixed.code], identifier=fixed.identifier,
               eap_type=eap_type, eap_type_name=iana.EAP_TYPES[eap_type] if eap_type is not None else None,
               eap_length=fixed.length)
