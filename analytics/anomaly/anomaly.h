#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analytics/core/metric.h"
#include "analytics/detect/series_monitor.h"
#include "analytics/diagnose/cause.h"

namespace meshlb::analytics {

// Why a series changed, as last judged, with the numbers used. Recomputed every tick for the
// first seconds of an anomaly, then less often; earlier verdicts that differ go to `history`.
struct Diagnosis {
  Cause cause = Cause::kNone;
  std::vector<Cause> also;
  Confidence confidence = Confidence::kLow;
  bool settled = false;
  int64_t updated_unix_ms = 0;
  std::string network_evidence;
  nlohmann::json evidence;  // the numbers (see DiagnosisInput), ready for the admin API
  struct Past {
    int64_t unix_ms;
    Cause cause;
  };
  std::vector<Past> history;  // at most 8
};

// One anomaly: a series that left its baseline, from the first bad tick to the first good one.
// Written by the analytics thread; published to the admin API as a copy inside AnalyticsView.
struct Anomaly {
  uint64_t id = 0;
  bool host_scope = true;
  std::string cluster;
  std::string host;  // empty for a cluster-scope anomaly
  Metric metric = Metric::kLatencyP50Ms;
  Direction direction = Direction::kUp;
  bool from_state_detector = false;  // health or connect failures, not statistics
  int64_t start_unix_ms = 0;
  std::optional<int64_t> end_unix_ms;
  std::optional<std::string> end_reason;  // recovered, rebaselined, no_data, host_removed
  uint8_t detectors = 0;                  // bit per DetectorKind
  std::array<double, kDetectorKinds> scores{};
  double score = 0;
  double value = 0;
  double peak = 0;
  Baseline baseline{};
  Diagnosis diagnosis;

  bool open() const { return !end_unix_ms.has_value(); }
};

}  // namespace meshlb::analytics
