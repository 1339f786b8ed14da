#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace meshlb {

// A numeric socket address (IPv4 or IPv6 literal plus port). Names are not resolved: a load
// balancer's data path must not block on DNS, and config addresses are explicit.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  int port() const;
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string toString() const;
  // The IP alone, without port: "127.0.0.1" or "::1".
  std::string ipString() const;
  // The same into `out` (NUL-terminated; "" for another family), without a string (see
  // IpAddress::writeText). `size` >= INET6_ADDRSTRLEN holds every address.
  void writeIp(char* out, size_t size) const;
};

// Parses "IPv4:port" or "[IPv6]:port". The error message says what is wrong, for example
// "port out of range" or "expected host:port".
Result<SocketAddress> parseSocketAddress(std::string_view text);

// Converts a kernel-provided address (accept, getsockname) into a SocketAddress.
SocketAddress fromSockaddr(const sockaddr* address);

}  // namespace meshlb
