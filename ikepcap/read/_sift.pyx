# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The sift's loop (``prefilter.Sift.sift``), compiled.

Every decision is the Python loop's, field for field and in the same order: which records it
takes, what it drops (TCP, UDP on other ports), what it counts (plain ESP, by source,
destination and SPI) and what it hands to ``FrameDecoder.decode``, with the same frame numbers
and the same float times. Only the reading differs: the record head in the file's byte order
and the wire fields big-endian, straight from the buffer, where the Python loop asks ``struct``
for both at once with swapped constants. A test walks every capture both ways and compares.

One shortcut goes further than the Python loop: the frame a capture filtered to IKE is made of,
a whole IPv4 datagram without options or fragmentation (or IPv6 without extension headers)
carrying one whole UDP datagram on an IKE port (on 4500 behind the non-ESP marker), becomes its
``Datagram`` here, as ``FrameDecoder`` would make it, without the decoder's walk down the
layers. Anything else about such a frame (a cut, a keepalive, ESP-in-UDP, VXLAN, a payload that
starts with four zero bytes off port 4500) takes the decoder's way. The same test holds the two
equal.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport uint8_t, uint32_t, uint64_t

cdef enum:      # the values of read.model, read.linktypes and prefilter, as C constants
    PROTO_TCP = 6
    PROTO_UDP = 17
    PROTO_ESP = 50
    ETH_IPV4 = 0x0800
    ETH_IPV6 = 0x86DD
    FRAGMENT_MASK = 0x3FFF      # MF and the fragment offset
    IPV4_NO_OPTIONS = 0x45
    IPV4_HEADER = 20
    IPV6_HEADER = 40


cdef inline uint32_t _u32(const uint8_t* p, bint little) noexcept nogil:
    if little:
        return p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) | (<uint32_t>p[3] << 24)
    return (<uint32_t>p[0] << 24) | (<uint32_t>p[1] << 16) | (<uint32_t>p[2] << 8) | p[3]


cdef inline unsigned int _be16(const uint8_t* p) noexcept nogil:
    return (<unsigned int>p[0] << 8) | p[1]


