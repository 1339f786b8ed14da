#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "admin/metrics/family_registry.h"
#include "analytics/analytics_view.h"

namespace meshlb::admin::metrics {

// The meshlb_analytics_* metrics: health scores, the diagnosis of each host as a state set,
// open anomalies per cluster, scope and metric, anomalies by cause, detector hits, and the
// analytics thread's own figures. Label values come from the config (cluster, host) and from
// fixed enums (cause, scope, metric, detector), never from traffic. Main thread only.
class AnalyticsMetrics {
 public:
  explicit AnalyticsMetrics(FamilyRegistry& registry);
  void update(const analytics::AnalyticsView& view);

 private:
  struct HostSeries {
    prometheus::Gauge* score = nullptr;
    std::array<prometheus::Gauge*, analytics::kCauseCount> diagnosis{};
    uint64_t seen = 0;
  };
  struct ClusterSeries {
    prometheus::Gauge* score = nullptr;
    // Open anomalies by scope (0 host, 1 cluster) and metric; null where never detected.
    std::array<std::array<prometheus::Gauge*, analytics::kMetricCount>, 2> open{};
    uint64_t seen = 0;
  };

  HostSeries& hostSeries(const std::string& cluster, const std::string& host);
  ClusterSeries& clusterSeries(const std::string& cluster);

  prometheus::Family<prometheus::Gauge>& host_score_;
  prometheus::Family<prometheus::Gauge>& cluster_score_;
  prometheus::Family<prometheus::Gauge>& host_diagnosis_;
  prometheus::Family<prometheus::Gauge>& anomalies_open_;
  prometheus::Family<prometheus::Counter>& anomalies_total_;
  prometheus::Family<prometheus::Counter>& detector_hits_;
  prometheus::Histogram& tick_duration_;
  prometheus::Gauge& tick_lag_;
  prometheus::Gauge& series_;
  prometheus::Gauge& memory_;
  prometheus::Gauge& warmup_;
  prometheus::Counter& dropped_ticks_;
  prometheus::Counter& series_rejected_;
  std::array<prometheus::Counter*, analytics::kDetectorKinds + 1> hits_{};

  uint64_t round_ = 0;
  uint64_t applied_ticks_ = 0;
  uint64_t applied_dropped_ = 0;
  uint64_t applied_rejected_ = 0;
  std::array<uint64_t, analytics::kDetectorKinds + 1> applied_hits_{};
  std::map<std::pair<std::string, std::string>, HostSeries> hosts_;
  std::map<std::string, ClusterSeries> clusters_;
  std::map<std::pair<std::string, analytics::Cause>, std::pair<prometheus::Counter*, uint64_t>>
      totals_;
};

}  // namespace meshlb::admin::metrics
