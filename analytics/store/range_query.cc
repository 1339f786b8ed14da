#include "analytics/store/range_query.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshlb::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool timesValid(const SeriesQuery& query) {
  return query.from_ms >= 0 && query.from_ms <= kMaxQueryMs && query.to_ms >= 0 &&
         query.to_ms <= kMaxQueryMs;
}

// Running aggregate of one bucket.
struct Bucket {
  double sum = 0;
  size_t n = 0;
  double min = kNaN;
  double max = kNaN;
  double last = kNaN;

  void add(const SlotValue& slot) {
    if (!std::isnan(slot.avg)) {
      sum += slot.avg;
      ++n;
    }
    // fmin/fmax return the other argument when one is NaN, which is the NaN skipping we want.
    min = std::fmin(min, slot.min);
    max = std::fmax(max, slot.max);
    if (!std::isnan(slot.last)) {
      last = slot.last;
    }
  }

  SeriesPoint point(int64_t t_ms) const {
    return SeriesPoint{t_ms, n == 0 ? kNaN : sum / static_cast<double>(n), min, max, last};
  }
};

}  // namespace

int64_t queryStepS(const SeriesQuery& query, int resolution_s) {
  const int64_t resolution = std::max(1, resolution_s);
  int64_t step = std::min(query.step_s, kMaxStepS);
  if (step <= 0) {
    // ceil(range_ms / 1,000,000) seconds gives at most about 1,000 buckets.
    const int64_t range_ms =
        timesValid(query) ? std::max<int64_t>(0, query.to_ms - query.from_ms) : 0;
    step = std::max(resolution, (range_ms + 999'999) / 1'000'000);
  }
  return (step + resolution - 1) / resolution * resolution;
}

size_t pointCount(const SeriesQuery& query, int resolution_s) {
  if (!timesValid(query)) {
    return std::numeric_limits<size_t>::max();
  }
  if (query.from_ms > query.to_ms) {
    return 0;
  }
  const int64_t step_ms = queryStepS(query, resolution_s) * 1000;
  return static_cast<size_t>(query.to_ms / step_ms - query.from_ms / step_ms + 1);
}

BucketRange bucketRange(const SeriesQuery& query, int resolution_s) {
  const int64_t step_ms = queryStepS(query, resolution_s) * 1000;
  const size_t count = pointCount(query, resolution_s);
  if (count > kMaxQueryPoints) {
    return BucketRange{0, step_ms, 0};
  }
  return BucketRange{query.from_ms / step_ms * step_ms, step_ms, count};
}

std::vector<SeriesPoint> aggregateSlots(const BucketRange& buckets,
                                        std::span<const SlotValue> slots) {
  std::vector<SeriesPoint> points;
  points.reserve(buckets.count);
  const int64_t end_ms = buckets.endMs();
  auto slot = std::find_if(slots.begin(), slots.end(),
                           [&](const SlotValue& s) { return s.t_ms >= buckets.first_ms; });
  for (size_t i = 0; i < buckets.count; ++i) {
    const int64_t t_ms = buckets.first_ms + static_cast<int64_t>(i) * buckets.step_ms;
    const int64_t bucket_end = std::min(t_ms + buckets.step_ms, end_ms);
    Bucket bucket;
    for (; slot != slots.end() && slot->t_ms < bucket_end; ++slot) {
      bucket.add(*slot);
    }
    points.push_back(bucket.point(t_ms));
  }
  return points;
}

}  // namespace meshlb::analytics
