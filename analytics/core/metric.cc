#include "analytics/core/metric.h"

namespace meshlb::analytics {

namespace {
constexpr Gate kUp(double abs_min, double rel_min) {
  return {abs_min, rel_min, true, false, 0};
}
constexpr Gate kNone{0, 0, true, false, 0};
}  // namespace

// The gates follow analytics/DESIGN.md §5.4: an absolute floor for flat series and a relative
// part (Grafana's margin band) so a busy series must move by a share of its level.
const std::array<MetricSpec, kMetricCount> kMetricSpecs = {{
    {Metric::kRps, "rps", "1/s", true, true, true, true, 0, {5, 0.5, true, true, 1}},
    {Metric::kErrorRatio, "error_ratio", "ratio", true, true, true, true, 10, kUp(0.02, 0)},
    {Metric::kConnectFailuresPerS, "connect_failures_per_s", "1/s", true, false, false, false, 0,
     kNone},
    {Metric::kLatencyP50Ms, "latency_p50_ms", "ms", true, true, true, true, 10, kUp(10, 0.5)},
    {Metric::kLatencyP90Ms, "latency_p90_ms", "ms", true, true, false, false, 20, kNone},
    {Metric::kLatencyP99Ms, "latency_p99_ms", "ms", true, true, true, true, 100, kUp(25, 0.5)},
    {Metric::kRequestsActive, "requests_active", "count", true, true, true, false, 0, kUp(5, 1.0)},
    {Metric::kConnectionsActive, "connections_active", "count", true, true, false, false, 0, kNone},
    {Metric::kHealth, "health", "bool", true, false, false, false, 0, kNone},
    {Metric::kConnectTimeMs, "connect_time_ms", "ms", true, false, false, false, 3, kNone},
    {Metric::kRttP50Ms, "rtt_p50_ms", "ms", true, true, false, false, 10, kNone},
    // Not detected: the tail of data RTT is mostly delayed ACKs (40 ms and more on Linux), so
    // it jumps whenever a backend pauses; it is evidence, never an alarm of its own.
    {Metric::kRttP99Ms, "rtt_p99_ms", "ms", true, true, false, false, 10, kNone},
    {Metric::kHandshakeRttMs, "handshake_rtt_ms", "ms", true, true, true, false, 3, kUp(2, 1.0)},
    {Metric::kRetransmitRatio, "retransmit_ratio", "ratio", true, true, true, false, 50,
     kUp(0.01, 0)},
    {Metric::kResetsPerS, "resets_per_s", "1/s", true, true, false, false, 0, kNone},
    {Metric::kZeroWindowsPerS, "zero_windows_per_s", "1/s", true, false, false, false, 0, kNone},
    {Metric::kBytesPerS, "bytes_per_s", "bytes/s", true, true, false, false, 0, kNone},
    {Metric::kHealthyHosts, "healthy_hosts", "count", false, true, false, false, 0, kNone},
    {Metric::kOverflowsPerS, "overflows_per_s", "1/s", false, true, false, true, 0, kUp(1, 0)},
    {Metric::kNoHealthyUpstreamPerS, "no_healthy_upstream_per_s", "1/s", false, true, false, false,
     0, kNone},
}};

std::optional<Metric> metricByName(std::string_view name) {
  for (const MetricSpec& spec : kMetricSpecs) {
    if (spec.name == name) {
      return spec.metric;
    }
  }
  return std::nullopt;
}

bool isLatencyOrError(Metric metric) {
  return metric == Metric::kLatencyP50Ms || metric == Metric::kLatencyP90Ms ||
         metric == Metric::kLatencyP99Ms || metric == Metric::kErrorRatio;
}

}  // namespace meshlb::analytics
