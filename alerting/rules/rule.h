#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerting/model/labels.h"
#include "alerting/model/matcher.h"
#include "alerting/rules/annotation_template.h"
#include "analytics/core/metric.h"
#include "analytics/detect/detection_types.h"
#include "analytics/diagnose/cause.h"

namespace meshlb::alerting {

// What a rule's instances are: one per backend host, one per cluster, or one for the process.
enum class Scope : uint8_t { kHost, kCluster, kGlobal };
enum class Severity : uint8_t { kCritical, kWarning, kInfo };
// Where a rule came from: compiled in, the config file, or the admin API.
enum class RuleSource : uint8_t { kDefault, kConfig, kApi };
enum class CompareOp : uint8_t { kGt, kGe, kLt, kLe, kEq, kNe };
enum class Aggregation : uint8_t { kLast, kAvg, kMin, kMax, kRate };
// Process-wide series that exist at global scope only (alerting/eval/capture_drops.h).
enum class GlobalMetric : uint8_t { kCaptureDropRatio, kCaptureDropsPerS, kCount };

inline constexpr size_t kMaxConditionChildren = 8;
inline constexpr size_t kMaxConditionDepth = 4;  // the root condition is at depth 1
inline constexpr size_t kMaxConditionLeaves = 16;
inline constexpr uint32_t kMaxWindowS = 3600;  // the store's fine ring

// When a rule's instance is true. A plain value inside an immutable Rule.
struct Condition {
  enum class Kind : uint8_t { kThreshold, kAnomaly, kAll, kAny };
  Kind kind = Kind::kThreshold;
  // threshold: exactly one of metric / global_metric is set (global_metric only at global
  // scope, metric only at host/cluster scope where the catalogue says the metric exists:
  // analytics::specOf(m).per_host / per_cluster)
  std::optional<analytics::Metric> metric;
  std::optional<GlobalMetric> global_metric;
  CompareOp op = CompareOp::kGt;
  double value = 0;
  Aggregation agg = Aggregation::kLast;
  uint32_t window_s = 0;  // 0 for last, 1..3600 otherwise
  // anomaly (not at global scope)
  std::vector<analytics::Metric> metrics;  // empty = any
  std::optional<analytics::Direction> direction;
  std::vector<analytics::Cause> causes;  // empty = any (including not yet diagnosed)
  bool settled = false;                  // true: only a settled diagnosis counts
  // all / any: 1..8 children, at most 4 deep, at most 16 leaves in a rule
  std::vector<Condition> of;
};

// One alerting rule. Immutable once loaded and shared as shared_ptr<const Rule> between the
// main thread (config, admin API) and the analytics thread (evaluation).
struct Rule {
  std::string name;  // 1-128 of [A-Za-z0-9_:-]; becomes the alertname label
  Scope scope = Scope::kHost;
  Severity severity = Severity::kWarning;
  uint32_t for_s = 0, keep_firing_for_s = 0;  // 0..86400
  std::vector<Matcher> select;  // on the instance's base labels (cluster, host); empty = all
  Condition condition;
  // <= 16, valid label names, none of alertname, severity, cluster, host (derived)
  LabelSet labels;
  // <= 16, sorted by key, each <= 4 KiB
  std::vector<std::pair<std::string, AnnotationTemplate>> annotations;
  RuleSource source = RuleSource::kConfig;  // set by whoever loads it, not parsed
};

// Names as written in rule JSON and shown by the API; the parse functions are their inverse.
std::string_view scopeName(Scope scope);  // "host", "cluster", "global"
std::optional<Scope> parseScope(std::string_view name);
std::string_view severityName(Severity severity);  // "critical", "warning", "info"
std::optional<Severity> parseSeverity(std::string_view name);
std::string_view sourceName(RuleSource source);  // "default", "config", "api"
std::optional<RuleSource> parseSource(std::string_view name);
std::string_view compareOpName(CompareOp op);  // ">", ">=", "<", "<=", "==", "!="
std::optional<CompareOp> parseCompareOp(std::string_view name);
std::string_view aggregationName(Aggregation agg);  // "last", "avg", "min", "max", "rate"
std::optional<Aggregation> parseAggregation(std::string_view name);
std::string_view globalMetricName(GlobalMetric metric);  // "capture_drop_ratio", ...
std::optional<GlobalMetric> parseGlobalMetric(std::string_view name);
std::string_view conditionKindName(Condition::Kind kind);  // "threshold", "anomaly", "all", "any"
std::optional<Condition::Kind> parseConditionKind(std::string_view name);
std::optional<analytics::Direction> parseDirection(std::string_view name);  // "up", "down"
std::optional<analytics::Cause> parseCause(std::string_view name);  // analytics::kCauseNames

// `lhs op rhs`; false when either is NaN, whatever the op.
bool compare(CompareOp op, double lhs, double rhs);

}  // namespace meshlb::alerting
