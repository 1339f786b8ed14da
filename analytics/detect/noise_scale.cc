#include "analytics/detect/noise_scale.h"

#include <algorithm>
#include <cmath>

namespace meshlb::analytics {

void NoiseScale::learn(int64_t tick, double x, double center, double scale) {
  const double d = std::clamp(x - center, -kClipScales * scale, kClipScales * scale);
  ++count_;
  square_ += std::max(kMinWeight, 1.0 / static_cast<double>(count_)) * (d * d - square_);
  if (tick == previous_tick_ + 1) {
    ++pairs_;
    lag_product_ +=
        std::max(kMinWeight, 1.0 / static_cast<double>(pairs_)) * (d * previous_ - lag_product_);
  }
  previous_ = d;
  previous_tick_ = tick;
}

void NoiseScale::clear() {
  *this = NoiseScale{};
}

double NoiseScale::marginal() const {
  return count_ >= kMinPoints ? std::sqrt(square_) : 0;
}

double NoiseScale::longRun() const {
  if (count_ < kMinPoints || square_ <= 0) {
    return 0;
  }
  const double rho = std::clamp(lag_product_ / square_, 0.0, kMaxRho);
  return std::sqrt(square_ * (1 + rho) / (1 - rho));
}

}  // namespace meshlb::analytics
