// One analytics tick at scale: 1,000 hosts in 10 clusters with steady traffic and capture
// figures, every detector, correlation and the view. The README's target is under 10 ms.
#include <benchmark/benchmark.h>

#include <random>

#include "analytics/analytics_engine.h"
#include "analytics/ingest/tick_builder.h"
#include "capture/summary/capture_endpoints.h"
#include "common/address.h"

namespace meshlb::analytics {
namespace {

constexpr int kClusters = 10;
constexpr int kHostsPerCluster = 100;

// A growing set of cumulative counters for every host, as the stats merge would produce.
class SyntheticTraffic {
 public:
  SyntheticTraffic() {
    endpoints_ = std::make_shared<capture::CaptureEndpoints>();
    for (int c = 0; c < kClusters; ++c) {
      stats::ClusterSnapshot cluster;
      cluster.name = "cluster" + std::to_string(c);
      for (int h = 0; h < kHostsPerCluster; ++h) {
        stats::HostSnapshot host;
        host.address = "10." + std::to_string(c) + "." + std::to_string(h / 250) + "." +
                       std::to_string(h % 250 + 1) + ":8080";
        endpoints_->addHost(parseSocketAddress(host.address).value(), host.address, cluster.name);
        cluster.hosts.push_back(host);
      }
      snapshot_.clusters.push_back(cluster);
    }
    flows_.health.enabled = true;
    flows_.endpoints = endpoints_;
    flows_.totals.resize(endpoints_->size());
  }

  void advance() {
    snapshot_.monotonic_ms += 1000;
    snapshot_.unix_ms = 1'700'000'000'000 + snapshot_.monotonic_ms;
    for (auto& cluster : snapshot_.clusters) {
      for (auto& host : cluster.hosts) {
        stats::HostStatsValues& v = host.values;
        uint64_t requests = 20 + random_() % 20;
        v.responses_by_class[1] += requests;
        v.responses_by_class[4] += random_() % 50 == 0 ? 1 : 0;
        for (uint64_t r = 0; r < requests; ++r) {
          uint64_t micros = 500 + random_() % 3000;
          v.request_duration.buckets[stats::latencyBucket(micros)]++;
          v.request_duration.sum_us += micros;
        }
        v.connections_total += 2;
        v.connect_duration.buckets[stats::latencyBucket(60)] += 2;
        v.bytes_sent += requests * 200;
        v.bytes_received += requests * 800;
        v.requests_active = random_() % 5;
        v.connections_active = 10;
      }
    }
    for (capture::EndpointFlowTotals& totals : flows_.totals) {
      totals.packets += 200;
      totals.bytes += 40'000;
      totals.retransmits += random_() % 100 == 0 ? 1 : 0;
      totals.handshake_rtt.buckets[stats::latencyBucket(40 + random_() % 20)] += 2;
      totals.data_rtt_upstream.buckets[stats::latencyBucket(100 + random_() % 200)] += 30;
    }
  }

  const stats::StatsSnapshot& snapshot() const { return snapshot_; }
  const capture::FlowSummary& flows() const { return flows_; }

 private:
  stats::StatsSnapshot snapshot_;
  std::shared_ptr<capture::CaptureEndpoints> endpoints_;
  capture::FlowSummary flows_;
  std::mt19937_64 random_{7};
};

void BM_AnalyticsTick1000Hosts(benchmark::State& state) {
  EngineParams params;
  params.warmup_ticks = 30;
  AnalyticsEngine engine(params);
  TickBuilder builder;
  SyntheticTraffic traffic;
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
