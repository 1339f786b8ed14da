// The IP layer: IPv4 header and length checks, options and fragments; IPv6 extension headers
// and fragments.
#include <gtest/gtest.h>

#include "capture/packet/packet_decoder.h"
#include "tests/capture/packet/packet_builder.h"

namespace meshlb::capture {
namespace {

using test::Bytes;
using test::decode;
using test::operator+;

constexpr int kRaw = 101;

Bytes tcpSegment(uint32_t payload_length = 0) {
  test::TcpSpec tcp;
  tcp.payload_length = payload_length;
  return test::tcp(tcp);
}

TEST(PacketDecoderIpTest, Ipv4WithOptions) {
  test::Ipv4Spec ip;
  ip.options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01};  // router alert, NOPs, padding
  const Bytes packet = test::ipv4(ip, tcpSegment(7));
  ASSERT_EQ(packet.size(), 28u + 20 + 7);
  const auto [status, decoded] = decode(kRaw, packet);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.ip_length, 55u);
  EXPECT_EQ(decoded.source_port, 40000);
  EXPECT_EQ(decoded.seq, 0x01020304u);
  EXPECT_EQ(decoded.payload_length, 7u);
}

TEST(PacketDecoderIpTest, Ipv4HeaderLengthChecks) {
  test::Ipv4Spec ip;
  ip.ihl = 4;
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, tcpSegment())).status, DecodeStatus::kBadIpHeaderLength);
  // IHL 15 = 60 bytes, but only 20 of header plus 20 of TCP were captured... and 40 < 60.
  ip.ihl = 15;
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, tcpSegment())).status, DecodeStatus::kTruncatedIpHeader);
  EXPECT_EQ(decode(kRaw, test::ipv4({}, tcpSegment()), 19).status,
            DecodeStatus::kTruncatedIpHeader);
  ip = {};
  ip.version = 5;
  EXPECT_EQ(decode(1, test::ethernet(0x0800, test::ipv4(ip, tcpSegment()))).status,
            DecodeStatus::kBadIpVersion);
}

TEST(PacketDecoderIpTest, Ipv4TotalLengthChecks) {
  test::Ipv4Spec ip;
  ip.options = {1, 1, 1, 1};
  ip.total_length = 23;  // less than the 24-byte header
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, tcpSegment())).status, DecodeStatus::kBadIpLength);
  // More than the wire carried after the link header.
  ip = {};
  const Bytes frame = test::ethernet(0x0800, test::ipv4(ip, tcpSegment(10)));
  EXPECT_EQ(decode(1, frame, frame.size(), frame.size() - 1).status, DecodeStatus::kBadIpLength);
  EXPECT_EQ(decode(1, frame, frame.size(), 10).status, DecodeStatus::kBadIpLength);
  // More than was captured is the snaplen: fine.
  EXPECT_EQ(decode(1, frame, 60, frame.size()).status, DecodeStatus::kOk);
}

TEST(PacketDecoderIpTest, EthernetPaddingIsNotPayload) {
  // A 40-byte ACK padded to Ethernet's 60-byte minimum frame.
  const Bytes frame = test::ethernet(0x0800, test::ipv4({}, tcpSegment())) + Bytes(6, 0);
  const auto [status, decoded] = decode(1, frame);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.ip_length, 40u);
  EXPECT_EQ(decoded.payload_length, 0u);
}

