#include "alerting/notify/delivery_id.h"

#include <openssl/rand.h>

#include <cstdio>
#include <random>

namespace meshlb::alerting {

std::string randomUuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // Uniqueness, not secrecy, is what matters here.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (unsigned char& byte : bytes) {
      byte = static_cast<unsigned char>(fallback());
    }
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

}  // namespace meshlb::alerting
