#include "analytics/detect/magnitude_gate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analytics/detect/detector_params.h"

namespace meshlb::analytics {
namespace {

TEST(MagnitudeGateTest, WidthIsTheLargerOfAbsoluteAndRelative) {
  const Gate latency{10, 0.5, true, false};
  EXPECT_EQ(gateWidth(latency, 2.6), 10);
  EXPECT_EQ(gateWidth(latency, 100), 50);
  EXPECT_EQ(gateWidth(latency, -100), 50);  // |baseline|
}

TEST(MagnitudeGateTest, OnlyAllowedDirectionsPass) {
  const Gate up_only{10, 0, true, false};
  EXPECT_TRUE(passesGate(up_only, 110, 100, Direction::kUp));
  EXPECT_FALSE(passesGate(up_only, 109.9, 100, Direction::kUp));
  EXPECT_FALSE(passesGate(up_only, 80, 100, Direction::kDown));
  const Gate both{10, 0, true, true};
  EXPECT_TRUE(passesGate(both, 80, 100, Direction::kDown));
  // The direction must match the side x is on.
  EXPECT_FALSE(passesGate(both, 80, 100, Direction::kUp));
}

TEST(MagnitudeGateTest, TimesScalesTheWidth) {
  const Gate both{10, 0.2, true, true};  // width 20 at a baseline of 100
  EXPECT_TRUE(passesGate(both, 130, 100, Direction::kUp, 1));
  EXPECT_FALSE(passesGate(both, 130, 100, Direction::kUp, 2));
  EXPECT_TRUE(passesGate(both, 140, 100, Direction::kUp, 2));
  EXPECT_TRUE(passesGate(both, 60, 100, Direction::kDown, 2));
  EXPECT_FALSE(passesGate(Gate{10, 0.2, true, false}, 0, 100, Direction::kDown, 2));
}

TEST(MagnitudeGateTest, SparseBaselinesNeverPassWhenAMinimumIsSet) {
  const Gate rps{5, 0.5, true, true, 1};
  EXPECT_FALSE(passesGate(rps, 20, 0.5, Direction::kUp));  // under 1 rps: too sparse to judge
  EXPECT_TRUE(passesGate(rps, 20, 1, Direction::kUp));
  EXPECT_TRUE(passesGate(rps, 0, 12, Direction::kDown));  // 12 -> 0: width max(5, 6) = 6
  EXPECT_FALSE(passesGate(rps, 20, std::nan(""), Direction::kUp));
}

TEST(MagnitudeGateTest, NanNeverPasses) {
  const Gate both{10, 0, true, true};
  EXPECT_FALSE(passesGate(both, std::nan(""), 100, Direction::kUp));
  EXPECT_FALSE(passesGate(both, std::nan(""), 100, Direction::kDown));
}

TEST(MagnitudeGateTest, ScaleFloorIsATenthOfAbsMinAndNeverZero) {
  EXPECT_EQ(scaleFloor(Gate{0.02, 0, true, false}), 0.002);
  EXPECT_GT(scaleFloor(Gate{0, 0, true, true}), 0);
}

TEST(DetectorParamsTest, SensitivityPresets) {
  const DetectorThresholds low = thresholdsFor(Sensitivity::kLow);
  const DetectorThresholds medium = thresholdsFor(Sensitivity::kMedium);
  const DetectorThresholds high = thresholdsFor(Sensitivity::kHigh);
  EXPECT_EQ(low.robust_t, 6);
  EXPECT_EQ(low.ewma_t, 5);
  EXPECT_EQ(low.cusum_h, 14);
  EXPECT_EQ(medium.robust_t, 4.5);
  EXPECT_EQ(medium.ewma_t, 4);
  EXPECT_EQ(medium.cusum_h, 10);
  EXPECT_EQ(high.robust_t, 3.5);
  EXPECT_EQ(high.ewma_t, 3);
  EXPECT_EQ(high.cusum_h, 6);
}

TEST(DetectionTypesTest, Names) {
  EXPECT_STREQ(detectorName(DetectorKind::kRobust), "robust");
  EXPECT_STREQ(detectorName(DetectorKind::kEwma), "ewma");
  EXPECT_STREQ(detectorName(DetectorKind::kLevelShift), "level_shift");
  EXPECT_STREQ(endReasonName(EndReason::kRecovered), "recovered");
  EXPECT_STREQ(endReasonName(EndReason::kRebaselined), "rebaselined");
  EXPECT_STREQ(endReasonName(EndReason::kNoData), "no_data");
  EXPECT_STREQ(directionName(Direction::kUp), "up");
  EXPECT_STREQ(directionName(Direction::kDown), "down");
  EXPECT_EQ(detectorBit(DetectorKind::kRobust) | detectorBit(DetectorKind::kEwma) |
                detectorBit(DetectorKind::kLevelShift),
            kAllDetectors);
}

}  // namespace
}  // namespace meshlb::analytics
