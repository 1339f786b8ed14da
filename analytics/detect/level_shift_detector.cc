#include "analytics/detect/level_shift_detector.h"

#include <algorithm>
#include <limits>

namespace meshlb::analytics {

LevelShiftDetector::LevelShiftDetector() : minutes_(kReferenceMinutes) {}

double LevelShiftDetector::reference() const {
  return ready() ? minutes_.median() : std::numeric_limits<double>::quiet_NaN();
}

void LevelShiftDetector::advance(Side& side, double increment, int64_t tick) {
  if (side.sum == 0) {
    side.start = tick;
    side.length = 0;
  }
  side.sum = std::max(0.0, side.sum + increment);
  ++side.length;
  if (side.sum == 0) {
    side = Side{};
  }
}

void LevelShiftDetector::accumulate(int64_t tick, double x, double scale) {
  const double deviation = x - minutes_.median();
  deviations_[accumulated_ % kShiftWindow] = deviation;
  ticks_[accumulated_ % kShiftWindow] = tick;
  ++accumulated_;
  const double z = std::clamp(deviation / scale, -kClipZ, kClipZ);
  advance(up_, z - kSlack, tick);
  advance(down_, -z - kSlack, tick);
}

size_t LevelShiftDetector::recentInExcursion(Direction direction) const {
  return std::min<uint64_t>({side(direction).length, accumulated_, kShiftWindow});
}

int64_t LevelShiftDetector::firstBeyond(Direction direction, double width) const {
  const double sign = direction == Direction::kUp ? 1 : -1;
  int64_t first = -1;
  int inside = 0;  // consecutive points, walking back, that are not beyond
  for (size_t i = 0, n = recentInExcursion(direction); i < n && inside < 2; ++i) {
    const size_t slot = (accumulated_ - 1 - i) % kShiftWindow;
    if (sign * deviations_[slot] >= width) {
      first = ticks_[slot];
      inside = 0;
    } else {
      ++inside;
    }
  }
  return first;
}

double LevelShiftDetector::shiftEstimate(Direction direction, size_t points) const {
  const size_t n = std::min(recentInExcursion(direction), points);
  if (n == 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::array<double, kShiftWindow> recent;
  for (size_t i = 0; i < n; ++i) {
    recent[i] = deviations_[(accumulated_ - 1 - i) % kShiftWindow];
  }
  const auto begin = recent.begin();
  std::nth_element(begin, begin + n / 2, begin + n);
  const double upper = recent[n / 2];
  if (n % 2 == 1) {
    return upper;
  }
  return (*std::max_element(begin, begin + n / 2) + upper) / 2;
}

void LevelShiftDetector::resetStatistics() {
  up_ = Side{};
  down_ = Side{};
}

void LevelShiftDetector::learn(double x) {
  minute_sum_ += x;
  if (++minute_count_ < kMinuteTicks) {
    return;
  }
  minutes_.push(minute_sum_ / minute_count_);
  minute_sum_ = 0;
  minute_count_ = 0;
}

void LevelShiftDetector::clear() {
  minutes_.clear();
  minute_sum_ = 0;
  minute_count_ = 0;
  resetStatistics();
  accumulated_ = 0;
}

}  // namespace meshlb::analytics
