#pragma once

#include <cmath>
#include <cstddef>
#include <optional>

#include "analytics/core/metric.h"
#include "analytics/ingest/tick_sample.h"

namespace meshlb::analytics {

// One signal summarised over the two windows of a diagnosis: the median before the anomaly and
// the median during it, and how many ticks with a value each rests on.
struct SignalWindow {
  double before = kNoValue;
  double during = kNoValue;
  size_t before_ticks = 0;
  size_t during_ticks = 0;

  bool known() const { return !std::isnan(before) && !std::isnan(during); }
  double delta() const { return during - before; }
};

// Every number a diagnosis is judged on (the evidence). Filled by EvidenceCollector from the
// series store; a plain value so the rules can be tested with made-up numbers.
struct DiagnosisInput {
  Metric metric = Metric::kLatencyP50Ms;  // the anomalous series
  bool up = true;                         // its direction
  bool host_scope = true;
  bool state_anomaly = false;  // opened by the health / connect-failure state detector
  bool capture_enabled = false;

  SignalWindow anomalous;  // the anomalous metric itself
  SignalWindow latency_p50;
  SignalWindow latency_p99;
  SignalWindow error_ratio;
  SignalWindow rps;
  SignalWindow requests_active;
  SignalWindow connections_active;
  SignalWindow handshake_rtt;
  SignalWindow rtt_p50;
  SignalWindow retransmit_ratio;
  SignalWindow connect_time;
  SignalWindow overflows;                 // the cluster's overflows per second
  double min_health_during = 1;           // 0 when any tick of the window saw the host down
  double max_connect_failures_per_s = 0;  // during
  double max_connect_failure_ratio = 0;   // failures / attempts, worst tick during
  std::optional<double> spearman_latency_rtt;

  // Peers: the hosts of the same cluster with traffic before (itself included), and how many
  // of them moved the same metric the same way by at least its gate.
  size_t peers_with_data = 0;
  size_t peers_moved = 0;
};

}  // namespace meshlb::analytics
