#include "admin/alerting_setup.h"

#include "proxy/config/config_sections.h"

namespace meshlb::admin {

void registerAlertingConfigSection(const std::unique_ptr<alerting::AlertingService>& service) {
  const std::unique_ptr<alerting::AlertingService>* running = &service;
  config::registerConfigSection("alerting", [running](const nlohmann::json& section,
                                                      std::vector<config::ConfigError>& out) {
    std::vector<alerting::FieldError> errors;
    std::optional<alerting::AlertingConfig> parsed = alerting::parseAlertingConfig(section, errors);
    for (alerting::FieldError& error : errors) {
      out.push_back({std::move(error.path), std::move(error.reason)});
    }
    if (!parsed || !*running) {
      return;
    }
    for (size_t i = 0; i < parsed->rules.size(); ++i) {
      if ((*running)->isApiRule(parsed->rules[i]->name)) {
        out.push_back({"alerting.rules[" + std::to_string(i) + "].name",
                       "'" + parsed->rules[i]->name +
                           "' is already defined through the admin API; delete it there "
                           "first"});
      }
    }
  });
}

alerting::AlertingConfig alertingConfigOf(const config::Config& config) {
  auto it = config.module_sections.find("alerting");
  if (it == config.module_sections.end()) {
    return {};
  }
  std::vector<alerting::FieldError> errors;
  std::optional<alerting::AlertingConfig> parsed =
      alerting::parseAlertingConfig(it->second, errors);
  return parsed ? std::move(*parsed) : alerting::AlertingConfig{};  // validated at load
}

}  // namespace meshlb::admin
