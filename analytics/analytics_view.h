#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analytics/anomaly/anomaly.h"
#include "analytics/correlate/rolling_correlation.h"
#include "analytics/ingest/tick_sample.h"

namespace meshlb::analytics {

inline constexpr int32_t kNoSeries = -1;

struct HostView {
  std::string cluster;
  std::string host;
  bool removed = false;  // gone from the config; its series stay queryable for a while
  int health_score = 100;
  MetricValues last;                           // the newest tick's values
  std::array<int32_t, kMetricCount> series{};  // store ids, kNoSeries where none
  std::vector<uint64_t> open_anomalies;        // ids into AnalyticsView::open
  Correlation latency_rtt;
  Correlation latency_retransmits;
};

struct ClusterView {
  std::string name;
  bool removed = false;
  int health_score = 100;
  MetricValues last;
  std::array<int32_t, kMetricCount> series{};
  std::vector<uint32_t> hosts;  // indices into AnalyticsView::hosts
  std::vector<uint64_t> open_anomalies;
};

struct AnalyticsStatus {
  bool enabled = true;
  int64_t last_tick_unix_ms = 0;
  double tick_lag_ms = 0;       // end of processing minus the stats merge
  double tick_duration_ms = 0;  // the last tick
  double tick_duration_max_1m_ms = 0;
  uint64_t ticks = 0;
  uint64_t dropped_ticks = 0;
  size_t queue_depth = 0;
  uint32_t warmup_remaining_s = 0;  // the most any detected series still needs
  size_t series = 0;
  size_t max_series = 0;
  uint64_t series_rejected = 0;
  size_t bytes_per_series = 0;
  size_t store_bytes = 0;
  size_t detector_bytes = 0;
  bool capture_enabled = false;
  uint32_t correlation_window = 0;
};

// Everything the analytics thread publishes after a tick, for the admin API and the metrics
// exporter: immutable once published, shared as shared_ptr<const AnalyticsView>.
struct AnalyticsView {
  AnalyticsStatus status;
  std::vector<ClusterView> clusters;
  std::vector<HostView> hosts;
  std::vector<Anomaly> open;                                 // by id
  std::shared_ptr<const std::vector<Anomaly>> recent;        // closed, oldest first (never null)
  std::array<uint64_t, kDetectorKinds + 1> detector_hits{};  // + the state detector
  // Anomalies opened, by cluster and by cause once diagnosed (kNone until then).
  std::map<std::pair<std::string, Cause>, uint64_t> anomalies_total;

  const ClusterView* findCluster(std::string_view name) const;
  const HostView* findHost(std::string_view cluster, std::string_view host) const;
};

}  // namespace meshlb::analytics
