#include "analytics/core/metric.h"

#include <gtest/gtest.h>

#include <set>

namespace meshlb::analytics {
namespace {

TEST(MetricTest, CatalogueIsIndexedByItsEnum) {
  for (size_t i = 0; i < kMetricCount; ++i) {
    EXPECT_EQ(static_cast<size_t>(kMetricSpecs[i].metric), i) << kMetricSpecs[i].name;
  }
}

TEST(MetricTest, NamesAreUniqueAndFoundByName) {
  std::set<std::string_view> names;
  for (const MetricSpec& spec : kMetricSpecs) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    ASSERT_TRUE(metricByName(spec.name).has_value());
    EXPECT_EQ(*metricByName(spec.name), spec.metric);
  }
  EXPECT_FALSE(metricByName("latency").has_value());
}

TEST(MetricTest, DetectedMetricsHaveAGateAndExistWhereDetected) {
  size_t host_series = 0;
  size_t cluster_series = 0;
  for (const MetricSpec& spec : kMetricSpecs) {
    host_series += spec.per_host ? 1 : 0;
    cluster_series += spec.per_cluster ? 1 : 0;
    if (spec.detect_host || spec.detect_cluster) {
      EXPECT_GT(spec.gate.abs_min, 0) << spec.name;
      EXPECT_TRUE(spec.gate.up || spec.gate.down) << spec.name;
    }
    EXPECT_TRUE(!spec.detect_host || spec.per_host) << spec.name;
    EXPECT_TRUE(!spec.detect_cluster || spec.per_cluster) << spec.name;
  }
  // The README documents 17 series per host and 16 per cluster.
  EXPECT_EQ(host_series, 17u);
  EXPECT_EQ(cluster_series, 16u);
}

}  // namespace
}  // namespace meshlb::analytics
