// RuleEvaluator against a hand-built AnalyticsView and a SeriesStore with recorded ticks:
// thresholds (last and windows), anomalies, composites, select, scopes, labels, annotations.

#include "alerting/eval/rule_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "alerting/rules/default_rules.h"
#include "alerting/rules/rule_parser.h"

namespace meshlb::alerting {
namespace {

using analytics::Metric;

constexpr int64_t kT0 = 1'699'999'200'000;
constexpr int kTicks = 60;
constexpr int64_t kNow = kT0 + (kTicks - 1) * 1000;  // the newest tick

std::shared_ptr<const Rule> rule(const nlohmann::json& json) {
  std::vector<FieldError> errors;
  std::optional<Rule> parsed = parseRule(json, "", errors);
  EXPECT_TRUE(parsed.has_value()) << (errors.empty() ? ""
                                                     : errors[0].path + ": " + errors[0].reason);
  return std::make_shared<const Rule>(parsed.value_or(Rule{}));
}

nlohmann::json threshold(const std::string& metric, const std::string& op, double value,
                         const std::string& agg = "last", int window_s = 0) {
  return {{"kind", "threshold"}, {"metric", metric}, {"op", op},
          {"value", value},      {"agg", agg},       {"window_s", window_s}};
}

nlohmann::json hostRule(const nlohmann::json& condition) {
  return {{"name", "R"}, {"condition", condition}};
}

analytics::HostView makeHost(const std::string& cluster, const std::string& host) {
  analytics::HostView view;
  view.cluster = cluster;
  view.host = host;
  view.series.fill(analytics::kNoSeries);
  return view;
}

analytics::Anomaly anomaly(uint64_t id, Metric metric, analytics::Direction direction,
                           analytics::Cause cause, double value) {
  analytics::Anomaly a;
  a.id = id;
  a.cluster = "app";
  a.host = "h1";
  a.metric = metric;
  a.direction = direction;
  a.value = value;
  a.diagnosis.cause = cause;
  a.diagnosis.confidence = analytics::Confidence::kHigh;
  return a;
}

class AlertRuleEvaluator : public ::testing::Test {
 protected:
  AlertRuleEvaluator() : store_(64) {
    view_.recent = std::make_shared<const std::vector<analytics::Anomaly>>();
    view_.hosts.push_back(makeHost("app", "h1"));
    view_.hosts.push_back(makeHost("app", "h2"));
    view_.hosts.push_back(makeHost("api", "h3"));
    analytics::ClusterView app;
    app.name = "app";
    app.series.fill(analytics::kNoSeries);
    app.hosts = {0, 1};
    view_.clusters.push_back(app);
    analytics::ClusterView api = app;
    api.name = "api";
    api.hosts = {2};
    view_.clusters.push_back(api);
  }

  // Records kTicks ticks of `value(i)` into a new series of view host `host` for `metric`
  // (NaN values leave the tick empty), and sets its last value.
  void series(size_t host, Metric metric, const std::function<double(int)>& value) {
    const uint32_t id = *store_.acquire();
    view_.hosts[host].series[static_cast<size_t>(metric)] = static_cast<int32_t>(id);
    values_.push_back({id, value});
    view_.hosts[host].last.set(metric, value(kTicks - 1));
  }

  void recordTicks() {
    for (int i = 0; i < kTicks; ++i) {
      store_.beginTick(kT0 + i * 1000);
      for (const auto& [id, value] : values_) {
        store_.record(id, value(i));
      }
      store_.endTick();
    }
  }

  std::vector<ActiveInstance> evaluate(const std::vector<std::shared_ptr<const Rule>>& rules,
                                       const GlobalValues& globals = {}, int64_t now = kNow) {
    std::vector<ActiveInstance> out;
    evaluator_.evaluate(rules, view_, store_, globals, now, out);
    return out;
  }

  std::vector<std::string> hostsOf(const std::vector<ActiveInstance>& instances) {
    std::vector<std::string> hosts;
    for (const ActiveInstance& instance : instances) {
      hosts.push_back(instance.host);
    }
    return hosts;
  }

