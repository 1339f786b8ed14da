#include "common/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace meshlb {

static_assert(IpAddress::kTextSize == INET6_ADDRSTRLEN);

IpAddress IpAddress::of(const sockaddr* address) {
  IpAddress ip;
  if (address->sa_family == AF_INET) {
    ip.family = 4;
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
  } else if (address->sa_family == AF_INET6) {
    ip.family = 6;
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
  }
  return ip;
}

void IpAddress::writeText(char* out, size_t size) const {
  if (size == 0) {
    return;
  }
  out[0] = '\0';
  if (family == 4) {
    // By hand: glibc's inet_ntop formats IPv4 with sprintf, and this runs for every request.
    char text[INET_ADDRSTRLEN];  // "255.255.255.255" and its NUL
    size_t length = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned octet = bytes[i];
      if (i > 0) {
        text[length++] = '.';
      }
      if (octet >= 100) {
        text[length++] = static_cast<char>('0' + octet / 100);
      }
      if (octet >= 10) {
        text[length++] = static_cast<char>('0' + octet / 10 % 10);
      }
      text[length++] = static_cast<char>('0' + octet % 10);
    }
    if (length < size) {
      std::memcpy(out, text, length);
      out[length] = '\0';
    }
  } else if (family == 6) {
    if (inet_ntop(AF_INET6, bytes.data(), out, static_cast<socklen_t>(size)) == nullptr) {
      out[0] = '\0';  // `size` too small
    }
  }
}

std::string IpAddress::toString() const {
  char text[kTextSize];
  writeText(text, sizeof(text));
  return text;
}

std::string IpAddress::withPort(uint16_t port) const {
  // Built piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string text;
  if (family == 6) {
    text.push_back('[');
    text.append(toString());
    text.push_back(']');
  } else {
    text = toString();
  }
  text.push_back(':');
  text.append(std::to_string(port));
  return text;
}

}  // namespace meshlb
