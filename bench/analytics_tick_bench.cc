// One analytics tick at scale: 1,000 hosts in 10 clusters with steady traffic and capture
// figures, every detector, correlation and the view. The README's target is under 10 ms.
#include <benchmark/benchmark.h>

#include "analytics/analytics_engine.h"
#include "analytics/ingest/tick_builder.h"
#include "bench/synthetic_traffic.h"

namespace meshlb::analytics {
namespace {

void BM_AnalyticsTick1000Hosts(benchmark::State& state) {
  EngineParams params;
  params.warmup_ticks = 30;
  AnalyticsEngine engine(params);
  TickBuilder builder;
  bench::SyntheticTraffic traffic;
  // Past the warm-up, so every detector scores.
  for (int i = 0; i < 90; ++i) {
    traffic.advance();
    engine.tick(builder.build(traffic.snapshot(), traffic.flows()));
  }
  for (auto _ : state) {
    state.PauseTiming();
    traffic.advance();
    state.ResumeTiming();
    TickSample sample = builder.build(traffic.snapshot(), traffic.flows());
    engine.tick(sample);
  }
  const AnalyticsStatus& status = engine.view()->status;
  state.counters["series"] = static_cast<double>(status.series);
  state.counters["store_MB"] = static_cast<double>(status.store_bytes) / 1e6;
  state.counters["detectors_MB"] = static_cast<double>(status.detector_bytes) / 1e6;
  state.counters["open_anomalies"] = static_cast<double>(engine.view()->open.size());
}
BENCHMARK(BM_AnalyticsTick1000Hosts)->Unit(benchmark::kMillisecond)->Iterations(200);

}  // namespace
}  // namespace meshlb::analytics
