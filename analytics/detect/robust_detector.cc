#include "analytics/detect/robust_detector.h"

#include <algorithm>
#include <limits>

namespace meshlb::analytics {

namespace {
constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
}  // namespace

RobustDetector::RobustDetector(double scale_floor)
    : window_(kWindow), scale_floor_(scale_floor), median_(kUnknown), scale_(kUnknown) {}

void RobustDetector::learn(double x) {
  window_.push(x);
  if (!ready()) {
    return;
  }
  median_ = window_.median();
  scale_ = std::max(kMadToSigma * window_.mad(), scale_floor_);
}

void RobustDetector::clear() {
  window_.clear();
  median_ = kUnknown;
  scale_ = kUnknown;
}

}  // namespace meshlb::analytics
