// Rule JSON: the full shape, defaults, every error with its path, and the round trip.

#include "alerting/rules/rule_parser.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

const nlohmann::json kExample = nlohmann::json::parse(R"json({
  "name": "HighErrorRatio", "scope": "host", "severity": "warning", "for_s": 30,
  "keep_firing_for_s": 0,
  "select": [{"name": "cluster", "op": "=~", "value": "app|api"}],
  "condition": {"kind": "all", "of": [
    {"kind": "threshold", "metric": "error_ratio", "op": ">", "value": 0.05, "window_s": 60,
     "agg": "avg"},
    {"kind": "threshold", "metric": "rps", "op": ">=", "value": 1, "window_s": 60, "agg": "avg"}]},
  "labels": {"team": "edge"},
  "annotations": {"summary": "{{host}} in {{cluster}}: {{value}} ({{diagnosis}})"}})json");

std::string dump(const std::vector<FieldError>& errors) {
  std::string out;
  for (const FieldError& e : errors) {
    out += e.path + ": " + e.reason + "\n";
  }
  return out;
}

Rule parseOk(const nlohmann::json& node) {
  std::vector<FieldError> errors;
  std::optional<Rule> rule = parseRule(node, "", errors);
  EXPECT_TRUE(rule.has_value()) << dump(errors);
  return rule.value_or(Rule{});
}

// The errors of a rule that must fail.
std::vector<FieldError> errorsOf(const nlohmann::json& node, const std::string& prefix = "") {
  std::vector<FieldError> errors;
  EXPECT_FALSE(parseRule(node, prefix, errors).has_value());
  return errors;
}

bool hasError(const std::vector<FieldError>& errors, const std::string& path,
              const std::string& reason) {
  for (const FieldError& e : errors) {
    if (e.path == path && e.reason == reason) {
      return true;
    }
  }
  return false;
}

// A valid host rule with `condition` swapped in.
nlohmann::json withCondition(nlohmann::json condition, const std::string& scope = "host") {
  return {{"name", "R"}, {"scope", scope}, {"condition", std::move(condition)}};
}

nlohmann::json threshold(const std::string& metric) {
  return {{"kind", "threshold"}, {"metric", metric}, {"op", ">"}, {"value", 1}};
}

TEST(AlertRuleParser, ParsesTheFullShape) {
  const Rule rule = parseOk(kExample);
  EXPECT_EQ(rule.name, "HighErrorRatio");
  EXPECT_EQ(rule.scope, Scope::kHost);
  EXPECT_EQ(rule.severity, Severity::kWarning);
  EXPECT_EQ(rule.for_s, 30u);
  EXPECT_EQ(rule.keep_firing_for_s, 0u);
  ASSERT_EQ(rule.select.size(), 1u);
  EXPECT_EQ(rule.select[0].op, Matcher::Op::kRegex);
  EXPECT_EQ(rule.condition.kind, Condition::Kind::kAll);
  ASSERT_EQ(rule.condition.of.size(), 2u);
  const Condition& first = rule.condition.of[0];
  EXPECT_EQ(first.metric, analytics::Metric::kErrorRatio);
  EXPECT_EQ(first.op, CompareOp::kGt);
  EXPECT_DOUBLE_EQ(first.value, 0.05);
  EXPECT_EQ(first.agg, Aggregation::kAvg);
  EXPECT_EQ(first.window_s, 60u);
  EXPECT_EQ(rule.condition.of[1].op, CompareOp::kGe);
  EXPECT_EQ(rule.labels, (LabelSet{{"team", "edge"}}));
  ASSERT_EQ(rule.annotations.size(), 1u);
  EXPECT_EQ(rule.annotations[0].first, "summary");
  EXPECT_EQ(rule.source, RuleSource::kConfig);
}

