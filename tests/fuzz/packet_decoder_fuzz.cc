// libFuzzer entry point for decodePacket(). The first input byte picks the link type from
// kSupportedLinkTypes, the rest is the captured frame. Each frame is decoded twice: once as a
// complete frame (wire length = captured) and once as a snaplen-cut one (wire length larger),
// so both the IP-length checks and the "longer than captured" paths are exercised. Besides the
// sanitizers' checks, the invariants of a kOk decode are asserted here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "capture/packet/packet_decoder.h"

namespace {

using meshlb::capture::DecodedPacket;
using meshlb::capture::DecodeStatus;

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void decodeAndCheck(int link_type, const uint8_t* frame, uint32_t captured, uint32_t wire) {
  DecodedPacket packet;
  const DecodeStatus status =
      meshlb::capture::decodePacket(link_type, frame, captured, wire, 42, packet);
  check(status < DecodeStatus::kCount);
  check(meshlb::capture::decodeStatusName(status) != "unknown");
  check(packet.timestamp_ns == 42 && packet.wire_length == wire);
  if (status != DecodeStatus::kOk) {
    return;
  }
  check(packet.protocol == 6 || packet.protocol == 17);
  check(packet.source.family == 4 || packet.source.family == 6);
  check(packet.source.family == packet.destination.family);
  check(packet.ip_length <= wire);
  check(packet.payload_length < packet.ip_length);
  check(packet.window_scale >= -1 && packet.window_scale <= 14);
  if (packet.protocol == 17) {
    check(packet.tcp_flags == 0 && packet.window_scale == -1 && !packet.sack_permitted);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 0xffff) {
    return 0;
  }
  const auto& types = meshlb::capture::kSupportedLinkTypes;
  const int link_type = types[data[0] % types.size()];
  // libFuzzer hands over a heap copy of exactly `size` bytes, so ASan sees any over-read.
  const uint8_t* frame = data + 1;
  const auto captured = static_cast<uint32_t>(size - 1);
  decodeAndCheck(link_type, frame, captured, captured);
  decodeAndCheck(link_type, frame, captured, captured + 1500);
  return 0;
}
