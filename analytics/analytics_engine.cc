#include "analytics/analytics_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analytics/analytics_json.h"
#include "analytics/diagnose/diagnosis_rules.h"
#include "common/log.h"

namespace meshlb::analytics {
namespace {

constexpr int32_t kRejected = -2;  // the store was full when this series first had a value
constexpr int64_t kBeforeFromMs = -65'000;
constexpr int64_t kBeforeToMs = -5'000;
constexpr int64_t kDuringMs = 30'000;
constexpr int64_t kUnsettledMs = 10'000;  // re-diagnose every tick this long, then every 10 s
constexpr int kHealthyTicksToClose = 3;
constexpr size_t kTickTimes = 4'096;
constexpr size_t kHistory = 8;
// Each host's correlations are recomputed every few ticks, hosts staggered: over a 60 s window
// a result a few seconds old says the same, and computing all of them every tick was a third
// of a tick at 1,000 hosts. A diagnosis always computes fresh ones.
constexpr int64_t kCorrelationEvery = 5;

double gateAt(const MetricSpec& spec, double baseline) {
  return std::max(spec.gate.abs_min, spec.gate.rel_min * std::fabs(baseline));
}

nlohmann::json signalJson(const SignalWindow& signal) {
  return {{"before", jsonNumber(signal.before)},
          {"during", jsonNumber(signal.during)},
          {"ticks_before", signal.before_ticks},
          {"ticks_during", signal.during_ticks}};
}

}  // namespace

// The series, detectors and anomalies of one host or one cluster.
struct AnalyticsEngine::SeriesState {
  std::string cluster;
  std::string host;  // empty for a cluster
  bool host_scope = true;
  std::array<int32_t, kMetricCount> series;
  std::array<std::unique_ptr<SeriesMonitor>, kMetricCount> monitors;
  std::array<uint64_t, kMetricCount> open{};  // anomaly id per metric, 0 when none
  MetricValues last;
  int64_t last_seen_tick = 0;
  std::optional<int64_t> removed_at_ms;
  // Hosts only:
  std::unique_ptr<RollingCorrelation> latency_rtt;
  std::unique_ptr<RollingCorrelation> latency_retransmits;
  uint64_t state_open = 0;  // the state detector's anomaly
  int healthy_ticks = 0;
  // The correlations as last computed (see kCorrelationEvery) and when that is due.
  Correlation latency_rtt_now;
  Correlation latency_retransmits_now;
  uint32_t ordinal = 0;

