#include "alerting/eval/global_series.h"

#include <algorithm>
#include <cmath>

namespace meshlb::alerting {

void GlobalSeries::push(int64_t unix_ms, const GlobalValues& values) {
  if (size_ > 0) {
    unix_ms = std::max(unix_ms, slots_[(next_ + kSlots - 1) % kSlots].unix_ms);
  }
  slots_[next_] = Slot{unix_ms, values};
  next_ = (next_ + 1) % kSlots;
  size_ = std::min(size_ + 1, kSlots);
  ++pushed_;
}

FineWindow GlobalSeries::window(GlobalMetric metric, int64_t from_ms, int64_t to_ms) const {
  FineWindow window;
  // Newest to oldest, stopping at the first tick before the range, so only the window's ticks
  // are visited: the first value seen is `last`, and each older one becomes `first`.
  for (size_t age = 0; age < size_; ++age) {
    const size_t slot = (next_ + kSlots - 1 - age) % kSlots;
    const Slot& s = slots_[slot];
    if (s.unix_ms < from_ms) {
      break;
    }
    if (s.unix_ms > to_ms) {
      continue;
    }
    ++window.ticks;
    const double value = s.values[metric];
    if (std::isnan(value)) {
      continue;
    }
    const int64_t tick = pushed_ - 1 - static_cast<int64_t>(age);
    if (window.count == 0) {
      window.last = value;
      window.last_tick = tick;
      window.last_ms = s.unix_ms;
      window.min = value;
      window.max = value;
    }
    window.min = std::min(window.min, value);
    window.max = std::max(window.max, value);
    window.sum += value;
    window.first = value;
    window.first_tick = tick;
    window.first_ms = s.unix_ms;
    ++window.count;
  }
  return window;
}

}  // namespace meshlb::alerting
