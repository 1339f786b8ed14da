#include "common/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <string>

namespace meshlb {
namespace {

IpAddress ipv4(const char* text) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &address.sin_addr), 1);
  return IpAddress::of(reinterpret_cast<const sockaddr*>(&address));
}

IpAddress ipv6(const char* text) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &address.sin6_addr), 1);
  return IpAddress::of(reinterpret_cast<const sockaddr*>(&address));
}

TEST(IpAddressTest, OfKeepsTheFamilyAndTheBytes) {
  const IpAddress v4 = ipv4("10.1.2.3");
  EXPECT_EQ(v4.family, 4);
  EXPECT_EQ(v4.bytes[0], 10);
  EXPECT_EQ(v4.bytes[3], 3);
  EXPECT_EQ(v4.bytes[4], 0);  // the rest stays zero
  const IpAddress v6 = ipv6("2001:db8::1");
  EXPECT_EQ(v6.family, 6);
  EXPECT_EQ(v6.bytes[0], 0x20);
  EXPECT_EQ(v6.bytes[15], 1);
  sockaddr_un local{};
  local.sun_family = AF_UNIX;
  EXPECT_EQ(IpAddress::of(reinterpret_cast<const sockaddr*>(&local)).family, 0);
}

// The IPv4 text is formatted by hand: it must match inet_ntop's for every octet width.
TEST(IpAddressTest, TextMatchesInetNtop) {
  for (const char* text :
       {"0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.9", "1.22.133.4", "127.0.0.1"}) {
    EXPECT_EQ(ipv4(text).toString(), text);
  }
  for (const char* text : {"::", "::1", "2001:db8::1", "fe80::1:2:3:4",
                           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:255.255.255.255"}) {
    EXPECT_EQ(ipv6(text).toString(), text);
  }
  EXPECT_EQ(IpAddress{}.toString(), "");
}

TEST(IpAddressTest, WriteTextNeedsRoomForTheWholeAddress) {
  char text[IpAddress::kTextSize];
  ipv4("255.255.255.255").writeText(text, 16);  // 15 characters and the NUL: fits
  EXPECT_STREQ(text, "255.255.255.255");
  std::memset(text, 'x', sizeof(text));
  ipv4("255.255.255.255").writeText(text, 15);  // one short: nothing rather than a cut
  EXPECT_STREQ(text, "");
  std::memset(text, 'x', sizeof(text));
  ipv6("2001:db8::1").writeText(text, 5);
  EXPECT_STREQ(text, "");
  ipv6("2001:db8::1").writeText(text, 0);  // writes nothing at all
  EXPECT_EQ(text[0], '\0');
}

TEST(IpAddressTest, WithPortBracketsIpv6) {
  EXPECT_EQ(ipv4("10.0.0.1").withPort(80), "10.0.0.1:80");
  EXPECT_EQ(ipv6("::1").withPort(8080), "[::1]:8080");
}

}  // namespace
}  // namespace meshlb
