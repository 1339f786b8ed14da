#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.h"

namespace meshlb::config {

// One problem found in a config, with the JSON path of the field ("clusters[0].hosts[2].address")
// and why it is wrong ("port out of range").
struct ConfigError {
  std::string path;
  std::string reason;
  std::string toString() const { return path.empty() ? reason : path + ": " + reason; }
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when errors is not empty
  std::vector<ConfigError> errors;       // every error found, not just the first
};

// Parses and validates a JSON config. Unknown keys are errors (typos must not pass silently);
// every listener route must name an existing cluster. Main thread only (allocates freely).
LoadResult loadConfigFromString(std::string_view json_text);
LoadResult loadConfigFromFile(const std::string& path);

}  // namespace meshlb::config
