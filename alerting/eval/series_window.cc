#include "alerting/eval/series_window.h"

#include <limits>

namespace meshlb::alerting {

double windowValue(const FineWindow& window, Aggregation agg) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (window.count == 0 || window.count * 2 < window.ticks) {
    return kNaN;
  }
  switch (agg) {
    case Aggregation::kLast:
      return window.last;
    case Aggregation::kAvg:
      return window.sum / static_cast<double>(window.count);
    case Aggregation::kMin:
      return window.min;
    case Aggregation::kMax:
      return window.max;
    case Aggregation::kRate:
      if (window.count < 2 || window.last_ms <= window.first_ms) {
        return kNaN;
      }
      return (window.last - window.first) /
             (static_cast<double>(window.last_ms - window.first_ms) / 1000.0);
  }
  return kNaN;
}

}  // namespace meshlb::alerting
