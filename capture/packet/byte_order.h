#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace meshlb::capture::detail {

// Loads of header fields at any alignment: after VLAN tags, IP options or extension headers a
// field sits wherever it falls, so memcpy (one unaligned load) and never a pointer cast. The
// caller has checked that the bytes were captured. Pure functions, any thread.

inline uint16_t loadBigEndian16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline uint32_t loadBigEndian32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  if constexpr (std::endian::native == std::endian::little) {
    value = __builtin_bswap32(value);
  }
  return value;
}

inline uint32_t loadHost32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

}  // namespace meshlb::capture::detail
