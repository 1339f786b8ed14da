#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace meshlb::analytics {

// bfloat16: the upper 16 bits of an IEEE-754 float. It keeps float's exponent range, so rates
// in bytes/s never overflow it, and rounding to nearest even bounds the relative error of a
// normal value by 2^-8 (0.39 %), which a chart does not show. The store keeps every sample in
// this form to halve its memory; detectors and evidence use exact doubles held elsewhere.
// Pure functions, any thread.
using Bf16 = uint16_t;

// A quiet NaN: what "no data" is stored as.
inline constexpr Bf16 kBf16NaN = 0x7FC0;

// Rounds to nearest, ties to even. NaN stays NaN (its sign is kept and the quiet bit set, so a
// payload only in the low 16 bits does not turn into infinity); infinities stay infinities, and
// finite values beyond bf16's largest round to infinity as IEEE rounding says.
constexpr Bf16 toBf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) {
    return static_cast<Bf16>((bits >> 16) | 0x0040u);
  }
  const uint32_t lowest_kept_bit = (bits >> 16) & 1u;
  return static_cast<Bf16>((bits + 0x7FFFu + lowest_kept_bit) >> 16);
}

// double -> float where a finite double beyond float's range becomes an infinity: a plain
// cast of such a value is undefined behaviour.
constexpr float toFloat(double value) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (value > kMax) {
    return std::numeric_limits<float>::infinity();
  }
  if (value < -kMax) {
    return -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(value);
}

// Doubles go through float first. The double rounding can only matter on an exact bf16 tie
// and keeps the error within the same bound.
constexpr Bf16 toBf16(double value) {
  return toBf16(toFloat(value));
}

constexpr float fromBf16(Bf16 value) {
  return std::bit_cast<float>(static_cast<uint32_t>(value) << 16);
}

constexpr bool isBf16NaN(Bf16 value) {
  return (value & 0x7FFFu) > 0x7F80u;
}

}  // namespace meshlb::analytics
