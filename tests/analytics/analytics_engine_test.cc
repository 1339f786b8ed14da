#include "analytics/analytics_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace meshlb::analytics {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;

// Three hosts of cluster "app" with steady traffic and a flat network; tests change one value
// and watch what the engine makes of it.
class EngineHarness {
 public:
  EngineHarness() : engine_(params()) {}

  static EngineParams params() {
    EngineParams p;
    p.warmup_ticks = 40;
    p.retention_after_removal_ms = 10'000;
    return p;
  }

  struct HostLoad {
    double latency_ms = 3;
    double rps = 30;
    double health = 1;
    double handshake_ms = 0.05;
    double connect_failures = 0;
    bool present = true;
  };

  // One tick with every host as described, plus a little noise.
  void tick() {
    TickSample sample;
    sample.unix_ms = kStartMs + ticks_ * 1000;
    sample.monotonic_ms = ticks_ * 1000;
    sample.interval_s = ticks_ == 0 ? 0 : 1.0;
    sample.capture_enabled = true;
    ClusterTick cluster;
    cluster.name = "app";
    double cluster_rps = 0;
    double cluster_latency = 0;
    for (size_t i = 0; i < hosts.size(); ++i) {
      const HostLoad& load = hosts[i];
      if (!load.present) {
        continue;
      }
      HostTick host;
      host.cluster = "app";
      host.host = "10.0.0." + std::to_string(i + 1) + ":80";
      MetricValues& m = host.metrics;
      auto noisy = [&](double value, double spread) {
        return value * (1 + spread * (uniform_(random_) - 0.5));
      };
      double latency = noisy(load.latency_ms, 0.2);
      m.set(Metric::kHealth, load.health);
      m.set(Metric::kRps, load.rps == 0 ? 0 : noisy(load.rps, 0.2), uint64_t(load.rps));
      if (load.rps > 0) {
        m.set(Metric::kLatencyP50Ms, latency, uint64_t(load.rps));
        m.set(Metric::kLatencyP99Ms, latency * 2, uint64_t(load.rps));
        m.set(Metric::kErrorRatio, 0, uint64_t(load.rps));
      }
      m.set(Metric::kConnectFailuresPerS, load.connect_failures, uint64_t(load.connect_failures));
      m.set(Metric::kRequestsActive, load.rps * latency / 1000);
      m.set(Metric::kHandshakeRttMs, noisy(load.handshake_ms, 0.2), 6);
      m.set(Metric::kRttP50Ms, noisy(0.1, 0.2), 50);
      m.set(Metric::kRetransmitRatio, 0, 400);
      host.has_capture = true;
      cluster_rps += load.rps;
      cluster_latency = std::max(cluster_latency, latency);
      cluster.hosts.push_back(static_cast<uint32_t>(sample.hosts.size()));
      sample.hosts.push_back(std::move(host));
    }
    cluster.metrics.set(Metric::kRps, cluster_rps, uint64_t(cluster_rps));
    cluster.metrics.set(Metric::kLatencyP50Ms, cluster_latency, uint64_t(cluster_rps));
    cluster.metrics.set(Metric::kHealthyHosts, 3);
    cluster.metrics.set(Metric::kOverflowsPerS, 0);
    sample.clusters.push_back(std::move(cluster));
    engine_.tick(sample);
    ++ticks_;
  }
  void run(int count) {
    for (int i = 0; i < count; ++i) {
      tick();
    }
  }

  const AnalyticsView& view() const { return *engine_.view(); }
  const AnalyticsEngine& engine() const { return engine_; }
  std::vector<const Anomaly*> all() const {
    std::vector<const Anomaly*> out;
    for (const Anomaly& anomaly : view().open) {
      out.push_back(&anomaly);
    }
    for (const Anomaly& anomaly : *view().recent) {
      out.push_back(&anomaly);
    }
    return out;
  }
  int64_t now() const { return ticks_; }

