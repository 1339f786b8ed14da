#include "common/latency_histogram.h"

#include <gtest/gtest.h>

namespace meshlb::stats {
namespace {

TEST(LatencyHistogramTest, BucketIsTheFirstBoundAtOrAbove) {
  EXPECT_EQ(latencyBucket(0), 0u);
  EXPECT_EQ(latencyBucket(10), 0u);
  EXPECT_EQ(latencyBucket(11), 1u);
  EXPECT_EQ(latencyBucket(100), 3u);
  EXPECT_EQ(latencyBucket(101), 4u);
  EXPECT_EQ(latencyBucket(1000), 6u);
  EXPECT_EQ(latencyBucket(10'000'000), kLatencyBoundsUs.size() - 1);
  EXPECT_EQ(latencyBucket(10'000'001), kLatencyBoundsUs.size());  // +Inf
}

TEST(LatencyHistogramTest, RecordsAndMergesAcrossWorkers) {
  LatencyHistogram worker_a;
  LatencyHistogram worker_b;
  worker_a.record(5);
  worker_a.record(700);
  worker_b.record(700);
  worker_b.record(20'000'000);
  LatencyHistogramValues merged;
  merged.mergeFrom(worker_a);
  merged.mergeFrom(worker_b);
  EXPECT_EQ(merged.count(), 4u);
  EXPECT_EQ(merged.sum_us, 5u + 700 + 700 + 20'000'000);
  EXPECT_EQ(merged.buckets[0], 1u);
  EXPECT_EQ(merged.buckets[6], 2u);  // (500, 1000]
  EXPECT_EQ(merged.buckets[kLatencyBoundsUs.size()], 1u);
}

TEST(LatencyHistogramTest, QuantilesInterpolateInsideTheBucket) {
  LatencyHistogramValues values;
  EXPECT_EQ(values.quantileUs(0.5), 0.0);  // nothing observed
  values.buckets[6] = 10;                  // ten observations in (500, 1000]
  EXPECT_DOUBLE_EQ(values.quantileUs(0.5), 750.0);
  EXPECT_DOUBLE_EQ(values.quantileUs(1.0), 1000.0);
  values.buckets[kLatencyBoundsUs.size()] = 90;  // most above the last bound
  EXPECT_DOUBLE_EQ(values.quantileUs(0.99), static_cast<double>(kLatencyBoundsUs.back()));
}

}  // namespace
}  // namespace meshlb::stats
