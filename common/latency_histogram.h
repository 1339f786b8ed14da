#pragma once

#include <array>
#include <cstdint>

#include "common/counter.h"

namespace meshlb::stats {

// Upper bounds of the latency buckets, in microseconds: 10 us to 10 s, roughly 1-2.5-5 steps,
// fine at the low end because loopback and LAN round trips and backends answer in tens to
// hundreds of microseconds. The last bucket (+Inf) takes everything above.
inline constexpr std::array<uint64_t, 19> kLatencyBoundsUs = {
    10,    25,    50,     100,    250,    500,     1000,    2500,    5000,    10000,
    25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
inline constexpr size_t kLatencyBuckets = kLatencyBoundsUs.size() + 1;

// Index of the bucket a duration falls in (the first bound >= it).
inline size_t latencyBucket(uint64_t micros) {
  size_t index = 0;
  while (index < kLatencyBoundsUs.size() && micros > kLatencyBoundsUs[index]) {
    ++index;
  }
  return index;
}

// A fixed-bucket latency histogram. `Cell` is Counter for a worker's live block (written by that
// worker only, read by the main thread) and uint64_t for a merged value. Buckets are not
// cumulative here; the exporter accumulates them.
template <typename Cell>
struct LatencyHistogramT {
  std::array<Cell, kLatencyBuckets> buckets{};
  Cell sum_us{};

  void record(uint64_t micros) requires std::is_same_v<Cell, Counter> {
    buckets[latencyBucket(micros)].add();
    sum_us.add(micros);
  }

  uint64_t count() const requires std::is_same_v<Cell, uint64_t> {
    uint64_t total = 0;
    for (uint64_t bucket : buckets) {
      total += bucket;
    }
    return total;
  }

  // The value below which `quantile` (0..1) of the observations fall, in microseconds,
  // interpolated inside its bucket; 0 without observations. The +Inf bucket reports the last
  // finite bound.
  double quantileUs(double quantile) const requires std::is_same_v<Cell, uint64_t>;

  template <typename Other>
  void mergeFrom(const LatencyHistogramT<Other>& other) {
    for (size_t i = 0; i < kLatencyBuckets; ++i) {
      mergeCell(buckets[i], other.buckets[i]);
    }
    mergeCell(sum_us, other.sum_us);
  }
};

using LatencyHistogram = LatencyHistogramT<Counter>;
using LatencyHistogramValues = LatencyHistogramT<uint64_t>;

template <typename Cell>
double LatencyHistogramT<Cell>::quantileUs(
    double quantile) const requires std::is_same_v<Cell, uint64_t> {
  uint64_t total = count();
  if (total == 0) {
    return 0;
  }
  double rank = quantile * static_cast<double>(total);
  uint64_t below = 0;
  for (size_t i = 0; i < kLatencyBuckets; ++i) {
    if (static_cast<double>(below + buckets[i]) >= rank && buckets[i] > 0) {
      if (i == kLatencyBoundsUs.size()) {
        return static_cast<double>(kLatencyBoundsUs.back());
      }
      double lower = i == 0 ? 0.0 : static_cast<double>(kLatencyBoundsUs[i - 1]);
      double upper = static_cast<double>(kLatencyBoundsUs[i]);
      double fraction = (rank - static_cast<double>(below)) / static_cast<double>(buckets[i]);
      return lower + (upper - lower) * fraction;
    }
    below += buckets[i];
  }
  return static_cast<double>(kLatencyBoundsUs.back());
}

}  // namespace meshlb::stats