  std::array<HostLoad, 3> hosts;

 private:
  AnalyticsEngine engine_;
  int64_t ticks_ = 0;
  std::mt19937_64 random_{42};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

TEST(AnalyticsEngineTest, ViewBeforeTheFirstTickIsComplete) {
  AnalyticsEngine engine(EngineHarness::params());
  ASSERT_NE(engine.view(), nullptr);
  ASSERT_NE(engine.view()->recent, nullptr);  // the admin API reads it before any tick
  EXPECT_TRUE(engine.view()->recent->empty());
  EXPECT_EQ(engine.view()->status.warmup_remaining_s, 40u);
}

TEST(AnalyticsEngineTest, SteadyTrafficRaisesNothing) {
  EngineHarness h;
  h.run(300);
  EXPECT_TRUE(h.all().empty());
  const AnalyticsView& view = h.view();
  EXPECT_EQ(view.status.warmup_remaining_s, 0u);
  ASSERT_EQ(view.hosts.size(), 3u);
  ASSERT_EQ(view.clusters.size(), 1u);
  EXPECT_EQ(view.clusters[0].hosts.size(), 3u);
  EXPECT_EQ(view.hosts[0].health_score, 100);
  EXPECT_EQ(view.clusters[0].health_score, 100);
  // 17 host series x 3 + 16 cluster series.
  EXPECT_EQ(view.status.series, 67u);
  EXPECT_EQ(view.status.store_bytes >= 67 * SeriesStore::bytesPerSeries(), true);
}

TEST(AnalyticsEngineTest, OneSlowHostIsAnApplicationAnomaly) {
  EngineHarness h;
  h.run(120);
  h.hosts[1].latency_ms = 203;
  h.run(3);
  ASSERT_EQ(h.view().open.size() >= 1, true) << "no anomaly 3 ticks after the step";
  const Anomaly* latency = nullptr;
  for (const Anomaly& anomaly : h.view().open) {
    if (anomaly.metric == Metric::kLatencyP50Ms && anomaly.host_scope) {
      latency = &anomaly;
    }
  }
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->host, "10.0.0.2:80");
  EXPECT_EQ(latency->direction, Direction::kUp);
  EXPECT_EQ(latency->start_unix_ms, kStartMs + 120'000);
  h.run(12);  // settles after 10 s
  for (const Anomaly& anomaly : h.view().open) {
    if (anomaly.metric == Metric::kLatencyP50Ms && anomaly.host_scope) {
      EXPECT_EQ(anomaly.diagnosis.cause, Cause::kApplication) << anomaly.diagnosis.evidence.dump(2);
      EXPECT_TRUE(anomaly.diagnosis.settled);
      EXPECT_EQ(anomaly.diagnosis.evidence["peers"]["hosts_moved"], 1);
      EXPECT_LT(anomaly.diagnosis.evidence["handshake_rtt_ms"]["during"].get<double>(), 1.0);
    }
  }
  EXPECT_LT(h.view().hosts[1].health_score, 100);
  EXPECT_EQ(h.view().hosts[0].health_score, 100);

  // Back to normal: the anomaly closes with an end and a reason.
  h.hosts[1].latency_ms = 3;
  h.run(10);
  bool closed = false;
  for (const Anomaly& anomaly : *h.view().recent) {
    if (anomaly.metric == Metric::kLatencyP50Ms && anomaly.host_scope) {
      closed = true;
      EXPECT_EQ(anomaly.end_reason, "recovered");
      EXPECT_EQ(*anomaly.end_unix_ms, kStartMs + 135'000);
    }
  }
  EXPECT_TRUE(closed);
}

TEST(AnalyticsEngineTest, DownHostIsBackendDownAtOnce) {
  EngineHarness h;
  h.run(60);
  h.hosts[0].health = 0;
  h.hosts[0].rps = 0;
  h.tick();
  ASSERT_FALSE(h.view().open.empty());
  const Anomaly& anomaly = h.view().open.front();
  EXPECT_TRUE(anomaly.from_state_detector);
  EXPECT_EQ(anomaly.host, "10.0.0.1:80");
  EXPECT_EQ(anomaly.diagnosis.cause, Cause::kBackendDown);
  EXPECT_EQ(h.view().hosts[0].health_score, 0);
  EXPECT_EQ(h.view().detector_hits[kDetectorKinds], 1u);
  // Three healthy ticks close it.
  h.hosts[0].health = 1;
  h.hosts[0].rps = 30;
  h.run(3);
  bool closed = false;
  for (const Anomaly& past : *h.view().recent) {
    closed |= past.from_state_detector && past.end_reason == "recovered";
  }
  EXPECT_TRUE(closed);
}

TEST(AnalyticsEngineTest, ConnectFailuresAreBackendDownBeforeHealthChecksNotice) {
  EngineHarness h;
  h.run(60);
  h.hosts[2].connect_failures = 12;
  h.hosts[2].rps = 12;  // every attempt failed
  h.tick();
  ASSERT_FALSE(h.view().open.empty());
  EXPECT_EQ(h.view().open.front().diagnosis.cause, Cause::kBackendDown);
  EXPECT_EQ(h.view().open.front().metric, Metric::kConnectFailuresPerS);
}

TEST(AnalyticsEngineTest, EveryHostSlowIsClusterWide) {
  EngineHarness h;
  h.run(120);
  for (auto& host : h.hosts) {
    host.latency_ms = 203;
  }
  h.run(6);
  size_t host_anomalies = 0;
  bool cluster_anomaly = false;
  for (const Anomaly& anomaly : h.view().open) {
    if (anomaly.metric != Metric::kLatencyP50Ms) {
      continue;
    }
    EXPECT_EQ(anomaly.diagnosis.cause, Cause::kClusterWide) << anomaly.diagnosis.evidence.dump(2);
    if (anomaly.host_scope) {
      ++host_anomalies;
    } else {
      cluster_anomaly = true;
    }
  }
  EXPECT_EQ(host_anomalies, 3u);
  EXPECT_TRUE(cluster_anomaly);
}

TEST(AnalyticsEngineTest, RemovedHostEndsItsAnomaliesAndItsSeriesExpire) {
  EngineHarness h;
  h.run(60);
  h.hosts[0].health = 0;
  h.tick();
  ASSERT_EQ(h.view().open.size(), 1u);
  size_t series_before = h.view().status.series;
  h.hosts[0].present = false;
  h.tick();
  EXPECT_TRUE(h.view().open.empty());
  ASSERT_FALSE(h.view().recent->empty());
  EXPECT_EQ(h.view().recent->back().end_reason, "host_removed");
  // Still queryable for the retention time (10 s here), then released.
  const HostView* removed = h.view().findHost("app", "10.0.0.1:80");
  ASSERT_NE(removed, nullptr);
  EXPECT_TRUE(removed->removed);
  EXPECT_EQ(h.view().status.series, series_before);
  h.run(11);
  EXPECT_EQ(h.view().findHost("app", "10.0.0.1:80"), nullptr);
  EXPECT_EQ(h.view().status.series, series_before - 17);
}

TEST(AnalyticsEngineTest, SeriesBeyondTheCapAreCountedNotStored) {
  EngineParams params = EngineHarness::params();
  params.max_series = 20;
  AnalyticsEngine engine(params);
  TickSample sample;
  sample.unix_ms = kStartMs;
  for (int i = 0; i < 3; ++i) {
    HostTick host;
    host.cluster = "app";
    host.host = "h" + std::to_string(i);
    sample.hosts.push_back(host);
  }
  engine.tick(sample);
  EXPECT_EQ(engine.view()->status.series, 20u);
  EXPECT_EQ(engine.view()->status.series_rejected, 3u * 17 - 20);
}

}  // namespace
}  // namespace meshlb::analytics
