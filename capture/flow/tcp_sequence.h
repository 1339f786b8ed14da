#pragma once

#include <cstdint>

namespace meshlb::capture {

// TCP sequence-number comparisons in serial-number arithmetic (RFC 1982, RFC 9293 3.4): a is
// "before" b when the signed 32-bit distance from a to b is positive, so comparisons stay right
// across the wrap at 2^32 as long as the two numbers are less than 2^31 apart. Pure functions.
inline constexpr bool seqLt(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) < 0;
}
inline constexpr bool seqLe(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) <= 0;
}
inline constexpr bool seqGt(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) > 0;
}
inline constexpr bool seqGe(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) >= 0;
}

}  // namespace meshlb::capture
