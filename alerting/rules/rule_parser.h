#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/rules/rule.h"

namespace meshlb::alerting {

inline constexpr size_t kMaxRuleNameLength = 128;
inline constexpr size_t kMaxRuleLabels = 16;
inline constexpr size_t kMaxRuleAnnotations = 16;
inline constexpr size_t kMaxAnnotationBytes = 4096;
inline constexpr size_t kMaxSelectMatchers = 16;
inline constexpr uint32_t kMaxForS = 86'400;

// Parses one rule (alerting/DESIGN.md §3) and collects every problem, each with its path under
// `path_prefix` ("" gives "condition.of[1].op"; "alerting.rules[3]" gives
// "alerting.rules[3].condition.of[1].op"). Unknown keys are errors. nullopt when anything was
// wrong. The result's `source` is left at kConfig: the caller sets it. Pure; any thread.
std::optional<Rule> parseRule(const nlohmann::json& node, const std::string& path_prefix,
                              std::vector<FieldError>& errors);
// The rule as parseRule reads it, with every default spelled out and without `source`:
// parseRule(ruleToJson(r)) gives r back.
nlohmann::json ruleToJson(const Rule& rule);
// 1-128 of [A-Za-z0-9_:-].
bool validRuleName(std::string_view name);

}  // namespace meshlb::alerting
