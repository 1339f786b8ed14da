#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/ip_address.h"

namespace meshlb::capture {

// A packet's addresses: the common type (common/ip_address.h), also used by the proxy.
using meshlb::IpAddress;

// TCP header flag bits, as in the header's 13th byte.
enum TcpFlag : uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
  kEce = 0x40,
  kCwr = 0x80,
};

// The fields of one captured packet that flow tracking needs, decoded from its headers. Lengths
// come from the IP and TCP headers, never from how much was captured, so a headers-only snaplen
// still counts every byte. A plain value, filled by decodePacket() on the capture thread.
struct DecodedPacket {
  int64_t timestamp_ns = 0;  // capture time, nanoseconds since the Unix epoch
  uint32_t wire_length = 0;  // the frame's length on the wire (pcap's len)
  uint32_t ip_length = 0;    // IPv4 total length, or IPv6 payload length + 40
  IpAddress source;
  IpAddress destination;
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint8_t protocol = 0;         // 6 = TCP, 17 = UDP
  uint32_t payload_length = 0;  // bytes after the TCP or UDP header, per the IP length
  // TCP only (zero for UDP):
  uint8_t tcp_flags = 0;  // TcpFlag bits
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t window = 0;           // as in the header, not scaled
  int8_t window_scale = -1;      // the SYN's window-scale option; -1 when absent or not a SYN
  bool sack_permitted = false;   // SYN option
  bool has_sack_blocks = false;  // a SACK option with at least one block
};

}  // namespace meshlb::capture
