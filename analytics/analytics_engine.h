#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/analytics_view.h"
#include "analytics/anomaly/anomaly_book.h"
#include "analytics/correlate/rolling_correlation.h"
#include "analytics/detect/detector_params.h"
#include "analytics/detect/series_monitor.h"
#include "analytics/diagnose/diagnosis_input.h"
#include "analytics/ingest/tick_sample.h"
#include "analytics/store/series_store.h"

namespace meshlb::analytics {

struct EngineParams {
  Sensitivity sensitivity = Sensitivity::kMedium;
  uint32_t warmup_ticks = 60;
  size_t max_series = 20'000;
  int64_t retention_after_removal_ms = 3'600'000;
  uint32_t correlation_window = 60;
  size_t recent_anomalies = 1'000;
};

// One analytics tick: store every series, run the detectors and the state detector, keep the
// rolling correlations, diagnose open anomalies from the store's windows, score health and
// publish a view. Single-threaded and clock-free (time comes from the ticks), so tests and the
// benchmark drive it directly. Owned by the analytics thread; the store is also read, under
// its own lock, by the admin API.
class AnalyticsEngine {
 public:
  explicit AnalyticsEngine(const EngineParams& params);
  ~AnalyticsEngine();

  void tick(const TickSample& sample);
  // The view of the last tick (never null; empty before the first).
  std::shared_ptr<const AnalyticsView> view() const { return view_; }
  const SeriesStore& store() const { return store_; }

 private:
  struct SeriesState;
  struct HostState;
  struct ClusterState;

  SeriesState& seriesOf(std::unique_ptr<SeriesState>& slot, bool host_scope);
  void recordAndDetect(SeriesState& state, const MetricValues& values, bool detect, bool host_scope,
                       const std::string& cluster, const std::string& host);
  void runStateDetector(HostState& host, const HostTick& tick);
  void forget(SeriesState& state);
  void diagnoseOpen(const TickSample& sample);
  DiagnosisInput evidenceFor(const Anomaly& anomaly, int64_t now_ms, nlohmann::json& evidence);
  void publish(const TickSample& sample, double duration_ms);
  int64_t tickTime(int64_t tick) const;

  EngineParams params_;
  SeriesStore store_;
  AnomalyBook book_;
  int64_t tick_ = 0;
  std::deque<int64_t> tick_ms_;  // unix ms of the last ticks, newest at the back
  std::unordered_map<std::string, std::unique_ptr<HostState>> hosts_;  // cluster '\x1f' host
  std::unordered_map<std::string, std::unique_ptr<ClusterState>> clusters_;
  std::vector<HostState*> tick_hosts_;  // parallel to the current sample's hosts
  std::vector<ClusterState*> tick_clusters_;
  std::map<std::pair<std::string, Cause>, uint64_t> anomalies_total_;
  std::array<uint64_t, kDetectorKinds + 1> detector_hits_{};
  uint32_t next_ordinal_ = 0;
  uint64_t series_rejected_ = 0;
  bool warned_full_ = false;
  bool capture_enabled_ = false;
  std::deque<std::pair<int64_t, double>> durations_;  // (unix ms, ms) of the last minute
  std::shared_ptr<const std::vector<Anomaly>> recent_;
  size_t recent_published_closed_ = 0;
  uint64_t closed_total_ = 0;
  std::shared_ptr<const AnalyticsView> view_;

 public:
  // For the service: the mailbox figures that go into the status.
  uint64_t dropped_ticks = 0;
  size_t queue_depth = 0;
  double last_lag_ms = 0;
};

}  // namespace meshlb::analytics
