// Rule enum names and the comparison that thresholds use.

#include "alerting/rules/rule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::alerting {
namespace {

TEST(AlertRuleNames, RoundTrip) {
  for (const Scope scope : {Scope::kHost, Scope::kCluster, Scope::kGlobal}) {
    EXPECT_EQ(parseScope(scopeName(scope)), scope);
  }
  for (const Severity severity : {Severity::kCritical, Severity::kWarning, Severity::kInfo}) {
    EXPECT_EQ(parseSeverity(severityName(severity)), severity);
  }
  for (const RuleSource source : {RuleSource::kDefault, RuleSource::kConfig, RuleSource::kApi}) {
    EXPECT_EQ(parseSource(sourceName(source)), source);
  }
  for (int i = 0; i < 6; ++i) {
    const auto op = static_cast<CompareOp>(i);
    EXPECT_EQ(parseCompareOp(compareOpName(op)), op);
  }
  for (int i = 0; i < 5; ++i) {
    const auto agg = static_cast<Aggregation>(i);
    EXPECT_EQ(parseAggregation(aggregationName(agg)), agg);
  }
  EXPECT_EQ(globalMetricName(GlobalMetric::kCaptureDropRatio), "capture_drop_ratio");
  EXPECT_EQ(parseGlobalMetric("capture_drops_per_s"), GlobalMetric::kCaptureDropsPerS);
  EXPECT_EQ(parseConditionKind("any"), Condition::Kind::kAny);
  EXPECT_EQ(parseDirection("down"), analytics::Direction::kDown);
  EXPECT_EQ(parseCause("network"), analytics::Cause::kNetwork);
  EXPECT_EQ(parseScope("Host"), std::nullopt);
  EXPECT_EQ(parseCause("flaky"), std::nullopt);
  EXPECT_EQ(scopeName(Scope::kCluster), "cluster");
  EXPECT_EQ(severityName(Severity::kCritical), "critical");
  EXPECT_EQ(sourceName(RuleSource::kApi), "api");
}

TEST(AlertRuleCompare, EachOpAndNaN) {
  EXPECT_TRUE(compare(CompareOp::kGt, 2, 1));
  EXPECT_FALSE(compare(CompareOp::kGt, 1, 1));
  EXPECT_TRUE(compare(CompareOp::kGe, 1, 1));
  EXPECT_TRUE(compare(CompareOp::kLt, 0, 1));
  EXPECT_FALSE(compare(CompareOp::kLt, 1, 1));
  EXPECT_TRUE(compare(CompareOp::kLe, 1, 1));
  EXPECT_TRUE(compare(CompareOp::kEq, 1, 1));
  EXPECT_FALSE(compare(CompareOp::kEq, 1, 2));
  EXPECT_TRUE(compare(CompareOp::kNe, 1, 2));
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(compare(static_cast<CompareOp>(i), NAN, 1)) << i;
  }
}

}  // namespace
}  // namespace meshlb::alerting
