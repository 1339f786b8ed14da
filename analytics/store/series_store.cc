#include "analytics/store/series_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>

namespace meshlb::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

size_t clampMaxSeries(size_t max_series) {
  return std::min<size_t>(max_series, std::numeric_limits<uint32_t>::max());
}

}  // namespace

SeriesStore::SeriesStore(size_t max_series)
    : max_series_(clampMaxSeries(max_series)), tick_lock_(mutex_, std::defer_lock) {
  chunks_.reserve((max_series_ + kBlocksPerChunk - 1) / kBlocksPerChunk);
  free_.reserve(max_series_);
  live_.assign(max_series_, 0);
}

SeriesRing& SeriesStore::block(uint32_t series) {
  return chunks_[series / kBlocksPerChunk][series % kBlocksPerChunk];
}

const SeriesRing& SeriesStore::block(uint32_t series) const {
  return chunks_[series / kBlocksPerChunk][series % kBlocksPerChunk];
}

bool SeriesStore::growTo(size_t blocks) {
  while (allocated_blocks_ < blocks) {
    const size_t size = std::min(kBlocksPerChunk, max_series_ - allocated_blocks_);
    // nothrow: running out of memory refuses the series (the caller counts it as rejected)
    // instead of throwing on the analytics thread.
    std::unique_ptr<SeriesRing[]> chunk(new (std::nothrow) SeriesRing[size]);
    if (chunk == nullptr) {
      return false;
    }
    chunks_.push_back(std::move(chunk));
    allocated_blocks_ += size;
  }
  return true;
}

std::optional<uint32_t> SeriesStore::acquire() {
  std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
  if (!inTick()) {
    lock.lock();
  }
  uint32_t series;
  if (!free_.empty()) {
    series = free_.back();
    free_.pop_back();
  } else if (high_water_ < max_series_ && growTo(size_t{high_water_} + 1)) {
    series = high_water_++;
  } else {
    return std::nullopt;
  }
  // Within a tick the series may still record that tick; between ticks it starts at the next.
  block(series).clear(inTick() ? time_.currentTick() : time_.ticks());
  live_[series] = 1;
  ++live_count_;
  return series;
}

void SeriesStore::release(uint32_t series) {
  std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
  if (!inTick()) {
    lock.lock();
  }
  if (!isLive(series)) {
    return;
  }
  live_[series] = 0;
  --live_count_;
  free_.push_back(series);
}

void SeriesStore::beginTick(int64_t unix_ms) {
  if (inTick()) {
    endTick();  // a missing endTick() must not deadlock the writer
  }
  tick_lock_.lock();
  tick_owner_.store(std::this_thread::get_id());
  if (const std::optional<int64_t> closed = time_.beginTick(unix_ms)) {
    closeMinute(*closed);
  }
}

void SeriesStore::closeMinute(int64_t minute) {
  for (uint32_t series = 0; series < high_water_; ++series) {
    if (live_[series] != 0) {
      block(series).closeMinute(minute);
    }
  }
}

void SeriesStore::record(uint32_t series, double value) {
  if (!inTick() || !isLive(series)) {
    return;
  }
  block(series).record(time_.currentTick(), value);
}

void SeriesStore::endTick() {
  if (inTick()) {
    tick_owner_.store(std::thread::id());
    tick_lock_.unlock();
  }
}

std::unique_lock<std::mutex> SeriesStore::readLock() const {
  if (tick_owner_.load() == std::this_thread::get_id()) {
    return std::unique_lock<std::mutex>(mutex_, std::defer_lock);
  }
  return std::unique_lock<std::mutex>(mutex_);
}

std::pair<double, size_t> SeriesStore::fineMedian(uint32_t series, int64_t from_ms,
                                                  int64_t to_ms) const {
  if (!isLive(series)) {
    return {kNaN, 0};
  }
  const SeriesRing& ring = block(series);
  const int64_t first = time_.firstTickAtOrAfter(from_ms);
  const int64_t last = std::min(time_.lastTickAtOrBefore(to_ms), ring.lastTick());
  std::vector<float> values;
  values.reserve(static_cast<size_t>(std::max<int64_t>(0, last - first + 1)));
  for (int64_t tick = first; tick <= last; ++tick) {
    const float value = ring.fineAt(tick);
    if (!std::isnan(value)) {
      values.push_back(value);
    }
  }
  if (values.empty()) {
    return {kNaN, 0};
  }
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(middle), values.end());
  double median = values[middle];
  if (values.size() % 2 == 0) {
    // The lower middle is the largest value of the lower half.
    const float lower =
        *std::max_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(middle));
    median = (median + lower) / 2;
  }
  return {median, values.size()};
}