TEST(PacketDecoderIpTest, Ipv4Fragments) {
  test::Ipv4Spec ip;
  ip.fragment = 0x2000;  // MF, offset 0: the first fragment carries the TCP header
  test::Decoded first = decode(kRaw, test::ipv4(ip, tcpSegment(100)));
  ASSERT_EQ(first.status, DecodeStatus::kOk);
  EXPECT_EQ(first.packet.payload_length, 100u);

  ip.fragment = 0x2000 | 185;  // MF, offset 1480
  const test::Decoded middle = decode(kRaw, test::ipv4(ip, Bytes(64, 0x11)));
  EXPECT_EQ(middle.status, DecodeStatus::kIpFragment);
  EXPECT_EQ(middle.packet.source.toString(), "10.0.0.1");  // still useful for per-host counts
  EXPECT_EQ(middle.packet.ip_length, 84u);
  EXPECT_EQ(middle.packet.protocol, 6);
  EXPECT_EQ(middle.packet.source_port, 0);

  ip.fragment = 185;  // the last fragment
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, Bytes(64, 0x11))).status, DecodeStatus::kIpFragment);
  ip.fragment = 0x1000;  // the offset's top bit alone (byte 32768)
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, Bytes(64, 0x11))).status, DecodeStatus::kIpFragment);
  ip.fragment = 0x4000;  // DF only: not a fragment
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, tcpSegment())).status, DecodeStatus::kOk);
}

TEST(PacketDecoderIpTest, Ipv4OtherProtocolsAreNotOurs) {
  test::Ipv4Spec ip;
  ip.protocol = 1;  // ICMP
  const auto [status, decoded] = decode(kRaw, test::ipv4(ip, Bytes(8, 0)));
  EXPECT_EQ(status, DecodeStatus::kNotTcpOrUdp);
  EXPECT_EQ(decoded.protocol, 1);
  ip.protocol = 132;  // SCTP
  EXPECT_EQ(decode(kRaw, test::ipv4(ip, Bytes(12, 0))).status, DecodeStatus::kNotTcpOrUdp);
}

TEST(PacketDecoderIpTest, Ipv6Plain) {
  const auto [status, decoded] = decode(kRaw, test::ipv6({}, tcpSegment(30)));
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.source.toString(), "2001:db8::1");
  EXPECT_EQ(decoded.ip_length, 90u);
  EXPECT_EQ(decoded.payload_length, 30u);
  EXPECT_EQ(decoded.protocol, 6);
}

TEST(PacketDecoderIpTest, Ipv6SkipsEveryExtensionHeader) {
  // hop-by-hop -> routing (24 bytes) -> destination options -> mobility -> HIP -> shim6 -> TCP
  test::Ipv6Spec ip;
  ip.next_header = 0;
  const Bytes chain = test::ipv6Extension(43) + test::ipv6Extension(60, 3) +
                      test::ipv6Extension(135) + test::ipv6Extension(139) +
                      test::ipv6Extension(140, 2) + test::ipv6Extension(6);
  ASSERT_EQ(chain.size(), 8u + 24 + 8 + 8 + 16 + 8);
  const auto [status, decoded] = decode(kRaw, test::ipv6(ip, chain + tcpSegment(9)));
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.ip_length, 40u + 72 + 20 + 9);
  EXPECT_EQ(decoded.protocol, 6);
  EXPECT_EQ(decoded.source_port, 40000);
  EXPECT_EQ(decoded.payload_length, 9u);
}

TEST(PacketDecoderIpTest, Ipv6AuthenticationHeaderCountsFourByteWords) {
  test::Ipv6Spec ip;
  ip.next_header = 51;
  // Length field 4: (4 + 2) * 4 = 24 bytes; the generic formula would say 40.
  const Bytes packet = test::ipv6(ip, test::ipv6Ah(17, 4) + test::udp(500, 4500, 16));
  const auto [status, decoded] = decode(kRaw, packet);
  ASSERT_EQ(status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.protocol, 17);
  EXPECT_EQ(decoded.source_port, 500);
  EXPECT_EQ(decoded.payload_length, 16u);
}

