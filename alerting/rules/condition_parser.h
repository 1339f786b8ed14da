#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/rules/rule.h"

namespace meshlb::alerting {

// Parses one condition of a rule at `scope` (see rule.h for the limits). `depth` is 1 for a
// rule's root condition; `leaves` counts the threshold and anomaly leaves seen so far in the
// rule, so the caller can check the per-rule limit. Every problem goes to `errors` under
// `path`; nullopt when there was one. Pure; any thread.
std::optional<Condition> parseCondition(const nlohmann::json& node, const std::string& path,
                                        Scope scope, size_t depth, size_t& leaves,
                                        std::vector<FieldError>& errors);
// The JSON parseCondition reads, with every default spelled out.
nlohmann::json conditionToJson(const Condition& condition);

}  // namespace meshlb::alerting