TEST(AlertRuleParser, Defaults) {
  const Rule rule = parseOk(withCondition(threshold("rps")));
  EXPECT_EQ(rule.scope, Scope::kHost);
  EXPECT_EQ(rule.severity, Severity::kWarning);
  EXPECT_EQ(rule.for_s, 0u);
  EXPECT_EQ(rule.keep_firing_for_s, 0u);
  EXPECT_EQ(rule.condition.agg, Aggregation::kLast);
  EXPECT_EQ(rule.condition.window_s, 0u);
  EXPECT_TRUE(rule.select.empty());
  EXPECT_TRUE(rule.labels.empty());
  EXPECT_TRUE(rule.annotations.empty());
}

TEST(AlertRuleParser, AnomalyCondition) {
  const Rule rule = parseOk(withCondition({{"kind", "anomaly"},
                                           {"metrics", {"latency_p50_ms", "rtt_p99_ms"}},
                                           {"direction", "up"},
                                           {"causes", {"network", "none"}},
                                           {"settled", true}},
                                          "cluster"));
  const Condition& c = rule.condition;
  EXPECT_EQ(c.kind, Condition::Kind::kAnomaly);
  EXPECT_EQ(c.metrics, (std::vector<analytics::Metric>{analytics::Metric::kLatencyP50Ms,
                                                       analytics::Metric::kRttP99Ms}));
  EXPECT_EQ(c.direction, analytics::Direction::kUp);
  EXPECT_EQ(c.causes,
            (std::vector<analytics::Cause>{analytics::Cause::kNetwork, analytics::Cause::kNone}));
  EXPECT_TRUE(c.settled);
}

TEST(AlertRuleParser, GlobalThreshold) {
  const Rule rule = parseOk(withCondition(threshold("capture_drop_ratio"), "global"));
  EXPECT_EQ(rule.condition.global_metric, GlobalMetric::kCaptureDropRatio);
  EXPECT_FALSE(rule.condition.metric.has_value());
}

TEST(AlertRuleParser, RoundTrips) {
  const Rule rule = parseOk(kExample);
  const nlohmann::json json = ruleToJson(rule);
  EXPECT_FALSE(json.contains("source"));
  EXPECT_EQ(json["condition"]["of"][1]["agg"], "avg");
  const Rule again = parseOk(json);
  EXPECT_EQ(ruleToJson(again), json);
  EXPECT_EQ(again.name, rule.name);
  EXPECT_EQ(again.labels, rule.labels);
  EXPECT_EQ(again.annotations[0].second.text(), rule.annotations[0].second.text());

  // Defaults are spelled out, and an anomaly leaf and a global rule survive too.
  const nlohmann::json leaf = {{"kind", "anomaly"}, {"causes", {"overload"}}};
  const nlohmann::json anomaly = ruleToJson(parseOk(withCondition(
      {{"kind", "any"}, {"of", nlohmann::json::array({leaf, threshold("health")})}})));
  EXPECT_EQ(anomaly["scope"], "host");
  EXPECT_EQ(anomaly["condition"]["of"][0]["settled"], false);
  EXPECT_EQ(anomaly["condition"]["of"][1]["agg"], "last");
  EXPECT_EQ(ruleToJson(parseOk(anomaly)), anomaly);
  const nlohmann::json global = ruleToJson(parseOk(withCondition({{"kind", "threshold"},
                                                                  {"metric", "capture_drops_per_s"},
                                                                  {"op", "!="},
                                                                  {"value", 0},
                                                                  {"agg", "rate"},
                                                                  {"window_s", 3600}},
                                                                 "global")));
  EXPECT_EQ(ruleToJson(parseOk(global)), global);
}

TEST(AlertRuleParser, ErrorPathsCarryThePrefix) {
  nlohmann::json rule = kExample;
  rule["condition"]["of"][1]["op"] = "=>";
  const std::vector<FieldError> bare = errorsOf(rule);
  ASSERT_EQ(bare.size(), 1u) << dump(bare);
  EXPECT_EQ(bare[0].path, "condition.of[1].op");
  EXPECT_EQ(bare[0].reason, "must be one of > >= < <= == !=");
  const std::vector<FieldError> prefixed = errorsOf(rule, "alerting.rules[3]");
  ASSERT_EQ(prefixed.size(), 1u);
  EXPECT_EQ(prefixed[0].path, "alerting.rules[3].condition.of[1].op");
}