TEST(PacketDecoderIpTest, Ipv6Fragments) {
  test::Ipv6Spec ip;
  ip.next_header = 44;
  // First fragment: decodes; the UDP length covers fragments still to come.
  const test::Decoded first =
      decode(kRaw, test::ipv6(ip, test::ipv6Fragment(17, 0, true) + test::udp(53, 53, 100, 3000)));
  ASSERT_EQ(first.status, DecodeStatus::kOk);
  EXPECT_EQ(first.packet.destination_port, 53);
  EXPECT_EQ(first.packet.payload_length, 100u);
  // A later fragment: no transport header.
  const test::Decoded later =
      decode(kRaw, test::ipv6(ip, test::ipv6Fragment(17, 14, true) + Bytes(112, 0)));
  EXPECT_EQ(later.status, DecodeStatus::kIpFragment);
  EXPECT_EQ(later.packet.protocol, 17);
  EXPECT_EQ(later.packet.destination.toString(), "2001:db8::2");
  EXPECT_EQ(later.packet.destination_port, 0);
  EXPECT_EQ(
      decode(kRaw, test::ipv6(ip, test::ipv6Fragment(17, 0x1000, false) + Bytes(8, 0))).status,
      DecodeStatus::kIpFragment);
  // An atomic fragment (offset 0, no M) is a whole packet.
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, test::ipv6Fragment(6, 0, false) + tcpSegment())).status,
            DecodeStatus::kOk);
}

TEST(PacketDecoderIpTest, Ipv6ChainEndsAtEspOrNoNextHeader) {
  test::Ipv6Spec ip;
  ip.next_header = 60;
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, test::ipv6Extension(50) + Bytes(40, 0))).status,
            DecodeStatus::kNotTcpOrUdp);
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, test::ipv6Extension(59))).status,
            DecodeStatus::kNotTcpOrUdp);
  ip.next_header = 58;  // ICMPv6
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, Bytes(8, 0))).status, DecodeStatus::kNotTcpOrUdp);
}

TEST(PacketDecoderIpTest, Ipv6ExtensionHeaderLimit) {
  Bytes chain;
  for (int i = 0; i < 7; ++i) {
    chain = chain + test::ipv6Extension(60);
  }
  test::Ipv6Spec ip;
  ip.next_header = 0;
  // 8 headers are followed...
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, chain + test::ipv6Extension(6) + tcpSegment())).status,
            DecodeStatus::kOk);
  // ...a ninth is too many.
  chain = chain + test::ipv6Extension(60);
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, chain + test::ipv6Extension(6) + tcpSegment())).status,
            DecodeStatus::kBadIpHeaderLength);
}

TEST(PacketDecoderIpTest, Ipv6ExtensionHeaderLengthChecks) {
  test::Ipv6Spec ip;
  ip.next_header = 43;
  const Bytes packet = test::ipv6(ip, test::ipv6Extension(6, 4) + tcpSegment());
  // Cut inside the fixed part, then inside the declared 32 bytes.
  EXPECT_EQ(decode(kRaw, packet, 45).status, DecodeStatus::kTruncatedIpHeader);
  EXPECT_EQ(decode(kRaw, packet, 60).status, DecodeStatus::kTruncatedIpHeader);
  EXPECT_EQ(decode(kRaw, packet, 72).status, DecodeStatus::kTruncatedTransportHeader);
  // An extension header longer than the payload length says.
  ip.payload_length = 16;
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, test::ipv6Extension(6, 4) + tcpSegment())).status,
            DecodeStatus::kBadIpLength);
}

TEST(PacketDecoderIpTest, Ipv6LengthAndVersionChecks) {
  test::Ipv6Spec ip;
  ip.payload_length = 100;  // more than the wire carried
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, tcpSegment())).status, DecodeStatus::kBadIpLength);
  EXPECT_EQ(decode(kRaw, test::ipv6(ip, tcpSegment()), 60, 200).status, DecodeStatus::kOk);
  EXPECT_EQ(decode(kRaw, test::ipv6({}, tcpSegment()), 39).status,
            DecodeStatus::kTruncatedIpHeader);
  ip = {};
  ip.version = 4;
  EXPECT_EQ(decode(1, test::ethernet(0x86dd, test::ipv6(ip, tcpSegment()))).status,
            DecodeStatus::kBadIpVersion);
}

}  // namespace
}  // namespace meshlb::capture