  analytics::AnalyticsView view_;
  analytics::SeriesStore store_;
  std::vector<std::pair<uint32_t, std::function<double(int)>>> values_;
  RuleEvaluator evaluator_;
};

TEST_F(AlertRuleEvaluator, LastValueWithEachOp) {
  view_.hosts[0].last.set(Metric::kRps, 10);
  view_.hosts[1].last.set(Metric::kRps, 20);
  // host h3 has no value (NaN): never active, not even for !=
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {">", {"h2"}},  {">=", {"h1", "h2"}}, {"<", {}},
      {"<=", {"h1"}}, {"==", {"h1"}},       {"!=", {"h2"}}};
  for (const auto& [op, expected] : cases) {
    const auto instances = evaluate({rule(hostRule(threshold("rps", op, 10)))});
    EXPECT_EQ(hostsOf(instances), expected) << op;
  }
}

TEST_F(AlertRuleEvaluator, WindowAggregations) {
  series(0, Metric::kRequestsActive, [](int i) { return static_cast<double>(i); });  // 0..59
  recordTicks();
  const auto value = [&](const std::string& agg, int window_s) {
    const auto instances =
        evaluate({rule(hostRule(threshold("requests_active", ">", -1000, agg, window_s)))});
    return instances.empty() ? NAN : instances[0].value;
  };
  EXPECT_DOUBLE_EQ(value("avg", 60), 29.5);
  EXPECT_DOUBLE_EQ(value("avg", 10), 54.5);  // ticks 50..59
  EXPECT_DOUBLE_EQ(value("min", 10), 50);
  EXPECT_DOUBLE_EQ(value("max", 60), 59);
  EXPECT_DOUBLE_EQ(value("rate", 30), 1.0);
  EXPECT_DOUBLE_EQ(value("last", 0), 59);
}

TEST_F(AlertRuleEvaluator, AWindowNeedsHalfItsTicks) {
  // h1: 30 of the last 60 ticks have a value; h2: 29.
  series(0, Metric::kErrorRatio, [](int i) { return i % 2 == 0 ? 0.5 : NAN; });
  series(1, Metric::kErrorRatio, [](int i) { return i % 2 == 0 && i > 0 ? 0.5 : NAN; });
  recordTicks();
  const auto instances = evaluate({rule(hostRule(threshold("error_ratio", ">", 0.1, "avg", 60)))});
  EXPECT_EQ(hostsOf(instances), std::vector<std::string>{"h1"});
  EXPECT_DOUBLE_EQ(instances.at(0).value, 0.5);
}

TEST_F(AlertRuleEvaluator, AMissingSeriesIsNoData) {
  view_.hosts[0].last.set(Metric::kRps, 10);  // a last value but no series
  recordTicks();
  EXPECT_TRUE(evaluate({rule(hostRule(threshold("rps", ">", 1, "max", 60)))}).empty());
}

TEST_F(AlertRuleEvaluator, RemovedHostsAreSkipped) {
  for (analytics::HostView& host : view_.hosts) {
    host.last.set(Metric::kHealth, 0);
  }
  view_.hosts[1].removed = true;
  const auto instances = evaluate({rule(hostRule(threshold("health", "<", 1)))});
  EXPECT_EQ(hostsOf(instances), (std::vector<std::string>{"h1", "h3"}));
}

TEST_F(AlertRuleEvaluator, AnomalyMatching) {
  using analytics::Cause;
  using analytics::Direction;
  view_.open.push_back(anomaly(3, Metric::kLatencyP50Ms, Direction::kUp, Cause::kNetwork, 250));
  view_.open.push_back(anomaly(7, Metric::kRps, Direction::kDown, Cause::kNone, 2));
  view_.open.push_back(anomaly(9, Metric::kRps, Direction::kUp, Cause::kOverload, 99));
  view_.hosts[0].open_anomalies = {3, 7};
  view_.hosts[1].open_anomalies = {9};
  const auto match = [&](const nlohmann::json& condition) {
    nlohmann::json c = condition;
    c["kind"] = "anomaly";
    return evaluate({rule(hostRule(c))});
  };
  std::vector<ActiveInstance> out = match({{"metrics", {"latency_p50_ms"}}, {"direction", "up"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].host, "h1");
  EXPECT_EQ(out[0].anomaly_id, std::optional<uint64_t>(3));
  EXPECT_DOUBLE_EQ(out[0].value, 250);
  EXPECT_EQ(out[0].diagnosis, "network (high)");

  EXPECT_TRUE(match({{"metrics", {"latency_p99_ms"}}}).empty());
  EXPECT_TRUE(match({{"metrics", {"latency_p50_ms"}}, {"direction", "down"}}).empty());

  out = match({{"direction", "down"}});  // the undiagnosed rps drop
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].anomaly_id, std::optional<uint64_t>(7));
  EXPECT_EQ(out[0].diagnosis, "network (high)");  // the host's newest diagnosed anomaly

