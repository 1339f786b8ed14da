#include "admin/metrics/analytics_metrics.h"

namespace meshlb::admin::metrics {
namespace {

using analytics::Metric;

prometheus::Histogram::BucketBoundaries tickBounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1};
}

// The metrics an anomaly can be opened on, per scope (host 0, cluster 1): the detected ones and
// the state detector's.
bool anomalyMetric(const analytics::MetricSpec& spec, int scope) {
  if (scope == 0) {
    return spec.detect_host || spec.metric == Metric::kHealth ||
           spec.metric == Metric::kConnectFailuresPerS;
  }
  return spec.detect_cluster;
}

}  // namespace

AnalyticsMetrics::AnalyticsMetrics(FamilyRegistry& registry)
    : host_score_(gaugeFamily(registry, "meshlb_analytics_host_health_score",
                              "Health score of a host, 0 (down) to 100 (no open anomaly).")),
      cluster_score_(gaugeFamily(registry, "meshlb_analytics_cluster_health_score",
                                 "Health score of a cluster, 0 to 100: its hosts' scores "
                                 "weighted by request rate, less 25 per open cluster anomaly.")),
      host_diagnosis_(gaugeFamily(registry, "meshlb_analytics_host_diagnosis",
                                  "1 for the cause of the host's most serious open anomaly "
                                  "(none when there is none), 0 for the other causes.")),
      anomalies_open_(
          gaugeFamily(registry, "meshlb_analytics_anomalies_open",
                      "Open anomalies by cluster, scope (host or cluster) and metric.")),
      anomalies_total_(counterFamily(registry, "meshlb_analytics_anomalies_total",
                                     "Anomalies opened, by the cause their diagnosis settled on.")),
      detector_hits_(counterFamily(registry, "meshlb_analytics_detector_hits_total",
                                   "Anomalies each detector took part in opening.")),
      tick_duration_(histogramFamily(registry, "meshlb_analytics_tick_duration_seconds",
                                     "Time the analytics thread took for one tick.")
                         .Add({}, tickBounds())),
      tick_lag_(gaugeFamily(registry, "meshlb_analytics_tick_lag_seconds",
                            "From a stats merge to the analytics view built from it.")
                    .Add({})),
      series_(gaugeFamily(registry, "meshlb_analytics_series", "Series in the analytics store.")
                  .Add({})),
      memory_(gaugeFamily(registry, "meshlb_analytics_memory_bytes",
                          "Memory of the analytics store and detectors.")
                  .Add({})),
      warmup_(gaugeFamily(registry, "meshlb_analytics_warmup_remaining_seconds",
                          "Seconds until every detector has learned its baseline.")
                  .Add({})),
      dropped_ticks_(counterFamily(registry, "meshlb_analytics_dropped_ticks_total",
                                   "Stats ticks dropped because the analytics thread was behind.")
                         .Add({})),
      series_rejected_(counterFamily(registry, "meshlb_analytics_series_rejected_total",
                                     "Series not stored because analytics.max_series was reached.")
                           .Add({})) {
  for (size_t k = 0; k <= analytics::kDetectorKinds; ++k) {
    const char* name = k == analytics::kDetectorKinds
                           ? "state"
                           : analytics::detectorName(static_cast<analytics::DetectorKind>(k));
    hits_[k] = &detector_hits_.Add({{"detector", name}});
  }
}

AnalyticsMetrics::HostSeries& AnalyticsMetrics::hostSeries(const std::string& cluster,
                                                           const std::string& host) {
  auto [it, inserted] = hosts_.try_emplace({cluster, host});
  HostSeries& series = it->second;
  if (inserted) {
    prometheus::Labels labels = {{"cluster", cluster}, {"host", host}};
    series.score = &host_score_.Add(labels);
    for (size_t c = 0; c < analytics::kCauseCount; ++c) {
      series.diagnosis[c] =
          &host_diagnosis_.Add(withLabel(labels, "cause", std::string(analytics::kCauseNames[c])));
    }
  }
  series.seen = round_;
  return series;
}

AnalyticsMetrics::ClusterSeries& AnalyticsMetrics::clusterSeries(const std::string& cluster) {
  auto [it, inserted] = clusters_.try_emplace(cluster);
  ClusterSeries& series = it->second;
  if (inserted) {
    series.score = &cluster_score_.Add({{"cluster", cluster}});
    for (int scope = 0; scope < 2; ++scope) {
      for (const analytics::MetricSpec& spec : analytics::kMetricSpecs) {
        if (anomalyMetric(spec, scope)) {
          series.open[scope][static_cast<size_t>(spec.metric)] =
              &anomalies_open_.Add({{"cluster", cluster},
                                    {"scope", scope == 0 ? "host" : "cluster"},
                                    {"metric", std::string(spec.name)}});
        }
      }
    }
  }
  series.seen = round_;
  return series;
}

