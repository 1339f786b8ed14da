#include "analytics/detect/level_shift_detector.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::analytics {
namespace {

// Learns `minutes` full minutes of a constant level.
void learnMinutes(LevelShiftDetector& detector, int minutes, double level) {
  for (int i = 0; i < minutes * 60; ++i) {
    detector.learn(level);
  }
}

TEST(LevelShiftDetectorTest, NeedsFiveMinutesForAReference) {
  LevelShiftDetector detector;
  learnMinutes(detector, 4, 100);
  for (int i = 0; i < 59; ++i) {
    detector.learn(100);
  }
  EXPECT_FALSE(detector.ready());
  EXPECT_TRUE(std::isnan(detector.reference()));
  detector.learn(100);
  EXPECT_TRUE(detector.ready());
  EXPECT_EQ(detector.reference(), 100);
}

TEST(LevelShiftDetectorTest, ReferenceIsTheMedianOfTheLastThirtyMinuteMeans) {
  LevelShiftDetector detector;
  learnMinutes(detector, 10, 100);
  learnMinutes(detector, 9, 500);  // a minority: the median stays
  EXPECT_EQ(detector.reference(), 100);
  learnMinutes(detector, 30, 200);  // the whole window
  EXPECT_EQ(detector.reference(), 200);
  // A minute's mean, not its last value.
  LevelShiftDetector means;
  for (int m = 0; m < 5; ++m) {
    for (int i = 0; i < 60; ++i) {
      means.learn(i < 30 ? 90 : 110);
    }
  }
  EXPECT_EQ(means.reference(), 100);
}

TEST(LevelShiftDetectorTest, CusumAddsClippedZMinusSlack) {
  LevelShiftDetector detector;
  learnMinutes(detector, 5, 100);
  detector.accumulate(1, 115, 5);  // z = 3
  EXPECT_DOUBLE_EQ(detector.statistic(Direction::kUp), 2.5);
  EXPECT_EQ(detector.statistic(Direction::kDown), 0);
  EXPECT_EQ(detector.excursionStart(Direction::kUp), 1);
  detector.accumulate(2, 1e6, 5);  // clipped to z = 3: a spike adds at most 2.5
  EXPECT_DOUBLE_EQ(detector.statistic(Direction::kUp), 5);
  detector.accumulate(3, 100, 5);  // z = 0: the slack pulls it down
  EXPECT_DOUBLE_EQ(detector.statistic(Direction::kUp), 4.5);
  for (int t = 4; t < 20; ++t) {
    detector.accumulate(t, 100, 5);
  }
  EXPECT_EQ(detector.statistic(Direction::kUp), 0);
  EXPECT_EQ(detector.excursionStart(Direction::kUp), -1);
}

TEST(LevelShiftDetectorTest, DownwardShiftsFeedTheLowerStatistic) {
  LevelShiftDetector detector;
  learnMinutes(detector, 5, 100);
  for (int t = 0; t < 4; ++t) {
    detector.accumulate(t, 90, 5);  // z = -2
  }
  EXPECT_DOUBLE_EQ(detector.statistic(Direction::kDown), 6);
  EXPECT_EQ(detector.statistic(Direction::kUp), 0);
  EXPECT_EQ(detector.shiftEstimate(Direction::kDown), -10);
}

TEST(LevelShiftDetectorTest, ShiftEstimateIsTheMedianOfTheExcursionsRecentPoints) {
  LevelShiftDetector detector;
  learnMinutes(detector, 5, 100);
  EXPECT_TRUE(std::isnan(detector.shiftEstimate(Direction::kUp)));
  detector.accumulate(10, 104, 5);
  detector.accumulate(11, 160, 5);  // one wild point does not make the shift
  detector.accumulate(12, 106, 5);
  EXPECT_EQ(detector.shiftEstimate(Direction::kUp), 6);
  detector.accumulate(13, 112, 5);
  EXPECT_EQ(detector.shiftEstimate(Direction::kUp), (6 + 12) / 2.0);
  EXPECT_EQ(detector.firstBeyond(Direction::kUp, 10), 11);
  EXPECT_EQ(detector.firstBeyond(Direction::kUp, 100), -1);
  // Only the last 30 points of a long excursion count.
  for (int t = 14; t < 100; ++t) {
    detector.accumulate(t, 120, 5);
  }
  EXPECT_EQ(detector.shiftEstimate(Direction::kUp), 20);
  EXPECT_EQ(detector.firstBeyond(Direction::kUp, 10), 70);
}

TEST(LevelShiftDetectorTest, ResetStatisticsKeepsTheReference) {
  LevelShiftDetector detector;
  learnMinutes(detector, 5, 100);
  detector.accumulate(1, 130, 5);
  detector.resetStatistics();
  EXPECT_EQ(detector.statistic(Direction::kUp), 0);
  EXPECT_TRUE(std::isnan(detector.shiftEstimate(Direction::kUp)));
  EXPECT_EQ(detector.reference(), 100);
  detector.clear();
  EXPECT_FALSE(detector.ready());
}

}  // namespace
}  // namespace meshlb::analytics
