#include "analytics/detect/ewma_detector.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::analytics {
namespace {

TEST(EwmaDetectorTest, TheFirstPointsGiveAPlainMeanAndVariance) {
  EwmaDetector detector(1e-6);
  // 30 points alternating 90/110: with alpha_eff = 1/n for n <= 20, then 0.05, the mean stays
  // near 100 and the variance near 100 (population variance of +-10).
  for (int i = 0; i < 30; ++i) {
    detector.learn(i % 2 == 0 ? 90 : 110);
  }
  ASSERT_TRUE(detector.ready());
  EXPECT_NEAR(detector.mean(), 100, 1.0);
  EXPECT_NEAR(detector.sd(), 10, 1.0);
}

TEST(EwmaDetectorTest, TwoPointsGiveTheirExactMeanAndPopulationVariance) {
  EwmaDetector detector(1e-6);
  detector.learn(10);
  detector.learn(20);
  // Not ready (and so NaN outside), but the state is exact: reach it through 28 more points
  // equal to the mean, which leave the mean alone.
  for (int i = 0; i < 28; ++i) {
    detector.learn(15);
  }
  EXPECT_DOUBLE_EQ(detector.mean(), 15);
}

TEST(EwmaDetectorTest, NotReadyBeforeThirtyPoints) {
  EwmaDetector detector(1.0);
  for (int i = 0; i < 29; ++i) {
    detector.learn(100);
  }
  EXPECT_FALSE(detector.ready());
  EXPECT_TRUE(std::isnan(detector.mean()));
  EXPECT_TRUE(std::isnan(detector.score(200, 0)));
}

TEST(EwmaDetectorTest, FollowsALevelWithAMemoryOfAboutTwentyPoints) {
  EwmaDetector detector(1.0);
  for (int i = 0; i < 100; ++i) {
    detector.learn(i % 2 == 0 ? 98 : 102);
  }
  for (int i = 0; i < 20; ++i) {
    detector.learn(i % 2 == 0 ? 108 : 112);
  }
  // Unclipped, 1 - 0.95^20 = 64% of the 10-point move; the first points are clipped to 4 sd.
  EXPECT_GT(detector.mean(), 105);
  EXPECT_LT(detector.mean(), 100 + 10 * (1 - std::pow(0.95, 20)) + 0.5);
}

TEST(EwmaDetectorTest, AnAcceptedOutlierIsClippedToFourSd) {
  EwmaDetector detector(1e-6);
  for (int i = 0; i < 200; ++i) {
    detector.learn(i % 2 == 0 ? 99 : 101);
  }
  const double mean = detector.mean();
  const double sd = detector.sd();
  detector.learn(1e6);
  // As if the point were mean + 4 sd.
  const double d = 4 * sd;
  EXPECT_NEAR(detector.mean(), mean + 0.05 * d, 1e-9);
  EXPECT_NEAR(detector.sd(), std::sqrt(0.95 * (sd * sd + 0.05 * d * d)), 1e-9);
}

TEST(EwmaDetectorTest, ScoreUsesTheLargestOfSdFloorAndOutsideScale) {
  EwmaDetector detector(2.0);
  for (int i = 0; i < 40; ++i) {
    detector.learn(50);
  }
  EXPECT_EQ(detector.sd(), 2.0);  // variance 0: the floor
  EXPECT_EQ(detector.score(60, 0), 5);
  EXPECT_EQ(detector.score(60, 5), 2);
  detector.clear();
  EXPECT_FALSE(detector.ready());
}

}  // namespace
}  // namespace meshlb::analytics
