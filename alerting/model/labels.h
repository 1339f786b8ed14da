#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshlb::alerting {

// An alert's identity: label names and values, sorted by name, names unique. Plain value type,
// used by any thread that owns its copy.
using Label = std::pair<std::string, std::string>;
using LabelSet = std::vector<Label>;

// Sorts by name; the last value wins for a repeated name.
LabelSet makeLabelSet(std::vector<Label> labels);
// The value of `name`, or nullptr.
const std::string* findLabel(const LabelSet& labels, std::string_view name);
// Prometheus's label-name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool validLabelName(std::string_view name);
// Alertmanager's fingerprint of a label set (FNV-1a 64 over "name\xff value\xff" in name order),
// as 16 lower-case hex digits: meshlb's alert id is the id Alertmanager shows.
std::string fingerprint(const LabelSet& labels);

}  // namespace meshlb::alerting
