#include "admin/metrics/metrics_exporter.h"

#include "admin/metrics/alerting_metrics.h"
#include "admin/metrics/analytics_metrics.h"
#include "admin/metrics/capture_metrics.h"

#include <sstream>
#include <vector>

#include <prometheus/text_serializer.h>

#include "admin/metrics/cluster_metrics.h"
#include "admin/metrics/family_registry.h"
#include "admin/metrics/host_metrics.h"
#include "admin/metrics/listener_metrics.h"
#include "admin/metrics/process_metrics.h"
#include "admin/metrics/series_roster.h"
#include "admin/metrics/stat_samples.h"
#include "admin/metrics/worker_total_metrics.h"

namespace meshlb::admin {

// Everything the exporter owns; main thread only, like the exporter. Members are destroyed in
// reverse order: the series before their families, the registry last.
struct MetricsExporter::State {
  explicit State(const std::string& version)
      : host_families(registry),
        cluster_families(registry),
        listener_families(registry),
        process(registry, version),
        worker_totals(registry),
        capture(registry),
        analytics(registry),
        alerting(registry) {}
  ~State() { registry.closing = true; }

  metrics::FamilyRegistry registry;
  metrics::HostFamilies host_families;
  metrics::ClusterFamilies cluster_families;
  metrics::ListenerFamilies listener_families;
  metrics::ProcessMetrics process;
  metrics::WorkerTotalMetrics worker_totals;
  metrics::CaptureMetrics capture;
  metrics::AnalyticsMetrics analytics;
  metrics::AlertingMetrics alerting;
  metrics::SeriesRoster<metrics::ClusterSeries> clusters;
  metrics::SeriesRoster<metrics::ListenerSeries> listeners;
  std::vector<double> increments;  // scratch for histogram updates
};

MetricsExporter::MetricsExporter(const std::string& version)
    : state_(std::make_unique<State>(version)) {}

MetricsExporter::~MetricsExporter() = default;

void MetricsExporter::update(const stats::StatsSnapshot& snapshot, const ProcessInfo& process) {
  State& s = *state_;
  s.clusters.follow(
      snapshot.clusters.size(),
      [&](size_t i) -> const std::string& { return snapshot.clusters[i].name; },
      [&](std::string_view name) {
        return std::make_unique<metrics::ClusterSeries>(s.cluster_families, s.host_families,
                                                        std::string(name));
      });
  for (size_t i = 0; i < snapshot.clusters.size(); ++i) {
    if (metrics::ClusterSeries* cluster = s.clusters.at(i)) {
      cluster->update(snapshot.clusters[i], s.increments);
    }
  }
  s.listeners.follow(
      snapshot.listeners.size(),
      [&](size_t i) -> const std::string& { return snapshot.listeners[i].name; },
      [&](std::string_view name) {
        return std::make_unique<metrics::ListenerSeries>(s.listener_families, std::string(name));
      });
  for (size_t i = 0; i < snapshot.listeners.size(); ++i) {
    if (metrics::ListenerSeries* listener = s.listeners.at(i)) {
      listener->update(snapshot.listeners[i]);
    }
  }
  s.worker_totals.update(snapshot.worker_totals);
  s.process.update(process);
}

void MetricsExporter::updateCapture(const capture::FlowSummary& summary) {
  state_->capture.update(summary, state_->increments);
}

void MetricsExporter::updateAnalytics(const analytics::AnalyticsView& view) {
  state_->analytics.update(view);
}

void MetricsExporter::updateAlerting(const alerting::AlertingCounts& counts) {
  state_->alerting.update(counts);
}

std::string MetricsExporter::prometheusText() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, state_->registry.registry.Collect());
  return std::move(out).str();
}

std::string MetricsExporter::statsText(const LinearRegex* filter) const {
  return metrics::statSamplesText(
      metrics::statSamples(state_->registry.registry.Collect(), filter));
}

nlohmann::json MetricsExporter::statsJson(const LinearRegex* filter) const {
  return metrics::statSamplesJson(
      metrics::statSamples(state_->registry.registry.Collect(), filter));
}

}  // namespace meshlb::admin
