#pragma once

#include <cstdint>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "common/latency_histogram.h"

namespace meshlb::admin::metrics {

// How the exporter carries the merged block values (running totals that never go backwards)
// into prometheus-cpp series, which only take increments: each series remembers the value it
// has applied so far and is advanced by the difference. A new series starts from 0, so a host
// that leaves the config and comes back continues from its block's total. A value below the
// applied one cannot happen with the blocks of StatsStore; it is treated as a reset and only
// re-bases (the exported counter stays monotonic, and nothing is logged). Main thread only.

inline void advanceCounter(prometheus::Counter& counter, uint64_t& applied, uint64_t value) {
  if (value > applied) {
    counter.Increment(static_cast<double>(value - applied));
  }
  applied = value;
}

// A level (active connections, requests in flight) summed over workers as unsigned cells. Each
// worker's cell is consistent on its own, but a read racing with the workers could in principle
// sum to a small negative number, which would read as ~1.8e19; such a value is shown as 0.
inline double levelValue(uint64_t cell) {
  const auto level = static_cast<int64_t>(cell);
  return level > 0 ? static_cast<double>(level) : 0.0;
}

// The latency bucket bounds of stats::kLatencyBoundsUs, in seconds (Prometheus's base unit).
const prometheus::Histogram::BucketBoundaries& latencyBoundsSeconds();

// Advances `histogram` from `applied` to `value` with one ObserveMultiple() (bucket increments
// and the sum in seconds); `increments` is scratch space kept by the caller so that an update
// allocates nothing. Does nothing when no bucket moved.
void advanceHistogram(prometheus::Histogram& histogram, stats::LatencyHistogramValues& applied,
                      const stats::LatencyHistogramValues& value, std::vector<double>& increments);

}  // namespace meshlb::admin::metrics
