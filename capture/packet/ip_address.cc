#include <arpa/inet.h>

#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

std::string IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {0};
  if (family == 4) {
    inet_ntop(AF_INET, bytes.data(), text, sizeof(text));
  } else if (family == 6) {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof(text));
  }
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

}  // namespace meshlb::capture
