#include "capture/packet/ip_layer.h"

#include <cstring>

#include "capture/packet/byte_order.h"

namespace meshlb::capture::detail {
namespace {

constexpr uint32_t kIpv4MinHeaderLength = 20;
constexpr uint32_t kIpv6HeaderLength = 40;
constexpr uint32_t kIpv6MinExtensionLength = 8;  // every extension header is a multiple of 8
// A real packet has two or three; the bound keeps a crafted chain from costing more than a few
// dozen bytes of reading, and more than that is reported as a bad header.
constexpr int kMaxIpv6ExtensionHeaders = 8;

constexpr uint8_t kProtocolTcp = 6;
constexpr uint8_t kProtocolUdp = 17;

bool isTcpOrUdp(uint8_t protocol) {
  return protocol == kProtocolTcp || protocol == kProtocolUdp;
}

// The IPv6 extension headers we step over (RFC 8200 section 4 and the IANA registry). ESP (50)
// is not among them: what follows it is encrypted, so it ends the chain like an upper layer.
bool isIpv6ExtensionHeader(uint8_t next_header) {
  switch (next_header) {
    case 0:    // hop-by-hop options
    case 43:   // routing
    case 44:   // fragment
    case 51:   // authentication header
    case 60:   // destination options
    case 135:  // mobility
    case 139:  // HIP
    case 140:  // shim6
      return true;
    default:
      return false;
  }
}

void copyAddress(IpAddress& address, uint8_t family, const uint8_t* bytes, size_t length) {
  address.family = family;
  std::memcpy(address.bytes.data(), bytes, length);
}

DecodeStatus decodeIpv4(const uint8_t* ip, uint32_t captured, uint32_t wire_length,
                        DecodedPacket& out, TransportSpan& transport) {
  if (captured < kIpv4MinHeaderLength) {
    return DecodeStatus::kTruncatedIpHeader;
  }
  if ((ip[0] >> 4) != 4) {
    return DecodeStatus::kBadIpVersion;
  }
  const uint32_t header_length = (ip[0] & 0x0fu) * 4;
  if (header_length < kIpv4MinHeaderLength) {
    return DecodeStatus::kBadIpHeaderLength;
  }
  if (header_length > captured) {
    return DecodeStatus::kTruncatedIpHeader;
  }
  const uint32_t total_length = loadBigEndian16(ip + 2);
  out.ip_length = total_length;
  out.protocol = ip[9];
  copyAddress(out.source, 4, ip + 12, 4);
  copyAddress(out.destination, 4, ip + 16, 4);
  // More than was captured is the snaplen at work; more than the wire carried is a lie.
  if (total_length < header_length || total_length > wire_length) {
    return DecodeStatus::kBadIpLength;
  }
  const uint16_t fragment = loadBigEndian16(ip + 6);
  if ((fragment & 0x1fffu) != 0) {
    return DecodeStatus::kIpFragment;
  }
  if (!isTcpOrUdp(out.protocol)) {
    return DecodeStatus::kNotTcpOrUdp;
  }
  transport.offset = header_length;
  transport.length = total_length - header_length;
  transport.first_fragment = (fragment & 0x2000u) != 0;  // MF
  return DecodeStatus::kOk;
}

DecodeStatus decodeIpv6(const uint8_t* ip, uint32_t captured, uint32_t wire_length,
                        DecodedPacket& out, TransportSpan& transport) {
  if (captured < kIpv6HeaderLength) {
    return DecodeStatus::kTruncatedIpHeader;
  }
  if ((ip[0] >> 4) != 6) {
    return DecodeStatus::kBadIpVersion;
  }
  // A jumbogram (payload length 0 plus a hop-by-hop jumbo option) fails the extension-header
  // bound below: no link we capture on carries packets over 64 KiB.
  const uint32_t end = kIpv6HeaderLength + loadBigEndian16(ip + 4);
  out.ip_length = end;
  copyAddress(out.source, 6, ip + 8, 16);
  copyAddress(out.destination, 6, ip + 24, 16);
  if (end > wire_length) {
    return DecodeStatus::kBadIpLength;
  }
  uint8_t next_header = ip[6];
  uint32_t offset = kIpv6HeaderLength;
  bool first_fragment = false;
  for (int count = 0; isIpv6ExtensionHeader(next_header); ++count) {
    if (count == kMaxIpv6ExtensionHeaders) {
      return DecodeStatus::kBadIpHeaderLength;
    }
    if (captured - offset < kIpv6MinExtensionLength) {
      return DecodeStatus::kTruncatedIpHeader;
    }
    const uint8_t* extension = ip + offset;
    uint32_t length;
    if (next_header == 44) {  // fragment: fixed 8 bytes, offset in the top 13 bits of 2..3
      const uint16_t fragment = loadBigEndian16(extension + 2);
      if ((fragment & 0xfff8u) != 0) {
        out.protocol = extension[0];
        return DecodeStatus::kIpFragment;
      }
      first_fragment = (fragment & 0x0001u) != 0;  // M
      length = 8;
    } else if (next_header == 51) {  // AH counts 4-byte words, minus 2 (RFC 4302)
      length = (extension[1] + 2u) * 4;
    } else {  // the others count 8-byte units, not counting the first (RFC 8200 4.3)
      length = (extension[1] + 1u) * 8;
    }
    if (length > captured - offset) {
      return DecodeStatus::kTruncatedIpHeader;
    }
    if (length > end - offset) {
      return DecodeStatus::kBadIpLength;
    }
    next_header = extension[0];
    offset += length;
  }
  out.protocol = next_header;
  if (!isTcpOrUdp(next_header)) {
    return DecodeStatus::kNotTcpOrUdp;
  }
  transport.offset = offset;
  transport.length = end - offset;
  transport.first_fragment = first_fragment;
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus decodeIpHeader(uint8_t expected_version, const uint8_t* ip, uint32_t captured,
                            uint32_t wire_length, DecodedPacket& out, TransportSpan& transport) {
  uint8_t version = expected_version;
  if (version == 0) {
    if (captured == 0) {
      return DecodeStatus::kTruncatedIpHeader;
    }
    version = ip[0] >> 4;
  }
  if (version == 4) {
    return decodeIpv4(ip, captured, wire_length, out, transport);
  }
  if (version == 6) {
    return decodeIpv6(ip, captured, wire_length, out, transport);
  }
  return DecodeStatus::kBadIpVersion;
}

}  // namespace meshlb::capture::detail