def sift(buf, Py_ssize_t off, Py_ssize_t stop, Py_ssize_t end, long long frame, bint little, Py_ssize_t header,
         Py_ssize_t type_offset, Py_ssize_t ip, long long block, dict interfaces, double unit, long long max_record,
         const uint8_t[::1] watched, dict esp, object decode, object stats, Py_ssize_t max_flows, object link_type,
         Py_ssize_t reach, object deliver, object datagram, object address, str file, unsigned int nat_t,
         unsigned int vxlan):
    """``Sift.sift`` for one buffer: the same arguments, the same result (where it stopped, the
    last frame sifted, where that frame's record starts or -1). ``block`` is -1 for pcap;
    ``watched``: one byte per UDP port, 1 for the ports the decoder watches. For the shortcut:
    ``deliver`` is the decoder's ``on_datagram``, ``datagram`` the ``Datagram`` class, ``address``
    what names an address's bytes, ``file`` the decoder's file, ``nat_t`` and ``vxlan`` the two
    watched ports whose datagrams are not always IKE."""
    cdef const uint8_t[::1] view = buf
    cdef const uint8_t* data = &view[0] if view.shape[0] else NULL
    cdef bint blocks = block >= 0
    cdef Py_ssize_t limit = min(stop, end - reach + 1)
    cdef Py_ssize_t last = -1
    cdef Py_ssize_t nxt, p, at, addresses = 0, l4 = 0
    cdef long long incl, length, slack = header + 4
    cdef uint32_t kind, if_id = 0, high, low, wire
    cdef unsigned int tag, next6, protocol, version, word, inner, sport, dport, total, udp_length, hops
    cdef Py_ssize_t start, size
    cdef bint marker
    cdef double time, tick, origin
    cdef list entry
    cdef bytes key
    while off < limit:
        if blocks:
            kind = _u32(data + off, little)
            length = _u32(data + off + 4, little)
            if_id = _u32(data + off + 8, little)
            incl = _u32(data + off + 20, little)
            nxt = off + length
            if kind != block or if_id not in interfaces or incl > length - slack or length & 3:
                break
        else:
            incl = _u32(data + off + 8, little)
            nxt = off + header + incl
            if incl > max_record:
                break
        if nxt > end:
            break
        frame += 1
        last = off
        p = off + header
        at = p + ip
        tag = _be16(data + p + type_offset)
        version = data[at]
        next6 = data[at + 6]
        protocol = data[at + 9]
        # FrameDecoder goes by the version nibble, not the EtherType, and counts an IPv4 header
        # shorter than it says as undecodable: TCP is skipped only where it would be read as TCP.
        if protocol == PROTO_TCP and tag == ETH_IPV4 and 0x45 <= version <= 0x4F and incl >= ip + (version & 15) * 4 \
                or next6 == PROTO_TCP and tag == ETH_IPV6 and 0x60 <= version <= 0x6F and incl >= ip + IPV6_HEADER:
            off = nxt
            continue
        word = _be16(data + at + 6)
        if tag == ETH_IPV4 and version == IPV4_NO_OPTIONS and not word & FRAGMENT_MASK and incl >= ip + 24 \
                and (protocol == PROTO_UDP or protocol == PROTO_ESP):
            addresses, l4, inner = at + 12, at + IPV4_HEADER, protocol
        elif tag == ETH_IPV6 and 0x60 <= version <= 0x6F and incl >= ip + 44 \
                and (next6 == PROTO_UDP or next6 == PROTO_ESP):
            addresses, l4, inner = at + 8, at + IPV6_HEADER, next6
        else:
            inner = 0
        if inner == PROTO_ESP:
            # The SPI is counted where the IP length leaves room for it (0, or an IPv4 length
            # shorter than its header, means "as captured", as offloaded captures write).
            total = _be16(data + at + 4) if tag == ETH_IPV6 else _be16(data + at + 2)
            if 0 < total < 4 if tag == ETH_IPV6 else IPV4_HEADER <= total < IPV4_HEADER + 4:
                off = nxt
                continue
        if inner == PROTO_UDP:
            sport = _be16(data + l4)
            dport = _be16(data + l4 + 2)
            if not watched[sport] and not watched[dport]:
                off = nxt
                continue
        if blocks:
            high = _u32(data + off + 12, little)
            low = _u32(data + off + 16, little)
            wire = _u32(data + off + 24, little)
            tick, origin = interfaces[if_id]
            time = <double>((<uint64_t>high << 32) | low) * tick + origin
        else:
            high = _u32(data + off, little)
            low = _u32(data + off + 4, little)
            wire = _u32(data + off + 12, little)
            time = <double>high + <double>low * unit
        total = 0
        if inner == PROTO_UDP and incl == wire:
            total = _whole_ike(data, at, l4, incl - ip, tag == ETH_IPV6, sport, dport, nat_t, vxlan)
        if inner == PROTO_ESP:
            key = PyBytes_FromStringAndSize(<const char*>(data + addresses), l4 + 4 - addresses)
            found = esp.get(key)
            if found is None:
                if len(esp) >= max_flows:
                    stats.esp_unflowed += 1
                else:
                    esp[key] = [1, frame, time, frame, time]
            else:
                entry = <list>found
                entry[0] += 1
                entry[3] = frame
                entry[4] = time
        elif total:
            size = 16 if tag == ETH_IPV6 else 4
            hops = data[at + 7] if tag == ETH_IPV6 else data[at + 8]
            udp_length = _be16(data + l4 + 4)
            marker = sport == nat_t or dport == nat_t
            start = l4 + 8 + (4 if marker else 0)
            stats.ike_datagrams += 1
            deliver(datagram(file, frame, time, address(PyBytes_FromStringAndSize(<const char*>(data + addresses), size)),
                             address(PyBytes_FromStringAndSize(<const char*>(data + addresses + size), size)), sport,
                             dport, PyBytes_FromStringAndSize(<const char*>(data + start), l4 + udp_length - start),
                             marker, total, (), False, hops))
        else:
            decode(frame, time, link_type, PyBytes_FromStringAndSize(<const char*>(data + p), incl), wire)
        off = nxt
    return off, frame, last


cdef inline unsigned int _whole_ike(const uint8_t* data, Py_ssize_t at, Py_ssize_t l4, Py_ssize_t room, bint v6,
                                    unsigned int sport, unsigned int dport, unsigned int nat_t,
                                    unsigned int vxlan) noexcept nogil:
    """The IP datagram's length when the one at ``at`` (``room`` bytes of it captured; IPv4 without
    options, or IPv6 with UDP as its next header) holds one whole UDP datagram at ``l4`` with an
    IKE message in it, where ``FrameDecoder`` reads it with no further choice: the IP and UDP
    lengths agree with what was captured, no VXLAN, and on UDP 4500 the non-ESP marker before a
    message (elsewhere no four zero bytes, which a --port strips as a marker). 0 when not."""
    cdef unsigned int header = IPV6_HEADER if v6 else IPV4_HEADER
    cdef unsigned int total = IPV6_HEADER + _be16(data + at + 4) if v6 else _be16(data + at + 2)
    cdef unsigned int udp_length
    cdef bint zero
    if total < header + 8 or total > room:
        return 0
    udp_length = _be16(data + l4 + 4)
    if udp_length <= 8 or udp_length > total - header or sport == vxlan or dport == vxlan:
        return 0
    zero = udp_length >= 12 and _be16(data + l4 + 8) == 0 and _be16(data + l4 + 10) == 0
    if sport == nat_t or dport == nat_t:
        return total if zero and udp_length > 12 else 0
    return total if not zero and udp_length >= 12 else 0
