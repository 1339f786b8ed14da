#pragma once

#include "analytics/analytics_engine.h"
#include "proxy/config/config.h"

namespace meshlb::admin {

// The analytics engine's parameters from the config's `analytics` section. Pure.
analytics::EngineParams analyticsParamsOf(const config::AnalyticsConfig& config);

}  // namespace meshlb::admin