double SeriesStore::fineLast(uint32_t series) const {
  if (!isLive(series) || time_.ticks() == 0) {
    return kNaN;
  }
  return block(series).fineAt(time_.currentTick());
}

SeriesStore::FineWindow SeriesStore::fineWindow(uint32_t series, int64_t from_ms,
                                                int64_t to_ms) const {
  FineWindow window;
  const int64_t first = time_.firstTickAtOrAfter(from_ms);
  const int64_t last = time_.lastTickAtOrBefore(to_ms);
  if (last < first) {
    return window;
  }
  window.ticks = static_cast<size_t>(last - first + 1);
  if (!isLive(series)) {
    return window;
  }
  const SeriesRing& ring = block(series);
  // Ticks after the ring's last written one read as NaN without being looked at.
  const int64_t last_written = std::min(last, ring.lastTick());
  for (int64_t tick = first; tick <= last_written; ++tick) {
    const float stored = ring.fineAt(tick);
    if (std::isnan(stored)) {
      continue;
    }
    const double value = stored;
    if (window.count == 0) {
      window.first = value;
      window.first_tick = tick;
      window.first_ms = time_.tickMs(tick);
      window.min = value;
      window.max = value;
    }
    window.min = std::min(window.min, value);
    window.max = std::max(window.max, value);
    window.sum += value;
    window.last = value;
    window.last_tick = tick;
    ++window.count;
  }
  if (window.count > 0) {
    window.last_ms = time_.tickMs(window.last_tick);
  }
  return window;
}

int SeriesStore::resolutionLocked(int64_t from_ms) const {
  return from_ms >= oldestFineMsLocked() ? kFineResolutionS : kCoarseResolutionS;
}

int SeriesStore::resolutionFor(int64_t from_ms) const {
  const std::unique_lock<std::mutex> lock = readLock();
  return resolutionLocked(from_ms);
}

size_t SeriesStore::pointCount(const SeriesQuery& q) const {
  return analytics::pointCount(q, resolutionFor(q.from_ms));
}

void SeriesStore::copySlots(const SeriesRing& ring, int resolution_s, const BucketRange& buckets,
                            std::vector<SlotValue>& out) const {
  const int64_t end_ms = buckets.endMs();
  if (resolution_s == kFineResolutionS) {
    const int64_t first = time_.firstTickAtOrAfter(buckets.first_ms);
    const int64_t end = std::min(time_.firstTickAtOrAfter(end_ms), ring.lastTick() + 1);
    out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - first)));
    for (int64_t tick = first; tick < end; ++tick) {
      const float value = ring.fineAt(tick);
      out.push_back(SlotValue{time_.tickMs(tick), value, value, value, value});
    }
    return;
  }
  const int64_t first = time_.firstMinuteAtOrAfter(buckets.first_ms);
  const int64_t end = time_.firstMinuteAtOrAfter(end_ms);
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - first)));
  for (int64_t minute = first; minute < end; ++minute) {
    const CoarseCell& cell = ring.coarseAt(minute);
    out.push_back(SlotValue{time_.minuteMs(minute), fromBf16(cell.avg), fromBf16(cell.min),
                            fromBf16(cell.max), fromBf16(cell.last)});
  }
}

SeriesQueryResult SeriesStore::query(uint32_t series, const SeriesQuery& q) const {
  SeriesQueryResult result;
  result.from_ms = q.from_ms;
  result.to_ms = q.to_ms;
  std::vector<SlotValue> slots;
  BucketRange buckets;
  {
    const std::unique_lock<std::mutex> lock = readLock();
    result.resolution_s = resolutionLocked(q.from_ms);
    result.step_s = queryStepS(q, result.resolution_s);
    buckets = bucketRange(q, result.resolution_s);
    if (buckets.count > 0 && isLive(series)) {
      copySlots(block(series), result.resolution_s, buckets, slots);
    }
  }
  result.points = aggregateSlots(buckets, slots);
  return result;
}

size_t SeriesStore::liveSeries() const {
  const std::unique_lock<std::mutex> lock = readLock();
  return live_count_;
}

size_t SeriesStore::memoryBytes() const {
  const std::unique_lock<std::mutex> lock = readLock();
  return allocated_blocks_ * sizeof(SeriesRing) + sizeof(TimeIndex) +
         chunks_.capacity() * sizeof(chunks_[0]) + free_.capacity() * sizeof(uint32_t) +
         live_.capacity();
}

int64_t SeriesStore::oldestFineMsLocked() const {
  if (!time_.fineWrapped()) {
    return std::numeric_limits<int64_t>::min();
  }
  return time_.tickMs(time_.oldestTick());
}

int64_t SeriesStore::oldestFineMs() const {
  const std::unique_lock<std::mutex> lock = readLock();
  return oldestFineMsLocked();
}

}  // namespace meshlb::analytics
