# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""``message.decode_datagram`` for a message with nothing to say about it, compiled.

A headend's capture is almost all IKE, and almost every message is well formed: its header's
length is the datagram's, its chain walks to next-payload NONE exactly at the end (or ends with
SK/SKF there), and every payload type in it is known. For such a message the Python function
only reads the header, walks the chain and builds the Message; here that takes a fraction of
the time. Anything the Python walk would warn about — a length that does not fit, an unknown
type, a cut frame, bytes after the chain, a major version other than 1 or 2 — makes ``clean``
answer None, and the Python function decodes the message and says what is wrong. The same walk
gives the links of a clear chain that payload decoding asks for again (``links``). Which types are
known, the exchange names and the shared values come from ``message`` (``configure``);
the header sizes and the SK/SKF numbers are mirrored below as C constants. A test decodes every
capture, and messages made at each edge of the walk, both ways.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from libc.stdint cimport uint8_t, uint32_t

cdef enum:
    HEADER = 28                 # wire.Header.size
    GENERIC = 4                 # wire.GenericPayloadHeader.size
    FLAG_ENCRYPTION = 0x01      # model.V1_FLAG_ENCRYPTION
    CRITICAL = 0x80             # message.V2_CRITICAL
    SK = 46                     # model.V2_SK
    SKF = 53                    # model.V2_SKF

cdef object _message = None     # the Message class
cdef dict _same = None          # message._same: the values messages share, each kept once
cdef Py_ssize_t _same_max = 0
cdef tuple _v1_names = None     # the registries' exchange names, one for each number 0-255
cdef tuple _v2_names = None
cdef uint8_t _v1_known[256]     # 1: a type the IKEv1 walk decodes without a warning
cdef uint8_t _v2_known[256]
cdef uint8_t _draft_exchanges[256]     # 1: the exchanges in which IKEv1 type 15 is the drafts' NAT-D
cdef int _draft_natd = -1
cdef int _max_payloads = 0


def configure(message, dict same, Py_ssize_t same_max, v1_names, v2_names, v1_known, v2_known, draft_natd,
              draft_exchanges, max_payloads):
    """What ``clean`` reads from ``message``: its Message class, the table of shared values and its
    bound (``_once``'s), the two exchange registries, the payload types each version knows, the
    drafts' NAT-D type and the exchanges it is read in, and MAX_PAYLOADS."""
    global _message, _same, _same_max, _v1_names, _v2_names, _draft_natd, _max_payloads
    _message, _same, _same_max = message, same, same_max
    # each name made once, here: the registry is asked nothing per message
    _v1_names = tuple([v1_names[i] for i in range(256)])
    _v2_names = tuple([v2_names[i] for i in range(256)])
    _draft_natd, _max_payloads = draft_natd, max_payloads
    cdef int i
    for i in range(256):
        _v1_known[i] = i in v1_known
        _v2_known[i] = i in v2_known
        _draft_exchanges[i] = i in draft_exchanges


cdef inline uint32_t _be32(const uint8_t* p) noexcept nogil:
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef object _walk(const uint8_t* p, Py_ssize_t size, unsigned int first, bint v2, unsigned int exchange_type,
                  bint placed):
    """The clear chain's types (``placed``: its links, as ``message._chain`` yields them), or None
    where the Python walk would warn."""
    cdef list found = []
    cdef Py_ssize_t offset = HEADER, body_end
    cdef unsigned int kind = first, next_payload, payload_length, reserved
    cdef int count = 0
    while kind != 0:
        if count == _max_payloads or offset + GENERIC > size:
            return None
        next_payload = p[offset]
        reserved = p[offset + 1]
        payload_length = (<unsigned int>p[offset + 2] << 8) | p[offset + 3]
        body_end = offset + payload_length
        if payload_length < GENERIC or body_end > size:
            return None
        count += 1
        if placed:
            found.append((kind, offset, body_end, next_payload, payload_length, v2 and reserved & CRITICAL != 0))
        else:
            found.append(kind)
        if v2 and (kind == SK or kind == SKF):
            return found if body_end == size else None
        if v2:
            if not _v2_known[kind] and reserved & CRITICAL:
                return None
        elif not _v1_known[kind] and not (<int>kind == _draft_natd and _draft_exchanges[exchange_type]):
            return None
        offset = body_end
        kind = next_payload
    return found if offset == size else None


cdef inline object _once(object value):
    """``message._once``: the value already kept when an equal one is, else this one, kept."""
    found = _same.get(value)
    if found is None:
        if len(_same) >= _same_max:
            _same.clear()
        _same[value] = value
        return value
    return found


cdef inline bint _whole(const uint8_t* p, Py_ssize_t size) noexcept:
    """A header of a major version the decoder reads, whose length is the message's."""
    cdef unsigned int major = p[17] >> 4
    return (major == 1 or major == 2) and _be32(p + 24) == <uint32_t>size


def clean(datagram):
    """The Message in ``datagram`` when decoding it finds nothing wrong, else None."""
    if datagram.truncated:
        return None
    cdef bytes data = datagram.payload
    cdef Py_ssize_t size = PyBytes_GET_SIZE(data)
    if size < HEADER:
        return None
    cdef const uint8_t* p = <const uint8_t*>PyBytes_AS_STRING(data)
    if not _whole(p, size):
        return None
    cdef unsigned int first = p[16], version = p[17], exchange_type = p[18], flags = p[19]
    cdef bint v2 = version >> 4 == 2
    if not v2 and flags & FLAG_ENCRYPTION:
        kinds = [first]
    else:
        kinds = _walk(p, size, first, v2, exchange_type, False)
        if kinds is None:
            return None
    # the fields in Message's order; the test that decodes every capture both ways holds it
    return _message(
        datagram.file, datagram.frame, datagram.time, datagram.src, datagram.dst,
        _once(datagram.sport), _once(datagram.dport), datagram.marker, datagram.ip_length, datagram.fragments,
        _once(data[0:8]), _once(data[8:16]), first, version, exchange_type,
        (_v2_names if v2 else _v1_names)[exchange_type], flags, _be32(p + 20), size, size,
        _once(tuple(kinds)), data, (), datagram.ttl)


def links(bytes data, unsigned int first, unsigned long long length, bint v2, unsigned int exchange_type):
    """``message._chain``'s links for a message (its data, next payload, length field, version and
    exchange type) whose length field is its size and whose clear chain walks without a warning,
    else None. Not for an IKEv1 message with the E flag, whose body is not a chain."""
    cdef Py_ssize_t size = PyBytes_GET_SIZE(data)
    if size < HEADER or length != <unsigned long long>size or first > 0xFF:    # the type tables have 256 rows
        return None
    return _walk(<const uint8_t*>PyBytes_AS_STRING(data), size, first, v2, exchange_type & 0xFF, True)
