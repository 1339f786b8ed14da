#include "capture/packet/packet_decoder.h"

#include <algorithm>

#include "capture/packet/ip_layer.h"
#include "capture/packet/link_layer.h"
#include "capture/packet/transport_layer.h"

namespace meshlb::capture {
namespace {

// Indexed by DecodeStatus; the names are metrics labels, so they never change once shipped.
constexpr std::array<std::string_view, static_cast<size_t>(DecodeStatus::kCount)> kStatusNames = {
    "ok",
    "truncated_link_header",
    "unsupported_link_type",
    "not_ip",
    "truncated_ip_header",
    "bad_ip_version",
    "bad_ip_header_length",
    "bad_ip_length",
    "ip_fragment",
    "not_tcp_or_udp",
    "truncated_transport_header",
    "bad_tcp_header_length",
    "bad_udp_length",
};

// What `out` starts from. Assigning a constant compiles to a few block copies, where
// `out = DecodedPacket{}` builds a temporary on the stack first.
constexpr DecodedPacket kEmptyPacket{};

}  // namespace

std::string_view decodeStatusName(DecodeStatus status) {
  const auto index = static_cast<size_t>(status);
  return index < kStatusNames.size() ? kStatusNames[index] : "unknown";
}

DecodeStatus decodePacket(int link_type, const uint8_t* data, uint32_t captured,
                          uint32_t wire_length, int64_t timestamp_ns, DecodedPacket& out) {
  out = kEmptyPacket;
  out.timestamp_ns = timestamp_ns;
  out.wire_length = wire_length;

  detail::LinkHeader link;
  DecodeStatus status = detail::decodeLinkHeader(link_type, data, captured, link);
  if (status != DecodeStatus::kOk) {
    return status;
  }
  const uint8_t* ip = data + link.length;
  const uint32_t ip_captured = captured - link.length;
  const uint32_t ip_wire_length = wire_length > link.length ? wire_length - link.length : 0;

  detail::TransportSpan transport;
  status = detail::decodeIpHeader(link.ip_version, ip, ip_captured, ip_wire_length, out, transport);
  if (status != DecodeStatus::kOk) {
    return status;
  }
  // Bytes past the IP packet (Ethernet padding, a trailer) are not transport header bytes.
  const uint8_t* segment = ip + transport.offset;
  const uint32_t segment_captured = std::min(ip_captured - transport.offset, transport.length);
  if (out.protocol == 6) {
    return detail::decodeTcp(segment, segment_captured, transport.length, out);
  }
  return detail::decodeUdp(segment, segment_captured, transport.length, transport.first_fragment,
                           out);
}

}  // namespace meshlb::capture