  SeriesState() { series.fill(kNoSeries); }
};
struct AnalyticsEngine::HostState : SeriesState {};
struct AnalyticsEngine::ClusterState : SeriesState {};

AnalyticsEngine::AnalyticsEngine(const EngineParams& params)
    : params_(params),
      store_(params.max_series),
      book_(params.recent_anomalies),
      recent_(std::make_shared<const std::vector<Anomaly>>()) {
  auto empty = std::make_shared<AnalyticsView>();
  empty->recent = recent_;
  empty->status.warmup_remaining_s = params.warmup_ticks;
  empty->status.max_series = params.max_series;
  view_ = std::move(empty);
}

AnalyticsEngine::~AnalyticsEngine() = default;

int64_t AnalyticsEngine::tickTime(int64_t tick) const {
  if (tick_ms_.empty()) {
    return 0;
  }
  int64_t first = tick_ - static_cast<int64_t>(tick_ms_.size()) + 1;
  if (tick < first) {
    return tick_ms_.front();
  }
  if (tick > tick_) {
    return tick_ms_.back();
  }
  return tick_ms_[static_cast<size_t>(tick - first)];
}

void AnalyticsEngine::tick(const TickSample& sample) {
  auto started = std::chrono::steady_clock::now();
  ++tick_;
  tick_ms_.push_back(sample.unix_ms);
  if (tick_ms_.size() > kTickTimes) {
    tick_ms_.pop_front();
  }
  capture_enabled_ = sample.capture_enabled;
  bool rates_valid = sample.interval_s >= 0.2 && sample.interval_s <= 10.0;

  store_.beginTick(sample.unix_ms);
  tick_hosts_.assign(sample.hosts.size(), nullptr);
  for (size_t i = 0; i < sample.hosts.size(); ++i) {
    const HostTick& host = sample.hosts[i];
    auto& slot = hosts_[hostKey(host.cluster, host.host)];
    if (!slot) {
      slot = std::make_unique<HostState>();
      slot->cluster = host.cluster;
      slot->host = host.host;
      slot->host_scope = true;
      slot->ordinal = next_ordinal_++;
    }
    HostState& state = *slot;
    if (!state.latency_rtt) {
      state.latency_rtt = std::make_unique<RollingCorrelation>(params_.correlation_window);
      state.latency_retransmits = std::make_unique<RollingCorrelation>(params_.correlation_window);
    }
    state.removed_at_ms.reset();
    state.last_seen_tick = tick_;
    state.last = host.metrics;
    tick_hosts_[i] = &state;
    bool detect = rates_valid && !host.draining;
    recordAndDetect(state, host.metrics, detect, true, host.cluster, host.host);
    if (rates_valid) {
      double latency = host.metrics[Metric::kLatencyP50Ms];
      state.latency_rtt->push(latency, host.metrics[Metric::kRttP50Ms]);
      state.latency_retransmits->push(latency, host.metrics[Metric::kRetransmitRatio]);
    }
    if ((tick_ + state.ordinal) % kCorrelationEvery == 0 && state.latency_rtt) {
      state.latency_rtt_now = state.latency_rtt->result();
      state.latency_retransmits_now = state.latency_retransmits->result();
    }
    if (!host.draining) {
      runStateDetector(state, host);
    }
  }
  tick_clusters_.assign(sample.clusters.size(), nullptr);
  for (size_t i = 0; i < sample.clusters.size(); ++i) {
    const ClusterTick& cluster = sample.clusters[i];
    auto& slot = clusters_[cluster.name];
    if (!slot) {
      slot = std::make_unique<ClusterState>();
      slot->cluster = cluster.name;
      slot->host_scope = false;
    }
    ClusterState& state = *slot;
    state.removed_at_ms.reset();
    state.last_seen_tick = tick_;
    state.last = cluster.metrics;
    tick_clusters_[i] = &state;
    recordAndDetect(state, cluster.metrics, rates_valid, false, cluster.name, "");
  }
  store_.endTick();

  // Hosts and clusters that left the config: their anomalies end, their series stay
  // queryable for a while, then their memory returns to the pool.
  auto retire = [&](auto& map) {
    for (auto it = map.begin(); it != map.end();) {
      SeriesState& state = *it->second;
      if (state.last_seen_tick == tick_) {
        ++it;
        continue;
      }
      if (!state.removed_at_ms) {
        state.removed_at_ms = sample.unix_ms;
        forget(state);
      }
      if (sample.unix_ms - *state.removed_at_ms >= params_.retention_after_removal_ms) {
        for (int32_t id : state.series) {
          if (id >= 0) {
            store_.release(static_cast<uint32_t>(id));
          }
        }
        it = map.erase(it);
      } else {
        ++it;
      }
    }
  };
  retire(hosts_);
  retire(clusters_);

  diagnoseOpen(sample);
  book_.expire(sample.unix_ms);
  double duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  publish(sample, duration_ms);
}

void AnalyticsEngine::recordAndDetect(SeriesState& state, const MetricValues& values, bool detect,
                                      bool host_scope, const std::string& cluster,
                                      const std::string& host) {
  for (const MetricSpec& spec : kMetricSpecs) {
    if (host_scope ? !spec.per_host : !spec.per_cluster) {
      continue;
    }
    size_t m = static_cast<size_t>(spec.metric);
    double value = values.value[m];
    int32_t& id = state.series[m];
    if (id == kNoSeries) {
      std::optional<uint32_t> acquired = store_.acquire();
      if (acquired) {
        id = static_cast<int32_t>(*acquired);
      } else {
        id = kRejected;
        ++series_rejected_;
        if (!warned_full_) {
          warned_full_ = true;
          LOG_WARN("analytics: max_series (%zu) reached; further series are not recorded",
                   params_.max_series);
        }
      }
    }
    if (id >= 0) {
      store_.record(static_cast<uint32_t>(id), value);
    }
    if (!(host_scope ? spec.detect_host : spec.detect_cluster)) {
      continue;
    }
    std::unique_ptr<SeriesMonitor>& monitor = state.monitors[m];
    if (!monitor) {
      MonitorParams monitor_params;
      monitor_params.sensitivity = params_.sensitivity;
      monitor_params.warmup_ticks = params_.warmup_ticks;
      monitor = std::make_unique<SeriesMonitor>(spec.gate, monitor_params);
    }
    // Too few samples make a noisy value (a p99 of five requests is their maximum): it is
    // stored, but the detectors do not see it.
    double fed = detect && values.samples[m] >= spec.min_samples ? value : kNoValue;
    MonitorEvent event = monitor->observe(tick_, fed);
    const MonitorAnomaly& seen = monitor->anomaly();
    auto update = [&](Anomaly& anomaly) {
      anomaly.detectors = seen.detectors;
      anomaly.scores = seen.scores;
      anomaly.score = seen.score;
      anomaly.value = seen.value;
      anomaly.peak = seen.peak;
      anomaly.baseline = seen.baseline;
    };
    if (event.kind == MonitorEvent::Kind::kOpened) {
      Anomaly anomaly;
      anomaly.host_scope = host_scope;
      anomaly.cluster = cluster;
      anomaly.host = host;
      anomaly.metric = spec.metric;
      anomaly.direction = seen.direction;
      anomaly.start_unix_ms = tickTime(seen.start_tick);
      update(anomaly);
      for (size_t k = 0; k < kDetectorKinds; ++k) {
        if ((seen.detectors & (1u << k)) != 0) {
          ++detector_hits_[k];
        }
      }
      state.open[m] = book_.open(std::move(anomaly)).id;
    } else if (state.open[m] != 0) {
      if (Anomaly* anomaly = book_.find(state.open[m])) {
        update(*anomaly);
        if (event.kind == MonitorEvent::Kind::kClosed) {
          if (!anomaly->diagnosis.settled) {
            ++anomalies_total_[{anomaly->cluster, anomaly->diagnosis.cause}];
          }
          book_.close(state.open[m], tickTime(seen.end_tick), endReasonName(event.reason));
          ++closed_total_;
          state.open[m] = 0;
        }
      }
    }
  }
}

void AnalyticsEngine::runStateDetector(HostState& state, const HostTick& tick) {
  const MetricValues& m = tick.metrics;
  double failures = m[Metric::kConnectFailuresPerS];
  double rps = m[Metric::kRps];
  bool failing = !std::isnan(failures) && failures >= 1 &&
                 failures / std::max(failures, std::isnan(rps) ? 0.0 : rps) >= 0.5;
  bool down = m[Metric::kHealth] < 0.5 || failing;
  int64_t now = tickTime(tick_);
  if (down) {
    state.healthy_ticks = 0;
    if (state.state_open == 0) {
      Anomaly anomaly;
      anomaly.cluster = state.cluster;
      anomaly.host = state.host;
      anomaly.metric =
          failing && m[Metric::kHealth] >= 0.5 ? Metric::kConnectFailuresPerS : Metric::kHealth;
      anomaly.direction = anomaly.metric == Metric::kHealth ? Direction::kDown : Direction::kUp;
      anomaly.from_state_detector = true;
      anomaly.start_unix_ms = now;
      anomaly.value = anomaly.peak = m[anomaly.metric];
      anomaly.score = 0;
      anomaly.scores.fill(kNoValue);
      anomaly.baseline = {1, kNoValue, kNoValue, kNoValue, kNoValue};
      ++detector_hits_[kDetectorKinds];
      state.state_open = book_.open(std::move(anomaly)).id;
    }
    return;
  }
  if (state.state_open != 0 && ++state.healthy_ticks >= kHealthyTicksToClose) {
    if (Anomaly* anomaly = book_.find(state.state_open); anomaly && !anomaly->diagnosis.settled) {
      ++anomalies_total_[{anomaly->cluster, anomaly->diagnosis.cause}];
    }
    book_.close(state.state_open, tickTime(tick_ - kHealthyTicksToClose + 1), "recovered");
    ++closed_total_;
    state.state_open = 0;
  }
}

void AnalyticsEngine::forget(SeriesState& state) {
  for (size_t m = 0; m < kMetricCount; ++m) {
    if (state.open[m] != 0) {
      book_.close(state.open[m], tickTime(tick_), "host_removed");
      ++closed_total_;
      state.open[m] = 0;
    }
    state.monitors[m].reset();
  }
  if (state.state_open != 0) {
    book_.close(state.state_open, tickTime(tick_), "host_removed");
    ++closed_total_;
    state.state_open = 0;
  }
  state.latency_rtt.reset();
  state.latency_retransmits.reset();
}

DiagnosisInput AnalyticsEngine::evidenceFor(const Anomaly& anomaly, int64_t now_ms,
                                            nlohmann::json& evidence) {
  DiagnosisInput in;
  in.metric = anomaly.metric;
  in.up = anomaly.direction == Direction::kUp;
  in.host_scope = anomaly.host_scope;
  in.state_anomaly = anomaly.from_state_detector;
  in.capture_enabled = capture_enabled_;

  int64_t start = anomaly.start_unix_ms;
  int64_t before_from = start + kBeforeFromMs;
  int64_t before_to = start + kBeforeToMs;
  int64_t during_to = std::min(now_ms, start + kDuringMs);
  auto window = [&](const SeriesState* state, Metric metric) {
    SignalWindow signal;
    if (state == nullptr) {
      return signal;
    }
    int32_t id = state->series[static_cast<size_t>(metric)];
    if (id < 0) {
      return signal;
    }
    std::tie(signal.before, signal.before_ticks) =
        store_.fineMedian(static_cast<uint32_t>(id), before_from, before_to);
    std::tie(signal.during, signal.during_ticks) =
        store_.fineMedian(static_cast<uint32_t>(id), start, during_to);
    return signal;
  };

  const SeriesState* self = nullptr;
  if (anomaly.host_scope) {
    auto it = hosts_.find(hostKey(anomaly.cluster, anomaly.host));
    self = it == hosts_.end() ? nullptr : it->second.get();
  }
  auto cluster_it = clusters_.find(anomaly.cluster);
  const SeriesState* cluster = cluster_it == clusters_.end() ? nullptr : cluster_it->second.get();
  const SeriesState* subject = anomaly.host_scope ? self : cluster;

  in.anomalous = window(subject, anomaly.metric);
  in.latency_p50 = window(subject, Metric::kLatencyP50Ms);
  in.latency_p99 = window(subject, Metric::kLatencyP99Ms);
  in.error_ratio = window(subject, Metric::kErrorRatio);
  in.rps = window(subject, Metric::kRps);
  in.requests_active = window(subject, Metric::kRequestsActive);
  in.connections_active = window(subject, Metric::kConnectionsActive);
  in.handshake_rtt = window(subject, Metric::kHandshakeRttMs);
  in.rtt_p50 = window(subject, Metric::kRttP50Ms);
  in.retransmit_ratio = window(subject, Metric::kRetransmitRatio);
  in.connect_time = window(subject, Metric::kConnectTimeMs);
  in.overflows = window(cluster, Metric::kOverflowsPerS);

  if (anomaly.host_scope && self != nullptr) {
    // The worst tick of the window for health and connect failures: one bad tick is enough.
    int32_t health = self->series[static_cast<size_t>(Metric::kHealth)];
    int32_t failures = self->series[static_cast<size_t>(Metric::kConnectFailuresPerS)];
    int32_t rps = self->series[static_cast<size_t>(Metric::kRps)];
    SeriesQuery query{start, during_to, 1};
    if (health >= 0) {
      for (const SeriesPoint& point : store_.query(static_cast<uint32_t>(health), query).points) {
        if (!std::isnan(point.min)) {
          in.min_health_during = std::min(in.min_health_during, point.min);
        }
      }
    }
    if (failures >= 0 && rps >= 0) {
      SeriesQueryResult f = store_.query(static_cast<uint32_t>(failures), query);
      SeriesQueryResult r = store_.query(static_cast<uint32_t>(rps), query);
      for (size_t i = 0; i < f.points.size() && i < r.points.size(); ++i) {
        double fails = f.points[i].max;
        if (std::isnan(fails) || fails <= 0) {
          continue;
        }
        double attempts = std::isnan(r.points[i].max) ? 0 : r.points[i].max;
        in.max_connect_failures_per_s = std::max(in.max_connect_failures_per_s, fails);
        in.max_connect_failure_ratio =
            std::max(in.max_connect_failure_ratio, fails / std::max(fails, attempts));
      }
    }
    if (self->latency_rtt) {
      in.spearman_latency_rtt = self->latency_rtt->result().spearman;
    }
  }

  // Peers: did the same metric move the same way on the other hosts of the cluster?
  nlohmann::json moved_hosts = nlohmann::json::array();
  const MetricSpec& spec = specOf(anomaly.metric);
  size_t hosts_total = 0;
  if (!anomaly.from_state_detector) {
    for (const auto& [key, host] : hosts_) {
      if (host->cluster != anomaly.cluster || host->removed_at_ms) {
        continue;
      }
      ++hosts_total;
      SignalWindow rps = window(host.get(), Metric::kRps);
      SignalWindow signal = window(host.get(), anomaly.metric);
      if (!(rps.before >= 1) || signal.before_ticks < 2 || signal.during_ticks < 1 ||
          !signal.known()) {
        continue;
      }
      ++in.peers_with_data;
      double change = in.up ? signal.delta() : -signal.delta();
      if (change >= gateAt(spec, signal.before)) {
        ++in.peers_moved;
        moved_hosts.push_back(host->host);
      }
    }
  }

  evidence = nlohmann::json::object();
  evidence[std::string(metricName(anomaly.metric))] = signalJson(in.anomalous);
  evidence["latency_p50_ms"] = signalJson(in.latency_p50);
  evidence["latency_p99_ms"] = signalJson(in.latency_p99);
  evidence["error_ratio"] = signalJson(in.error_ratio);
  evidence["rps"] = signalJson(in.rps);
  evidence["requests_active"] = signalJson(in.requests_active);
  evidence["connections_active"] = signalJson(in.connections_active);
  evidence["handshake_rtt_ms"] = signalJson(in.handshake_rtt);
  evidence["rtt_p50_ms"] = signalJson(in.rtt_p50);
  evidence["retransmit_ratio"] = signalJson(in.retransmit_ratio);
  evidence["connect_time_ms"] = signalJson(in.connect_time);
  evidence["cluster_overflows_per_s"] = signalJson(in.overflows);
  if (anomaly.host_scope) {
    evidence["health_min_during"] = in.min_health_during;
    evidence["connect_failures_per_s_max"] = in.max_connect_failures_per_s;
    evidence["connect_failure_ratio_max"] = in.max_connect_failure_ratio;
    if (self != nullptr && self->latency_rtt) {
      evidence["corr_latency_rtt"] = correlationJson(self->latency_rtt->result());
      evidence["corr_latency_retransmits"] = correlationJson(self->latency_retransmits->result());
    }
  }
  evidence["peers"] = {{"hosts_total", hosts_total},
                       {"hosts_with_data", in.peers_with_data},
                       {"hosts_moved", in.peers_moved},
                       {"moved", moved_hosts}};
  evidence["capture"] = capture_enabled_;
  evidence["windows_ms"] = {{"before", {before_from, before_to}}, {"during", {start, during_to}}};
  return in;
}

void AnalyticsEngine::diagnoseOpen(const TickSample& sample) {
  int64_t now = sample.unix_ms;
  for (auto& [id, anomaly] : book_.openAnomalies()) {
    Diagnosis& diagnosis = anomaly.diagnosis;
    int64_t age = now - anomaly.start_unix_ms;
    bool due = diagnosis.cause == Cause::kNone || !diagnosis.settled ||
               now - diagnosis.updated_unix_ms >= kUnsettledMs;
    if (!due) {
      continue;
    }
    nlohmann::json evidence;
    DiagnosisInput input = evidenceFor(anomaly, now, evidence);
    DiagnosisResult result = diagnose(input);
    if (!anomaly.host_scope && result.cause != Cause::kClusterWide) {
      // A cluster's series moved because some of its hosts did: take their cause.
      Cause driven = Cause::kUnknown;
      nlohmann::json driven_by = nlohmann::json::array();
      for (const auto& [other_id, other] : book_.openAnomalies()) {
        if (other.host_scope && other.cluster == anomaly.cluster &&
            other.diagnosis.cause != Cause::kNone) {
          if (driven == Cause::kUnknown) {
            driven = other.diagnosis.cause;
          }
          driven_by.push_back(other.host);
        }
      }
      if (result.cause == Cause::kUnknown || result.cause == Cause::kApplication) {
        result.cause = driven;
      }
      evidence["driven_by"] = driven_by;
    }
    if (diagnosis.cause != Cause::kNone && diagnosis.cause != result.cause) {
      diagnosis.history.push_back({diagnosis.updated_unix_ms, diagnosis.cause});
      if (diagnosis.history.size() > kHistory) {
        diagnosis.history.erase(diagnosis.history.begin());
      }
    }
    diagnosis.cause = result.cause;
    diagnosis.also = result.also;
    diagnosis.confidence = result.confidence;
    diagnosis.network_evidence = result.network_evidence;
    diagnosis.evidence = std::move(evidence);
    diagnosis.updated_unix_ms = now;
    if (!diagnosis.settled && age >= kUnsettledMs) {
      diagnosis.settled = true;
      ++anomalies_total_[{anomaly.cluster, diagnosis.cause}];
    }
  }
}

void AnalyticsEngine::publish(const TickSample& sample, double duration_ms) {
  auto view = std::make_shared<AnalyticsView>();
  AnalyticsStatus& status = view->status;
  status.last_tick_unix_ms = sample.unix_ms;
  status.ticks = static_cast<uint64_t>(tick_);
  status.tick_duration_ms = duration_ms;
  durations_.emplace_back(sample.unix_ms, duration_ms);
  while (!durations_.empty() && durations_.front().first < sample.unix_ms - 60'000) {
    durations_.pop_front();
  }
  for (const auto& [when, ms] : durations_) {
    status.tick_duration_max_1m_ms = std::max(status.tick_duration_max_1m_ms, ms);
  }
  status.dropped_ticks = dropped_ticks;
  status.queue_depth = queue_depth;
  status.tick_lag_ms = last_lag_ms;
  status.series = store_.liveSeries();
  status.max_series = store_.maxSeries();
  status.series_rejected = series_rejected_;
  status.bytes_per_series = SeriesStore::bytesPerSeries();
  status.store_bytes = store_.memoryBytes();
  status.capture_enabled = capture_enabled_;
  status.correlation_window = params_.correlation_window;

  for (const auto& [id, anomaly] : book_.openAnomalies()) {
    view->open.push_back(anomaly);
  }
  if (closed_total_ != recent_published_closed_) {
    recent_ =
        std::make_shared<const std::vector<Anomaly>>(book_.recent().begin(), book_.recent().end());
    recent_published_closed_ = closed_total_;
  }
  view->recent = recent_;
  view->detector_hits = detector_hits_;
  view->anomalies_total = anomalies_total_;

  size_t detectors = 0;
  // Every series learns from its first tick with traffic; with steady traffic, this is when the
  // last of them is armed. (A series without data, such as RTT without capture, never is.)
  uint32_t warmup =
      tick_ >= params_.warmup_ticks ? 0 : params_.warmup_ticks - static_cast<uint32_t>(tick_);
  auto fill = [&](const SeriesState& state, auto& out) {
    out.removed = state.removed_at_ms.has_value();
    out.last = state.last;
    out.series = state.series;
    for (int32_t& id : out.series) {
      id = std::max(id, kNoSeries);
    }
    for (size_t m = 0; m < kMetricCount; ++m) {
      if (state.open[m] != 0) {
        out.open_anomalies.push_back(state.open[m]);
      }
      if (state.monitors[m]) {
        detectors += SeriesMonitor::memoryBytes();
      }
    }
  };

  // Hosts in the sample's order first (config order), then the retained removed ones.
  std::unordered_map<const SeriesState*, uint32_t> host_index;
  auto add_host = [&](const HostState& state) {
    HostView host;
    host.cluster = state.cluster;
    host.host = state.host;
    fill(state, host);
    if (state.state_open != 0) {
      host.open_anomalies.push_back(state.state_open);
    }
    if (state.latency_rtt) {
      host.latency_rtt = state.latency_rtt_now;
      host.latency_retransmits = state.latency_retransmits_now;
      detectors += state.latency_rtt->memoryBytes() + state.latency_retransmits->memoryBytes();
    }
    // 0 when down; otherwise 40 off per latency or error anomaly, 15 per other one.
    int score = 100;
    if (state.state_open != 0 || state.last[Metric::kHealth] < 0.5) {
      score = 0;
    } else {
      for (size_t m = 0; m < kMetricCount; ++m) {
        if (state.open[m] != 0) {
          score -= isLatencyOrError(static_cast<Metric>(m)) ? 40 : 15;
        }
      }
      score = std::max(score, 10);
    }
    host.health_score = state.removed_at_ms ? 0 : score;
    host_index[&state] = static_cast<uint32_t>(view->hosts.size());
    view->hosts.push_back(std::move(host));
  };
  for (HostState* state : tick_hosts_) {
    if (!host_index.contains(state)) {
      add_host(*state);
    }
  }
  for (const auto& [key, state] : hosts_) {
    if (state->removed_at_ms) {
      add_host(static_cast<const HostState&>(*state));
    }
  }

  auto add_cluster = [&](const ClusterState& state) {
    ClusterView cluster;
    cluster.name = state.cluster;
    fill(state, cluster);
    double weight_sum = 0;
    double weighted = 0;
    for (uint32_t i = 0; i < view->hosts.size(); ++i) {
      const HostView& host = view->hosts[i];
      if (host.cluster != state.cluster) {
        continue;
      }
      cluster.hosts.push_back(i);
      if (host.removed) {
        continue;
      }
      double rps = host.last[Metric::kRps];
      double weight = std::max(std::isnan(rps) ? 0.0 : rps, 1.0);
      weight_sum += weight;
      weighted += weight * host.health_score;
    }
    int score = weight_sum > 0 ? static_cast<int>(std::lround(weighted / weight_sum)) : 100;
    score -= 25 * static_cast<int>(cluster.open_anomalies.size());
    if (state.last[Metric::kHealthyHosts] < 0.5) {
      score = 0;
    }
    cluster.health_score = state.removed_at_ms ? 0 : std::max(score, 0);
    view->clusters.push_back(std::move(cluster));
  };
  for (ClusterState* state : tick_clusters_) {
    add_cluster(*state);
  }
  for (const auto& [name, state] : clusters_) {
    if (state->removed_at_ms) {
      add_cluster(static_cast<const ClusterState&>(*state));
    }
  }
  status.detector_bytes = detectors;
  status.warmup_remaining_s = warmup;
  view_ = std::move(view);
}

}  // namespace meshlb::analytics
