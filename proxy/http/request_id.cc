#include "proxy/http/request_id.h"

namespace meshlb::http {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Writes the `count` low nibbles of `value`, most significant first, and returns the end.
char* writeHex(char* out, uint64_t value, int count) {
  for (int i = count - 1; i >= 0; --i) {
    out[i] = kHexDigits[value & 0xf];
    value >>= 4;
  }
  return out + count;
}

}  // namespace

GeneratedRequestId::GeneratedRequestId(uint64_t random_high, uint64_t random_low) {
  // Version 4 in bits 76-79, variant 0b10 in bits 62-63 (RFC 9562 §4.1, §4.2).
  const uint64_t high = (random_high & ~uint64_t{0xf000}) | 0x4000;
  const uint64_t low = (random_low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char* out = writeHex(text_, high >> 32, 8);
  *out++ = '-';
  out = writeHex(out, high >> 16, 4);
  *out++ = '-';
  out = writeHex(out, high, 4);
  *out++ = '-';
  out = writeHex(out, low >> 48, 4);
  *out++ = '-';
  writeHex(out, low, 12);
}

}  // namespace meshlb::http
