#pragma once

#include <cstdint>

#include "alerting/rules/rule.h"
#include "analytics/store/series_store.h"

namespace meshlb::alerting {

using FineWindow = analytics::SeriesStore::FineWindow;

// The time range a rule window of `window_s` reads at a tick stamped `now_ms`:
// (now - window_s, now], so a 60 s window over 1 s ticks holds 60 ticks, not 61.
inline int64_t windowFromMs(int64_t now_ms, uint32_t window_s) {
  return now_ms - int64_t{window_s} * 1000 + 1;
}

// The aggregate `agg` of a window, or NaN when it has no data: fewer than half of its ticks
// hold a value (no data, no alert, as in Prometheus). kRate is (last - first) per second
// between the first and the last value, NaN with fewer than two. kLast is the newest value.
// Pure.
double windowValue(const FineWindow& window, Aggregation agg);

}  // namespace meshlb::alerting
