#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "analytics/store/bf16.h"
#include "analytics/store/time_index.h"

namespace meshlb::analytics {

// One closed minute of one series, as stored in the coarse ring. All NaN when the minute had
// no valid value.
struct CoarseCell {
  Bf16 min;
  Bf16 max;
  Bf16 avg;
  Bf16 last;
};

// The minute in progress, in full precision until it closes. NaN values are not added.
struct MinuteAccumulator {
  double sum;
  float min;
  float max;
  float last;
  uint32_t n;  // 32 bits: irregular ticks could exceed 65,535 in a minute; the padding is free

  void reset();
  void add(float value);
  CoarseCell close() const;
};

// One series' fixed block: the fine ring (one bf16 per tick for the last 3,600 ticks), the
// coarse ring (min/max/avg/last per minute for the last 1,440 minutes) and the minute
// accumulator. Slots are shared with TimeIndex: tick t is fine_[t % 3600].
//
// The fine ring is written lazily. `last_tick_` is the newest tick whose slot is valid; a
// record() after skipped ticks first writes NaN into the skipped slots, and a reader treats
// every tick after `last_tick_` as NaN. So a tick costs nothing for a series it does not
// record, yet every held tick reads as either its value or NaN. The coarse ring is written
// eagerly, once a minute for every live series (closeMinute()).
//
// The type has no constructor so that a pool can allocate blocks without touching them;
// clear() makes a block valid. Owned by SeriesStore (written by the analytics thread, read
// under the store's mutex).
class SeriesRing {
 public:
  static constexpr size_t kFineSlots = TimeIndex::kFineSlots;
  static constexpr size_t kCoarseSlots = TimeIndex::kCoarseSlots;

  // All slots NaN and an empty accumulator. `first_tick` is the first tick the series may
  // record (the store's current tick when the block is handed out); earlier ticks count as
  // written, with NaN.
  void clear(int64_t first_tick);

  // The value of tick `tick`, the store's current tick. NaN means no data. At most once per
  // tick; a second call in the same tick is ignored, so the minute never counts a value twice.
  void record(int64_t tick, double value);

  // The value of a tick in the store's held range [oldestTick(), currentTick()].
  float fineAt(int64_t tick) const;
  int64_t lastTick() const { return last_tick_; }

  // Stores the accumulator as minute `minute` and starts an empty one.
  void closeMinute(int64_t minute);
  // A minute in the held range [oldestMinute(), minutes() - 1].
  const CoarseCell& coarseAt(int64_t minute) const {
    return coarse_[TimeIndex::coarseSlot(minute)];
  }

 private:
  std::array<Bf16, kFineSlots> fine_;
  std::array<CoarseCell, kCoarseSlots> coarse_;
  MinuteAccumulator minute_;
  int64_t last_tick_;
};

// 7,200 B fine + 11,520 B coarse + 24 B accumulator + 8 B header. DESIGN.md §4 counted a
// 24 B header with the series key; keys live in the caller's map here, so the block is 16 B
// smaller. At 17,000 series (1,000 hosts x 17 metrics) that is 319 MB.
inline constexpr size_t kSeriesBlockBytes = 18'752;
static_assert(sizeof(SeriesRing) == kSeriesBlockBytes, "a series block has a fixed layout");
static_assert(sizeof(MinuteAccumulator) == 24);

}  // namespace meshlb::analytics
