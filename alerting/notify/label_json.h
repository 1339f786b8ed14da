#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "alerting/model/labels.h"

namespace meshlb::alerting {

// Helpers the notification payloads share. Pure; any thread.

// {"name": "value", ...} in the label set's (sorted) order.
nlohmann::ordered_json labelsToJson(const LabelSet& labels);

// Compact JSON that never throws: invalid UTF-8 (a label value from a host name, say) becomes
// U+FFFD instead of an exception.
std::string dumpJson(const nlohmann::ordered_json& json);

}  // namespace meshlb::alerting