  out = match({{"causes", {"overload"}}});
  EXPECT_EQ(hostsOf(out), std::vector<std::string>{"h2"});
  EXPECT_EQ(out[0].diagnosis, "overload (high)");
  EXPECT_EQ(hostsOf(match({{"causes", {"none"}}})), std::vector<std::string>{"h1"});
  EXPECT_EQ(hostsOf(match(nlohmann::json::object())), (std::vector<std::string>{"h1", "h2"}));

  // settled: only a settled diagnosis counts
  EXPECT_TRUE(match({{"causes", {"network"}}, {"settled", true}}).empty());
  view_.open[0].diagnosis.settled = true;
  EXPECT_EQ(match({{"causes", {"network"}}, {"settled", true}}).size(), 1u);

  // an id the view no longer has open is ignored
  view_.hosts[2].open_anomalies = {42};
  EXPECT_EQ(match(nlohmann::json::object()).size(), 2u);
}

TEST_F(AlertRuleEvaluator, CompositeValueIsTheFirstTrueLeaf) {
  view_.hosts[0].last.set(Metric::kHealth, 1);
  view_.hosts[0].last.set(Metric::kErrorRatio, 0.7);
  view_.hosts[0].last.set(Metric::kRps, 5);
  nlohmann::json any = {{"kind", "any"},
                        {"of", {threshold("health", "<", 1), threshold("error_ratio", ">=", 0.5)}}};
  nlohmann::json r = hostRule(any);
  r["annotations"] = {{"summary", "{{metric}}={{value}}"}};
  std::vector<ActiveInstance> out = evaluate({rule(r)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].value, 0.7);
  EXPECT_EQ(out[0].annotations, (LabelSet{{"summary", "error_ratio=0.7"}}));

  r["condition"] = {{"kind", "all"},
                    {"of", {threshold("rps", ">=", 1), threshold("error_ratio", ">=", 0.5)}}};
  out = evaluate({rule(r)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].value, 5);
  EXPECT_EQ(out[0].annotations, (LabelSet{{"summary", "rps=5"}}));

  r["condition"]["of"][1]["value"] = 0.8;  // one child false: all is false
  EXPECT_TRUE(evaluate({rule(r)}).empty());
}

TEST_F(AlertRuleEvaluator, SelectFiltersOnClusterAndHost) {
  for (analytics::HostView& host : view_.hosts) {
    host.last.set(Metric::kHealth, 0);
  }
  nlohmann::json r = hostRule(threshold("health", "<", 1));
  r["select"] = {{{"name", "cluster"}, {"op", "=~"}, {"value", "api|apx"}}};
  const std::shared_ptr<const Rule> by_cluster = rule(r);
  r["select"] = {{{"name", "host"}, {"op", "!="}, {"value", "h1"}}};
  const std::shared_ptr<const Rule> by_host = rule(r);
  EXPECT_EQ(hostsOf(evaluate({by_cluster})), std::vector<std::string>{"h3"});
  EXPECT_EQ(hostsOf(evaluate({by_host})), (std::vector<std::string>{"h2", "h3"}));
  // The cached answers follow a change of the view's host list.
  view_.hosts.push_back(makeHost("apx", "h4"));
  view_.hosts.back().last.set(Metric::kHealth, 0);
  EXPECT_EQ(hostsOf(evaluate({by_cluster, by_host})),
            (std::vector<std::string>{"h3", "h4", "h2", "h3", "h4"}));
}

TEST_F(AlertRuleEvaluator, HostLabelsAndAnnotations) {
  view_.hosts[0].host = "127.0.0.1:9002";
  view_.hosts[0].last.set(Metric::kHealth, 0);
  view_.open.push_back(anomaly(5, Metric::kErrorRatio, analytics::Direction::kUp,
                               analytics::Cause::kBackendDown, 1));
  view_.hosts[0].open_anomalies = {5};
  std::shared_ptr<const Rule> backend_down;
  for (const auto& r : defaultRules()) {
    if (r->name == "BackendDown") {
      backend_down = r;
    }
  }
  ASSERT_NE(backend_down, nullptr);
  const auto out = evaluate({backend_down});
  ASSERT_EQ(out.size(), 1u);
  const ActiveInstance& instance = out[0];
  EXPECT_EQ(instance.rule, backend_down);
  EXPECT_EQ(instance.labels, (LabelSet{{"alertname", "BackendDown"},
                                       {"cluster", "app"},
                                       {"host", "127.0.0.1:9002"},
                                       {"severity", "critical"}}));
  EXPECT_EQ(instance.id, "36b06c7f023d27d1");
  EXPECT_EQ(instance.annotations,
            (LabelSet{{"description", "health 0; diagnosis backend_down (high)"},
                      {"summary", "Backend 127.0.0.1:9002 of cluster app is down"}}));
  EXPECT_EQ(instance.cluster, "app");
  EXPECT_EQ(instance.host, "127.0.0.1:9002");
  EXPECT_FALSE(instance.anomaly_id.has_value());  // a threshold matched, not an anomaly

  // Rule labels join the derived ones.
  nlohmann::json r = hostRule(threshold("health", "<", 1));
  r["labels"] = {{"team", "edge"}};
  r["severity"] = "info";
  const auto labelled = evaluate({rule(r)});
  ASSERT_EQ(labelled.size(), 1u);
  EXPECT_EQ(labelled[0].labels, (LabelSet{{"alertname", "R"},
                                          {"cluster", "app"},
                                          {"host", "127.0.0.1:9002"},
                                          {"severity", "info"},
                                          {"team", "edge"}}));
  EXPECT_EQ(labelled[0].id, fingerprint(labelled[0].labels));
  EXPECT_EQ(labelled[0].diagnosis, "backend_down (high)");
}

