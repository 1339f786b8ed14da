#include "common/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

#include "common/ip_address.h"

namespace meshlb {

int SocketAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

std::string SocketAddress::ipString() const {
  char text[INET6_ADDRSTRLEN];
  writeIp(text, sizeof(text));
  return text;
}

void SocketAddress::writeIp(char* out, size_t size) const {
  IpAddress::of(get()).writeText(out, size);
}

std::string SocketAddress::toString() const {
  // Built with append: GCC 12 gives a false -Wrestrict on "[" + std::string.
  std::string text;
  bool bracketed = family() == AF_INET6;
  if (bracketed) {
    text.push_back('[');
  }
  text.append(ipString());
  if (bracketed) {
    text.push_back(']');
  }
  text.push_back(':');
  text.append(std::to_string(port()));
  return text;
}

Result<SocketAddress> parseSocketAddress(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error{"expected [ipv6]:port"};
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Error{"expected host:port"};
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Error{"an IPv6 address must be written in brackets: [ipv6]:port"};
    }
  }
  if (port_text.empty()) {
    return Error{"missing port"};
  }
  long port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec == std::errc::result_out_of_range) {
    return Error{"port out of range"};
  }
  if (ec != std::errc() || end != port_text.data() + port_text.size()) {
    return Error{"port is not a number"};
  }
  if (port < 0 || port > 65535) {
    return Error{"port out of range"};
  }
  SocketAddress address;
  std::string host_copy(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  bool bracketed = text.front() == '[';
  if (!bracketed && inet_pton(AF_INET, host_copy.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    address.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host_copy.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    address.length = sizeof(sockaddr_in6);
  } else {
    return Error{"'" + host_copy + "' is not a numeric IPv4 or IPv6 address"};
  }
  return address;
}

SocketAddress fromSockaddr(const sockaddr* address) {
  SocketAddress result;
  if (address->sa_family == AF_INET) {
    result.length = sizeof(sockaddr_in);
  } else if (address->sa_family == AF_INET6) {
    result.length = sizeof(sockaddr_in6);
  } else {
    return result;
  }
  std::memcpy(&result.storage, address, result.length);
  return result;
}

}  // namespace meshlb
