#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proxy/config/config_loader.h"

namespace meshlb::config {

// A top-level config section that belongs to a module built on top of the proxy (alerting): the
// proxy cannot know its types, so the module registers a validator and later reads the section
// from Config::module_sections. The validator appends every error with its full path
// ("alerting.rules[2].name").
using SectionValidator =
    std::function<void(const nlohmann::json& section, std::vector<ConfigError>& errors)>;

// Registers (or replaces) the validator for a top-level key. Call at start-up, on the main
// thread, before the first config load; the registry is read by every later load.
void registerConfigSection(const std::string& name, SectionValidator validate);
const std::map<std::string, SectionValidator>& registeredConfigSections();

}  // namespace meshlb::config
