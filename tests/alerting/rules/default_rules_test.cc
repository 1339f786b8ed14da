// The compiled-in default rules: they parse, and they are the ones DESIGN.md §8 lists.

#include "alerting/rules/default_rules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerting/rules/rule_parser.h"

namespace meshlb::alerting {
namespace {

const Rule* find(const std::vector<std::shared_ptr<const Rule>>& rules, const std::string& name) {
  for (const std::shared_ptr<const Rule>& rule : rules) {
    if (rule->name == name) {
      return rule.get();
    }
  }
  return nullptr;
}

TEST(AlertDefaultRules, LoadTheFiveRules) {
  const std::vector<std::shared_ptr<const Rule>> rules = defaultRules();
  ASSERT_EQ(rules.size(), 5u);
  const std::vector<std::string> names = {"BackendDown", "HighErrorRatio", "LatencyAnomaly",
                                          "NetworkDegradation", "CaptureDroppingPackets"};
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(rules[i]->name, names[i]);
    EXPECT_EQ(rules[i]->source, RuleSource::kDefault);
  }
  EXPECT_EQ(defaultRules()[0].get(), rules[0].get());  // parsed once
}

TEST(AlertDefaultRules, BackendDown) {
  const Rule* rule = find(defaultRules(), "BackendDown");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->scope, Scope::kHost);
  EXPECT_EQ(rule->severity, Severity::kCritical);
  EXPECT_EQ(rule->for_s, 0u);
  EXPECT_EQ(rule->keep_firing_for_s, 0u);
  EXPECT_TRUE(
      rule->labels.empty());  // so an instance has exactly alertname, cluster, host, severity
  EXPECT_TRUE(rule->select.empty());
  ASSERT_EQ(rule->condition.kind, Condition::Kind::kAny);
  ASSERT_EQ(rule->condition.of.size(), 2u);
  EXPECT_EQ(rule->condition.of[0].metric, analytics::Metric::kHealth);
  EXPECT_EQ(rule->condition.of[0].op, CompareOp::kLt);
  EXPECT_EQ(rule->condition.of[0].agg, Aggregation::kLast);
  EXPECT_EQ(rule->condition.of[1].kind, Condition::Kind::kAll);
  EXPECT_EQ(rule->condition.of[1].of[0].metric, analytics::Metric::kConnectFailuresPerS);
  EXPECT_EQ(rule->condition.of[1].of[1].metric, analytics::Metric::kErrorRatio);
  EXPECT_DOUBLE_EQ(rule->condition.of[1].of[1].value, 0.5);
  ASSERT_EQ(rule->annotations.size(), 2u);
  EXPECT_EQ(rule->annotations[0].first, "description");
  EXPECT_EQ(rule->annotations[0].second.text(), "health {{value}}; diagnosis {{diagnosis}}");
  EXPECT_EQ(rule->annotations[1].first, "summary");
  EXPECT_EQ(rule->annotations[1].second.text(), "Backend {{host}} of cluster {{cluster}} is down");
}

TEST(AlertDefaultRules, TheOthers) {
  const auto rules = defaultRules();
  const Rule* high = find(rules, "HighErrorRatio");
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(high->for_s, 30u);
  EXPECT_EQ(high->condition.of[0].agg, Aggregation::kAvg);
  EXPECT_EQ(high->condition.of[0].window_s, 60u);
  EXPECT_EQ(high->condition.of[1].metric, analytics::Metric::kRps);
  const Rule* latency = find(rules, "LatencyAnomaly");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->keep_firing_for_s, 30u);
  EXPECT_EQ(latency->condition.direction, analytics::Direction::kUp);
  EXPECT_EQ(latency->condition.metrics.size(), 2u);
  const Rule* network = find(rules, "NetworkDegradation");
  ASSERT_NE(network, nullptr);
  EXPECT_EQ(network->for_s, 10u);
  EXPECT_EQ(network->condition.causes, std::vector<analytics::Cause>{analytics::Cause::kNetwork});
  EXPECT_TRUE(network->condition.metrics.empty());
  const Rule* capture = find(rules, "CaptureDroppingPackets");
  ASSERT_NE(capture, nullptr);
  EXPECT_EQ(capture->scope, Scope::kGlobal);
  EXPECT_EQ(capture->for_s, 60u);
  EXPECT_EQ(capture->condition.global_metric, GlobalMetric::kCaptureDropRatio);
  EXPECT_DOUBLE_EQ(capture->condition.value, 0.01);
}

TEST(AlertDefaultRules, TheJsonIsTheSourceOfTruth) {
  const nlohmann::json json = nlohmann::json::parse(defaultRulesJson(), nullptr, false);
  ASSERT_TRUE(json.is_array());
  const auto rules = defaultRules();
  ASSERT_EQ(json.size(), rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(json[i]["name"], rules[i]->name);
    // Serialising and parsing again gives the same rule.
    std::vector<FieldError> errors;
    const std::optional<Rule> again = parseRule(ruleToJson(*rules[i]), "", errors);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(ruleToJson(*again), ruleToJson(*rules[i]));
  }
}

}  // namespace
}  // namespace meshlb::alerting
