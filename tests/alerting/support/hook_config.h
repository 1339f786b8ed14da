#pragma once

#include <string>

#include "alerting/notify/notifier_config.h"

namespace meshlb::alerting::testing {

// A webhook notifier named "hook" posting to `url`, with short retries for tests.
inline NotifierConfig hookConfig(const std::string& url) {
  NotifierConfig config;
  config.name = "hook";
  config.type = NotifierConfig::Type::kWebhook;
  config.urls = {url};
  config.timeout_ms = 5'000;
  config.retry_initial_ms = 20;
  config.retry_max_ms = 100;
  config.queue_capacity = 100;
  return config;
}

}  // namespace meshlb::alerting::testing
