#include "analytics/correlate/rolling_correlation.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "analytics/correlate/correlation_math.h"

namespace meshlb::analytics {

RollingCorrelation::RollingCorrelation(size_t window, size_t min_points)
    : min_points_(min_points),
      xs_(std::max<size_t>(window, 1)),
      ys_(xs_.size()),
      complete_x_(xs_.size()),
      complete_y_(xs_.size()),
      ranks_x_(xs_.size()),
      ranks_y_(xs_.size()),
      order_(xs_.size()) {}

void RollingCorrelation::push(double x, double y) {
  xs_[next_] = x;
  ys_[next_] = y;
  next_ = (next_ + 1) % xs_.size();
  size_ = std::min(size_ + 1, xs_.size());
}

void RollingCorrelation::clear() {
  next_ = 0;
  size_ = 0;
}

size_t RollingCorrelation::completePairs() const {
  // The order inside the window does not matter to either coefficient, so the ring is read
  // from slot 0 rather than from the oldest pair.
  size_t n = 0;
  for (size_t i = 0; i < size_; ++i) {
    if (std::isfinite(xs_[i]) && std::isfinite(ys_[i])) {
      complete_x_[n] = xs_[i];
      complete_y_[n] = ys_[i];
      ++n;
    }
  }
  return n;
}

Correlation RollingCorrelation::result() const {
  Correlation correlation;
  const size_t n = completePairs();
  correlation.n = n;
  if (n < min_points_ || n < 2) {
    correlation.reason = kInsufficientData;
    return correlation;
  }
  const std::span<const double> x(complete_x_.data(), n);
  const std::span<const double> y(complete_y_.data(), n);
  if (!hasSpread(x) || !hasSpread(y)) {
    correlation.reason = kConstant;
    return correlation;
  }
  correlation.pearson = pearson(x, y);
  averageRanks(x, std::span<double>(ranks_x_.data(), n), order_);
  averageRanks(y, std::span<double>(ranks_y_.data(), n), order_);
  correlation.spearman = pearson(std::span<const double>(ranks_x_.data(), n),
                                 std::span<const double>(ranks_y_.data(), n));
  return correlation;
}

}  // namespace meshlb::analytics
