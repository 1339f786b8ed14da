// Link layers: Ethernet with VLAN stacks, BSD loopback in both byte orders, raw IP, Linux
// cooked v1 and v2, and what is not IP.
#include <gtest/gtest.h>

#include "capture/packet/packet_decoder.h"
#include "tests/capture/packet/packet_builder.h"

namespace meshlb::capture {
namespace {

using test::Bytes;
using test::decode;
using test::operator+;

Bytes ipv4Tcp() {
  test::TcpSpec tcp;
  tcp.source_port = 1111;
  tcp.payload_length = 10;
  return test::ipv4({}, test::tcp(tcp));
}

Bytes ipv6Tcp() {
  test::TcpSpec tcp;
  tcp.source_port = 2222;
  tcp.payload_length = 10;
  return test::ipv6({}, test::tcp(tcp));
}

void expectIpv4(const test::Decoded& decoded) {
  ASSERT_EQ(decoded.status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.packet.source.family, 4);
  EXPECT_EQ(decoded.packet.source.toString(), "10.0.0.1");
  EXPECT_EQ(decoded.packet.source_port, 1111);
  EXPECT_EQ(decoded.packet.ip_length, 50u);
  EXPECT_EQ(decoded.packet.payload_length, 10u);
}

void expectIpv6(const test::Decoded& decoded) {
  ASSERT_EQ(decoded.status, DecodeStatus::kOk);
  EXPECT_EQ(decoded.packet.source.family, 6);
  EXPECT_EQ(decoded.packet.destination.toString(), "2001:db8::2");
  EXPECT_EQ(decoded.packet.source_port, 2222);
  EXPECT_EQ(decoded.packet.ip_length, 70u);
  EXPECT_EQ(decoded.packet.payload_length, 10u);
}

TEST(PacketDecoderLinkTest, Ethernet) {
  expectIpv4(decode(1, test::ethernet(0x0800, ipv4Tcp())));
  expectIpv6(decode(1, test::ethernet(0x86dd, ipv6Tcp())));
}

TEST(PacketDecoderLinkTest, EthernetWithVlanStacks) {
  expectIpv4(decode(1, test::ethernet(0x0800, ipv4Tcp(), {{0x8100, 100}})));
  expectIpv6(decode(1, test::ethernet(0x86dd, ipv6Tcp(), {{0x88a8, 10}, {0x8100, 20}})));
  expectIpv4(decode(1, test::ethernet(0x0800, ipv4Tcp(), {{0x9100, 1}, {0x88a8, 2}, {0x8100, 3}})));
  // The wire length includes the tags: an IP length that fits only without them is a lie.
  const Bytes tagged = test::ethernet(0x0800, ipv4Tcp(), {{0x8100, 100}, {0x8100, 200}});
  EXPECT_EQ(decode(1, tagged, tagged.size(), tagged.size() - 1).status, DecodeStatus::kBadIpLength);
  // A tag with an ARP frame inside.
  EXPECT_EQ(decode(1, test::ethernet(0x0806, Bytes(28, 0), {{0x8100, 5}})).status,
            DecodeStatus::kNotIp);
}

TEST(PacketDecoderLinkTest, EthernetNonIpIsNotIp) {
  EXPECT_EQ(decode(1, test::ethernet(0x0806, Bytes(28, 0))).status, DecodeStatus::kNotIp);  // ARP
  EXPECT_EQ(decode(1, test::ethernet(0x88cc, Bytes(40, 0))).status, DecodeStatus::kNotIp);  // LLDP
  // An 802.3 length field in place of an EtherType (LLC, e.g. spanning tree).
  EXPECT_EQ(decode(1, test::ethernet(0x0026, Bytes(38, 0x42))).status, DecodeStatus::kNotIp);
}

TEST(PacketDecoderLinkTest, EthernetTruncated) {
  const Bytes frame = test::ethernet(0x0800, ipv4Tcp(), {{0x8100, 7}});
  EXPECT_EQ(decode(1, frame, 13).status, DecodeStatus::kTruncatedLinkHeader);
  EXPECT_EQ(decode(1, frame, 17).status, DecodeStatus::kTruncatedLinkHeader);  // inside the tag
  EXPECT_EQ(decode(1, frame, 18).status, DecodeStatus::kTruncatedIpHeader);
}

TEST(PacketDecoderLinkTest, NullLoopbackInEitherByteOrder) {
  for (bool big_endian : {false, true}) {
    expectIpv4(decode(0, test::nullLink(2, big_endian, ipv4Tcp())));
    for (uint32_t inet6 : {10u, 24u, 28u, 30u}) {
      expectIpv6(decode(0, test::nullLink(inet6, big_endian, ipv6Tcp())));
    }
    EXPECT_EQ(decode(0, test::nullLink(7, big_endian, ipv4Tcp())).status, DecodeStatus::kNotIp);
  }
  EXPECT_EQ(decode(0, test::nullLink(2, false, ipv4Tcp()), 3).status,
            DecodeStatus::kTruncatedLinkHeader);
}

TEST(PacketDecoderLinkTest, OpenBsdLoopIsNetworkOrder) {
  expectIpv4(decode(108, test::loopLink(2, ipv4Tcp())));
  expectIpv6(decode(108, test::loopLink(24, ipv6Tcp())));
  // The same family in little-endian order is not a family LOOP knows.
  EXPECT_EQ(decode(108, test::nullLink(2, false, ipv4Tcp())).status, DecodeStatus::kNotIp);
  EXPECT_EQ(decode(108, test::loopLink(2, ipv4Tcp()), 2).status,
            DecodeStatus::kTruncatedLinkHeader);
}

TEST(PacketDecoderLinkTest, RawIpTakesTheVersionFromTheHeader) {
  for (int link_type : {12, 14, 101}) {
    expectIpv4(decode(link_type, ipv4Tcp()));
    expectIpv6(decode(link_type, ipv6Tcp()));
    Bytes bad = ipv4Tcp();
    bad[0] = 0x55;
    EXPECT_EQ(decode(link_type, bad).status, DecodeStatus::kBadIpVersion);
    EXPECT_EQ(decode(link_type, bad, 0).status, DecodeStatus::kTruncatedIpHeader);
  }
}

TEST(PacketDecoderLinkTest, Ipv4AndIpv6LinkTypesInsistOnTheirVersion) {
  expectIpv4(decode(228, ipv4Tcp()));
  expectIpv6(decode(229, ipv6Tcp()));
  EXPECT_EQ(decode(228, ipv6Tcp()).status, DecodeStatus::kBadIpVersion);
  EXPECT_EQ(decode(229, ipv4Tcp()).status, DecodeStatus::kBadIpVersion);
}

TEST(PacketDecoderLinkTest, LinuxCookedV1) {
  expectIpv4(decode(113, test::sll(0x0800, ipv4Tcp())));
  expectIpv6(decode(113, test::sll(0x86dd, ipv6Tcp())));
  // libpcap puts the VLAN tag the kernel stripped back after the cooked header.
  Bytes tagged_payload{0x00, 0x64, 0x08, 0x00};
  expectIpv4(decode(113, test::sll(0x8100, tagged_payload + ipv4Tcp())));
  EXPECT_EQ(decode(113, test::sll(0x0806, Bytes(28, 0))).status, DecodeStatus::kNotIp);
  EXPECT_EQ(decode(113, test::sll(0x0800, ipv4Tcp()), 15).status,
            DecodeStatus::kTruncatedLinkHeader);
}

TEST(PacketDecoderLinkTest, LinuxCookedV2) {
  expectIpv4(decode(276, test::sll2(0x0800, ipv4Tcp())));
  expectIpv6(decode(276, test::sll2(0x86dd, ipv6Tcp())));
  EXPECT_EQ(decode(276, test::sll2(0x0806, Bytes(28, 0))).status, DecodeStatus::kNotIp);
  EXPECT_EQ(decode(276, test::sll2(0x86dd, ipv6Tcp()), 19).status,
            DecodeStatus::kTruncatedLinkHeader);
}

}  // namespace
}  // namespace meshlb::capture
