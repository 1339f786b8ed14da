#include "capture/summary/capture_endpoints.h"

#include <gtest/gtest.h>

namespace meshlb::capture {
namespace {

SocketAddress address(const char* text) {
  return parseSocketAddress(text).value();
}

IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.family = 4;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

TEST(CaptureEndpointsTest, ListenersAndHostsAreFoundByAddressAndPort) {
  CaptureEndpoints endpoints;
  endpoints.addListener(address("127.0.0.1:8080"), "web");
  endpoints.addHost(address("10.0.0.2:80"), "10.0.0.2:80", "app");
  endpoints.addHost(address("10.0.0.2:80"), "10.0.0.2:80", "other");  // in two clusters
  endpoints.addHost(address("10.0.0.2:80"), "10.0.0.2:80", "app");    // listed twice
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints.find(ipv4(127, 0, 0, 1), 8080), 0u);
  EXPECT_EQ(endpoints.find(ipv4(10, 0, 0, 2), 80), 1u);
  EXPECT_FALSE(endpoints.find(ipv4(10, 0, 0, 2), 81).has_value());
  EXPECT_FALSE(endpoints.find(ipv4(10, 0, 0, 3), 80).has_value());
  const CaptureEndpoint& host = endpoints.all()[1];
  EXPECT_EQ(host.kind, CaptureEndpoint::Kind::kHost);
  EXPECT_EQ(host.hosts.size(), 2u);
  EXPECT_EQ(endpoints.all()[0].listener, "web");
}

TEST(CaptureEndpointsTest, Ipv6EndpointsAreFoundAndNotConfusedWithIpv4) {
  CaptureEndpoints endpoints;
  endpoints.addHost(address("[2001:db8::2]:443"), "[2001:db8::2]:443", "app");
  endpoints.addHost(address("10.0.0.2:443"), "10.0.0.2:443", "app");
  IpAddress v6;
  v6.family = 6;
  v6.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_EQ(endpoints.find(v6, 443), 0u);
  EXPECT_FALSE(endpoints.find(v6, 80).has_value());
  v6.bytes[15] = 3;
  EXPECT_FALSE(endpoints.find(v6, 443).has_value());
  EXPECT_EQ(endpoints.find(ipv4(10, 0, 0, 2), 443), 1u);
  // The IPv6 address whose first four bytes are 10.0.0.2 is another endpoint.
  IpAddress mapped;
  mapped.family = 6;
  mapped.bytes = {10, 0, 0, 2};
  EXPECT_FALSE(endpoints.find(mapped, 443).has_value());
}

TEST(CaptureEndpointsTest, AListenerThatIsAlsoAHostStaysAListener) {
  CaptureEndpoints endpoints;
  endpoints.addListener(address("127.0.0.1:8080"), "web");
  endpoints.addHost(address("127.0.0.1:8080"), "127.0.0.1:8080", "loop");
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints.all()[0].kind, CaptureEndpoint::Kind::kListener);
  EXPECT_TRUE(endpoints.all()[0].hosts.empty());
}

TEST(CaptureEndpointsTest, DefaultFilterNamesEveryEndpoint) {
  CaptureEndpoints none;
  EXPECT_EQ(none.defaultFilter(), "tcp");
  CaptureEndpoints endpoints;
  endpoints.addListener(address("127.0.0.1:8080"), "web");
  endpoints.addHost(address("[::1]:9000"), "[::1]:9000", "app");
  EXPECT_EQ(endpoints.defaultFilter(),
            "tcp and ((host 127.0.0.1 and port 8080) or (host ::1 and port 9000))");
}

}  // namespace
}  // namespace meshlb::capture
