// Cost of the stats pipeline, from the data path to the /metrics text:
//  - BM_RecordRequest: what one proxied request costs a worker in stats (status, latency
//    histogram, requests_active up and down) on its live block;
//  - BM_StatsStoreMerge: the main thread summing 2 workers' blocks for 50 clusters x 20 hosts;
//  - BM_MetricsUpdate / BM_MetricsText / BM_MetricsScrape: MetricsExporter::update() and
//    prometheusText() for that snapshot, apart and together (what one GET /metrics costs).
// Heap allocations are counted by replacing the global operator new for this binary (a relaxed
// atomic increment: noise for the other benchmarks here, far below their timer resolution) and
// reported per iteration.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "admin/metrics/metrics_exporter.h"
#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/stats/stats_store.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// GCC pairs the malloc in operator new with the free in operator delete across inlining and
// warns (-Wmismatched-new-delete) although they match; the replacement is deliberate.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
// The stats blocks and snapshots are alignas(64): their vectors use the aligned forms.
void* operator new(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return operator new(size, align);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace meshlb {
namespace {

constexpr size_t kClusters = 50;
constexpr size_t kHostsPerCluster = 20;  // 1,000 hosts
constexpr uint32_t kWorkers = 2;

config::Config benchConfig() {
  config::Config config;
  for (size_t c = 0; c < kClusters; ++c) {
    config::ClusterConfig cluster;
    cluster.name = "cluster-" + std::to_string(c);
    for (size_t h = 0; h < kHostsPerCluster; ++h) {
      config::HostConfig host;
      host.address_text = "10." + std::to_string(c) + ".0." + std::to_string(h + 1) + ":8080";
      host.weight = 1 + static_cast<uint32_t>(h % 3);
      cluster.hosts.push_back(host);
    }
    config.clusters.push_back(std::move(cluster));
  }
  for (const char* name : {"web", "api", "tcp"}) {
    config::ListenerConfig listener;
    listener.name = name;
    config.listeners.push_back(listener);
  }
  return config;
}

// Traffic as a worker records it: mostly 200s, some 404/503, latencies spread over buckets.
void recordTraffic(const stats::ConfigStatsBlocks& blocks, int requests_per_host) {
  for (const stats::WorkerStatsBlocks& worker : blocks.workers) {
    for (size_t c = 0; c < worker.hosts.size(); ++c) {
      for (size_t h = 0; h < worker.hosts[c].size(); ++h) {
        stats::HostStats& host = *worker.hosts[c][h];
        for (int i = 0; i < requests_per_host; ++i) {
          host.recordStatus(i % 50 == 0 ? 503 : i % 20 == 0 ? 404 : 200);
          host.request_duration.record(static_cast<uint64_t>(150 + (i * 7919) % 40000));
          host.bytes_sent.add(300);
          host.bytes_received.add(2000);
        }
        host.connections_total.add(4);
        host.connections_active.add(2);
        host.connect_duration.record(80);
        host.retries.add(1);
      }
      worker.clusters[c]->lb_panic.add(1);
    }
    for (stats::ListenerStats* listener : worker.listeners) {
      listener->connections_total.add(100);
      listener->requests.add(1000);
      listener->responses_by_class[1].add(990);
      listener->responses_by_class[4].add(10);
    }
  }
}

std::vector<std::pair<std::string, uint64_t>> workerTotals() {
  std::vector<std::pair<std::string, uint64_t>> totals;
  for (const char* name :
       {"downstream_connections_total", "downstream_connections_active", "responses_2xx",
        "upstream_retries_total", "upstream_connections_total", "bytes_sent_total"}) {
    totals.emplace_back(name, 1000);
  }
  return totals;
}

// A live store with traffic, merged and annotated the way the main thread does it.
struct Fixture {
  config::Config config = benchConfig();
  stats::StatsStore store{kWorkers};
  std::shared_ptr<const stats::ConfigStatsBlocks> blocks = store.resolve(config);

  Fixture() { recordTraffic(*blocks, 100); }

  stats::StatsSnapshot snapshot() const {
    stats::StatsSnapshot snapshot = stats::StatsStore::merge(config, *blocks);
    for (size_t c = 0; c < snapshot.clusters.size(); ++c) {
      for (size_t h = 0; h < snapshot.clusters[c].hosts.size(); ++h) {
        snapshot.clusters[c].hosts[h].health_flags = h == 3 ? health::kEjected : 0;
      }
    }
    snapshot.worker_totals = workerTotals();
    return snapshot;
  }
};

admin::ProcessInfo benchProcess() {
  admin::ProcessInfo info;
  info.workers = kWorkers;
  info.config_generation = 1;
  return info;
}

// Moves every host on a little, as one second of traffic would, so that each update has
// deltas to apply (cheap next to the update itself: a few additions per host).
void advance(stats::StatsSnapshot& snapshot) {
  for (stats::ClusterSnapshot& cluster : snapshot.clusters) {
    for (stats::HostSnapshot& host : cluster.hosts) {
      host.values.responses_by_class[1] += 10;
      host.values.responses_by_code[stats::statusSlot(200)] += 10;
      host.values.request_duration.buckets[7] += 10;
      host.values.request_duration.sum_us += 25000;
      host.values.bytes_sent += 3000;
      host.values.bytes_received += 20000;
    }
  }
}

void BM_RecordRequest(benchmark::State& state) {
  stats::HostStats host;
  uint64_t micros = 100;
  int status = 200;
  for (auto _ : state) {
    host.requests_active.add();
    host.recordStatus(status);
    host.request_duration.record(micros);
    host.requests_active.sub();
    micros = micros * 5 % 99991;  // spread over the buckets
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(host.responses_by_class[1].get());
}
BENCHMARK(BM_RecordRequest);

void BM_StatsStoreMerge(benchmark::State& state) {
  Fixture fixture;
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    stats::StatsSnapshot snapshot = stats::StatsStore::merge(fixture.config, *fixture.blocks);
    benchmark::DoNotOptimize(snapshot.clusters.data());
  }
  state.counters["hosts"] = static_cast<double>(kClusters * kHostsPerCluster);
  state.counters["allocs_per_merge"] =
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_StatsStoreMerge)->Unit(benchmark::kMicrosecond);

void BM_MetricsUpdate(benchmark::State& state) {
  Fixture fixture;
  stats::StatsSnapshot snapshot = fixture.snapshot();
  admin::MetricsExporter exporter("bench");
  exporter.update(snapshot, benchProcess());  // creates the series, as the first tick does
  const admin::ProcessInfo process = benchProcess();
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    advance(snapshot);
    exporter.update(snapshot, process);
  }
  state.counters["allocs_per_update"] =
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MetricsUpdate)->Unit(benchmark::kMicrosecond);

void BM_MetricsText(benchmark::State& state) {
  Fixture fixture;
  admin::MetricsExporter exporter("bench");
  exporter.update(fixture.snapshot(), benchProcess());
  size_t bytes = 0;
  const uint64_t before = g_allocations.load();
  for (auto _ : state) {
    std::string text = exporter.prometheusText();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["allocs_per_text"] =
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations());
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MetricsText)->Unit(benchmark::kMillisecond);

// One scrape: update() then prometheusText(), 1,000 hosts across 50 clusters.
void BM_MetricsScrape(benchmark::State& state) {
  Fixture fixture;
  stats::StatsSnapshot snapshot = fixture.snapshot();
  admin::MetricsExporter exporter("bench");
  exporter.update(snapshot, benchProcess());
  const admin::ProcessInfo process = benchProcess();
  size_t bytes = 0;
  for (auto _ : state) {
    advance(snapshot);
    exporter.update(snapshot, process);
    std::string text = exporter.prometheusText();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  const std::string text = exporter.prometheusText();
  size_t samples = 0;  // lines that are not # HELP or # TYPE
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    samples += text[start] != '#' ? 1 : 0;
    start = end == std::string::npos ? text.size() : end + 1;
  }
  state.counters["output_bytes"] = static_cast<double>(bytes);
  state.counters["samples"] = static_cast<double>(samples);
}
BENCHMARK(BM_MetricsScrape)->Unit(benchmark::kMillisecond);

// A config change: one cluster of 20 hosts leaves, and comes back on the next update. Each
// removed series costs a scan of its family in prometheus-cpp 1.0.1 (Family::Remove).
void BM_MetricsClusterChurn(benchmark::State& state) {
  Fixture fixture;
  const stats::StatsSnapshot full = fixture.snapshot();
  stats::StatsSnapshot without = full;
  without.clusters.pop_back();
  admin::MetricsExporter exporter("bench");
  const admin::ProcessInfo process = benchProcess();
  exporter.update(full, process);
  for (auto _ : state) {
    exporter.update(without, process);
    exporter.update(full, process);
  }
}
BENCHMARK(BM_MetricsClusterChurn)->Unit(benchmark::kMillisecond);

// The first update after a config load: every series is created.
void BM_MetricsFirstUpdate(benchmark::State& state) {
  Fixture fixture;
  const stats::StatsSnapshot snapshot = fixture.snapshot();
  const admin::ProcessInfo process = benchProcess();
  for (auto _ : state) {
    admin::MetricsExporter exporter("bench");
    exporter.update(snapshot, process);
    benchmark::DoNotOptimize(&exporter);
  }
}
BENCHMARK(BM_MetricsFirstUpdate)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meshlb
