#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "alerting/notify/label_json.h"
#include "alerting/state/alert.h"

namespace meshlb::alerting {

// An alert as the admin API shows it (without the persisted notifier marks).
nlohmann::json alertToApiJson(const Alert& alert, const std::vector<std::string>& silenced_by);
// The persisted form, marks included; alertFromJson reads it back (nullopt when malformed).
nlohmann::json alertToJson(const Alert& alert);
std::optional<Alert> alertFromJson(const nlohmann::json& node);

std::optional<LabelSet> labelsFromJson(const nlohmann::json& node);

}  // namespace meshlb::alerting
