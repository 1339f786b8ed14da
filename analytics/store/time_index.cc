#include "analytics/store/time_index.h"

#include <algorithm>

namespace meshlb::analytics {
namespace {

// Floor division, so that times before 1970 (tests, a broken clock) still fall into the
// minute that contains them.
int64_t floorDiv(int64_t value, int64_t divisor) {
  const int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

// The first index in [first, end) whose time is >= unix_ms, for a ring whose times are
// non-decreasing in index order.
template <typename TimeOf>
int64_t lowerBound(int64_t first, int64_t end, int64_t unix_ms, TimeOf time_of) {
  while (first < end) {
    const int64_t middle = first + (end - first) / 2;
    if (time_of(middle) < unix_ms) {
      first = middle + 1;
    } else {
      end = middle;
    }
  }
  return first;
}

}  // namespace

TimeIndex::TimeIndex() {
  fine_ms_.fill(0);
  coarse_ms_.fill(0);
}

std::optional<int64_t> TimeIndex::beginTick(int64_t unix_ms) {
  std::optional<int64_t> closed;
  if (ticks_ > 0) {
    unix_ms = std::max(unix_ms, tickMs(currentTick()));
    const int64_t minute = floorDiv(unix_ms, kMinuteMs);
    if (minute != open_minute_) {
      coarse_ms_[coarseSlot(minutes_)] = open_minute_ * kMinuteMs;
      closed = minutes_++;
    }
  }
  open_minute_ = floorDiv(unix_ms, kMinuteMs);
  fine_ms_[fineSlot(ticks_)] = unix_ms;
  ++ticks_;
  return closed;
}

int64_t TimeIndex::oldestTick() const {
  return std::max<int64_t>(0, ticks_ - static_cast<int64_t>(kFineSlots));
}

int64_t TimeIndex::oldestMinute() const {
  return std::max<int64_t>(0, minutes_ - static_cast<int64_t>(kCoarseSlots));
}

int64_t TimeIndex::firstTickAtOrAfter(int64_t unix_ms) const {
  return lowerBound(oldestTick(), ticks_, unix_ms, [this](int64_t tick) { return tickMs(tick); });
}

int64_t TimeIndex::lastTickAtOrBefore(int64_t unix_ms) const {
  if (unix_ms == INT64_MAX) {
    return currentTick();
  }
  return firstTickAtOrAfter(unix_ms + 1) - 1;
}

int64_t TimeIndex::firstMinuteAtOrAfter(int64_t unix_ms) const {
  return lowerBound(oldestMinute(), minutes_, unix_ms,
                    [this](int64_t minute) { return minuteMs(minute); });
}

}  // namespace meshlb::analytics
