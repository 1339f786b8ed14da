#include "admin/analytics_setup.h"

namespace meshlb::admin {

analytics::EngineParams analyticsParamsOf(const config::AnalyticsConfig& config) {
  analytics::EngineParams params;
  switch (config.sensitivity) {
    case config::AnalyticsConfig::Sensitivity::kLow:
      params.sensitivity = analytics::Sensitivity::kLow;
      break;
    case config::AnalyticsConfig::Sensitivity::kMedium:
      params.sensitivity = analytics::Sensitivity::kMedium;
      break;
    case config::AnalyticsConfig::Sensitivity::kHigh:
      params.sensitivity = analytics::Sensitivity::kHigh;
      break;
  }
  // One tick per second: seconds and ticks are the same count.
  params.warmup_ticks = config.warmup_s;
  params.max_series = config.max_series;
  params.retention_after_removal_ms = int64_t{config.retention_after_removal_s} * 1000;
  params.correlation_window = config.correlation_window_s;
  params.recent_anomalies = config.recent_anomalies;
  return params;
}

}  // namespace meshlb::admin
