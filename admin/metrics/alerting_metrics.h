#pragma once

#include <map>
#include <string>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "admin/metrics/family_registry.h"
#include "alerting/alerting_service.h"

namespace meshlb::admin::metrics {

// The meshlb_alerts* and meshlb_alerting_* metrics: alerts by state and severity, silenced and
// acknowledged ones, transitions, notifications sent/failed/dropped per notifier and target,
// queue lengths, target health, rules and silences, the journal, load errors and evaluation
// time. Labels come from enums and from the config's notifier names and URLs. Main thread.
class AlertingMetrics {
 public:
  explicit AlertingMetrics(FamilyRegistry& registry);
  void update(const alerting::AlertingCounts& counts);

 private:
  struct TargetSeries {
    prometheus::Counter* sent = nullptr;
    prometheus::Counter* failed = nullptr;
    prometheus::Counter* dropped = nullptr;
    prometheus::Gauge* queued = nullptr;
    prometheus::Gauge* up = nullptr;
    uint64_t applied_sent = 0, applied_failed = 0, applied_dropped = 0;
  };
  // Raises `counter` to `total` (counters only go up; totals come from the service).
  static void raise(prometheus::Counter& counter, uint64_t total, uint64_t& applied);

  prometheus::Family<prometheus::Gauge>& alerts_;
  prometheus::Family<prometheus::Gauge>& silenced_;
  prometheus::Family<prometheus::Gauge>& acknowledged_;
  prometheus::Family<prometheus::Counter>& transitions_;
  prometheus::Family<prometheus::Counter>& notifications_;
  prometheus::Family<prometheus::Gauge>& queue_;
  prometheus::Family<prometheus::Gauge>& target_up_;
  prometheus::Family<prometheus::Gauge>& rules_;
  prometheus::Family<prometheus::Gauge>& silences_;
  prometheus::Gauge& journal_bytes_;
  prometheus::Counter& load_errors_;
  prometheus::Counter& write_failures_;
  prometheus::Counter& rejected_;
  prometheus::Counter& evaluations_;
  prometheus::Counter& evaluation_seconds_;
  uint64_t applied_load_errors_ = 0, applied_write_failures_ = 0, applied_rejected_ = 0,
           applied_evaluations_ = 0;
  double applied_evaluation_seconds_ = 0;
  std::array<std::array<std::pair<prometheus::Counter*, uint64_t>, 3>, 3> transition_series_{};
  std::map<std::pair<std::string, std::string>, TargetSeries> targets_;
};

}  // namespace meshlb::admin::metrics
