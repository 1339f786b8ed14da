// Every prefix of a valid frame of each kind must decode to some status without reading past
// the captured bytes (each prefix sits in a heap block of exactly its size, so the ASan build
// catches an over-read), and once the headers are in, to kOk.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/packet/packet_decoder.h"
#include "tests/capture/packet/packet_builder.h"

namespace meshlb::capture {
namespace {

using test::Bytes;
using test::decode;
using test::operator+;

struct SweepCase {
  std::string name;
  int link_type;
  Bytes frame;
  uint32_t headers;  // link + IP + transport header bytes: the shortest prefix that decodes
};

std::vector<SweepCase> sweepCases() {
  test::TcpSpec syn;
  syn.flags = kSyn;
  syn.options = {2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  syn.payload_length = 16;
  test::Ipv4Spec options_ip;
  options_ip.options = {0x94, 4, 0, 0};
  test::Ipv4Spec udp_ip;
  udp_ip.protocol = 17;
  test::Ipv6Spec chain_ip;
  chain_ip.next_header = 0;
  const Bytes ipv4 = test::ipv4(options_ip, test::tcp(syn));
  const Bytes ipv6 = test::ipv6(chain_ip, test::ipv6Extension(51) + test::ipv6Ah(44, 1) +
                                              test::ipv6Fragment(6, 0, false) + test::tcp(syn));
  const Bytes udp = test::ipv4(udp_ip, test::udp(53, 53, 12));
  test::Ipv6Spec udp6_ip;
  udp6_ip.next_header = 17;
  const Bytes udp6 = test::ipv6(udp6_ip, test::udp(53, 53, 12));
  // IP header (with options or extension headers) plus the fixed 20 bytes of TCP or 8 of UDP:
  // TCP options cut by the snaplen do not fail the decode.
  const uint32_t ipv4_headers = 24 + 20;
  const uint32_t ipv6_headers = 40 + 8 + 12 + 8 + 20;
  const uint32_t udp_headers = 20 + 8;
  const uint32_t udp6_headers = 40 + 8;
  return {
      {"ethernet_ipv4_tcp", 1, test::ethernet(0x0800, ipv4), 14 + ipv4_headers},
      {"qinq_ipv6_tcp", 1, test::ethernet(0x86dd, ipv6, {{0x88a8, 1}, {0x8100, 2}}),
       22 + ipv6_headers},
      {"ethernet_ipv4_udp", 1, test::ethernet(0x0800, udp), 14 + udp_headers},
      {"null_ipv4_tcp", 0, test::nullLink(2, false, ipv4), 4 + ipv4_headers},
      {"loop_ipv6_tcp", 108, test::loopLink(24, ipv6), 4 + ipv6_headers},
      {"raw_ipv4_tcp", 12, ipv4, ipv4_headers},
      {"raw_openbsd_ipv6_udp", 14, udp6, udp6_headers},
      {"linktype_raw_ipv4_udp", 101, udp, udp_headers},
      {"ipv4_tcp", 228, ipv4, ipv4_headers},
      {"ipv6_tcp", 229, ipv6, ipv6_headers},
      {"sll_ipv4_tcp", 113, test::sll(0x0800, ipv4), 16 + ipv4_headers},
      {"sll2_ipv6_tcp", 276, test::sll2(0x86dd, ipv6), 20 + ipv6_headers},
  };
}

TEST(PacketDecoderTruncationTest, EveryPrefixOfEveryKind) {
  for (const SweepCase& sweep : sweepCases()) {
    SCOPED_TRACE(sweep.name);
    const test::Decoded whole = decode(sweep.link_type, sweep.frame);
    ASSERT_EQ(whole.status, DecodeStatus::kOk);
    const auto size = static_cast<uint32_t>(sweep.frame.size());
    for (uint32_t captured = 0; captured <= size; ++captured) {
      // As a snaplen: the wire length is the whole frame.
      const test::Decoded cut = decode(sweep.link_type, sweep.frame, captured);
      ASSERT_LT(cut.status, DecodeStatus::kCount) << captured;
      if (captured >= sweep.headers) {
        ASSERT_EQ(cut.status, DecodeStatus::kOk) << captured;
        EXPECT_EQ(cut.packet.ip_length, whole.packet.ip_length) << captured;
        EXPECT_EQ(cut.packet.payload_length, whole.packet.payload_length) << captured;
        EXPECT_EQ(cut.packet.source_port, whole.packet.source_port) << captured;
      } else {
        ASSERT_NE(cut.status, DecodeStatus::kOk) << captured;
      }
      // As a frame that really was this short: the IP length then overstates it.
      const test::Decoded short_frame = decode(sweep.link_type, sweep.frame, captured, captured);
      ASSERT_LT(short_frame.status, DecodeStatus::kCount) << captured;
      ASSERT_EQ(short_frame.status == DecodeStatus::kOk, captured == size) << captured;
    }
  }
}

}  // namespace
}  // namespace meshlb::capture
