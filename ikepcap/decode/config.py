"""Configuration payloads: IKEv2 CP (RFC 7296 §3.15) and IKEv1 mode-config/XAUTH attributes.

Both ask for or hand out an inner address, DNS servers, split networks; IKEv1's variant also
carries XAUTH user authentication, whose status is what a remote-access failure hinges on.
"""

from __future__ import annotations

from ikepcap.decode import iana
from ikepcap.decode.attributes import modecfg_attributes
from ikepcap.decode.context import Context, Head
from ikepcap.decode.model import Attribute, Configuration
from ikepcap.decode.text import address, subnet, wire_text
from ikepcap.decode.wire import AttributeHeader, AttributesV1, CpV2

# IKEv2 CP attribute -> how its value reads (RFC 7296 §3.15.1, RFC 8598).
_ADDRESS4 = {1, 2, 3, 4, 6, 20}
_ADDRESS6 = {10, 12, 21}
_PREFIXED6 = {8, 15}                     # 16 address bytes + 1 prefix-length byte
_SUBNET4 = {13}                          # address + netmask
_TEXT = {7, 25}
CP_RESERVED_BIT = 0x8000
MAX_CP_ATTRIBUTES = 512


def _cp_meaning(attr_type: int, value: bytes) -> str | None:
    if attr_type in _ADDRESS4 and len(value) == 4:
        return address(value)
    if attr_type in _ADDRESS6 and len(value) == 16:
        return address(value)
    if attr_type in _PREFIXED6 and len(value) == 17:
        return f"{address(value[:16])}/{value[16]}"
    if attr_type in _SUBNET4 and len(value) == 8:
        return subnet(value[:4], value[4:])
    if attr_type in _TEXT:
        return wire_text(value)
    return None


def decode_cp(head: Head, body: bytes, ctx: Context) -> Configuration:
    fixed = CpV2.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its type field")
        return Configuration(*head, cfg_type=0, cfg_type_name=iana.V2_CFG_TYPES[0], identifier=None, attributes=())
    attributes = []
    offset = CpV2.size
    while offset < len(body):
        header = AttributeHeader.unpack(body, offset)
        if header is None or len(attributes) >= MAX_CP_ATTRIBUTES:
            ctx.warn(head, f"{len(body) - offset} byte(s) after the last attribute not decoded")
            break
        attr_type = header.type & ~CP_RESERVED_BIT
        value = body[offset + AttributeHeader.size:offset + AttributeHeader.size + header.length_or_value]
        if len(value) < header.length_or_value:
            ctx.warn(head, f"attribute {iana.V2_CFG_ATTRIBUTES[attr_type]} cut short")
        attributes.append(Attribute(attr_type, iana.V2_CFG_ATTRIBUTES[attr_type], value, _cp_meaning(attr_type, value)))
        offset += AttributeHeader.size + header.length_or_value
    return Configuration(*head, cfg_type=fixed.cfg_type, cfg_type_name=iana.V2_CFG_TYPES[fixed.cfg_type],
                         identifier=None, attributes=tuple(attributes))


def decode_attributes_v1(head: Head, body: bytes, ctx: Context) -> Configuration:
    fixed = AttributesV1.unpack(body)
    if fixed is None:
        ctx.warn(head, f"body of {len(body)} bytes is shorter than its type field")
        return Configuration(*head, cfg_type=0, cfg_type_name=iana.MODECFG_TYPES[0], identifier=None, attributes=())
    return Configuration(*head, cfg_type=fixed.cfg_type, cfg_type_name=iana.MODECFG_TYPES[fixed.cfg_type],
                         identifier=fixed.identifier,
                         attributes=modecfg_attributes(body[AttributesV1.size:], head, ctx))
