#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace meshlb::analytics {

// One point of a range query. NaN where the bucket had no data (the admin prints null).
struct SeriesPoint {
  int64_t t_ms;  // the bucket's start, a multiple of the step
  double avg;    // mean of the slots' averages
  double min;
  double max;
  double last;  // the newest slot's value
};

struct SeriesQuery {
  int64_t from_ms;
  int64_t to_ms;
  int64_t step_s;  // 0 (or negative) = automatic
};

struct SeriesQueryResult {
  int resolution_s = 0;  // 1 (fine ring) or 60 (coarse ring)
  int64_t step_s = 0;    // the step used
  int64_t from_ms = 0;   // as asked
  int64_t to_ms = 0;
  std::vector<SeriesPoint> points;
};

// One stored slot as the aggregation sees it: a fine slot has avg = min = max = last.
struct SlotValue {
  int64_t t_ms;
  float avg;
  float min;
  float max;
  float last;
};

// The admin's limit; SeriesStore::query() also refuses more, so memory stays bounded even for
// a caller that forgot to check pointCount() first.
inline constexpr size_t kMaxQueryPoints = 10'000;
// Times a query may name: unix ms from 1970 to the end of year 9999. Outside them
// pointCount() says SIZE_MAX, so the caller's limit rejects the query and no arithmetic
// overflows.
inline constexpr int64_t kMaxQueryMs = 253'402'300'799'999;
// Longer steps are clamped to this (one point either way) to keep step * 1000 in range.
inline constexpr int64_t kMaxStepS = 1'000'000'000'000;

// The step a query uses: automatic (step_s <= 0) = max(resolution, ceil(range_s / 1000)), so
// at most about 1,000 points; any step is then rounded up to a multiple of the resolution.
int64_t queryStepS(const SeriesQuery& query, int resolution_s);

// How many points the query returns: buckets from floor(from/step) to floor(to/step). 0 when
// from > to; SIZE_MAX when a time is outside [0, kMaxQueryMs]. Lets the caller reject a query
// before running it.
size_t pointCount(const SeriesQuery& query, int resolution_s);

// The buckets of a query: `count` buckets of `step_ms` from `first_ms`. Built only for a query
// whose pointCount() is at most kMaxQueryPoints.
struct BucketRange {
  int64_t first_ms;
  int64_t step_ms;
  size_t count;

  int64_t endMs() const { return first_ms + static_cast<int64_t>(count) * step_ms; }
};
BucketRange bucketRange(const SeriesQuery& query, int resolution_s);

// Pure: aggregates `slots` (in time order) into the buckets. A bucket [t, t + step) holds
// every slot whose time is in it, including slots just outside [from, to] when from or to is
// not on a step boundary: buckets are whole so a point's value does not depend on where the
// window starts. avg = mean of the slots' avg, min = min of mins, max = max of maxes,
// last = the newest non-NaN last; NaN fields are skipped and a field with nothing left is NaN.
std::vector<SeriesPoint> aggregateSlots(const BucketRange& buckets,
                                        std::span<const SlotValue> slots);

}  // namespace meshlb::analytics
