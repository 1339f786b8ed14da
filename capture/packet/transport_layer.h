#pragma once

#include <cstdint>

#include "capture/packet/decoded_packet.h"
#include "capture/packet/packet_decoder.h"

namespace meshlb::capture::detail {

// Step 3 of decodePacket(): the TCP or UDP header at `segment`. `captured` bytes are readable
// (the caller has already cut them at the end of the IP packet, so Ethernet padding is never
// taken for header bytes); `length` is the transport header plus payload per the IP header.
// Fill ports, payload_length and, for TCP, flags, seq, ack, window and the options we track.
// Capture thread (pure, any thread).

// TCP: the fixed 20 bytes must be captured; options are parsed only if all of them were (a
// snaplen that cuts them off is not an error). payload_length is clamped at 0.
DecodeStatus decodeTcp(const uint8_t* segment, uint32_t captured, uint32_t length,
                       DecodedPacket& out);

// UDP: the UDP length must lie in 8..`length`, except in the first fragment of a fragmented
// datagram (`first_fragment`), where it covers the fragments still to come; payload_length
// then counts only what this packet carries.
DecodeStatus decodeUdp(const uint8_t* segment, uint32_t captured, uint32_t length,
                       bool first_fragment, DecodedPacket& out);

}  // namespace meshlb::capture::detail
