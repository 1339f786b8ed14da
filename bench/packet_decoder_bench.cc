// Cost of decodePacket() per captured frame: it runs on the capture thread for every packet, so
// it bounds the packet rate one capture thread can follow. Frames are headers-only captures
// (snaplen cut) of full-sized segments, as the capture module takes them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "capture/packet/packet_decoder.h"

namespace meshlb::capture {
namespace {

template <size_t... N>
constexpr auto concat(const std::array<uint8_t, N>&... parts) {
  std::array<uint8_t, (N + ...)> frame{};
  size_t offset = 0;
  ((std::copy(parts.begin(), parts.end(), frame.begin() + offset), offset += N), ...);
  return frame;
}

constexpr std::array<uint8_t, 12> kMacs = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
                                           0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<uint8_t, 2> kEtherTypeIpv4 = {0x08, 0x00};
constexpr std::array<uint8_t, 8> kQinQTags = {0x88, 0xa8, 0x00, 0x0a,   // 802.1ad, VLAN 10
                                              0x81, 0x00, 0x00, 0x14};  // 802.1Q, VLAN 20
// SLL2: protocol 0x86dd, reserved, interface 2, ARPHRD_ETHER, packet type, address.
constexpr std::array<uint8_t, 20> kSll2 = {0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00,
                                           0x02, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00,
                                           0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
// IPv4 10.0.0.1 -> 10.0.0.2, total length 1500, DF, TCP.
constexpr std::array<uint8_t, 20> kIpv4 = {0x45, 0x00, 0x05, 0xdc, 0x12, 0x34, 0x40,
                                           0x00, 0x40, 0x06, 0x00, 0x00, 0x0a, 0x00,
                                           0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
// IPv6 2001:db8::1 -> 2001:db8::2, payload length 1460, TCP.
constexpr std::array<uint8_t, 40> kIpv6 = {
    0x60, 0x00, 0x00, 0x00, 0x05, 0xb4, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
// TCP 40000 -> 80, PSH|ACK, data offset 8: NOP NOP timestamps, as Linux sends them.
constexpr std::array<uint8_t, 32> kTcp = {
    0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x80, 0x18, 0x01, 0xf5,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};

constexpr auto kEthernetIpv4Tcp = concat(kMacs, kEtherTypeIpv4, kIpv4, kTcp);
constexpr uint32_t kEthernetIpv4TcpWire = 14 + 1500;
constexpr auto kQinQIpv4Tcp = concat(kMacs, kQinQTags, kEtherTypeIpv4, kIpv4, kTcp);
constexpr uint32_t kQinQIpv4TcpWire = 22 + 1500;
constexpr auto kSll2Ipv6Tcp = concat(kSll2, kIpv6, kTcp);
constexpr uint32_t kSll2Ipv6TcpWire = 20 + 40 + 1460;

template <size_t N>
void benchDecode(benchmark::State& state, int link_type, const std::array<uint8_t, N>& frame,
                 uint32_t wire_length) {
  DecodedPacket packet;
  int64_t timestamp = 0;
  for (auto _ : state) {
    const DecodeStatus status =
        decodePacket(link_type, frame.data(), N, wire_length, ++timestamp, packet);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(packet);
  }
  if (decodePacket(link_type, frame.data(), N, wire_length, 0, packet) != DecodeStatus::kOk) {
    state.SkipWithError("the benchmark frame does not decode");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeEthernetIpv4Tcp(benchmark::State& state) {
  benchDecode(state, 1, kEthernetIpv4Tcp, kEthernetIpv4TcpWire);
}
void BM_DecodeQinQIpv4Tcp(benchmark::State& state) {
  benchDecode(state, 1, kQinQIpv4Tcp, kQinQIpv4TcpWire);
}
void BM_DecodeSll2Ipv6Tcp(benchmark::State& state) {
  benchDecode(state, 276, kSll2Ipv6Tcp, kSll2Ipv6TcpWire);
}

BENCHMARK(BM_DecodeEthernetIpv4Tcp);
BENCHMARK(BM_DecodeQinQIpv4Tcp);
BENCHMARK(BM_DecodeSll2Ipv6Tcp);

}  // namespace
}  // namespace meshlb::capture
