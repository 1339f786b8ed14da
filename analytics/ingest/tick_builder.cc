#include "analytics/ingest/tick_builder.h"

#include "proxy/health/host_state.h"

namespace meshlb::analytics {
namespace {

using stats::LatencyHistogramValues;

// `now - before` bucket by bucket; false when any bucket went down (its source restarted).
bool histogramDelta(const LatencyHistogramValues& now, const LatencyHistogramValues& before,
                    LatencyHistogramValues& out) {
  for (size_t i = 0; i < now.buckets.size(); ++i) {
    if (now.buckets[i] < before.buckets[i]) {
      return false;
    }
    out.buckets[i] = now.buckets[i] - before.buckets[i];
  }
  out.sum_us = now.sum_us >= before.sum_us ? now.sum_us - before.sum_us : 0;
  return true;
}

void addHistogram(LatencyHistogramValues& into, const LatencyHistogramValues& add) {
  for (size_t i = 0; i < into.buckets.size(); ++i) {
    into.buckets[i] += add.buckets[i];
  }
  into.sum_us += add.sum_us;
}

void setQuantileMs(MetricValues& out, Metric metric, const LatencyHistogramValues& delta,
                   double quantile) {
  uint64_t count = delta.count();
  if (count > 0) {
    out.set(metric, delta.quantileUs(quantile) / 1000.0, count);
  }
}

// A counter's growth; nullopt when it went down.
std::optional<uint64_t> grew(uint64_t now, uint64_t before) {
  if (now < before) {
    return std::nullopt;
  }
  return now - before;
}

// The part of a host's or cluster's tick that sums over hosts: what the cluster series use.
struct Deltas {
  uint64_t responses = 0;
  uint64_t errors = 0;
  uint64_t bytes = 0;
  LatencyHistogramValues duration;
  bool has_capture = false;
  uint64_t packets = 0;
  uint64_t retransmits = 0;
  uint64_t resets = 0;
  uint64_t zero_windows = 0;
  uint64_t capture_bytes = 0;
  LatencyHistogramValues rtt;
  LatencyHistogramValues handshake;
};

void setRequestMetrics(MetricValues& out, const Deltas& d, double seconds) {
  out.set(Metric::kRps, static_cast<double>(d.responses) / seconds, d.responses);
  if (d.responses > 0) {
    out.set(Metric::kErrorRatio, static_cast<double>(d.errors) / static_cast<double>(d.responses),
            d.responses);
  }
  setQuantileMs(out, Metric::kLatencyP50Ms, d.duration, 0.5);
  setQuantileMs(out, Metric::kLatencyP90Ms, d.duration, 0.9);
  setQuantileMs(out, Metric::kLatencyP99Ms, d.duration, 0.99);
}

void setNetworkMetrics(MetricValues& out, const Deltas& d, double seconds) {
  if (!d.has_capture) {
    out.set(Metric::kBytesPerS, static_cast<double>(d.bytes) / seconds);
    return;
  }
  setQuantileMs(out, Metric::kRttP50Ms, d.rtt, 0.5);
  setQuantileMs(out, Metric::kRttP99Ms, d.rtt, 0.99);
  setQuantileMs(out, Metric::kHandshakeRttMs, d.handshake, 0.5);
  if (d.packets > 0) {
    out.set(Metric::kRetransmitRatio,
            static_cast<double>(d.retransmits) / static_cast<double>(d.packets), d.packets);
  }
  out.set(Metric::kResetsPerS, static_cast<double>(d.resets) / seconds);
  out.set(Metric::kZeroWindowsPerS, static_cast<double>(d.zero_windows) / seconds);
  out.set(Metric::kBytesPerS, static_cast<double>(d.capture_bytes) / seconds);
}

// The host's request deltas; false on a counter reset.
bool requestDeltas(const stats::HostStatsValues& now, const stats::HostStatsValues& before,
                   Deltas& d) {
  for (size_t i = 0; i < now.responses_by_class.size(); ++i) {
    std::optional<uint64_t> delta = grew(now.responses_by_class[i], before.responses_by_class[i]);
    if (!delta) {
      return false;
    }
    d.responses += *delta;
    if (i == 4) {
      d.errors = *delta;
    }
  }
  std::optional<uint64_t> sent = grew(now.bytes_sent, before.bytes_sent);
  std::optional<uint64_t> received = grew(now.bytes_received, before.bytes_received);
  if (!sent || !received) {
    return false;
  }
  d.bytes = *sent + *received;
  return histogramDelta(now.request_duration, before.request_duration, d.duration);
}

bool captureDeltas(const capture::EndpointFlowTotals& now,
                   const capture::EndpointFlowTotals& before, Deltas& d) {
  auto packets = grew(now.packets, before.packets);
  auto retransmits = grew(now.retransmits, before.retransmits);
  auto resets = grew(now.resets, before.resets);
  auto zero_windows = grew(now.zero_windows, before.zero_windows);
  auto bytes = grew(now.bytes, before.bytes);
  if (!packets || !retransmits || !resets || !zero_windows || !bytes) {
    return false;
  }
  d.packets = *packets;
  d.retransmits = *retransmits;
  d.resets = *resets;
  d.zero_windows = *zero_windows;
  d.capture_bytes = *bytes;
  return histogramDelta(now.data_rtt_upstream, before.data_rtt_upstream, d.rtt) &&
         histogramDelta(now.handshake_rtt, before.handshake_rtt, d.handshake);
}

void addDeltas(Deltas& into, const Deltas& add) {
  into.responses += add.responses;
  into.errors += add.errors;
  into.bytes += add.bytes;
  addHistogram(into.duration, add.duration);
  if (add.has_capture) {
    into.has_capture = true;
    into.packets += add.packets;
    into.retransmits += add.retransmits;
    into.resets += add.resets;
    into.zero_windows += add.zero_windows;
    into.capture_bytes += add.capture_bytes;
    addHistogram(into.rtt, add.rtt);
    addHistogram(into.handshake, add.handshake);
  }
}

}  // namespace

void TickBuilder::mapEndpoints(const capture::FlowSummary& flows) {
  if (flows.endpoints.get() == mapped_endpoints_) {
    return;
  }
  endpoints_hold_ = flows.endpoints;
  mapped_endpoints_ = flows.endpoints.get();
  endpoint_of_host_.clear();
  if (!mapped_endpoints_) {
    return;
  }
  const std::vector<capture::CaptureEndpoint>& all = mapped_endpoints_->all();
  for (uint32_t i = 0; i < all.size(); ++i) {
    for (const auto& [cluster, host] : all[i].hosts) {
      endpoint_of_host_[hostKey(cluster, host)] = i;
    }
  }
}

TickSample TickBuilder::build(const stats::StatsSnapshot& stats,
                              const capture::FlowSummary& flows) {
  ++builds_;
  mapEndpoints(flows);
  TickSample tick;
  tick.unix_ms = static_cast<int64_t>(stats.unix_ms);
  tick.monotonic_ms = static_cast<int64_t>(stats.monotonic_ms);
  tick.capture_enabled = flows.health.enabled;
  if (last_monotonic_ms_ >= 0) {
    tick.interval_s = static_cast<double>(tick.monotonic_ms - last_monotonic_ms_) / 1000.0;
  }
  last_monotonic_ms_ = tick.monotonic_ms;
  // Rates over a gap too short or too long say nothing about now: levels only, and the next
  // tick measures from here.
  bool rates_valid = tick.interval_s >= 0.2 && tick.interval_s <= 10.0;
  bool capture_valid = flows.totals.size() == (mapped_endpoints_ ? mapped_endpoints_->size() : 0);

  for (const stats::ClusterSnapshot& cluster : stats.clusters) {
    ClusterTick cluster_tick;
    cluster_tick.name = cluster.name;
    uint32_t cluster_index = static_cast<uint32_t>(tick.clusters.size());
    Deltas cluster_deltas;
    bool cluster_valid = rates_valid;
    double requests_active = 0;
    double connections_active = 0;
    double healthy = 0;

    for (const stats::HostSnapshot& host : cluster.hosts) {
      HostTick host_tick;
      host_tick.cluster = cluster.name;
      host_tick.host = host.address;
      host_tick.cluster_index = cluster_index;
      host_tick.health_flags = host.health_flags;
      host_tick.draining = (host.health_flags & health::kDraining) != 0;
      MetricValues& m = host_tick.metrics;
      bool up = (host.health_flags & (health::kFailedActiveCheck | health::kEjected)) == 0;
      m.set(Metric::kHealth, up ? 1.0 : 0.0);
      m.set(Metric::kRequestsActive, static_cast<double>(host.values.requests_active));
      m.set(Metric::kConnectionsActive, static_cast<double>(host.values.connections_active));
      requests_active += static_cast<double>(host.values.requests_active);
      connections_active += static_cast<double>(host.values.connections_active);
      if (up && !host_tick.draining) {
        healthy += 1;
      }

      std::string key = hostKey(cluster.name, host.address);
      const capture::EndpointFlowTotals* capture_now = nullptr;
      if (capture_valid) {
        if (auto it = endpoint_of_host_.find(key); it != endpoint_of_host_.end()) {
          capture_now = &flows.totals[it->second];
        }
      }
      host_tick.has_capture = capture_now != nullptr;

      auto [it, inserted] = hosts_.try_emplace(std::move(key));
      PreviousHost& previous = it->second;
      bool continuous = !inserted && previous.seen_build + 1 == builds_;
      Deltas d;
      if (rates_valid && continuous && requestDeltas(host.values, previous.values, d)) {
        host_tick.attempts = d.responses;
        setRequestMetrics(m, d, tick.interval_s);
        if (auto failures = grew(host.values.connect_failures, previous.values.connect_failures)) {
          m.set(Metric::kConnectFailuresPerS, static_cast<double>(*failures) / tick.interval_s,
                *failures);
        }
        LatencyHistogramValues connect;
        if (histogramDelta(host.values.connect_duration, previous.values.connect_duration,
                           connect)) {
          setQuantileMs(m, Metric::kConnectTimeMs, connect, 0.5);
        }
        d.has_capture = capture_now != nullptr && previous.has_capture &&
                        captureDeltas(*capture_now, previous.capture, d);
        setNetworkMetrics(m, d, tick.interval_s);
        addDeltas(cluster_deltas, d);
      } else if (!inserted) {
        cluster_valid = false;  // a host restarted its counters: the cluster's sum is unknown
      }
      previous.values = host.values;
      previous.has_capture = capture_now != nullptr;
      if (capture_now) {
        previous.capture = *capture_now;
      }
      previous.seen_build = builds_;
      cluster_tick.hosts.push_back(static_cast<uint32_t>(tick.hosts.size()));
      tick.hosts.push_back(std::move(host_tick));
    }

    MetricValues& m = cluster_tick.metrics;
    m.set(Metric::kRequestsActive, requests_active);
    m.set(Metric::kConnectionsActive, connections_active);
    m.set(Metric::kHealthyHosts, healthy);
    auto [it, inserted] = clusters_.try_emplace(cluster.name);
    PreviousCluster& previous = it->second;
    bool continuous = !inserted && previous.seen_build + 1 == builds_;
    if (cluster_valid && continuous) {
      setRequestMetrics(m, cluster_deltas, tick.interval_s);
      setNetworkMetrics(m, cluster_deltas, tick.interval_s);
      const stats::ClusterStatsValues& now = cluster.values;
      const stats::ClusterStatsValues& before = previous.values;
      auto overflows = grew(now.overflow_max_connections + now.overflow_max_pending_requests +
                                now.overflow_max_requests,
                            before.overflow_max_connections + before.overflow_max_pending_requests +
                                before.overflow_max_requests);
      if (overflows) {
        m.set(Metric::kOverflowsPerS, static_cast<double>(*overflows) / tick.interval_s);
      }
      if (auto none = grew(now.no_healthy_upstream, before.no_healthy_upstream)) {
        m.set(Metric::kNoHealthyUpstreamPerS, static_cast<double>(*none) / tick.interval_s);
      }
    }
    previous.values = cluster.values;
    previous.seen_build = builds_;
    tick.clusters.push_back(std::move(cluster_tick));
  }

  // Hosts and clusters gone from the config are forgotten; if they come back, they start over.
  std::erase_if(hosts_, [&](const auto& entry) { return entry.second.seen_build != builds_; });
  std::erase_if(clusters_, [&](const auto& entry) { return entry.second.seen_build != builds_; });
  return tick;
}

}  // namespace meshlb::analytics