void AnalyticsMetrics::update(const analytics::AnalyticsView& view) {
  ++round_;
  // Which open anomaly explains a host best: the state detector's, then latency and errors.
  std::map<uint64_t, const analytics::Anomaly*> open;
  for (const analytics::Anomaly& anomaly : view.open) {
    open[anomaly.id] = &anomaly;
  }
  for (const analytics::HostView& host : view.hosts) {
    if (host.removed) {
      continue;
    }
    HostSeries& series = hostSeries(host.cluster, host.host);
    series.score->Set(host.health_score);
    analytics::Cause cause = analytics::Cause::kNone;
    int best = -1;
    for (uint64_t id : host.open_anomalies) {
      auto it = open.find(id);
      if (it == open.end()) {
        continue;
      }
      const analytics::Anomaly& anomaly = *it->second;
      int rank = anomaly.from_state_detector                   ? 3
                 : analytics::isLatencyOrError(anomaly.metric) ? 2
                                                               : 1;
      if (rank > best && anomaly.diagnosis.cause != analytics::Cause::kNone) {
        best = rank;
        cause = anomaly.diagnosis.cause;
      }
    }
    for (size_t c = 0; c < analytics::kCauseCount; ++c) {
      series.diagnosis[c]->Set(c == static_cast<size_t>(cause) ? 1 : 0);
    }
  }
  std::map<std::string, std::array<std::array<int, analytics::kMetricCount>, 2>> open_counts;
  for (const analytics::Anomaly& anomaly : view.open) {
    open_counts[anomaly.cluster][anomaly.host_scope ? 0 : 1][static_cast<size_t>(anomaly.metric)]++;
  }
  for (const analytics::ClusterView& cluster : view.clusters) {
    if (cluster.removed) {
      continue;
    }
    ClusterSeries& series = clusterSeries(cluster.name);
    series.score->Set(cluster.health_score);
    const auto& counts = open_counts[cluster.name];
    for (int scope = 0; scope < 2; ++scope) {
      for (size_t m = 0; m < analytics::kMetricCount; ++m) {
        if (series.open[scope][m] != nullptr) {
          series.open[scope][m]->Set(counts[scope][m]);
        }
      }
    }
  }
  // Hosts and clusters that left: their series go.
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    if (it->second.seen == round_) {
      ++it;
      continue;
    }
    host_score_.Remove(it->second.score);
    for (prometheus::Gauge* gauge : it->second.diagnosis) {
      host_diagnosis_.Remove(gauge);
    }
    it = hosts_.erase(it);
  }
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    if (it->second.seen == round_) {
      ++it;
      continue;
    }
    cluster_score_.Remove(it->second.score);
    for (const auto& scope : it->second.open) {
      for (prometheus::Gauge* gauge : scope) {
        if (gauge != nullptr) {
          anomalies_open_.Remove(gauge);
        }
      }
    }
    it = clusters_.erase(it);
  }

  for (const auto& [key, count] : view.anomalies_total) {
    auto [it, inserted] = totals_.try_emplace(key, nullptr, 0);
    if (inserted) {
      it->second.first = &anomalies_total_.Add(
          {{"cluster", key.first}, {"cause", std::string(analytics::causeName(key.second))}});
    }
    if (count > it->second.second) {
      it->second.first->Increment(static_cast<double>(count - it->second.second));
      it->second.second = count;
    }
  }
  for (size_t k = 0; k < hits_.size(); ++k) {
    if (view.detector_hits[k] > applied_hits_[k]) {
      hits_[k]->Increment(static_cast<double>(view.detector_hits[k] - applied_hits_[k]));
      applied_hits_[k] = view.detector_hits[k];
    }
  }
  const analytics::AnalyticsStatus& status = view.status;
  if (status.ticks != applied_ticks_ && status.ticks > 0) {
    applied_ticks_ = status.ticks;
    tick_duration_.Observe(status.tick_duration_ms / 1000.0);
  }
  tick_lag_.Set(status.tick_lag_ms / 1000.0);
  series_.Set(static_cast<double>(status.series));
  memory_.Set(static_cast<double>(status.store_bytes + status.detector_bytes));
  warmup_.Set(status.warmup_remaining_s);
  if (status.dropped_ticks > applied_dropped_) {
    dropped_ticks_.Increment(static_cast<double>(status.dropped_ticks - applied_dropped_));
    applied_dropped_ = status.dropped_ticks;
  }
  if (status.series_rejected > applied_rejected_) {
    series_rejected_.Increment(static_cast<double>(status.series_rejected - applied_rejected_));
    applied_rejected_ = status.series_rejected;
  }
}

}  // namespace meshlb::admin::metrics
