#include "analytics/ingest/tick_builder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/address.h"
#include "proxy/health/host_state.h"

namespace meshlb::analytics {
namespace {

stats::StatsSnapshot snapshotAt(uint64_t monotonic_ms) {
  stats::StatsSnapshot snapshot;
  snapshot.unix_ms = 1'700'000'000'000 + monotonic_ms;
  snapshot.monotonic_ms = monotonic_ms;
  stats::ClusterSnapshot cluster;
  cluster.name = "app";
  for (const char* address : {"10.0.0.1:80", "10.0.0.2:80"}) {
    stats::HostSnapshot host;
    host.address = address;
    cluster.hosts.push_back(host);
  }
  snapshot.clusters.push_back(cluster);
  return snapshot;
}

// `count` attempts of `micros` each, `errors` of them answered 5xx.
void addRequests(stats::HostStatsValues& values, uint64_t count, uint64_t errors, uint64_t micros) {
  values.responses_by_class[1] += count - errors;
  values.responses_by_class[4] += errors;
  values.request_duration.buckets[stats::latencyBucket(micros)] += count;
  values.request_duration.sum_us += count * micros;
}

TEST(TickBuilderTest, FirstTickHasLevelsButNoRates) {
  TickBuilder builder;
  stats::StatsSnapshot snapshot = snapshotAt(10'000);
  snapshot.clusters[0].hosts[0].values.requests_active = 4;
  TickSample tick = builder.build(snapshot, capture::FlowSummary{});
  ASSERT_EQ(tick.hosts.size(), 2u);
  ASSERT_EQ(tick.clusters.size(), 1u);
  EXPECT_TRUE(std::isnan(tick.hosts[0].metrics[Metric::kRps]));
  EXPECT_EQ(tick.hosts[0].metrics[Metric::kRequestsActive], 4);
  EXPECT_EQ(tick.hosts[0].metrics[Metric::kHealth], 1);
  EXPECT_EQ(tick.clusters[0].metrics[Metric::kHealthyHosts], 2);
  EXPECT_EQ(tick.clusters[0].hosts, (std::vector<uint32_t>{0, 1}));
}

TEST(TickBuilderTest, RatesRatiosAndQuantilesOfTheDelta) {
  TickBuilder builder;
  stats::StatsSnapshot first = snapshotAt(10'000);
  addRequests(first.clusters[0].hosts[0].values, 1000, 0, 300);  // history, not this tick
  builder.build(first, capture::FlowSummary{});

  stats::StatsSnapshot second = first;
  second.monotonic_ms = 12'000;  // two seconds later
  second.unix_ms += 2'000;
  // 90 requests in (250, 500] us and 10 in (100, 250] ms: p50 388.9 us and p99 235 ms by the
  // histogram's interpolation.
  addRequests(second.clusters[0].hosts[0].values, 90, 0, 400);
  addRequests(second.clusters[0].hosts[0].values, 10, 10, 200'000);
  addRequests(second.clusters[0].hosts[1].values, 50, 0, 400);
  TickSample tick = builder.build(second, capture::FlowSummary{});
  const MetricValues& host = tick.hosts[0].metrics;
  EXPECT_DOUBLE_EQ(tick.interval_s, 2.0);
  EXPECT_DOUBLE_EQ(host[Metric::kRps], 50.0);
  EXPECT_EQ(host.samplesOf(Metric::kRps), 100u);
  EXPECT_DOUBLE_EQ(host[Metric::kErrorRatio], 0.1);
  EXPECT_NEAR(host[Metric::kLatencyP50Ms], 0.3889, 0.0001);
  EXPECT_NEAR(host[Metric::kLatencyP99Ms], 235.0, 0.001);
  EXPECT_EQ(host.samplesOf(Metric::kLatencyP99Ms), 100u);
  // The cluster sums its hosts' deltas bucket by bucket.
  const MetricValues& cluster = tick.clusters[0].metrics;
  EXPECT_DOUBLE_EQ(cluster[Metric::kRps], 75.0);
  EXPECT_NEAR(cluster[Metric::kErrorRatio], 10.0 / 150.0, 1e-12);
  // No capture: no network figures, and bytes come from the proxy's own counters.
  EXPECT_TRUE(std::isnan(host[Metric::kHandshakeRttMs]));
  EXPECT_FALSE(tick.capture_enabled);
}

TEST(TickBuilderTest, CounterResetGivesNoValueForOneTick) {
  TickBuilder builder;
  stats::StatsSnapshot first = snapshotAt(10'000);
  addRequests(first.clusters[0].hosts[0].values, 500, 0, 300);
  builder.build(first, capture::FlowSummary{});
  stats::StatsSnapshot second = snapshotAt(11'000);  // counters back to zero
  addRequests(second.clusters[0].hosts[0].values, 5, 0, 300);
  TickSample reset = builder.build(second, capture::FlowSummary{});
  EXPECT_TRUE(std::isnan(reset.hosts[0].metrics[Metric::kRps]));
  EXPECT_TRUE(std::isnan(reset.clusters[0].metrics[Metric::kRps]));
  stats::StatsSnapshot third = second;
  third.monotonic_ms = 12'000;
  addRequests(third.clusters[0].hosts[0].values, 7, 0, 300);
  TickSample after = builder.build(third, capture::FlowSummary{});
  EXPECT_DOUBLE_EQ(after.hosts[0].metrics[Metric::kRps], 7.0);
}

TEST(TickBuilderTest, IntervalOutsideBoundsGivesNoRates) {
  TickBuilder builder;
  stats::StatsSnapshot first = snapshotAt(10'000);
  builder.build(first, capture::FlowSummary{});
  stats::StatsSnapshot soon = snapshotAt(10'100);  // 100 ms: too short to be a rate
  addRequests(soon.clusters[0].hosts[0].values, 5, 0, 300);
  EXPECT_TRUE(
      std::isnan(builder.build(soon, capture::FlowSummary{}).hosts[0].metrics[Metric::kRps]));
  stats::StatsSnapshot late = snapshotAt(30'000);  // 20 s gap
  addRequests(late.clusters[0].hosts[0].values, 10, 0, 300);
  EXPECT_TRUE(
      std::isnan(builder.build(late, capture::FlowSummary{}).hosts[0].metrics[Metric::kRps]));
}

TEST(TickBuilderTest, HealthFlagsAndDraining) {
  TickBuilder builder;
  stats::StatsSnapshot snapshot = snapshotAt(10'000);
  snapshot.clusters[0].hosts[0].health_flags = health::kFailedActiveCheck;
  snapshot.clusters[0].hosts[1].health_flags = health::kDraining;
  TickSample tick = builder.build(snapshot, capture::FlowSummary{});
  EXPECT_EQ(tick.hosts[0].metrics[Metric::kHealth], 0);
  EXPECT_FALSE(tick.hosts[0].draining);
  EXPECT_EQ(tick.hosts[1].metrics[Metric::kHealth], 1);
  EXPECT_TRUE(tick.hosts[1].draining);
  EXPECT_EQ(tick.clusters[0].metrics[Metric::kHealthyHosts], 0);
}

TEST(TickBuilderTest, CaptureTotalsMapToEveryClusterListingTheAddress) {
  auto endpoints = std::make_shared<capture::CaptureEndpoints>();
  SocketAddress address = parseSocketAddress("10.0.0.1:80").value();
  endpoints->addHost(address, "10.0.0.1:80", "app");
  endpoints->addHost(address, "10.0.0.1:80", "other");
  capture::FlowSummary flows;
  flows.health.enabled = true;
  flows.endpoints = endpoints;
  flows.totals.resize(endpoints->size());

  stats::StatsSnapshot first = snapshotAt(10'000);
  stats::ClusterSnapshot other;
  other.name = "other";
  other.hosts.push_back(first.clusters[0].hosts[0]);
  first.clusters.push_back(other);
  TickBuilder builder;
  builder.build(first, flows);

  stats::StatsSnapshot second = first;
  second.monotonic_ms = 11'000;
  capture::EndpointFlowTotals& totals = flows.totals[0];
  totals.packets = 200;
  totals.retransmits = 4;
  totals.bytes = 30'000;
  totals.handshake_rtt.buckets[stats::latencyBucket(40)] = 5;  // (25, 50] us
  totals.data_rtt_upstream.buckets[stats::latencyBucket(3'000)] = 20;
  TickSample tick = builder.build(second, flows);
  ASSERT_EQ(tick.hosts.size(), 3u);
  for (size_t i : {size_t{0}, size_t{2}}) {
    const MetricValues& m = tick.hosts[i].metrics;
    EXPECT_TRUE(tick.hosts[i].has_capture);
    EXPECT_DOUBLE_EQ(m[Metric::kRetransmitRatio], 0.02) << i;
    EXPECT_EQ(m.samplesOf(Metric::kRetransmitRatio), 200u);
    EXPECT_DOUBLE_EQ(m[Metric::kBytesPerS], 30'000);
    EXPECT_GT(m[Metric::kHandshakeRttMs], 0.025);
    EXPECT_LE(m[Metric::kHandshakeRttMs], 0.050);
    EXPECT_EQ(m.samplesOf(Metric::kHandshakeRttMs), 5u);
    EXPECT_GT(m[Metric::kRttP50Ms], 2.5);
    EXPECT_LE(m[Metric::kRttP50Ms], 5.0);
  }
  EXPECT_FALSE(tick.hosts[1].has_capture);  // 10.0.0.2 is not an endpoint
  EXPECT_TRUE(std::isnan(tick.hosts[1].metrics[Metric::kRetransmitRatio]));
}

}  // namespace
}  // namespace meshlb::analytics
