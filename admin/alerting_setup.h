#pragma once

#include <memory>
#include <optional>
#include <string>

#include "alerting/alerting_config.h"
#include "alerting/alerting_service.h"
#include "proxy/config/config.h"

namespace meshlb::admin {

// Registers the config's "alerting" section with the config loader: its errors come with the
// rest of the config's, and a config rule may not take the name of a rule created through the
// admin API (`service`, once it runs). Main thread, before the first load.
void registerAlertingConfigSection(const std::unique_ptr<alerting::AlertingService>& service);

// The alerting settings of a loaded (valid) config; the defaults when it has no section.
alerting::AlertingConfig alertingConfigOf(const config::Config& config);

}  // namespace meshlb::admin
