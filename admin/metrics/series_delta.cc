#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

const prometheus::Histogram::BucketBoundaries& latencyBoundsSeconds() {
  static const prometheus::Histogram::BucketBoundaries bounds = [] {
    prometheus::Histogram::BucketBoundaries seconds;
    for (uint64_t micros : stats::kLatencyBoundsUs) {
      seconds.push_back(static_cast<double>(micros) / 1e6);
    }
    return seconds;
  }();
  return bounds;
}

void advanceHistogram(prometheus::Histogram& histogram, stats::LatencyHistogramValues& applied,
                      const stats::LatencyHistogramValues& value, std::vector<double>& increments) {
  bool moved = false;
  for (size_t i = 0; i < stats::kLatencyBuckets; ++i) {
    if (value.buckets[i] < applied.buckets[i]) {
      applied = value;  // a reset: re-base
      return;
    }
    moved = moved || value.buckets[i] != applied.buckets[i];
  }
  if (value.sum_us < applied.sum_us) {
    applied = value;
    return;
  }
  if (!moved) {
    return;
  }
  increments.resize(stats::kLatencyBuckets);
  for (size_t i = 0; i < stats::kLatencyBuckets; ++i) {
    increments[i] = static_cast<double>(value.buckets[i] - applied.buckets[i]);
  }
  histogram.ObserveMultiple(increments, static_cast<double>(value.sum_us - applied.sum_us) / 1e6);
  applied = value;
}

}  // namespace meshlb::admin::metrics
