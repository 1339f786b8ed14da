#pragma once

#include <limits>

#include "alerting/rules/rule.h"

namespace meshlb::alerting {

// One tick's process-wide values for global-scope rules (see CaptureDropTracker). NaN: no value
// this tick (capture off, first tick, counter reset). A plain value.
struct GlobalValues {
  double capture_drop_ratio = std::numeric_limits<double>::quiet_NaN();
  double capture_drops_per_s = std::numeric_limits<double>::quiet_NaN();

  double operator[](GlobalMetric metric) const {
    return metric == GlobalMetric::kCaptureDropRatio ? capture_drop_ratio : capture_drops_per_s;
  }
};

}  // namespace meshlb::alerting
