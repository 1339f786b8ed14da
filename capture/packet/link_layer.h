#pragma once

#include <cstdint>

#include "capture/packet/packet_decoder.h"

namespace meshlb::capture::detail {

// What the link layer says about the packet it carries.
struct LinkHeader {
  uint32_t length = 0;     // bytes before the IP header (link header plus VLAN tags)
  uint8_t ip_version = 0;  // 4 or 6 as announced by the link layer; 0 = the IP header decides
};

// Step 1 of decodePacket(): skips the link header of a `link_type` frame (one of
// kSupportedLinkTypes) and says which IP version follows. kOk only for IPv4 or IPv6; kNotIp for
// other payloads; never reads past data + captured. Capture thread (pure, any thread).
DecodeStatus decodeLinkHeader(int link_type, const uint8_t* data, uint32_t captured,
                              LinkHeader& link);

}  // namespace meshlb::capture::detail
