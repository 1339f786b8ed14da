// range_query: the step rules, point counts and the bucket aggregation (pure functions).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "analytics/store/range_query.h"

namespace meshlb::analytics {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int64_t kT0 = 1'699'999'200'000;  // a whole hour, so test buckets start on it

SlotValue fine(int64_t t_ms, float value) {
  return SlotValue{t_ms, value, value, value, value};
}

TEST(RangeQueryTest, AutomaticStepKeepsAboutAThousandPoints) {
  // One hour at 1 s: ceil(3600 / 1000) = 4 s.
  EXPECT_EQ(queryStepS({kT0, kT0 + 3'600'000, 0}, 1), 4);
  EXPECT_EQ(pointCount({kT0, kT0 + 3'600'000, 0}, 1), 901u);
  // Ten minutes: the resolution itself.
  EXPECT_EQ(queryStepS({kT0, kT0 + 600'000, 0}, 1), 1);
  // 24 h at 60 s: ceil(86.4) = 87, rounded up to a multiple of 60.
  EXPECT_EQ(queryStepS({kT0, kT0 + 86'400'000, 0}, 60), 120);
  EXPECT_LE(pointCount({kT0, kT0 + 86'400'000, 0}, 60), 1001u);
}

TEST(RangeQueryTest, StepIsRoundedUpToAMultipleOfTheResolution) {
  EXPECT_EQ(queryStepS({kT0, kT0 + 1000, 90}, 60), 120);
  EXPECT_EQ(queryStepS({kT0, kT0 + 1000, 60}, 60), 60);
  EXPECT_EQ(queryStepS({kT0, kT0 + 1000, 1}, 60), 60);
  EXPECT_EQ(queryStepS({kT0, kT0 + 1000, 7}, 1), 7);
}

TEST(RangeQueryTest, PointCountCoversEveryStepBoundary) {
  EXPECT_EQ(pointCount({kT0, kT0, 0}, 1), 1u);
  EXPECT_EQ(pointCount({kT0 + 500, kT0 + 10'500, 1}, 1), 11u);
  EXPECT_EQ(pointCount({kT0, kT0 + 9999, 10}, 1), 1u);
  EXPECT_EQ(pointCount({kT0, kT0 + 10'000, 10}, 1), 2u);
  // A day at 1 s is over the admin's limit; the caller can see it before querying.
  EXPECT_GT(pointCount({kT0, kT0 + 86'400'000, 1}, 1), kMaxQueryPoints);
  EXPECT_EQ(pointCount({kT0 + 1, kT0, 0}, 1), 0u);
  EXPECT_EQ(pointCount({-1, kT0, 0}, 1), std::numeric_limits<size_t>::max());
  EXPECT_EQ(pointCount({0, std::numeric_limits<int64_t>::max(), 1}, 1),
            std::numeric_limits<size_t>::max());
  // A huge step is clamped rather than overflowing.
  EXPECT_EQ(pointCount({kT0, kT0 + 1000, std::numeric_limits<int64_t>::max()}, 1), 1u);
}

TEST(RangeQueryTest, BucketsAreAlignedToTheStep) {
  const BucketRange buckets = bucketRange({kT0 + 2500, kT0 + 12'000, 5}, 1);
  EXPECT_EQ(buckets.first_ms, kT0);
  EXPECT_EQ(buckets.step_ms, 5000);
  EXPECT_EQ(buckets.count, 3u);
  EXPECT_EQ(bucketRange({kT0, kT0 + 86'400'000, 1}, 1).count, 0u);  // over the limit
}

TEST(RangeQueryTest, AggregatesSlotsIntoBuckets) {
  std::vector<SlotValue> slots;
  // Bucket [kT0, +5 s): 1, NaN, 3 (irregular ticks). Bucket [+5, +10): all NaN.
  // Bucket [+10, +15): 10, 2, NaN (last valid 2).
  slots.push_back(fine(kT0 + 0, 1));
  slots.push_back(fine(kT0 + 1400, kNaN));
  slots.push_back(fine(kT0 + 4999, 3));
  slots.push_back(fine(kT0 + 6000, kNaN));
  slots.push_back(fine(kT0 + 10'000, 10));
  slots.push_back(fine(kT0 + 11'000, 2));
  slots.push_back(fine(kT0 + 12'000, kNaN));
  const std::vector<SeriesPoint> points =
      aggregateSlots(bucketRange({kT0, kT0 + 14'000, 5}, 1), slots);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].t_ms, kT0);
  EXPECT_DOUBLE_EQ(points[0].avg, 2.0);
  EXPECT_DOUBLE_EQ(points[0].min, 1.0);
  EXPECT_DOUBLE_EQ(points[0].max, 3.0);
  EXPECT_DOUBLE_EQ(points[0].last, 3.0);
  EXPECT_EQ(points[1].t_ms, kT0 + 5000);
  EXPECT_TRUE(std::isnan(points[1].avg));
  EXPECT_TRUE(std::isnan(points[1].min));
  EXPECT_TRUE(std::isnan(points[1].max));
  EXPECT_TRUE(std::isnan(points[1].last));
  EXPECT_DOUBLE_EQ(points[2].avg, 6.0);
  EXPECT_DOUBLE_EQ(points[2].min, 2.0);
  EXPECT_DOUBLE_EQ(points[2].max, 10.0);
  EXPECT_DOUBLE_EQ(points[2].last, 2.0);
}

TEST(RangeQueryTest, CoarseSlotsAggregateAvgOfAvgsMinOfMinsMaxOfMaxes) {
  const std::vector<SlotValue> minutes = {
      {kT0, 5, 1, 9, 4},
      {kT0 + 60'000, 7, 3, 20, 6},
      {kT0 + 120'000, kNaN, kNaN, kNaN, kNaN},
  };
  const std::vector<SeriesPoint> points =
      aggregateSlots(bucketRange({kT0, kT0 + 179'999, 180}, 60), minutes);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_DOUBLE_EQ(points[0].avg, 6.0);
  EXPECT_DOUBLE_EQ(points[0].min, 1.0);
  EXPECT_DOUBLE_EQ(points[0].max, 20.0);
  EXPECT_DOUBLE_EQ(points[0].last, 6.0);
}

TEST(RangeQueryTest, SlotsOutsideTheBucketsAreIgnored) {
  const std::vector<SlotValue> slots = {fine(kT0 - 1, 100), fine(kT0 + 1000, 1),
                                        fine(kT0 + 2000, 200)};
  const std::vector<SeriesPoint> points =
      aggregateSlots(bucketRange({kT0, kT0 + 1500, 1}, 1), slots);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_TRUE(std::isnan(points[0].avg));
  EXPECT_DOUBLE_EQ(points[1].max, 1.0);
}

}  // namespace
}  // namespace meshlb::analytics
