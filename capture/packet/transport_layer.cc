#include "capture/packet/transport_layer.h"

#include <algorithm>

#include "capture/packet/byte_order.h"

namespace meshlb::capture::detail {
namespace {

constexpr uint32_t kTcpMinHeaderLength = 20;
constexpr uint32_t kUdpHeaderLength = 8;

constexpr uint8_t kOptionEnd = 0;
constexpr uint8_t kOptionNop = 1;
constexpr uint8_t kOptionWindowScale = 3;
constexpr uint8_t kOptionSackPermitted = 4;
constexpr uint8_t kOptionSack = 5;
// RFC 7323 2.3: a receiver uses 14 in place of any larger shift count.
constexpr uint8_t kMaxWindowScale = 14;
// NOP, NOP, timestamps (kind 8, length 10): the whole option block of nearly every Linux data
// segment and pure ACK. It holds nothing we record, so its walk is skipped.
constexpr uint32_t kTimestampsOnlyOptions = 0x0101080a;
constexpr uint32_t kTimestampsOnlyHeaderLength = 32;

// Walks the TCP options. A malformed option (length < 2 or past the header) ends the walk
// rather than failing the packet: the fixed header is still good and options are a bonus.
// Window scale and SACK-permitted mean something only on a SYN (RFC 7323, RFC 2018), so they
// are recorded only there.
void parseTcpOptions(const uint8_t* options, uint32_t length, DecodedPacket& out) {
  const bool syn = (out.tcp_flags & kSyn) != 0;
  uint32_t i = 0;
  while (i < length) {
    const uint8_t kind = options[i];
    if (kind == kOptionEnd) {
      return;
    }
    if (kind == kOptionNop) {
      ++i;
      continue;
    }
    if (length - i < 2) {
      return;
    }
    const uint8_t size = options[i + 1];
    if (size < 2 || size > length - i) {
      return;
    }
    if (kind == kOptionWindowScale && size == 3 && syn) {
      out.window_scale = static_cast<int8_t>(std::min(options[i + 2], kMaxWindowScale));
    } else if (kind == kOptionSackPermitted && size == 2 && syn) {
      out.sack_permitted = true;
    } else if (kind == kOptionSack && size >= 10 && (size - 2) % 8 == 0) {
      out.has_sack_blocks = true;
    }
    i += size;
  }
}

}  // namespace

DecodeStatus decodeTcp(const uint8_t* segment, uint32_t captured, uint32_t length,
                       DecodedPacket& out) {
  if (captured < kTcpMinHeaderLength) {
    return DecodeStatus::kTruncatedTransportHeader;
  }
  out.source_port = loadBigEndian16(segment);
  out.destination_port = loadBigEndian16(segment + 2);
  out.seq = loadBigEndian32(segment + 4);
  out.ack = loadBigEndian32(segment + 8);
  out.tcp_flags = segment[13];
  out.window = loadBigEndian16(segment + 14);
  const uint32_t header_length = (segment[12] >> 4) * 4u;
  if (header_length < kTcpMinHeaderLength) {
    return DecodeStatus::kBadTcpHeaderLength;
  }
  out.payload_length = length > header_length ? length - header_length : 0;
  if (header_length <= kTcpMinHeaderLength || header_length > captured) {
    return DecodeStatus::kOk;  // no options, or cut off by the snaplen
  }
  const uint8_t* options = segment + kTcpMinHeaderLength;
  if (header_length == kTimestampsOnlyHeaderLength && (out.tcp_flags & kSyn) == 0 &&
      loadBigEndian32(options) == kTimestampsOnlyOptions) {
    return DecodeStatus::kOk;
  }
  parseTcpOptions(options, header_length - kTcpMinHeaderLength, out);
  return DecodeStatus::kOk;
}

DecodeStatus decodeUdp(const uint8_t* segment, uint32_t captured, uint32_t length,
                       bool first_fragment, DecodedPacket& out) {
  if (captured < kUdpHeaderLength) {
    return DecodeStatus::kTruncatedTransportHeader;
  }
  out.source_port = loadBigEndian16(segment);
  out.destination_port = loadBigEndian16(segment + 2);
  const uint32_t udp_length = loadBigEndian16(segment + 4);
  if (udp_length < kUdpHeaderLength || (udp_length > length && !first_fragment)) {
    return DecodeStatus::kBadUdpLength;
  }
  out.payload_length = std::min(udp_length, length) - kUdpHeaderLength;
  return DecodeStatus::kOk;
}

}  // namespace meshlb::capture::detail
