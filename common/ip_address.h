#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace meshlb {

// An IPv4 or IPv6 address without a port, in 17 bytes: IPv4 in the first 4 bytes, the rest
// zero. What a packet carries (capture) and what a session keeps of its client (where the text
// form would take 48 bytes per connection). A plain value; any thread.
struct IpAddress {
  uint8_t family = 0;  // 4 or 6; 0 = none
  std::array<uint8_t, 16> bytes{};

  // The address of an AF_INET or AF_INET6 socket address; family 0 for any other.
  static IpAddress of(const sockaddr* address);

  bool operator==(const IpAddress&) const = default;
  // "10.0.0.1" or "2001:db8::1" (RFC 5952).
  std::string toString() const;
  // "10.0.0.1:80" or "[2001:db8::1]:80".
  std::string withPort(uint16_t port) const;
  // toString() into `out`, NUL-terminated ("" for family 0, or when `size` is too small),
  // without a string: for the request path. `size` >= kTextSize holds every address.
  void writeText(char* out, size_t size) const;
  static constexpr size_t kTextSize = 46;  // INET6_ADDRSTRLEN
};

}  // namespace meshlb
