// bfloat16 conversion: the relative error bound, round to nearest even, NaN and infinities.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "analytics/store/bf16.h"

namespace meshlb::analytics {
namespace {

constexpr double kRelativeBound = 1.0 / 256;  // 2^-8 = 0.39 %

// A double in [0, 1) from the raw generator, so the test does not depend on the standard
// library's distributions.
double unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

TEST(Bf16Test, RoundTripErrorIsWithinTheBoundAcrossMagnitudes) {
  std::mt19937_64 rng(42);
  double worst = 0;
  for (int i = 0; i < 200'000; ++i) {
    // Magnitudes from 1e-30 to 1e30, both signs: every normal exponent a metric can have.
    const double magnitude = std::pow(10.0, -30 + 60 * unit(rng));
    const double value = (rng() & 1) != 0 ? magnitude : -magnitude;
    const double back = fromBf16(toBf16(value));
    const double relative = std::abs(back - value) / std::abs(value);
    worst = std::max(worst, relative);
    ASSERT_LE(relative, kRelativeBound) << value;
  }
  // The bound is tight: random values come close to it (a truncating conversion would not
  // stay under it, and a coarser one would fail above).
  EXPECT_GT(worst, 0.9 * kRelativeBound / 2);
}

TEST(Bf16Test, SmallIntegersAreExact) {
  for (int i = -256; i <= 256; ++i) {
    EXPECT_EQ(fromBf16(toBf16(static_cast<float>(i))), static_cast<float>(i));
  }
}

TEST(Bf16Test, TiesRoundToEven) {
  // bf16 keeps 7 fraction bits: around 1.0 its step is 2^-7.
  EXPECT_EQ(fromBf16(toBf16(1.0f + 0x1.0p-8f)), 1.0f);                  // tie, 1.0 is even
  EXPECT_EQ(fromBf16(toBf16(1.0f + 3 * 0x1.0p-8f)), 1.0f + 0x1.0p-6f);  // tie, rounds up to even
  EXPECT_EQ(fromBf16(toBf16(1.0f + 0x1.0p-8f + 0x1.0p-20f)), 1.0f + 0x1.0p-7f);  // above the tie
}

TEST(Bf16Test, NaNAndInfinitiesAreKept) {
  EXPECT_TRUE(std::isnan(fromBf16(toBf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(fromBf16(toBf16(std::numeric_limits<double>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(fromBf16(kBf16NaN)));
  EXPECT_TRUE(isBf16NaN(toBf16(std::numeric_limits<float>::quiet_NaN())));
  // A NaN whose payload is only in the bits that are cut off must not become infinity.
  const float low_payload_nan = std::bit_cast<float>(uint32_t{0x7F800001});
  ASSERT_TRUE(std::isnan(low_payload_nan));
  EXPECT_TRUE(std::isnan(fromBf16(toBf16(low_payload_nan))));
  const float negative_nan = std::bit_cast<float>(uint32_t{0xFF800001});
  EXPECT_TRUE(std::isnan(fromBf16(toBf16(negative_nan))));

  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(fromBf16(toBf16(inf)), inf);
  EXPECT_EQ(fromBf16(toBf16(-inf)), -inf);
  EXPECT_FALSE(isBf16NaN(toBf16(inf)));
  // A double beyond float's range becomes infinity rather than undefined behaviour.
  EXPECT_EQ(fromBf16(toBf16(1e300)), inf);
  EXPECT_EQ(fromBf16(toBf16(-1e300)), -inf);
}

TEST(Bf16Test, ZeroKeepsItsSign) {
  EXPECT_EQ(toBf16(0.0f), 0x0000);
  EXPECT_EQ(toBf16(-0.0f), 0x8000);
}

}  // namespace
}  // namespace meshlb::analytics
