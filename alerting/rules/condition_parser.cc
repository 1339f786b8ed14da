#include "alerting/rules/condition_parser.h"

#include "alerting/model/field_reader.h"

namespace meshlb::alerting {
namespace {

std::string quoteName(std::string_view text) {
  std::string out = "'";
  out.append(text).push_back('\'');
  return out;
}

// Whether the catalogue has `metric` for instances of `scope` (host or cluster).
bool existsAt(analytics::Metric metric, Scope scope) {
  const analytics::MetricSpec& spec = analytics::specOf(metric);
  return scope == Scope::kHost ? spec.per_host : spec.per_cluster;
}

// A per-host or per-cluster metric by name, or nullopt with the reason in `error`.
std::optional<analytics::Metric> scopedMetric(std::string_view name, Scope scope,
                                              std::string& error) {
  const std::optional<analytics::Metric> metric = analytics::metricByName(name);
  if (!metric.has_value()) {
    error = parseGlobalMetric(name).has_value()
                ? quoteName(name) + " is a global metric: use it in a global-scope rule"
                : std::string("unknown metric ") + quoteName(name);
    return std::nullopt;
  }
  if (!existsAt(*metric, scope)) {
    error = quoteName(name) + " is not a per-" + std::string(scopeName(scope)) + " metric";
    return std::nullopt;
  }
  return metric;
}

void parseThreshold(FieldReader& reader, Scope scope, Condition& condition) {
  std::string metric;
  if (reader.string("metric", metric, true)) {
    if (scope == Scope::kGlobal) {
      condition.global_metric = parseGlobalMetric(metric);
      if (!condition.global_metric.has_value()) {
        reader.error("metric", analytics::metricByName(metric).has_value()
                                   ? quoteName(metric) +
                                         " is not a global metric (global rules can use "
                                         "capture_drop_ratio, capture_drops_per_s)"
                                   : std::string("unknown metric ") + quoteName(metric));
      }
    } else {
      std::string error;
      condition.metric = scopedMetric(metric, scope, error);
      if (!condition.metric.has_value()) {
        reader.error("metric", std::move(error));
      }
    }
  }
  std::string op;
  if (reader.string("op", op, true)) {
    if (const std::optional<CompareOp> parsed = parseCompareOp(op)) {
      condition.op = *parsed;
    } else {
      reader.error("op", "must be one of > >= < <= == !=");
    }
  }
  reader.number("value", condition.value, true);
  std::string agg;
  bool agg_valid = true;
  if (reader.string("agg", agg)) {
    if (const std::optional<Aggregation> parsed = parseAggregation(agg)) {
      condition.agg = *parsed;
    } else {
      reader.error("agg", "must be one of last, avg, min, max, rate");
      agg_valid = false;
    }
  }
  bool window_valid = true;
  if (reader.take("window_s") != nullptr) {
    window_valid = reader.uint("window_s", condition.window_s, 0, kMaxWindowS);
  }
  if (window_valid && agg_valid) {
    if (condition.agg == Aggregation::kLast && condition.window_s != 0) {
      reader.error("window_s", "must be 0 with agg last (use avg, min, max or rate for a window)");
    } else if (condition.agg != Aggregation::kLast && condition.window_s == 0) {
      reader.error("window_s", std::string("must be between 1 and 3600 with agg ") +
                                   std::string(aggregationName(condition.agg)));
    }
  }
}

void parseAnomaly(FieldReader& reader, Scope scope, Condition& condition) {
  if (scope == Scope::kGlobal) {
    reader.error("kind", "anomaly conditions are not available at global scope");
  }
  if (const nlohmann::json* metrics = reader.take("metrics")) {
    if (!metrics->is_array()) {
      reader.error("metrics", "expected an array of metric names");
    } else {
      for (size_t i = 0; i < metrics->size(); ++i) {
        const nlohmann::json& item = (*metrics)[i];
        if (!item.is_string()) {
          reader.error(indexPath("metrics", i), "expected a metric name");
          continue;
        }
        std::string error;
        const std::optional<analytics::Metric> metric =
            scopedMetric(item.get_ref<const std::string&>(),
                         scope == Scope::kGlobal ? Scope::kHost : scope, error);
        if (metric.has_value()) {
          condition.metrics.push_back(*metric);
        } else {
          reader.error(indexPath("metrics", i), std::move(error));
        }
      }
    }
  }
  std::string direction;
  if (reader.string("direction", direction)) {
    condition.direction = parseDirection(direction);
    if (!condition.direction.has_value()) {
      reader.error("direction", "must be up or down");
    }
  }
  if (const nlohmann::json* causes = reader.take("causes")) {
    if (!causes->is_array()) {
      reader.error("causes", "expected an array of cause names");
    } else {
      for (size_t i = 0; i < causes->size(); ++i) {
        const nlohmann::json& item = (*causes)[i];
        const std::optional<analytics::Cause> cause =
            item.is_string() ? parseCause(item.get_ref<const std::string&>()) : std::nullopt;
        if (cause.has_value()) {
          condition.causes.push_back(*cause);
        } else {
          reader.error(indexPath("causes", i),
                       "must be one of none, backend_down, cluster_wide, overload, network, "
                       "application, unknown");
        }
      }
    }
  }
  reader.boolean("settled", condition.settled);
}

void parseComposite(FieldReader& reader, Scope scope, size_t depth, size_t& leaves,
                    std::vector<FieldError>& errors, Condition& condition) {
  const nlohmann::json* of = reader.take("of");
  if (of == nullptr) {
    reader.error("of", "is required");
    return;
  }
  if (!of->is_array() || of->empty() || of->size() > kMaxConditionChildren) {
    reader.error("of", "expected an array of 1 to 8 conditions");
    return;
  }
  if (depth >= kMaxConditionDepth) {
    reader.error("of", "conditions may nest at most 4 deep");
    return;
  }
  for (size_t i = 0; i < of->size(); ++i) {
    std::optional<Condition> child = parseCondition((*of)[i], indexPath(reader.pathOf("of"), i),
                                                    scope, depth + 1, leaves, errors);
    if (child.has_value()) {
      condition.of.push_back(std::move(*child));
    }
  }
}

}  // namespace

std::optional<Condition> parseCondition(const nlohmann::json& node, const std::string& path,
                                        Scope scope, size_t depth, size_t& leaves,
                                        std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(node, path, errors);
  if (!reader.valid()) {
    return std::nullopt;
  }
  std::string kind_name;
  if (!reader.string("kind", kind_name, true)) {
    return std::nullopt;  // without a kind the other keys cannot be judged
  }
  const std::optional<Condition::Kind> kind = parseConditionKind(kind_name);
  if (!kind.has_value()) {
    reader.error("kind", "must be one of threshold, anomaly, all, any");
    return std::nullopt;
  }
  Condition condition;
  condition.kind = *kind;
  switch (condition.kind) {
    case Condition::Kind::kThreshold:
      ++leaves;
      parseThreshold(reader, scope, condition);
      break;
    case Condition::Kind::kAnomaly:
      ++leaves;
      parseAnomaly(reader, scope, condition);
      break;
    case Condition::Kind::kAll:
    case Condition::Kind::kAny:
      parseComposite(reader, scope, depth, leaves, errors, condition);
      break;
  }
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return condition;
}

nlohmann::json conditionToJson(const Condition& condition) {
  nlohmann::json out = nlohmann::json::object();
  out["kind"] = std::string(conditionKindName(condition.kind));
  switch (condition.kind) {
    case Condition::Kind::kThreshold:
      if (condition.metric.has_value()) {
        out["metric"] = std::string(analytics::metricName(*condition.metric));
      } else if (condition.global_metric.has_value()) {
        out["metric"] = std::string(globalMetricName(*condition.global_metric));
      }
      out["op"] = std::string(compareOpName(condition.op));
      out["value"] = condition.value;
      out["agg"] = std::string(aggregationName(condition.agg));
      out["window_s"] = condition.window_s;
      break;
    case Condition::Kind::kAnomaly: {
      nlohmann::json metrics = nlohmann::json::array();
      for (const analytics::Metric metric : condition.metrics) {
        metrics.push_back(std::string(analytics::metricName(metric)));
      }
      out["metrics"] = std::move(metrics);
      if (condition.direction.has_value()) {
        out["direction"] = std::string(analytics::directionName(*condition.direction));
      }
      nlohmann::json causes = nlohmann::json::array();
      for (const analytics::Cause cause : condition.causes) {
        causes.push_back(std::string(analytics::causeName(cause)));
      }
      out["causes"] = std::move(causes);
      out["settled"] = condition.settled;
      break;
    }
    case Condition::Kind::kAll:
    case Condition::Kind::kAny: {
      nlohmann::json of = nlohmann::json::array();
      for (const Condition& child : condition.of) {
        of.push_back(conditionToJson(child));
      }
      out["of"] = std::move(of);
      break;
    }
  }
  return out;
}

}  // namespace meshlb::alerting