TEST(AlertRuleParser, CollectsEveryError) {
  const std::vector<FieldError> errors = errorsOf({{"name", "bad name!"},
                                                   {"scope", "planet"},
                                                   {"severity", "page"},
                                                   {"for_s", 90000},
                                                   {"keep_firing_for_s", -1},
                                                   {"colour", "red"}});
  EXPECT_TRUE(hasError(errors, "name", "must be 1-128 characters of A-Z a-z 0-9 _ : -"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, "scope", "must be one of host, cluster, global"));
  EXPECT_TRUE(hasError(errors, "severity", "must be one of critical, warning, info"));
  EXPECT_TRUE(hasError(errors, "for_s", "must be between 0 and 86400"));
  EXPECT_TRUE(hasError(errors, "keep_firing_for_s", "must be between 0 and 86400"));
  EXPECT_TRUE(hasError(errors, "condition", "is required"));
  EXPECT_TRUE(hasError(errors, "colour", "unknown key"));
  EXPECT_EQ(errors.size(), 7u) << dump(errors);
  EXPECT_TRUE(hasError(errorsOf({{"condition", threshold("rps")}}), "name", "is required"));
  EXPECT_TRUE(hasError(errorsOf(nlohmann::json::array()), "", "expected an object"));
}

TEST(AlertRuleParser, RuleNames) {
  EXPECT_TRUE(validRuleName("A-b_c:9"));
  EXPECT_TRUE(validRuleName(std::string(128, 'a')));
  EXPECT_FALSE(validRuleName(std::string(129, 'a')));
  EXPECT_FALSE(validRuleName(""));
  EXPECT_FALSE(validRuleName("a b"));
}

TEST(AlertRuleParser, MetricMustExistAtTheScope) {
  EXPECT_TRUE(hasError(errorsOf(withCondition(threshold("healthy_hosts"))), "condition.metric",
                       "'healthy_hosts' is not a per-host metric"));
  EXPECT_TRUE(hasError(errorsOf(withCondition(threshold("health"), "cluster")), "condition.metric",
                       "'health' is not a per-cluster metric"));
  parseOk(withCondition(threshold("healthy_hosts"), "cluster"));
  EXPECT_TRUE(hasError(errorsOf(withCondition(threshold("nope"))), "condition.metric",
                       "unknown metric 'nope'"));
  EXPECT_TRUE(hasError(errorsOf(withCondition(threshold("capture_drop_ratio"))), "condition.metric",
                       "'capture_drop_ratio' is a global metric: use it in a global-scope rule"));
  const std::vector<FieldError> global = errorsOf(withCondition(threshold("rps"), "global"));
  ASSERT_EQ(global.size(), 1u);
  EXPECT_EQ(global[0].path, "condition.metric");
  EXPECT_EQ(global[0].reason.rfind("'rps' is not a global metric", 0), 0u);
}

TEST(AlertRuleParser, ThresholdFields) {
  nlohmann::json t = threshold("rps");
  t.erase("op");
  t.erase("value");
  std::vector<FieldError> errors = errorsOf(withCondition(t));
  EXPECT_TRUE(hasError(errors, "condition.op", "is required")) << dump(errors);
  EXPECT_TRUE(hasError(errors, "condition.value", "is required"));
  t = threshold("rps");
  t["value"] = "1";
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.value", "expected a finite number"));
  t = threshold("rps");
  t["metrics"] = {"rps"};  // an anomaly key
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.metrics", "unknown key"));
}

