#include "alerting/eval/condition_eval.h"

#include <algorithm>
#include <cmath>

#include "alerting/eval/series_window.h"

namespace meshlb::alerting {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double thresholdInput(const Condition& leaf, const InstanceData& instance,
                      const EvalInputs& inputs) {
  const int64_t from_ms = windowFromMs(inputs.now_ms, leaf.window_s);
  if (leaf.global_metric.has_value()) {
    if (leaf.agg == Aggregation::kLast) {
      return inputs.globals[*leaf.global_metric];
    }
    return windowValue(inputs.global_series.window(*leaf.global_metric, from_ms, inputs.now_ms),
                       leaf.agg);
  }
  if (!leaf.metric.has_value() || instance.last == nullptr) {
    return kNaN;  // a global instance has no per-host or per-cluster metrics
  }
  const auto index = static_cast<size_t>(*leaf.metric);
  if (leaf.agg == Aggregation::kLast) {
    return instance.last->value[index];
  }
  const int32_t series = (*instance.series)[index];
  if (series == analytics::kNoSeries) {
    return kNaN;
  }
  return windowValue(inputs.store.fineWindow(static_cast<uint32_t>(series), from_ms, inputs.now_ms),
                     leaf.agg);
}

bool anomalyMatches(const Condition& leaf, const analytics::Anomaly& anomaly) {
  if (!leaf.metrics.empty() &&
      std::find(leaf.metrics.begin(), leaf.metrics.end(), anomaly.metric) == leaf.metrics.end()) {
    return false;
  }
  if (leaf.direction.has_value() && *leaf.direction != anomaly.direction) {
    return false;
  }
  if (leaf.settled && !anomaly.diagnosis.settled) {
    return false;
  }
  return leaf.causes.empty() || std::find(leaf.causes.begin(), leaf.causes.end(),
                                          anomaly.diagnosis.cause) != leaf.causes.end();
}

ConditionResult evaluateAnomaly(const Condition& leaf, const InstanceData& instance,
                                const EvalInputs& inputs) {
  if (instance.open_anomalies == nullptr) {
    return {};
  }
  for (const uint64_t id : *instance.open_anomalies) {
    const analytics::Anomaly* anomaly = findOpenAnomaly(inputs.view, id);
    if (anomaly != nullptr && anomaly->open() && anomalyMatches(leaf, *anomaly)) {
      return {true, anomaly->value, anomaly, analytics::metricName(anomaly->metric)};
    }
  }
  return {};
}

}  // namespace

const analytics::Anomaly* findOpenAnomaly(const analytics::AnalyticsView& view, uint64_t id) {
  const auto it = std::lower_bound(
      view.open.begin(), view.open.end(), id,
      [](const analytics::Anomaly& anomaly, uint64_t key) { return anomaly.id < key; });
  return it != view.open.end() && it->id == id ? &*it : nullptr;
}

ConditionResult evaluateCondition(const Condition& condition, const InstanceData& instance,
                                  const EvalInputs& inputs) {
  switch (condition.kind) {
    case Condition::Kind::kThreshold: {
      const double value = thresholdInput(condition, instance, inputs);
      if (!compare(condition.op, value, condition.value)) {
        return {};
      }
      const std::string_view metric = condition.metric.has_value()
                                          ? analytics::metricName(*condition.metric)
                                          : globalMetricName(*condition.global_metric);
      return {true, value, nullptr, metric};
    }
    case Condition::Kind::kAnomaly:
      return evaluateAnomaly(condition, instance, inputs);
    case Condition::Kind::kAll: {
      ConditionResult result;
      for (size_t i = 0; i < condition.of.size(); ++i) {
        const ConditionResult child = evaluateCondition(condition.of[i], instance, inputs);
        if (!child.holds) {
          return {};
        }
        if (i == 0) {
          result = child;
        } else if (result.anomaly == nullptr) {
          result.anomaly = child.anomaly;
        }
      }
      result.holds = !condition.of.empty();
      return result;
    }
    case Condition::Kind::kAny:
      for (const Condition& child : condition.of) {
        const ConditionResult result = evaluateCondition(child, instance, inputs);
        if (result.holds) {
          return result;
        }
      }
      return {};
  }
  return {};
}

}  // namespace meshlb::alerting
