#include "alerting/rules/rule.h"

#include <array>
#include <cmath>

namespace meshlb::alerting {
namespace {

constexpr std::array<std::string_view, 3> kScopeNames = {"host", "cluster", "global"};
constexpr std::array<std::string_view, 3> kSeverityNames = {"critical", "warning", "info"};
constexpr std::array<std::string_view, 3> kSourceNames = {"default", "config", "api"};
constexpr std::array<std::string_view, 6> kCompareOpNames = {">", ">=", "<", "<=", "==", "!="};
constexpr std::array<std::string_view, 5> kAggregationNames = {"last", "avg", "min", "max", "rate"};
constexpr std::array<std::string_view, 2> kGlobalMetricNames = {"capture_drop_ratio",
                                                                "capture_drops_per_s"};
constexpr std::array<std::string_view, 4> kKindNames = {"threshold", "anomaly", "all", "any"};
static_assert(kGlobalMetricNames.size() == static_cast<size_t>(GlobalMetric::kCount));

template <typename Enum, size_t N>
std::optional<Enum> byName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view scopeName(Scope scope) {
  return kScopeNames[static_cast<size_t>(scope)];
}
std::optional<Scope> parseScope(std::string_view name) {
  return byName<Scope>(kScopeNames, name);
}
std::string_view severityName(Severity severity) {
  return kSeverityNames[static_cast<size_t>(severity)];
}
std::optional<Severity> parseSeverity(std::string_view name) {
  return byName<Severity>(kSeverityNames, name);
}
std::string_view sourceName(RuleSource source) {
  return kSourceNames[static_cast<size_t>(source)];
}
std::optional<RuleSource> parseSource(std::string_view name) {
  return byName<RuleSource>(kSourceNames, name);
}
std::string_view compareOpName(CompareOp op) {
  return kCompareOpNames[static_cast<size_t>(op)];
}
std::optional<CompareOp> parseCompareOp(std::string_view name) {
  return byName<CompareOp>(kCompareOpNames, name);
}
std::string_view aggregationName(Aggregation agg) {
  return kAggregationNames[static_cast<size_t>(agg)];
}
std::optional<Aggregation> parseAggregation(std::string_view name) {
  return byName<Aggregation>(kAggregationNames, name);
}
std::string_view globalMetricName(GlobalMetric metric) {
  return kGlobalMetricNames[static_cast<size_t>(metric)];
}
std::optional<GlobalMetric> parseGlobalMetric(std::string_view name) {
  return byName<GlobalMetric>(kGlobalMetricNames, name);
}
std::string_view conditionKindName(Condition::Kind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}
std::optional<Condition::Kind> parseConditionKind(std::string_view name) {
  return byName<Condition::Kind>(kKindNames, name);
}

std::optional<analytics::Direction> parseDirection(std::string_view name) {
  if (name == "up") {
    return analytics::Direction::kUp;
  }
  if (name == "down") {
    return analytics::Direction::kDown;
  }
  return std::nullopt;
}

std::optional<analytics::Cause> parseCause(std::string_view name) {
  return byName<analytics::Cause>(analytics::kCauseNames, name);
}

bool compare(CompareOp op, double lhs, double rhs) {
  if (std::isnan(lhs) || std::isnan(rhs)) {
    return false;  // no data is never a match, not even for !=
  }
  switch (op) {
    case CompareOp::kGt:
      return lhs > rhs;
    case CompareOp::kGe:
      return lhs >= rhs;
    case CompareOp::kLt:
      return lhs < rhs;
    case CompareOp::kLe:
      return lhs <= rhs;
    case CompareOp::kEq:
      return lhs == rhs;
    case CompareOp::kNe:
      return lhs != rhs;
  }
  return false;
}

}  // namespace meshlb::alerting
