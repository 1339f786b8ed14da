#include "analytics/detect/robust_detector.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::analytics {
namespace {

TEST(RobustDetectorTest, ScoresOnlyOnceItHasThirtyPoints) {
  RobustDetector detector(1.0);
  for (int i = 0; i < 29; ++i) {
    detector.learn(100 + (i % 2));
    EXPECT_FALSE(detector.ready());
    EXPECT_TRUE(std::isnan(detector.median()));
    EXPECT_TRUE(std::isnan(detector.score(150, 0)));
  }
  detector.learn(100);
  EXPECT_TRUE(detector.ready());
  EXPECT_FALSE(std::isnan(detector.score(150, 0)));
}

TEST(RobustDetectorTest, ScoreIsDistanceFromTheMedianInScaledMads) {
  RobustDetector detector(0.001);
  // 90, 95, 100, 105, 110 repeated: median 100, MAD 5.
  for (int i = 0; i < 60; ++i) {
    detector.learn(90 + 5 * (i % 5));
  }
  EXPECT_EQ(detector.median(), 100);
  EXPECT_NEAR(detector.scale(), 1.4826 * 5, 1e-9);
  EXPECT_NEAR(detector.score(100 + 1.4826 * 5 * 3, 0), 3, 1e-9);
  EXPECT_NEAR(detector.score(100 - 1.4826 * 5 * 3, 0), -3, 1e-9);
  // A larger outside scale (the monitor's slow spread) takes over.
  EXPECT_NEAR(detector.score(130, 10), 3, 1e-9);
}

TEST(RobustDetectorTest, AFlatSeriesUsesTheFloorInsteadOfDividingByZero) {
  RobustDetector detector(1.0);  // abs_min 10 -> floor 1
  for (int i = 0; i < 40; ++i) {
    detector.learn(42);
  }
  EXPECT_EQ(detector.scale(), 1.0);
  EXPECT_EQ(detector.score(47, 0), 5);
}

TEST(RobustDetectorTest, OneOutlierBarelyMovesTheBaseline) {
  RobustDetector detector(0.001);
  for (int i = 0; i < 119; ++i) {
    detector.learn(90 + 5 * (i % 5));
  }
  const double scale = detector.scale();
  detector.learn(10'000);
  EXPECT_EQ(detector.median(), 100);
  EXPECT_NEAR(detector.scale(), scale, 1e-9);
}

TEST(RobustDetectorTest, ForgetsTheOldestBeyondTheWindowAndOnClear) {
  RobustDetector detector(0.001);
  for (int i = 0; i < 120; ++i) {
    detector.learn(100);
  }
  for (int i = 0; i < 61; ++i) {
    detector.learn(200);  // the majority of the 120-point window now
  }
  EXPECT_EQ(detector.median(), 200);
  detector.clear();
  EXPECT_FALSE(detector.ready());
  EXPECT_TRUE(std::isnan(detector.scale()));
}

}  // namespace
}  // namespace meshlb::analytics
