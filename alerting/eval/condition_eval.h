#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "alerting/eval/global_series.h"
#include "alerting/eval/global_values.h"
#include "alerting/rules/rule.h"
#include "analytics/analytics_view.h"
#include "analytics/store/series_store.h"

namespace meshlb::alerting {

// What one tick offers every condition: the published view, the store's fine ring (read
// without its lock: the caller is the analytics thread, the store's only writer), and the
// global values with their history. Borrowed for one evaluation.
struct EvalInputs {
  const analytics::AnalyticsView& view;
  const analytics::SeriesStore& store;
  const GlobalValues& globals;
  const GlobalSeries& global_series;
  int64_t now_ms = 0;
};

// One instance's data: a HostView's or ClusterView's, or none for the global instance.
struct InstanceData {
  const analytics::MetricValues* last = nullptr;
  const std::array<int32_t, analytics::kMetricCount>* series = nullptr;
  const std::vector<uint64_t>* open_anomalies = nullptr;

  static InstanceData of(const analytics::HostView& host) {
    return {&host.last, &host.series, &host.open_anomalies};
  }
  static InstanceData of(const analytics::ClusterView& cluster) {
    return {&cluster.last, &cluster.series, &cluster.open_anomalies};
  }
};

struct ConditionResult {
  bool holds = false;
  // When it holds: the first true leaf's value (a composite's), and the anomaly that matched,
  // if an anomaly leaf did.
  double value = std::numeric_limits<double>::quiet_NaN();
  const analytics::Anomaly* anomaly = nullptr;
  std::string_view metric;  // the name of the metric `value` belongs to ({{metric}})
};

// Evaluates `condition` for one instance. No data (a NaN last value, a window less than half
// full, a missing series) makes a threshold false. `all` and `any` stop at the first child that
// decides them. Pure apart from reading its inputs; no allocation, no string lookups.
ConditionResult evaluateCondition(const Condition& condition, const InstanceData& instance,
                                  const EvalInputs& inputs);

// The open anomaly with `id` in view.open (sorted by id), or nullptr.
const analytics::Anomaly* findOpenAnomaly(const analytics::AnalyticsView& view, uint64_t id);

}  // namespace meshlb::alerting
