#include "analytics/detect/noise_scale.h"

#include <gtest/gtest.h>

#include "tests/analytics/detect/synthetic_series.h"

namespace meshlb::analytics {
namespace {

TEST(NoiseScaleTest, NoFloorBeforeThirtyPoints) {
  NoiseScale scale;
  for (int t = 0; t < 29; ++t) {
    scale.learn(t, t % 2 == 0 ? 95 : 105, 100, 5);
  }
  EXPECT_EQ(scale.marginal(), 0);
  EXPECT_EQ(scale.longRun(), 0);
  scale.learn(29, 95, 100, 5);
  EXPECT_DOUBLE_EQ(scale.marginal(), 5);
  // Alternating deviations are negatively correlated: rho clamps to 0, no inflation.
  EXPECT_DOUBLE_EQ(scale.longRun(), 5);
}

TEST(NoiseScaleTest, GaussianNoiseGivesSigmaBothWays) {
  NoiseScale scale;
  synthetic::Gaussian gaussian(7);
  for (int t = 0; t < 20'000; ++t) {
    scale.learn(t, 100 + 5 * gaussian.next(), 100, 5);
  }
  EXPECT_NEAR(scale.marginal(), 5, 0.4);
  EXPECT_NEAR(scale.longRun(), 5, 0.6);
}

TEST(NoiseScaleTest, AutocorrelationInflatesTheLongRunScale) {
  NoiseScale scale;
  synthetic::NoiseSource ar1(synthetic::Noise::kAr1, 7);
  for (int t = 0; t < 20'000; ++t) {
    scale.learn(t, ar1.next(), 100, 5);
  }
  // AR(1) with phi 0.8: sqrt((1 + 0.8) / (1 - 0.8)) = 3 times the marginal sd of 5.
  EXPECT_NEAR(scale.marginal(), 5, 0.6);
  EXPECT_NEAR(scale.longRun(), 15, 2.5);
}

TEST(NoiseScaleTest, OneWildPointIsClippedToEightScales) {
  NoiseScale scale;
  for (int t = 0; t < 100; ++t) {
    scale.learn(t, t % 2 == 0 ? 99 : 101, 100, 1);
  }
  const double before = scale.marginal();
  scale.learn(100, 1e9, 100, 1);
  EXPECT_LT(scale.marginal(), before + 1);
}

TEST(NoiseScaleTest, GapsBreakTheLagPairs) {
  NoiseScale scale;
  // Every other tick only, all deviations +5: with consecutive ticks rho would be 1.
  for (int t = 0; t < 200; t += 2) {
    scale.learn(t, 105, 100, 5);
  }
  EXPECT_DOUBLE_EQ(scale.longRun(), scale.marginal());
  scale.clear();
  EXPECT_EQ(scale.marginal(), 0);
}

}  // namespace
}  // namespace meshlb::analytics
