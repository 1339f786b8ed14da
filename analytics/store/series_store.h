#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "analytics/store/range_query.h"
#include "analytics/store/series_ring.h"
#include "analytics/store/time_index.h"

namespace meshlb::analytics {

// The history of every analysed series: a pool of equal SeriesRing blocks (one per series)
// and the TimeIndex they share. Series are numbered by their block; mapping keys to numbers is
// the caller's business.
//
// Threads: written by the analytics thread only (acquire, release, the tick calls,
// fineMedian, fineLast). query(), liveSeries(), memoryBytes() and oldestFineMs() may be called
// from any thread (the admin's main thread) and take `mutex_`. The writer holds `mutex_` from
// beginTick() to endTick() and briefly inside acquire()/release() outside a tick; it reads
// without the lock, since no other thread writes. The "any thread" calls made by the writer
// itself within a tick (diagnosis reading a series) skip the lock it already holds instead of
// deadlocking.
//
// Memory: at most max_series blocks of bytesPerSeries() (18,752 B), allocated lazily in
// chunks of kBlocksPerChunk (1.2 MB) as the high-water mark of acquired series grows, and
// never returned before destruction: released blocks go to a free list and are reused. The
// bookkeeping (free list, live flags, chunk table) is reserved at construction, about 5 B a
// series. 17,000 series (1,000 hosts x 17 metrics) take 319 MB; the default cap of 20,000
// takes 375 MB. The TimeIndex adds 40 KB once.
class SeriesStore {
 public:
  static constexpr size_t kFineSlots = TimeIndex::kFineSlots;
  static constexpr size_t kCoarseSlots = TimeIndex::kCoarseSlots;
  static constexpr size_t kBlocksPerChunk = 64;
  static constexpr int kFineResolutionS = 1;
  static constexpr int kCoarseResolutionS = 60;

  explicit SeriesStore(size_t max_series);
  SeriesStore(const SeriesStore&) = delete;
  SeriesStore& operator=(const SeriesStore&) = delete;

  // --- Writer (analytics thread) ---

  // A cleared block (every slot NaN) whose first tick is the current one if a tick is open,
  // else the next. nullopt when max_series blocks are live (or memory for a chunk ran out).
  std::optional<uint32_t> acquire();
  // Returns a live block to the pool; queries of it then return no data. Unknown or already
  // released numbers are ignored.
  void release(uint32_t series);

  // Opens the next tick (one fine slot) at `unix_ms` and takes the mutex. When the tick is in
  // a later wall-clock minute, first closes the previous minute for every live series.
  void beginTick(int64_t unix_ms);
  // This tick's value of a live series (NaN = none). Series not recorded in a tick read NaN
  // there. Ignored outside a tick, for a series that is not live, or the second time in a tick.
  void record(uint32_t series, double value);
  // Closes the tick and releases the mutex.
  void endTick();

  // Median of the series' fine values with time in [from_ms, to_ms], NaN skipped, and how many
  // values it used ({NaN, 0} when none). Reads bf16 values (0.39 % error), which is enough for
  // evidence. Writer thread only: it takes no lock.
  std::pair<double, size_t> fineMedian(uint32_t series, int64_t from_ms, int64_t to_ms) const;
  // The series' value at the newest tick (NaN when not recorded or not live). Writer thread.
  double fineLast(uint32_t series) const;

  // What the fine ring holds for one series over [from_ms, to_ms]: enough for last, avg, min,
  // max and a rate (the alert rules' windows). bf16 values, like fineMedian.
  struct FineWindow {
    size_t count = 0;  // ticks with a value
    double sum = 0;
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double first = std::numeric_limits<double>::quiet_NaN();  // the oldest value in range
    double last = std::numeric_limits<double>::quiet_NaN();   // the newest value in range
    int64_t first_tick = 0;  // tick numbers of `first` and `last` (ticks are about 1 s apart)
    int64_t last_tick = 0;
    int64_t first_ms = 0;  // their unix ms, for a rate per second
    int64_t last_ms = 0;
    size_t ticks = 0;  // ticks held in range, with or without a value
  };
  // Over the ticks with time in [from_ms, to_ms]; NaN values are skipped but counted in
  // `ticks`. An empty window (count 0) for a series that is not live. Writer thread only, no
  // lock, no allocation.
  FineWindow fineWindow(uint32_t series, int64_t from_ms, int64_t to_ms) const;

  // --- Any thread ---

  // Points of one series (see range_query.h). Resolution is 1 s when the fine ring still holds
  // from_ms, else 60 s. No points when from > to, when pointCount() exceeds kMaxQueryPoints
  // (the caller checks first), or when the series is not live. The mutex is held only while
  // the slots are copied; aggregation runs after.
  SeriesQueryResult query(uint32_t series, const SeriesQuery& q) const;
  // The resolution query() would use for `from_ms`, and its point count, so that the caller
  // can reject a query before running it.
  int resolutionFor(int64_t from_ms) const;
  size_t pointCount(const SeriesQuery& q) const;

  size_t liveSeries() const;
  size_t maxSeries() const { return max_series_; }
  // Bytes held: allocated blocks, the time index and the bookkeeping.
  size_t memoryBytes() const;
  static constexpr size_t bytesPerSeries() { return sizeof(SeriesRing); }
  // Unix ms of the oldest fine slot held once the fine ring has wrapped. INT64_MIN before
  // that (and before the first tick): nothing has been dropped, so every time is served at 1 s.
  int64_t oldestFineMs() const;

 private:
  SeriesRing& block(uint32_t series);
  const SeriesRing& block(uint32_t series) const;
  bool isLive(uint32_t series) const { return series < live_.size() && live_[series] != 0; }
  bool inTick() const { return tick_lock_.owns_lock(); }
  // The lock for an "any thread" call: taken, unless the caller is the writer within a tick.
  std::unique_lock<std::mutex> readLock() const;
  bool growTo(size_t blocks);  // allocates chunks until `blocks` blocks exist
  void closeMinute(int64_t minute);
  int resolutionLocked(int64_t from_ms) const;
  int64_t oldestFineMsLocked() const;
  void copySlots(const SeriesRing& ring, int resolution_s, const BucketRange& buckets,
                 std::vector<SlotValue>& out) const;

  const size_t max_series_;
  mutable std::mutex mutex_;                 // guards everything below against query()
  std::unique_lock<std::mutex> tick_lock_;   // held by the writer within a tick
  std::atomic<std::thread::id> tick_owner_;  // the writer within a tick, else no thread
  TimeIndex time_;
  std::vector<std::unique_ptr<SeriesRing[]>> chunks_;
  size_t allocated_blocks_ = 0;  // blocks in chunks_
  uint32_t high_water_ = 0;      // blocks ever handed out: [0, high_water_)
  std::vector<uint32_t> free_;   // released blocks, reused last-in first-out
  std::vector<uint8_t> live_;    // one flag per possible block (max_series bytes)
  size_t live_count_ = 0;
};

}  // namespace meshlb::analytics
