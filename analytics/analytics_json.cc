#include "analytics/analytics_json.h"

#include <cmath>

namespace meshlb::analytics {

nlohmann::json jsonNumber(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json correlationJson(const Correlation& correlation) {
  auto optional = [](const std::optional<double>& value) {
    return value ? jsonNumber(*value) : nlohmann::json(nullptr);
  };
  nlohmann::json out = {{"pearson", optional(correlation.pearson)},
                        {"spearman", optional(correlation.spearman)},
                        {"n", correlation.n}};
  if (correlation.reason != nullptr) {
    out["reason"] = correlation.reason;
  }
  return out;
}

nlohmann::json anomalyJson(const Anomaly& anomaly) {
  nlohmann::json detectors = nlohmann::json::array();
  nlohmann::json scores = nlohmann::json::object();
  for (size_t k = 0; k < kDetectorKinds; ++k) {
    const char* name = detectorName(static_cast<DetectorKind>(k));
    if ((anomaly.detectors & (1u << k)) != 0) {
      detectors.push_back(name);
    }
    scores[name] =
        anomaly.from_state_detector ? nlohmann::json(nullptr) : jsonNumber(anomaly.scores[k]);
  }
  if (anomaly.from_state_detector) {
    detectors.push_back("state");
  }
  const Diagnosis& d = anomaly.diagnosis;
  nlohmann::json also = nlohmann::json::array();
  for (Cause cause : d.also) {
    also.push_back(causeName(cause));
  }
  nlohmann::json history = nlohmann::json::array();
  for (const Diagnosis::Past& past : d.history) {
    history.push_back({{"until_unix_ms", past.unix_ms}, {"cause", causeName(past.cause)}});
  }
  const Baseline& b = anomaly.baseline;
  return {{"id", anomaly.id},
          {"state", anomaly.open() ? "open" : "closed"},
          {"scope", anomaly.host_scope ? "host" : "cluster"},
          {"cluster", anomaly.cluster},
          {"host", anomaly.host_scope ? nlohmann::json(anomaly.host) : nlohmann::json(nullptr)},
          {"metric", metricName(anomaly.metric)},
          {"unit", specOf(anomaly.metric).unit},
          {"direction", anomaly.direction == Direction::kUp ? "up" : "down"},
          {"start_unix_ms", anomaly.start_unix_ms},
          {"end_unix_ms",
           anomaly.end_unix_ms ? nlohmann::json(*anomaly.end_unix_ms) : nlohmann::json(nullptr)},
          {"end_reason",
           anomaly.end_reason ? nlohmann::json(*anomaly.end_reason) : nlohmann::json(nullptr)},
          {"detectors", detectors},
          {"score", jsonNumber(anomaly.score)},
          {"scores", scores},
          {"value", jsonNumber(anomaly.value)},
          {"peak", jsonNumber(anomaly.peak)},
          {"baseline",
           {{"median", jsonNumber(b.median)},
            {"scale", jsonNumber(b.scale)},
            {"ewma_mean", jsonNumber(b.ewma_mean)},
            {"ewma_std", jsonNumber(b.ewma_std)},
            {"reference", jsonNumber(b.reference)}}},
          {"diagnosis",
           {{"cause", causeName(d.cause)},
            {"confidence", confidenceName(d.confidence)},
            {"settled", d.settled},
            {"also", also},
            {"network_evidence", d.network_evidence},
            {"updated_unix_ms", d.updated_unix_ms},
            {"evidence", d.evidence.is_null() ? nlohmann::json::object() : d.evidence},
            {"history", history}}}};
}

namespace {

nlohmann::json shortAnomaly(const AnalyticsView& view, uint64_t id) {
  for (const Anomaly& anomaly : view.open) {
    if (anomaly.id == id) {
      return {{"id", anomaly.id},
              {"metric", metricName(anomaly.metric)},
              {"direction", anomaly.direction == Direction::kUp ? "up" : "down"},
              {"since_unix_ms", anomaly.start_unix_ms},
              {"cause", causeName(anomaly.diagnosis.cause)},
              {"value", jsonNumber(anomaly.value)}};
    }
  }
  return nullptr;
}

nlohmann::json currentValues(const MetricValues& values, bool host_scope) {
  nlohmann::json out = nlohmann::json::object();
  for (const MetricSpec& spec : kMetricSpecs) {
    if (host_scope ? spec.per_host : spec.per_cluster) {
      out[std::string(spec.name)] = jsonNumber(values[spec.metric]);
    }
  }
  return out;
}

}  // namespace

nlohmann::json summaryJson(const AnalyticsView& view) {
  nlohmann::json clusters = nlohmann::json::array();
  for (const ClusterView& cluster : view.clusters) {
    nlohmann::json hosts = nlohmann::json::array();
    for (uint32_t index : cluster.hosts) {
      const HostView& host = view.hosts[index];
      nlohmann::json anomalies = nlohmann::json::array();
      for (uint64_t id : host.open_anomalies) {
        if (nlohmann::json brief = shortAnomaly(view, id); !brief.is_null()) {
          anomalies.push_back(std::move(brief));
        }
      }
      hosts.push_back({{"host", host.host},
                       {"removed", host.removed},
                       {"health_score", host.health_score},
                       {"current", currentValues(host.last, true)},
                       {"anomalies", anomalies}});
    }
    nlohmann::json anomalies = nlohmann::json::array();
    for (uint64_t id : cluster.open_anomalies) {
      if (nlohmann::json brief = shortAnomaly(view, id); !brief.is_null()) {
        anomalies.push_back(std::move(brief));
      }
    }
    clusters.push_back({{"name", cluster.name},
                        {"removed", cluster.removed},
                        {"health_score", cluster.health_score},
                        {"current", currentValues(cluster.last, false)},
                        {"anomalies", anomalies},
                        {"hosts", hosts}});
  }
  return {{"tick_unix_ms", view.status.last_tick_unix_ms},
          {"warmup_remaining_s", view.status.warmup_remaining_s},
          {"clusters", clusters}};
}

nlohmann::json statusJson(const AnalyticsView& view) {
  const AnalyticsStatus& s = view.status;
  size_t total = s.store_bytes + s.detector_bytes;
  return {
      {"enabled", s.enabled},
      {"tick_ms", 1000},
      {"ticks", s.ticks},
      {"last_tick_unix_ms", s.last_tick_unix_ms},
      {"tick_lag_ms", s.tick_lag_ms},
      {"tick_duration_ms", {{"last", s.tick_duration_ms}, {"max_1m", s.tick_duration_max_1m_ms}}},
      {"queue_depth", s.queue_depth},
      {"dropped_ticks", s.dropped_ticks},
      {"warmup_remaining_s", s.warmup_remaining_s},
      {"series", {{"count", s.series}, {"max", s.max_series}, {"rejected", s.series_rejected}}},
      {"bytes_per_series", s.bytes_per_series},
      {"memory_bytes",
       {{"store", s.store_bytes}, {"detectors", s.detector_bytes}, {"total", total}}},
      {"anomalies", {{"open", view.open.size()}, {"recent", view.recent->size()}}},
      {"correlation_window_s", s.correlation_window},
      {"capture", {{"enabled", s.capture_enabled}}}};
}

}  // namespace meshlb::analytics
