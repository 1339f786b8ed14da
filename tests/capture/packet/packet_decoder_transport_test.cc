// The transport layer: TCP header fields and options (window scale, SACK), options cut by the
// snaplen, bad data offsets; UDP lengths.
#include <gtest/gtest.h>

#include "capture/packet/packet_decoder.h"
#include "tests/capture/packet/packet_builder.h"

namespace meshlb::capture {
namespace {

using test::Bytes;
using test::decode;
using test::operator+;

test::Decoded decodeTcp(const test::TcpSpec& tcp, std::optional<uint32_t> captured = {}) {
  return decode(1, test::ethernet(0x0800, test::ipv4({}, test::tcp(tcp))), captured);
}

test::Decoded decodeUdp(const Bytes& datagram, test::Ipv4Spec ip = {}) {
  ip.protocol = 17;
  return decode(1, test::ethernet(0x0800, test::ipv4(ip, datagram)));
}

test::TcpSpec synWithOptions(Bytes options) {
  test::TcpSpec tcp;
  tcp.flags = kSyn;
  tcp.options = std::move(options);
  return tcp;
}

TEST(PacketDecoderTransportTest, SynOptionsOfALinuxClient) {
  // MSS 65495, SACK permitted, timestamps, NOP, window scale 7: what curl's SYN on lo carries.
  const Bytes options{2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
  const auto [status, packet] = decodeTcp(synWithOptions(options));
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.tcp_flags, kSyn);
  EXPECT_EQ(packet.window_scale, 7);
  EXPECT_TRUE(packet.sack_permitted);
  EXPECT_FALSE(packet.has_sack_blocks);
  EXPECT_EQ(packet.payload_length, 0u);
}

TEST(PacketDecoderTransportTest, WindowScaleOnlyOnSynAndClampedTo14) {
  EXPECT_EQ(decodeTcp(synWithOptions({3, 3, 0})).packet.window_scale, 0);
  EXPECT_EQ(decodeTcp(synWithOptions({3, 3, 14})).packet.window_scale, 14);
  EXPECT_EQ(decodeTcp(synWithOptions({3, 3, 200})).packet.window_scale, 14);   // RFC 7323 2.3
  EXPECT_EQ(decodeTcp(synWithOptions({3, 4, 7, 0})).packet.window_scale, -1);  // wrong length
  test::TcpSpec ack = synWithOptions({1, 3, 3, 7, 4, 2});
  ack.flags = kAck;
  const auto [status, packet] = decodeTcp(ack);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.window_scale, -1);
  EXPECT_FALSE(packet.sack_permitted);
  ack.flags = kSyn | kAck;
  EXPECT_EQ(decodeTcp(ack).packet.window_scale, 7);
}

TEST(PacketDecoderTransportTest, SackBlocks) {
  test::TcpSpec tcp;
  tcp.flags = kAck;
  // NOP NOP, timestamps, NOP NOP, SACK with two blocks.
  Bytes options{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 18};
  options.resize(options.size() + 16, 0x33);
  tcp.options = options;
  EXPECT_TRUE(decodeTcp(tcp).packet.has_sack_blocks);
  // One block behind two NOPs: 12 bytes of options, like the timestamps-only fast path.
  tcp.options = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_TRUE(decodeTcp(tcp).packet.has_sack_blocks);
  tcp.options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};  // timestamps only: the fast path
  EXPECT_FALSE(decodeTcp(tcp).packet.has_sack_blocks);
  tcp.options = {5, 2};  // no block
  EXPECT_FALSE(decodeTcp(tcp).packet.has_sack_blocks);
  tcp.options = {5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0};  // not a whole block
  EXPECT_FALSE(decodeTcp(tcp).packet.has_sack_blocks);
}

