#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "analytics/detect/detector_params.h"

namespace meshlb::analytics {

// Every series the analytics core records, for a host, a cluster or both. The catalogue is
// data: names, units, where a metric exists, whether it is watched by the detectors, and the
// smallest change that counts (the magnitude gate). Immutable; read from any thread.
enum class Metric : uint8_t {
  kRps,
  kErrorRatio,
  kConnectFailuresPerS,
  kLatencyP50Ms,
  kLatencyP90Ms,
  kLatencyP99Ms,
  kRequestsActive,
  kConnectionsActive,
  kHealth,
  kConnectTimeMs,
  kRttP50Ms,
  kRttP99Ms,
  kHandshakeRttMs,
  kRetransmitRatio,
  kResetsPerS,
  kZeroWindowsPerS,
  kBytesPerS,
  kHealthyHosts,
  kOverflowsPerS,
  kNoHealthyUpstreamPerS,
  kCount
};
inline constexpr size_t kMetricCount = static_cast<size_t>(Metric::kCount);

struct MetricSpec {
  Metric metric;
  std::string_view name;  // as in the admin API and the metric label
  std::string_view unit;  // "1/s", "ratio", "ms", "count", "bytes/s", "bool"
  bool per_host;
  bool per_cluster;
  bool detect_host;     // statistical detectors watch the host series
  bool detect_cluster;  // ... and the cluster series
  // Samples (requests, packets, RTT samples) a tick needs before its value is fed to the
  // detectors: a p99 of five requests is just their maximum.
  uint32_t min_samples;
  // The smallest move a detector may call an anomaly (see Gate).
  Gate gate;
};

// Indexed by Metric.
extern const std::array<MetricSpec, kMetricCount> kMetricSpecs;

inline const MetricSpec& specOf(Metric metric) {
  return kMetricSpecs[static_cast<size_t>(metric)];
}
inline std::string_view metricName(Metric metric) {
  return specOf(metric).name;
}
std::optional<Metric> metricByName(std::string_view name);

// True for the metrics whose rise means requests got slower or failed: the anomalies a
// diagnosis has to explain.
bool isLatencyOrError(Metric metric);

}  // namespace meshlb::analytics
