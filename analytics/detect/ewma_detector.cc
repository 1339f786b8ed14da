#include "analytics/detect/ewma_detector.h"

#include <algorithm>
#include <limits>

namespace meshlb::analytics {

EwmaDetector::EwmaDetector(double scale_floor) : scale_floor_(scale_floor) {}

double EwmaDetector::mean() const {
  return ready() ? mean_ : std::numeric_limits<double>::quiet_NaN();
}

double EwmaDetector::sd() const {
  return ready() ? std::max(std::sqrt(variance_), scale_floor_)
                 : std::numeric_limits<double>::quiet_NaN();
}

void EwmaDetector::learn(double x) {
  if (ready()) {
    const double limit = kClipSd * sd();
    x = std::clamp(x, mean_ - limit, mean_ + limit);
  }
  // The count only matters while 1/n > alpha and for ready(); stop it before it could wrap.
  if (count_ < UINT32_MAX) {
    ++count_;
  }
  const double alpha = std::max(kAlpha, 1.0 / count_);
  const double d = x - mean_;
  mean_ += alpha * d;
  variance_ = (1 - alpha) * (variance_ + alpha * d * d);
}

void EwmaDetector::clear() {
  mean_ = 0;
  variance_ = 0;
  count_ = 0;
}

}  // namespace meshlb::analytics