TEST(PacketDecoderTransportTest, MalformedOptionsEndTheWalkNotThePacket) {
  // Length 0 would loop forever if trusted; length 40 runs past the header.
  for (Bytes options : {Bytes{8, 0, 3, 3, 7}, Bytes{8, 40, 3, 3, 7}, Bytes{1, 1, 1, 3}}) {
    const auto [status, packet] = decodeTcp(synWithOptions(options));
    EXPECT_EQ(status, DecodeStatus::kOk);
    EXPECT_EQ(packet.window_scale, -1);
  }
  // Nothing after end-of-options counts.
  EXPECT_EQ(decodeTcp(synWithOptions({0, 3, 3, 7})).packet.window_scale, -1);
}

TEST(PacketDecoderTransportTest, OptionsCutBySnaplenAreSkipped) {
  test::TcpSpec syn = synWithOptions({2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 9});  // 12 bytes of options
  syn.payload_length = 0;
  const uint32_t headers = 14 + 20 + 32;
  for (uint32_t captured = 14 + 20 + 20; captured < headers; ++captured) {
    const auto [status, packet] = decodeTcp(syn, captured);
    ASSERT_EQ(status, DecodeStatus::kOk) << captured;
    EXPECT_EQ(packet.seq, 0x01020304u);
    EXPECT_EQ(packet.window_scale, -1);
    EXPECT_FALSE(packet.sack_permitted);
  }
  EXPECT_EQ(decodeTcp(syn, headers).packet.window_scale, 9);
}

TEST(PacketDecoderTransportTest, TcpHeaderLengthChecks) {
  test::TcpSpec tcp;
  tcp.data_offset = 4;
  EXPECT_EQ(decodeTcp(tcp).status, DecodeStatus::kBadTcpHeaderLength);
  tcp.data_offset = 0;
  EXPECT_EQ(decodeTcp(tcp).status, DecodeStatus::kBadTcpHeaderLength);
  // A data offset past the IP payload: the payload clamps at 0.
  tcp.data_offset = 15;
  tcp.payload_length = 12;
  const auto [status, packet] = decodeTcp(tcp);
  EXPECT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.payload_length, 0u);
  EXPECT_EQ(decodeTcp({}, 14 + 20 + 19).status, DecodeStatus::kTruncatedTransportHeader);
}

TEST(PacketDecoderTransportTest, TcpHeaderMustFitTheIpPacket) {
  // IP says 30 bytes: only 10 of TCP. The padding after them must not be read as header.
  test::Ipv4Spec ip;
  ip.total_length = 30;
  const Bytes frame = test::ethernet(0x0800, test::ipv4(ip, test::tcp({})));
  EXPECT_EQ(decode(1, frame).status, DecodeStatus::kTruncatedTransportHeader);
}

TEST(PacketDecoderTransportTest, Udp) {
  const auto [status, packet] = decodeUdp(test::udp(5353, 53, 33));
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.protocol, 17);
  EXPECT_EQ(packet.source_port, 5353);
  EXPECT_EQ(packet.destination_port, 53);
  EXPECT_EQ(packet.payload_length, 33u);
  EXPECT_EQ(packet.ip_length, 61u);
  EXPECT_EQ(packet.window_scale, -1);
  EXPECT_EQ(decodeUdp(test::udp(1, 2, 0)).packet.payload_length, 0u);
}

TEST(PacketDecoderTransportTest, UdpLengthChecks) {
  EXPECT_EQ(decodeUdp(test::udp(1, 2, 10, 7)).status, DecodeStatus::kBadUdpLength);
  EXPECT_EQ(decodeUdp(test::udp(1, 2, 10, 19)).status, DecodeStatus::kBadUdpLength);
  // Shorter than the IP payload: the UDP length counts (the rest is trailer).
  EXPECT_EQ(decodeUdp(test::udp(1, 2, 10, 12)).packet.payload_length, 4u);
  // The first fragment of a big datagram: the UDP length covers the fragments to come.
  test::Ipv4Spec first;
  first.fragment = 0x2000;
  const auto [status, packet] = decodeUdp(test::udp(1, 2, 1472, 8000), first);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(packet.payload_length, 1472u);
  EXPECT_EQ(decodeUdp(Bytes{0, 1, 0, 2, 0, 8, 0}).status, DecodeStatus::kTruncatedTransportHeader);
}

}  // namespace
}  // namespace meshlb::capture
