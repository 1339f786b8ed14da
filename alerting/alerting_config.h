#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/notify/notifier_config.h"
#include "alerting/rules/rule.h"

namespace meshlb::alerting {

// The config file's "alerting" section (alerting/DESIGN.md §7), validated. Immutable once
// loaded; built on the main thread and shared read-only.
struct AlertingConfig {
  bool enabled = true;
  std::string state_dir;  // empty: nothing persisted
  bool default_rules = true;
  std::string external_url = "http://127.0.0.1:9901";
  uint32_t resend_interval_s = 60;        // 1..3600
  uint32_t resolved_retention_s = 900;    // 0..86400
  uint32_t restore_grace_s = 30;          // 0..3600
  uint32_t history_max_entries = 10'000;  // 100..1'000'000
  bool fsync = true;
  std::vector<NotifierConfig> notifiers;
  std::vector<std::shared_ptr<const Rule>> rules;  // source kConfig
};

// Parses the config's "alerting" object. Every problem goes to `errors` with a path starting
// "alerting." ("alerting.notifiers[1].url", "alerting.rules[3].condition.op"); unknown keys are
// errors. Reads the secret files a webhook names (bearer_token_file, hmac_secret_file), so it
// runs on the main thread at load time. nullopt when anything was wrong.
std::optional<AlertingConfig> parseAlertingConfig(const nlohmann::json& section,
                                                  std::vector<FieldError>& errors);

}  // namespace meshlb::alerting
