#include "analytics/store/series_ring.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshlb::analytics {

void MinuteAccumulator::reset() {
  sum = 0;
  min = std::numeric_limits<float>::infinity();
  max = -std::numeric_limits<float>::infinity();
  last = std::numeric_limits<float>::quiet_NaN();
  n = 0;
}

void MinuteAccumulator::add(float value) {
  if (std::isnan(value)) {
    return;
  }
  sum += value;
  min = std::min(min, value);
  max = std::max(max, value);
  last = value;
  ++n;
}

CoarseCell MinuteAccumulator::close() const {
  if (n == 0) {
    return CoarseCell{kBf16NaN, kBf16NaN, kBf16NaN, kBf16NaN};
  }
  return CoarseCell{toBf16(min), toBf16(max), toBf16(sum / n), toBf16(last)};
}

void SeriesRing::clear(int64_t first_tick) {
  fine_.fill(kBf16NaN);
  coarse_.fill(CoarseCell{kBf16NaN, kBf16NaN, kBf16NaN, kBf16NaN});
  minute_.reset();
  last_tick_ = first_tick - 1;
}

void SeriesRing::record(int64_t tick, double value) {
  if (tick <= last_tick_) {
    return;
  }
  // Ticks this series skipped read as NaN; only the last kFineSlots of them are still held.
  const int64_t first_skipped =
      std::max({last_tick_ + 1, tick - static_cast<int64_t>(kFineSlots) + 1, int64_t{0}});
  for (int64_t skipped = first_skipped; skipped < tick; ++skipped) {
    fine_[TimeIndex::fineSlot(skipped)] = kBf16NaN;
  }
  const float narrowed = toFloat(value);
  fine_[TimeIndex::fineSlot(tick)] = toBf16(narrowed);
  minute_.add(narrowed);
  last_tick_ = tick;
}

float SeriesRing::fineAt(int64_t tick) const {
  if (tick > last_tick_) {
    return std::numeric_limits<float>::quiet_NaN();
  }
  return fromBf16(fine_[TimeIndex::fineSlot(tick)]);
}

void SeriesRing::closeMinute(int64_t minute) {
  coarse_[TimeIndex::coarseSlot(minute)] = minute_.close();
  minute_.reset();
}

}  // namespace meshlb::analytics
