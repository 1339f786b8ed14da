#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// Why decodePacket() did not produce a TCP or UDP packet. Every value but kOk is a counter label
// (decodeStatusName()); only kOk means `out` holds a complete decode.
enum class DecodeStatus : uint8_t {
  kOk,
  kTruncatedLinkHeader,
  kUnsupportedLinkType,
  kNotIp,  // ARP, LLDP...: not an error, just not ours
  kTruncatedIpHeader,
  kBadIpVersion,
  kBadIpHeaderLength,  // IPv4 IHL < 5, or more IPv6 extension headers than we follow
  kBadIpLength,        // IP length < its header, > what the wire carried, or < IPv6 ext headers
  kIpFragment,         // a non-first fragment: no transport header
  kNotTcpOrUdp,
  kTruncatedTransportHeader,  // by the snaplen or by the IP length
  kBadTcpHeaderLength,        // data offset < 5
  kBadUdpLength,              // UDP length < 8 or > the IP payload (outside a first fragment)
  kCount,
};

// Stable snake_case names ("ok", "truncated_ip_header", ...) for metrics labels; "unknown" for
// a value out of range. Any thread; returns a view of a static string.
std::string_view decodeStatusName(DecodeStatus status);

// The pcap link types decodePacket() understands: the DLT_ values libpcap's pcap_datalink()
// returns and the LINKTYPE_ values of savefiles, where the two differ.
inline constexpr std::array<int, 10> kSupportedLinkTypes = {
    0,    // DLT_NULL: BSD loopback, 4-byte address family in the capturing host's byte order
    1,    // DLT_EN10MB: Ethernet, with any number of 802.1Q / 802.1ad tags
    12,   // DLT_RAW (most platforms): a bare IPv4 or IPv6 packet
    14,   // DLT_RAW (OpenBSD)
    101,  // LINKTYPE_RAW, as stored in savefiles
    108,  // DLT_LOOP: OpenBSD loopback, address family in network byte order
    113,  // DLT_LINUX_SLL: Linux cooked capture v1 ("-i any")
    228,  // DLT_IPV4: a bare IPv4 packet
    229,  // DLT_IPV6: a bare IPv6 packet
    276,  // DLT_LINUX_SLL2: Linux cooked capture v2
};

// Decodes one captured frame of pcap link type `link_type` into `out`: `captured` bytes are at
// `data` (pcap's caplen) out of a frame of `wire_length` bytes (pcap's len). Never reads past
// data + captured; never allocates, throws or keeps state, so any thread may call it; in practice
// the capture thread does, once per packet. `out` is reset first; on a status other than kOk it
// holds whatever was decoded before the failure (e.g. addresses of a fragment) and no more.
DecodeStatus decodePacket(int link_type, const uint8_t* data, uint32_t captured,
                          uint32_t wire_length, int64_t timestamp_ns, DecodedPacket& out);

}  // namespace meshlb::capture