TEST_F(AlertRuleEvaluator, ClusterScope) {
  view_.clusters[0].last.set(Metric::kHealthyHosts, 1);
  view_.clusters[1].last.set(Metric::kHealthyHosts, 3);
  nlohmann::json r = {
      {"name", "FewHosts"},
      {"scope", "cluster"},
      {"condition", threshold("healthy_hosts", "<", 2)},
      {"annotations", {{"summary", "{{cluster}} has {{value}} ({{rule}}, {{severity}})"}}}};
  auto out = evaluate({rule(r)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels,
            (LabelSet{{"alertname", "FewHosts"}, {"cluster", "app"}, {"severity", "warning"}}));
  EXPECT_EQ(out[0].cluster, "app");
  EXPECT_EQ(out[0].host, "");
  EXPECT_EQ(out[0].annotations, (LabelSet{{"summary", "app has 1 (FewHosts, warning)"}}));
  view_.clusters[0].removed = true;
  EXPECT_TRUE(evaluate({rule(r)}).empty());
  r["select"] = {{{"name", "cluster"}, {"value", "api"}}};
  r["condition"]["op"] = ">";
  out = evaluate({rule(r)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].cluster, "api");
}

TEST_F(AlertRuleEvaluator, GlobalLastAndWindows) {
  const std::shared_ptr<const Rule> last =
      rule({{"name", "DropsNow"},
            {"scope", "global"},
            {"condition", threshold("capture_drops_per_s", ">", 5)}});
  const std::shared_ptr<const Rule> windowed =
      rule({{"name", "Drops"},
            {"scope", "global"},
            {"condition", threshold("capture_drop_ratio", ">", 0.01, "avg", 60)},
            {"annotations", {{"summary", "{{value}} dropped"}}}});
  GlobalValues globals;
  globals.capture_drops_per_s = 10;
  auto out = evaluate({last, windowed}, globals, kT0);
  ASSERT_EQ(out.size(), 1u);  // the ratio is NaN: no data
  EXPECT_EQ(out[0].labels, (LabelSet{{"alertname", "DropsNow"}, {"severity", "warning"}}));
  EXPECT_DOUBLE_EQ(out[0].value, 10);
  // 29 ticks of 2 % after the empty one: 29 of 30 in range hold a value.
  globals.capture_drops_per_s = 0;
  globals.capture_drop_ratio = 0.02;
  for (int i = 1; i < 30; ++i) {
    out = evaluate({last, windowed}, globals, kT0 + i * 1000);
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, windowed);
  EXPECT_DOUBLE_EQ(out[0].value, 0.02);
  EXPECT_EQ(out[0].annotations, (LabelSet{{"summary", "0.02 dropped"}}));
  // 40 ticks of no data: 20 of the last 60 hold a value, under half.
  globals.capture_drop_ratio = NAN;
  for (int i = 30; i < 70; ++i) {
    out = evaluate({last, windowed}, globals, kT0 + i * 1000);
  }
  EXPECT_TRUE(out.empty());
}

TEST_F(AlertRuleEvaluator, NullRulesAreSkippedAndOutIsAppended) {
  view_.hosts[0].last.set(Metric::kHealth, 0);
  std::vector<ActiveInstance> out(1);
  evaluator_.evaluate({nullptr, rule(hostRule(threshold("health", "<", 1)))}, view_, store_, {},
                      kNow, out);
  EXPECT_EQ(out.size(), 2u);
}

}  // namespace
}  // namespace meshlb::alerting
