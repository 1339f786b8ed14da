#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace meshlb::analytics {

// The wall-clock time of every slot, held once for all series: the fine ring (one slot per
// tick, the last kFineSlots ticks) and the coarse ring (one slot per closed wall-clock minute,
// the last kCoarseSlots minutes). Ticks and minutes are numbered from 0 in arrival order; tick
// t lives in fine slot t % kFineSlots, minute m in coarse slot m % kCoarseSlots, in this index
// and in every SeriesRing alike.
//
// Times are kept non-decreasing (a tick stamped earlier than the one before gets the earlier
// tick's time), so both rings can be binary searched and a minute never reopens. Ticks need
// not be regular: each slot holds its tick's real time.
//
// Owned by SeriesStore: written by the analytics thread, read under the store's mutex.
class TimeIndex {
 public:
  static constexpr size_t kFineSlots = 3600;
  static constexpr size_t kCoarseSlots = 1440;
  static constexpr int64_t kMinuteMs = 60'000;

  TimeIndex();

  // Starts the next tick at `unix_ms`. When that tick is in a later wall-clock minute than the
  // previous one, the previous minute is closed first: it takes the next coarse slot, and its
  // minute number is returned so the caller flushes every series' accumulator into it.
  std::optional<int64_t> beginTick(int64_t unix_ms);

  int64_t ticks() const { return ticks_; }            // ticks begun so far
  int64_t currentTick() const { return ticks_ - 1; }  // -1 before the first tick
  // The oldest tick still held: ticks before it have been overwritten.
  int64_t oldestTick() const;
  // Whether the fine ring has overwritten any tick yet (it holds everything until then).
  bool fineWrapped() const { return ticks_ > static_cast<int64_t>(kFineSlots); }
  // `tick` must be in [oldestTick(), currentTick()].
  int64_t tickMs(int64_t tick) const { return fine_ms_[fineSlot(tick)]; }
  // The first held tick at or after `unix_ms` (ticks() when none) and the last held tick at
  // or before it (oldestTick() - 1 when none).
  int64_t firstTickAtOrAfter(int64_t unix_ms) const;
  int64_t lastTickAtOrBefore(int64_t unix_ms) const;

  int64_t minutes() const { return minutes_; }  // minutes closed so far
  int64_t oldestMinute() const;
  int64_t minuteMs(int64_t minute) const { return coarse_ms_[coarseSlot(minute)]; }
  int64_t firstMinuteAtOrAfter(int64_t unix_ms) const;

  static size_t fineSlot(int64_t tick) { return static_cast<size_t>(tick) % kFineSlots; }
  static size_t coarseSlot(int64_t minute) { return static_cast<size_t>(minute) % kCoarseSlots; }

 private:
  std::array<int64_t, kFineSlots> fine_ms_;      // tick -> its unix ms
  std::array<int64_t, kCoarseSlots> coarse_ms_;  // minute -> the unix ms its minute starts at
  int64_t ticks_ = 0;
  int64_t minutes_ = 0;
  int64_t open_minute_ = 0;  // unix_ms / kMinuteMs of the newest tick; valid once ticks_ > 0
};

}  // namespace meshlb::analytics
