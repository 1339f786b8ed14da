#pragma once

#include <nlohmann/json.hpp>

#include "analytics/analytics_view.h"

namespace meshlb::analytics {

// The JSON shapes of the admin API's /analytics endpoints (see the README). Pure functions of a
// published view; any thread.
nlohmann::json anomalyJson(const Anomaly& anomaly);
nlohmann::json summaryJson(const AnalyticsView& view);
nlohmann::json statusJson(const AnalyticsView& view);
nlohmann::json correlationJson(const Correlation& correlation);

// A double, or null when it is NaN or infinite (JSON has neither).
nlohmann::json jsonNumber(double value);

}  // namespace meshlb::analytics
