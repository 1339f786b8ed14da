#include "analytics/detect/hit_history.h"

namespace meshlb::analytics {

void HitHistory::record(const PointVerdict& verdict) {
  points_[next_] = verdict;
  next_ = (next_ + 1) % kSpan;
  if (count_ < kSpan) {
    ++count_;
  }
}

bool HitHistory::confirmed(Direction direction) const {
  const int d = static_cast<int>(direction);
  int hits = 0;
  for (int i = 0; i < count_; ++i) {
    hits += at(i).hits[d] != 0 ? 1 : 0;
  }
  if (hits >= kNeeded) {
    return true;
  }
  return count_ >= 2 && at(count_ - 1).strong[d] && at(count_ - 2).strong[d];
}

}  // namespace meshlb::analytics
