#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "analytics/core/metric.h"

namespace meshlb::analytics {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// The key of a (cluster, host) pair in the analytics' maps: cluster '\x1f' host. The unit
// separator cannot appear in a config name or address.
inline std::string hostKey(const std::string& cluster, const std::string& host) {
  std::string key;
  key.reserve(cluster.size() + host.size() + 1);
  key.append(cluster).push_back('\x1f');
  key.append(host);
  return key;
}

// One tick's value of every metric of one host or cluster, and how many samples each value
// rests on (requests for latency, packets for the retransmit ratio, ...). NaN: no value this
// tick (no traffic, no capture, or a counter reset). A plain value.
struct MetricValues {
  std::array<double, kMetricCount> value;
  std::array<uint64_t, kMetricCount> samples{};

  MetricValues() { value.fill(kNoValue); }
  double operator[](Metric metric) const { return value[static_cast<size_t>(metric)]; }
  void set(Metric metric, double v, uint64_t n = 0) {
    value[static_cast<size_t>(metric)] = v;
    samples[static_cast<size_t>(metric)] = n;
  }
  uint64_t samplesOf(Metric metric) const { return samples[static_cast<size_t>(metric)]; }
};

struct HostTick {
  std::string cluster;
  std::string host;  // the address label, as in the config
  uint32_t cluster_index = 0;
  uint8_t health_flags = 0;  // health::HostFlag bits
  bool draining = false;     // an operator meant it: stored, not detected
  bool has_capture = false;  // capture saw this host's address (it may still have no flows)
  uint64_t attempts = 0;     // attempts that ended this tick (responses of every class)
  MetricValues metrics;
};

struct ClusterTick {
  std::string name;
  std::vector<uint32_t> hosts;  // indices into TickSample::hosts
  MetricValues metrics;
};

// What one stats tick says about every host and cluster, as rates and ratios over the time
// since the previous tick. Built by TickBuilder on the analytics thread; a plain value.
struct TickSample {
  int64_t unix_ms = 0;
  int64_t monotonic_ms = 0;
  double interval_s = 0;  // since the previous tick; 0 for the first one
  bool capture_enabled = false;
  std::vector<HostTick> hosts;
  std::vector<ClusterTick> clusters;
};

}  // namespace meshlb::analytics
