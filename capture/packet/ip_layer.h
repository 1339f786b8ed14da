#pragma once

#include <cstdint>

#include "capture/packet/decoded_packet.h"
#include "capture/packet/packet_decoder.h"

namespace meshlb::capture::detail {

// Where the transport header of a decoded IP packet is.
struct TransportSpan {
  uint32_t offset = 0;          // from the start of the IP header
  uint32_t length = 0;          // transport header plus payload, per the IP header
  bool first_fragment = false;  // more fragments follow: the datagram is longer than `length`
};

// Step 2 of decodePacket(): decodes the IPv4 or IPv6 header at `ip` (with `captured` bytes
// readable, and `wire_length` bytes from `ip` to the end of the frame on the wire) and fills
// out.source, out.destination, out.protocol and out.ip_length. `expected_version` is what the
// link layer announced (4 or 6), or 0 to let the header's version nibble decide. kOk only for a
// TCP or UDP packet that carries its transport header (not a non-first fragment); `transport`
// then lies within the IP packet, and its captured part within `captured`. Capture thread
// (pure, any thread).
DecodeStatus decodeIpHeader(uint8_t expected_version, const uint8_t* ip, uint32_t captured,
                            uint32_t wire_length, DecodedPacket& out, TransportSpan& transport);

}  // namespace meshlb::capture::detail
