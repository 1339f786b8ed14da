#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "alerting/rules/rule.h"

namespace meshlb::alerting {

// The rules meshlb ships (alerting/DESIGN.md §8), source kDefault. Their one source of truth is
// configs/alerting-default-rules.json, compiled in as a raw string by the build. Parsed once on
// first use (thread-safe static); the returned rules are immutable and shared. A default rule
// that does not parse is a build defect: the process aborts with the errors (a unit test loads
// them all).
std::vector<std::shared_ptr<const Rule>> defaultRules();
// The compiled-in JSON text, for tests and for GET /alerts/rules?source=default style dumps.
std::string_view defaultRulesJson();

}  // namespace meshlb::alerting
