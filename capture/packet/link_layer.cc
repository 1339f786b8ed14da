#include "capture/packet/link_layer.h"

#include "capture/packet/byte_order.h"

namespace meshlb::capture::detail {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

constexpr uint32_t kEthernetHeaderLength = 14;
constexpr uint32_t kVlanTagLength = 4;
constexpr uint32_t kSllHeaderLength = 16;
constexpr uint32_t kSll2HeaderLength = 20;
constexpr uint32_t kLoopbackHeaderLength = 4;

// 802.1Q, 802.1ad (QinQ outer tag) and the pre-standard 0x9100 QinQ tag some switches still use.
bool isVlanTag(uint16_t ether_type) {
  return ether_type == 0x8100 || ether_type == 0x88a8 || ether_type == 0x9100;
}

// Follows the EtherType at data + offset - 2 through any stack of VLAN tags. Bounded by the
// captured bytes: every tag consumes 4 of them. Also used after the Linux cooked headers, where
// libpcap re-inserts the VLAN tag the kernel stripped.
DecodeStatus decodeEtherType(const uint8_t* data, uint32_t captured, uint32_t offset,
                             uint16_t ether_type, LinkHeader& link) {
  while (isVlanTag(ether_type)) {
    if (captured - offset < kVlanTagLength) {
      return DecodeStatus::kTruncatedLinkHeader;
    }
    ether_type = loadBigEndian16(data + offset + 2);  // after the 2-byte tag control field
    offset += kVlanTagLength;
  }
  link.length = offset;
  if (ether_type == kEtherTypeIpv4) {
    link.ip_version = 4;
  } else if (ether_type == kEtherTypeIpv6) {
    link.ip_version = 6;
  } else {
    return DecodeStatus::kNotIp;
  }
  return DecodeStatus::kOk;
}

// BSD loopback headers carry the sender's AF_ value; AF_INET is 2 everywhere, AF_INET6 is 10 on
// Linux, 24 on NetBSD/OpenBSD, 28 on FreeBSD/DragonFly and 30 on Darwin, and a file may come
// from any of them.
DecodeStatus decodeAddressFamily(uint32_t family, LinkHeader& link) {
  link.length = kLoopbackHeaderLength;
  if (family == 2) {
    link.ip_version = 4;
  } else if (family == 10 || family == 24 || family == 28 || family == 30) {
    link.ip_version = 6;
  } else {
    return DecodeStatus::kNotIp;
  }
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus decodeLinkHeader(int link_type, const uint8_t* data, uint32_t captured,
                              LinkHeader& link) {
  switch (link_type) {
    case 1:  // Ethernet: EtherType at offset 12
      if (captured < kEthernetHeaderLength) {
        return DecodeStatus::kTruncatedLinkHeader;
      }
      return decodeEtherType(data, captured, kEthernetHeaderLength, loadBigEndian16(data + 12),
                             link);
    case 113:  // Linux SLL: packet type, ARPHRD, address length, 8-byte address, protocol
      if (captured < kSllHeaderLength) {
        return DecodeStatus::kTruncatedLinkHeader;
      }
      return decodeEtherType(data, captured, kSllHeaderLength, loadBigEndian16(data + 14), link);
    case 276:  // Linux SLL2: the protocol comes first
      if (captured < kSll2HeaderLength) {
        return DecodeStatus::kTruncatedLinkHeader;
      }
      return decodeEtherType(data, captured, kSll2HeaderLength, loadBigEndian16(data), link);
    case 0: {  // DLT_NULL: the capturing host's byte order, which need not be ours
      if (captured < kLoopbackHeaderLength) {
        return DecodeStatus::kTruncatedLinkHeader;
      }
      uint32_t family = loadHost32(data);
      // Every AF_ value is below 65536, so a value with high bits set was written by a host of
      // the other byte order; tcpdump's print-null.c decides the same way.
      if ((family & 0xffff0000u) != 0) {
        family = __builtin_bswap32(family);
      }
      return decodeAddressFamily(family, link);
    }
    case 108:  // DLT_LOOP: network byte order
      if (captured < kLoopbackHeaderLength) {
        return DecodeStatus::kTruncatedLinkHeader;
      }
      return decodeAddressFamily(loadBigEndian32(data), link);
    case 12:
    case 14:
    case 101:
      link = LinkHeader{0, 0};
      return DecodeStatus::kOk;
    case 228:
      link = LinkHeader{0, 4};
      return DecodeStatus::kOk;
    case 229:
      link = LinkHeader{0, 6};
      return DecodeStatus::kOk;
    default:
      return DecodeStatus::kUnsupportedLinkType;
  }
}

}  // namespace meshlb::capture::detail
