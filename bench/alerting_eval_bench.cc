// Rule evaluation after one analytics tick at scale: 1,000 hosts in 10 clusters, the five
// default rules (threshold, 60 s windows, anomalies, composites), once with nothing firing and
// once with every host firing two extra rules (2,000 firing alerts kept up to date each tick).
// This is the cost the analytics thread pays on top of BM_AnalyticsTick1000Hosts.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "alerting/alerting_config.h"
#include "alerting/alerting_service.h"
#include "alerting/rules/rule_parser.h"
#include "analytics/analytics_engine.h"
#include "analytics/ingest/tick_builder.h"
#include "bench/synthetic_traffic.h"

namespace meshlb::alerting {
namespace {

std::shared_ptr<const Rule> parsedRule(const nlohmann::json& json) {
  std::vector<FieldError> errors;
  std::optional<Rule> rule = parseRule(json, "", errors);
  if (!rule)
    std::abort();  // a typo in this file, not a measurement
  return std::make_shared<const Rule>(std::move(*rule));
}

// Two host rules true for every host of the synthetic traffic: one on the newest value, one on
// a 60 s average, so the windowed read is paid for every firing instance too.
std::vector<std::shared_ptr<const Rule>> everyHostFires() {
  return {parsedRule({{"name", "TrafficSeen"},
                      {"severity", "info"},
                      {"condition",
                       {{"kind", "threshold"}, {"metric", "rps"}, {"op", ">"}, {"value", 0}}}}),
          parsedRule({{"name", "SlowishAverage"},
                      {"severity", "info"},
                      {"condition",
                       {{"kind", "threshold"},
                        {"metric", "latency_p99_ms"},
                        {"op", ">"},
                        {"value", 0},
                        {"agg", "avg"},
                        {"window_s", 60}}}})};
}

void runEvaluation(benchmark::State& state, std::vector<std::shared_ptr<const Rule>> extra) {
  analytics::EngineParams params;
  params.warmup_ticks = 30;
  analytics::AnalyticsEngine engine(params);
  analytics::TickBuilder builder;
  bench::SyntheticTraffic traffic;

  AlertingConfig config;  // no state_dir, no notifiers: the evaluation alone
  config.rules = std::move(extra);
  std::string error;
  std::unique_ptr<AlertingService> alerting = AlertingService::create(config, &error);
  if (!alerting) {
    state.SkipWithError(error.c_str());
    return;
  }
  // Past the warm-up and the 60 s windows, and past the first transitions.
  for (int i = 0; i < 90; ++i) {
    traffic.advance();
    engine.tick(builder.build(traffic.snapshot(), traffic.flows()));
    alerting->evaluate(*engine.view(), engine.store(), &traffic.flows());
  }
  for (auto _ : state) {
    state.PauseTiming();
    traffic.advance();
    engine.tick(builder.build(traffic.snapshot(), traffic.flows()));
    state.ResumeTiming();
    alerting->evaluate(*engine.view(), engine.store(), &traffic.flows());
  }
  AlertingCounts counts = alerting->counts();
  uint64_t firing = 0;
  for (uint64_t n : counts.alerts[static_cast<size_t>(AlertState::kFiring)])
    firing += n;
  state.counters["firing"] = static_cast<double>(firing);
  state.counters["rules"] =
      static_cast<double>(counts.rules[0] + counts.rules[1] + counts.rules[2]);
}

void BM_AlertingEvaluate1000HostsQuiet(benchmark::State& state) {
  runEvaluation(state, {});
}
BENCHMARK(BM_AlertingEvaluate1000HostsQuiet)->Unit(benchmark::kMillisecond)->Iterations(100);

void BM_AlertingEvaluate1000HostsAllFiring(benchmark::State& state) {
  runEvaluation(state, everyHostFires());
}
BENCHMARK(BM_AlertingEvaluate1000HostsAllFiring)->Unit(benchmark::kMillisecond)->Iterations(100);

}  // namespace
}  // namespace meshlb::alerting
