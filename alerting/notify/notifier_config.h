#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alerting/model/matcher.h"

namespace meshlb::alerting {

// One notifier as the config describes it ("alerting.notifiers[i]"). Parsed and validated by
// alerting/alerting_config.cc; read by the notifier it configures. Immutable after loading.
struct NotifierConfig {
  enum class Type : uint8_t { kAlertmanager, kWebhook };
  std::string name;  // [a-z0-9_-]{1,32}, unique: a metric label
  Type type = Type::kAlertmanager;
  std::vector<std::string> urls;    // alertmanager: 1..8 base URLs; webhook: exactly one full URL
  uint32_t timeout_ms = 5'000;      // connect + request + response, per attempt
  uint32_t queue_capacity = 1'000;  // alertmanager: alerts waiting; webhook: bodies waiting
  uint32_t retry_initial_ms = 1'000;
  uint32_t retry_max_ms = 30'000;
  // Routing: every matcher must hold on an alert's labels (empty = every alert).
  std::vector<Matcher> match;
  // webhook only
  std::string bearer_token;  // read from bearer_token or bearer_token_file; never logged
  std::string hmac_secret;   // read from hmac_secret or hmac_secret_file; never logged
  std::string hmac_header = "X-Meshlb-Signature";
  std::vector<std::string> group_by = {"alertname", "cluster"};
  bool send_resolved = true;
  uint32_t repeat_interval_s = 14'400;  // re-send a firing, unacknowledged alert this often
};

}  // namespace meshlb::alerting