TEST(AlertRuleParser, AggregationAndWindow) {
  nlohmann::json t = threshold("rps");
  t["agg"] = "avg";
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.window_s",
                       "must be between 1 and 3600 with agg avg"));
  t["window_s"] = 3601;
  EXPECT_TRUE(
      hasError(errorsOf(withCondition(t)), "condition.window_s", "must be between 0 and 3600"));
  t["window_s"] = 0;
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.window_s",
                       "must be between 1 and 3600 with agg avg"));
  t = threshold("rps");
  t["window_s"] = 60;  // agg defaults to last
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.window_s",
                       "must be 0 with agg last (use avg, min, max or rate for a window)"));
  t["agg"] = "median";
  EXPECT_TRUE(hasError(errorsOf(withCondition(t)), "condition.agg",
                       "must be one of last, avg, min, max, rate"));
  for (const char* agg : {"min", "max", "rate"}) {
    t["agg"] = agg;
    EXPECT_EQ(parseOk(withCondition(t)).condition.agg, parseAggregation(agg));
  }
  t["agg"] = "last";
  t["window_s"] = 0;
  parseOk(withCondition(t));
}

TEST(AlertRuleParser, AnomalyErrors) {
  const std::vector<FieldError> errors =
      errorsOf(withCondition({{"kind", "anomaly"},
                              {"metrics", {"rps", "healthy_hosts", 3}},
                              {"direction", "sideways"},
                              {"causes", {"gremlins"}},
                              {"settled", "yes"}}));
  EXPECT_TRUE(hasError(errors, "condition.metrics[1]", "'healthy_hosts' is not a per-host metric"))
      << dump(errors);
  EXPECT_TRUE(hasError(errors, "condition.metrics[2]", "expected a metric name"));
  EXPECT_TRUE(hasError(errors, "condition.direction", "must be up or down"));
  EXPECT_TRUE(hasError(errors, "condition.causes[0]",
                       "must be one of none, backend_down, cluster_wide, overload, network, "
                       "application, unknown"));
  EXPECT_TRUE(hasError(errors, "condition.settled", "expected true or false"));
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_TRUE(hasError(errorsOf(withCondition({{"kind", "anomaly"}}, "global")), "condition.kind",
                       "anomaly conditions are not available at global scope"));
  EXPECT_TRUE(hasError(errorsOf(withCondition({{"kind", "ratio"}})), "condition.kind",
                       "must be one of threshold, anomaly, all, any"));
  EXPECT_TRUE(
      hasError(errorsOf(withCondition({{"metric", "rps"}})), "condition.kind", "is required"));
}

TEST(AlertRuleParser, CompositeLimits) {
  EXPECT_TRUE(hasError(errorsOf(withCondition({{"kind", "all"}, {"of", nlohmann::json::array()}})),
                       "condition.of", "expected an array of 1 to 8 conditions"));
  EXPECT_TRUE(hasError(errorsOf(withCondition({{"kind", "any"}})), "condition.of", "is required"));
  nlohmann::json nine = {{"kind", "any"}, {"of", nlohmann::json::array()}};
  for (int i = 0; i < 9; ++i) {
    nine["of"].push_back(threshold("rps"));
  }
  EXPECT_TRUE(hasError(errorsOf(withCondition(nine)), "condition.of",
                       "expected an array of 1 to 8 conditions"));

  // Four levels are fine; a fifth is not.
  nlohmann::json deep = threshold("rps");
  for (int i = 0; i < 3; ++i) {
    deep = {{"kind", "all"}, {"of", {deep}}};
  }
  parseOk(withCondition(deep));
  deep = {{"kind", "all"}, {"of", {deep}}};
  EXPECT_TRUE(hasError(errorsOf(withCondition(deep)), "condition.of[0].of[0].of[0].of",
                       "conditions may nest at most 4 deep"));

  // 16 leaves are fine; 17 are not.
  nlohmann::json wide = {{"kind", "any"}, {"of", nlohmann::json::array()}};
  for (int i = 0; i < 8; ++i) {
    wide["of"].push_back({{"kind", "all"}, {"of", {threshold("rps"), threshold("rps")}}});
  }
  parseOk(withCondition(wide));
  wide["of"][7]["of"].push_back(threshold("rps"));
  EXPECT_TRUE(hasError(errorsOf(withCondition(wide)), "condition",
                       "has 17 threshold and anomaly conditions; at most 16 are allowed"));
  // A nested error has its full path.
  wide["of"][7]["of"][2]["op"] = "~";
  EXPECT_TRUE(hasError(errorsOf(withCondition(wide)), "condition.of[7].of[2].op",
                       "must be one of > >= < <= == !="));
}

