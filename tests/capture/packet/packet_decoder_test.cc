// The decoder end to end: status names, a full Ethernet/IPv4/TCP decode, every supported link
// type, and that `out` never carries anything over from a previous packet.
#include "capture/packet/packet_decoder.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "tests/capture/packet/packet_builder.h"

namespace meshlb::capture {
namespace {

using test::Bytes;
using test::decode;
using test::operator+;

TEST(PacketDecoderTest, StatusNamesAreDistinctSnakeCase) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < static_cast<size_t>(DecodeStatus::kCount); ++i) {
    const std::string_view name = decodeStatusName(static_cast<DecodeStatus>(i));
    ASSERT_FALSE(name.empty());
    for (char c : name) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    }
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
  EXPECT_EQ(decodeStatusName(DecodeStatus::kOk), "ok");
  EXPECT_EQ(decodeStatusName(DecodeStatus::kNotIp), "not_ip");
  EXPECT_EQ(decodeStatusName(DecodeStatus::kIpFragment), "ip_fragment");
  EXPECT_EQ(decodeStatusName(DecodeStatus::kTruncatedTransportHeader),
            "truncated_transport_header");
  EXPECT_EQ(decodeStatusName(DecodeStatus::kCount), "unknown");
  EXPECT_EQ(decodeStatusName(static_cast<DecodeStatus>(200)), "unknown");
}

TEST(PacketDecoderTest, DecodesEthernetIpv4TcpFieldByField) {
  test::TcpSpec tcp;
  tcp.source_port = 51234;
  tcp.destination_port = 8080;
  tcp.seq = 0xdeadbeef;
  tcp.ack = 0x11223344;
  tcp.flags = kAck | kPsh;
  tcp.window = 0xfff0;
  tcp.payload_length = 100;
  test::Ipv4Spec ip;
  ip.source = {192, 168, 1, 10};
  ip.destination = {172, 16, 0, 255};
  const Bytes frame = test::ethernet(0x0800, test::ipv4(ip, test::tcp(tcp)));
  ASSERT_EQ(frame.size(), 14u + 20 + 20 + 100);

  const auto [status, packet] = decode(1, frame);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.timestamp_ns, 1'700'000'000'123'456'789);
  EXPECT_EQ(packet.wire_length, 154u);
  EXPECT_EQ(packet.ip_length, 140u);
  EXPECT_EQ(packet.source.family, 4);
  EXPECT_EQ(packet.source.toString(), "192.168.1.10");
  EXPECT_EQ(packet.destination.toString(), "172.16.0.255");
  EXPECT_EQ(packet.source_port, 51234);
  EXPECT_EQ(packet.destination_port, 8080);
  EXPECT_EQ(packet.protocol, 6);
  EXPECT_EQ(packet.payload_length, 100u);
  EXPECT_EQ(packet.tcp_flags, kAck | kPsh);
  EXPECT_EQ(packet.seq, 0xdeadbeefu);
  EXPECT_EQ(packet.ack, 0x11223344u);
  EXPECT_EQ(packet.window, 0xfff0);
  EXPECT_EQ(packet.window_scale, -1);
  EXPECT_FALSE(packet.sack_permitted);
  EXPECT_FALSE(packet.has_sack_blocks);
}

TEST(PacketDecoderTest, HeadersOnlySnaplenStillCountsEveryByte) {
  test::TcpSpec tcp;
  tcp.payload_length = 1400;
  const Bytes frame = test::ethernet(0x0800, test::ipv4({}, test::tcp(tcp)));
  const auto [status, packet] = decode(1, frame, /*captured=*/54);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.wire_length, 1454u);
  EXPECT_EQ(packet.ip_length, 1440u);
  EXPECT_EQ(packet.payload_length, 1400u);
}

TEST(PacketDecoderTest, EverySupportedLinkTypeDecodesSomething) {
  const Bytes ipv4 = test::ipv4({}, test::tcp({}));
  const Bytes ipv6 = test::ipv6({}, test::tcp({}));
  for (int link_type : kSupportedLinkTypes) {
    Bytes frame;
    switch (link_type) {
      case 0:
        frame = test::nullLink(2, false, ipv4);
        break;
      case 1:
        frame = test::ethernet(0x0800, ipv4);
        break;
      case 108:
        frame = test::loopLink(2, ipv4);
        break;
      case 113:
        frame = test::sll(0x0800, ipv4);
        break;
      case 229:
        frame = ipv6;
        break;
      case 276:
        frame = test::sll2(0x86dd, ipv6);
        break;
      default:
        frame = ipv4;
    }
    EXPECT_EQ(decode(link_type, frame).status, DecodeStatus::kOk) << "link type " << link_type;
  }
  EXPECT_EQ(decode(105, test::ethernet(0x0800, ipv4)).status,  // 802.11
            DecodeStatus::kUnsupportedLinkType);
  EXPECT_EQ(decode(-1, ipv4).status, DecodeStatus::kUnsupportedLinkType);
}

TEST(PacketDecoderTest, ResetsEveryFieldBeforeDecoding) {
  test::TcpSpec syn;
  syn.flags = kSyn;
  syn.options = {3, 3, 7, 4, 2};
  syn.payload_length = 5;
  Bytes frame = test::ethernet(0x0800, test::ipv4({}, test::tcp(syn)));
  DecodedPacket packet;
  ASSERT_EQ(decodePacket(1, frame.data(), frame.size(), frame.size(), 5, packet),
            DecodeStatus::kOk);
  ASSERT_EQ(packet.window_scale, 7);

  // A UDP packet after it: nothing of the TCP packet may survive.
  test::Ipv4Spec ip;
  ip.protocol = 17;
  frame = test::ethernet(0x0800, test::ipv4(ip, test::udp(53, 5353, 12)));
  ASSERT_EQ(decodePacket(1, frame.data(), frame.size(), frame.size(), 6, packet),
            DecodeStatus::kOk);
  EXPECT_EQ(packet.timestamp_ns, 6);
  EXPECT_EQ(packet.protocol, 17);
  EXPECT_EQ(packet.tcp_flags, 0);
  EXPECT_EQ(packet.seq, 0u);
  EXPECT_EQ(packet.ack, 0u);
  EXPECT_EQ(packet.window, 0);
  EXPECT_EQ(packet.window_scale, -1);
  EXPECT_FALSE(packet.sack_permitted);

  // And an ARP frame after that: no addresses or ports left behind.
  frame = test::ethernet(0x0806, Bytes(28, 0));
  ASSERT_EQ(decodePacket(1, frame.data(), frame.size(), frame.size(), 7, packet),
            DecodeStatus::kNotIp);
  EXPECT_EQ(packet.source.family, 0);
  EXPECT_EQ(packet.source_port, 0);
  EXPECT_EQ(packet.ip_length, 0u);
  EXPECT_EQ(packet.wire_length, frame.size());
}

}  // namespace
}  // namespace meshlb::capture
