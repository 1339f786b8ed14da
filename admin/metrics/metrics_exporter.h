#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "admin/metrics/process_info.h"
#include "common/linear_regex.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::capture {
struct FlowSummary;
}
namespace meshlb::alerting {
struct AlertingCounts;
}
namespace meshlb::analytics {
struct AnalyticsView;
}

namespace meshlb::admin {

// Publishes the merged stats as Prometheus metrics: owns a prometheus-cpp registry with one
// family per meshlb_* metric, brings it to each StatsSnapshot handed to update(), and renders it
// for GET /metrics (Prometheus text format) and for the admin /stats view (plain text or JSON).
//
// Counters follow the snapshot's running totals by deltas, so a cluster, host or listener that
// leaves the config loses its series and, if it comes back, continues from its block's total.
// Series of a status code appear once that code has been counted. See admin/metrics/*.h for the
// details of each group of metrics.
//
// Main thread only: update() and the renderers must run on the thread that merges the stats
// (the admin server's), never concurrently.
class MetricsExporter {
 public:
  // `version` becomes meshlb_build_info{version}.
  explicit MetricsExporter(const std::string& version);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // Brings every series to `snapshot` (clusters, hosts, listeners, worker totals) and
  // `process`. Adds series for new names, removes those no longer in the snapshot. Between
  // config changes it allocates nothing but the series of newly seen status codes.
  void update(const stats::StatsSnapshot& snapshot, const ProcessInfo& process);
  // Brings the meshlb_flow_* and meshlb_capture_* series to a capture summary.
  void updateCapture(const capture::FlowSummary& summary);
  // Brings the meshlb_analytics_* series to the analytics thread's latest view.
  void updateAnalytics(const analytics::AnalyticsView& view);
  // Brings the meshlb_alerts* and meshlb_alerting_* series to the alerting service's counts.
  void updateAlerting(const alerting::AlertingCounts& counts);

  // Every metric in the Prometheus text exposition format (version 0.0.4).
  std::string prometheusText() const;
  // One "name{label="value",...}: value" line per sample, sorted; histograms give _count, _sum
  // and quantile="0.5"|"0.9"|"0.99" estimates instead of buckets. `filter` (nullptr: none) is
  // searched (LinearRegex::compileSearch) in the whole name{labels} string.
  std::string statsText(const LinearRegex* filter) const;
  // The same samples as {"stats":[{"name":..., "labels":{...}, "value":...}, ...]}.
  nlohmann::json statsJson(const LinearRegex* filter) const;

 private:
  struct State;  // the registry and the series; keeps prometheus-cpp out of this header
  std::unique_ptr<State> state_;
};

}  // namespace meshlb::admin