TEST(AlertRuleParser, Labels) {
  nlohmann::json rule = withCondition(threshold("rps"));
  rule["labels"] = {{"severity", "x"}, {"alertname", "y"}, {"cluster", "c"}, {"host", "h"},
                    {"bad-name", "v"}, {"team", 5},        {"ok", "v"}};
  const std::vector<FieldError> errors = errorsOf(rule);
  for (const char* reserved : {"severity", "alertname", "cluster", "host"}) {
    EXPECT_TRUE(hasError(errors, std::string("labels.") + reserved,
                         "is set by the rule itself and cannot be overridden"))
        << reserved;
  }
  EXPECT_TRUE(hasError(errors, "labels.bad-name", "'bad-name' is not a valid label name"));
  EXPECT_TRUE(hasError(errors, "labels.team", "expected a string"));
  EXPECT_EQ(errors.size(), 6u) << dump(errors);
  rule["labels"] = nlohmann::json::object();
  for (int i = 0; i < 17; ++i) {
    rule["labels"]["l" + std::to_string(i)] = "v";
  }
  EXPECT_TRUE(hasError(errorsOf(rule), "labels", "expected an object of at most 16 labels"));
}

TEST(AlertRuleParser, Annotations) {
  nlohmann::json rule = withCondition(threshold("rps"), "cluster");
  rule["annotations"] = {{"summary", "{{foo}}"},
                         {"description", "{{host}}"},
                         {"big", std::string(4097, 'x')},
                         {"n", 1}};
  const std::vector<FieldError> errors = errorsOf(rule);
  ASSERT_EQ(errors.size(), 4u) << dump(errors);
  EXPECT_TRUE(
      hasError(errors, "annotations.description", "{{host}} is not available at cluster scope"));
  EXPECT_TRUE(hasError(errors, "annotations.big", "is longer than 4096 bytes"));
  EXPECT_TRUE(hasError(errors, "annotations.n", "expected a string"));
  EXPECT_TRUE(hasError(errors, "annotations.summary",
                       "unknown placeholder {{foo}} (known: cluster, host, value, diagnosis, "
                       "rule, severity, metric)"));
  rule["annotations"] = {{"z", "1"}, {"a", "{{cluster}}"}, {"m", std::string(4096, 'x')}};
  const Rule parsed = parseOk(rule);
  ASSERT_EQ(parsed.annotations.size(), 3u);
  EXPECT_EQ(parsed.annotations[0].first, "a");  // sorted by key
  EXPECT_EQ(parsed.annotations[2].first, "z");
}

TEST(AlertRuleParser, Select) {
  nlohmann::json rule = withCondition(threshold("rps"));
  rule["select"] = {{{"name", "team"}, {"value", "x"}},
                    {{"name", "host"}, {"op", "=~"}, {"value", "("}}};
  std::vector<FieldError> errors = errorsOf(rule);
  ASSERT_EQ(errors.size(), 2u) << dump(errors);
  EXPECT_EQ(errors[0].path, "select[0].name");
  EXPECT_EQ(errors[0].reason, "must be cluster or host");
  EXPECT_EQ(errors[1].path, "select[1].value");
  rule["scope"] = "cluster";
  rule["select"] = {{{"name", "host"}, {"value", "x"}}};
  EXPECT_TRUE(hasError(errorsOf(rule), "select[0].name", "must be cluster at cluster scope"));
  rule = withCondition(threshold("capture_drop_ratio"), "global");
  rule["select"] = {{{"name", "cluster"}, {"value", "x"}}};
  EXPECT_TRUE(hasError(errorsOf(rule), "select", "a global rule has no cluster or host to select"));
  rule["select"] = "cluster";
  EXPECT_TRUE(hasError(errorsOf(rule), "select", "expected an array of at most 16 matchers"));
}

}  // namespace
}  // namespace meshlb::alerting
