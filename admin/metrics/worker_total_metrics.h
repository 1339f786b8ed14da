#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_roster.h"

namespace meshlb::admin::metrics {

// The process-wide totals every worker keeps (StatsSnapshot::worker_totals), one family each
// with no labels: `meshlb_<name>`, a gauge when the name ends in `_active` (a level), else a
// counter advanced by deltas. Two adjustments keep the exposition valid:
//  - a counter's name gets `_total` appended when it lacks it (responses_2xx becomes
//    meshlb_responses_2xx_total), as Prometheus requires of counters;
//  - a name already used by another family of the exporter (upstream_retries_total is also the
//    per-host meshlb_upstream_retries_total) is exported as `meshlb_process_<name>`: a metric
//    name may appear only once in the text, and the process-wide figure differs from the sum of
//    the per-host series (it keeps counting hosts that left the config).
// A name that still collides or is not a valid metric name is skipped. A family appears with its
// name and is removed from the registry when the name is no longer listed. Main thread only.
class WorkerTotalMetrics {
 public:
  // Construct it after every other family is registered: a total takes a name only if free.
  explicit WorkerTotalMetrics(FamilyRegistry& registry);
  ~WorkerTotalMetrics();

  void update(const std::vector<std::pair<std::string, uint64_t>>& totals);

  // The exported name for `total`, or "" when it must be skipped (see the class comment).
  static std::string exportedName(const std::string& total,
                                  const std::unordered_set<std::string>& taken);

 private:
  class Total;

  FamilyRegistry& registry_;
  SeriesRoster<Total> totals_;
};

}  // namespace meshlb::admin::metrics
