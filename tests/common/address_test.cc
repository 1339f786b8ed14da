#include "common/address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <netinet/in.h>

#include <cstring>
#include <string>

namespace meshlb {
namespace {

// Parses `text` and expects success; returns the address.
SocketAddress parseOk(std::string_view text) {
  Result<SocketAddress> parsed = parseSocketAddress(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : SocketAddress{};
}

// Parses `text` and expects failure; returns the error message.
std::string parseError(std::string_view text) {
  Result<SocketAddress> parsed = parseSocketAddress(text);
  EXPECT_FALSE(parsed.ok()) << text << " parsed unexpectedly";
  return parsed.ok() ? std::string() : parsed.error().message;
}

TEST(AddressTest, ParsesIpv4) {
  SocketAddress address = parseOk("127.0.0.1:8080");
  EXPECT_EQ(address.family(), AF_INET);
  EXPECT_EQ(address.length, sizeof(sockaddr_in));
  EXPECT_EQ(address.port(), 8080);
  EXPECT_EQ(address.ipString(), "127.0.0.1");
  EXPECT_EQ(address.toString(), "127.0.0.1:8080");
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address.get());
  EXPECT_EQ(ntohl(v4->sin_addr.s_addr), 0x7f000001u);
  EXPECT_EQ(ntohs(v4->sin_port), 8080);
}

TEST(AddressTest, ParsesIpv6InBrackets) {
  SocketAddress address = parseOk("[::1]:80");
  EXPECT_EQ(address.family(), AF_INET6);
  EXPECT_EQ(address.length, sizeof(sockaddr_in6));
  EXPECT_EQ(address.port(), 80);
  EXPECT_EQ(address.ipString(), "::1");
  EXPECT_EQ(address.toString(), "[::1]:80");
}

TEST(AddressTest, Ipv6ToStringIsCanonical) {
  EXPECT_EQ(parseOk("[0:0:0:0:0:0:0:1]:443").toString(), "[::1]:443");
  EXPECT_EQ(parseOk("[2001:DB8::A]:9000").toString(), "[2001:db8::a]:9000");
  EXPECT_EQ(parseOk("[::ffff:10.0.0.1]:1").toString(), "[::ffff:10.0.0.1]:1");
}

TEST(AddressTest, PortBounds) {
  EXPECT_EQ(parseOk("0.0.0.0:0").port(), 0);
  EXPECT_EQ(parseOk("10.1.2.3:65535").port(), 65535);
  EXPECT_EQ(parseOk("10.1.2.3:65535").toString(), "10.1.2.3:65535");
  EXPECT_EQ(parseError("10.1.2.3:65536"), "port out of range");
  EXPECT_EQ(parseError("[::1]:70000"), "port out of range");
  EXPECT_EQ(parseError("10.1.2.3:-1"), "port out of range");
}

TEST(AddressTest, LeadingZerosInPortAreTheSamePort) {
  EXPECT_EQ(parseOk("127.0.0.1:0080").toString(), "127.0.0.1:80");
}

TEST(AddressTest, RejectsMissingColon) {
  EXPECT_EQ(parseError("127.0.0.1"), "expected host:port");
  EXPECT_EQ(parseError(""), "expected host:port");
}

TEST(AddressTest, RejectsMissingPort) {
  EXPECT_EQ(parseError("127.0.0.1:"), "missing port");
  EXPECT_EQ(parseError("[::1]:"), "missing port");
}

TEST(AddressTest, RejectsNonNumericPort) {
  EXPECT_EQ(parseError("127.0.0.1:http"), "port is not a number");
  EXPECT_EQ(parseError("127.0.0.1:80a"), "port is not a number");
  EXPECT_EQ(parseError("127.0.0.1:+80"), "port is not a number");
  EXPECT_EQ(parseError("127.0.0.1: 80"), "port is not a number");
  EXPECT_EQ(parseError("[::1]:8 0"), "port is not a number");
}

TEST(AddressTest, RejectsUnbracketedIpv6) {
  EXPECT_EQ(parseError("::1:80"), "an IPv6 address must be written in brackets: [ipv6]:port");
  EXPECT_EQ(parseError("fe80::1:443"), "an IPv6 address must be written in brackets: [ipv6]:port");
}

TEST(AddressTest, RejectsMalformedBrackets) {
  EXPECT_EQ(parseError("[::1]"), "expected [ipv6]:port");
  EXPECT_EQ(parseError("[::1]80"), "expected [ipv6]:port");
  EXPECT_EQ(parseError("[::1:80"), "expected [ipv6]:port");
}

TEST(AddressTest, RejectsHostNames) {
  EXPECT_EQ(parseError("localhost:80"), "'localhost' is not a numeric IPv4 or IPv6 address");
  EXPECT_EQ(parseError(":80"), "'' is not a numeric IPv4 or IPv6 address");
  EXPECT_EQ(parseError("256.0.0.1:80"), "'256.0.0.1' is not a numeric IPv4 or IPv6 address");
  EXPECT_EQ(parseError("[example]:80"), "'example' is not a numeric IPv4 or IPv6 address");
}

TEST(AddressTest, ToStringRoundTrips) {
  for (const char* text : {"1.2.3.4:5", "255.255.255.255:65535", "[::]:8080", "[fe80::1]:22"}) {
    SocketAddress address = parseOk(text);
    EXPECT_EQ(address.toString(), text);
    EXPECT_EQ(parseOk(address.toString()).toString(), text);
  }
}

TEST(AddressTest, DefaultAddressHasNoFamily) {
  SocketAddress address;
  EXPECT_EQ(address.length, 0u);
  EXPECT_EQ(address.port(), 0);
  EXPECT_EQ(address.ipString(), "");
}

// writeIp is ipString without a string.
TEST(AddressTest, WriteIpFillsTheBufferOrLeavesItEmpty) {
  char text[48];
  parseOk("10.1.2.3:80").writeIp(text, sizeof(text));
  EXPECT_STREQ(text, "10.1.2.3");
  parseOk("[2001:db8::a]:80").writeIp(text, sizeof(text));
  EXPECT_STREQ(text, "2001:db8::a");
  parseOk("255.255.255.255:1").writeIp(text, sizeof(text));
  EXPECT_STREQ(text, "255.255.255.255");
  parseOk("0.0.0.0:1").writeIp(text, sizeof(text));
  EXPECT_STREQ(text, "0.0.0.0");
  parseOk("10.1.2.3:80").writeIp(text, 9);  // exactly the text and its NUL
  EXPECT_STREQ(text, "10.1.2.3");
  parseOk("10.1.2.3:80").writeIp(text, 8);  // too small: empty, never cut
  EXPECT_STREQ(text, "");
  parseOk("[2001:db8::a]:80").writeIp(text, 4);
  EXPECT_STREQ(text, "");
  SocketAddress unset;
  std::memset(text, 'x', sizeof(text));
  unset.writeIp(text, sizeof(text));
  EXPECT_STREQ(text, "");
}

TEST(AddressTest, FromSockaddrCopiesIpv4AndIpv6) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(1234);
  v4.sin_addr.s_addr = htonl(0x0a000001);
  SocketAddress a = fromSockaddr(reinterpret_cast<const sockaddr*>(&v4));
  EXPECT_EQ(a.length, sizeof(sockaddr_in));
  EXPECT_EQ(a.toString(), "10.0.0.1:1234");

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(4321);
  v6.sin6_addr = in6addr_loopback;
  SocketAddress b = fromSockaddr(reinterpret_cast<const sockaddr*>(&v6));
  EXPECT_EQ(b.length, sizeof(sockaddr_in6));
  EXPECT_EQ(b.toString(), "[::1]:4321");
}

TEST(AddressTest, FromSockaddrIgnoresOtherFamilies) {
  sockaddr_storage unix_like{};
  unix_like.ss_family = AF_UNIX;
  SocketAddress address = fromSockaddr(reinterpret_cast<const sockaddr*>(&unix_like));
  EXPECT_EQ(address.length, 0u);
  EXPECT_EQ(address.family(), 0);
}

}  // namespace
}  // namespace meshlb
