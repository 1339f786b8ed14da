#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "alerting/eval/global_values.h"
#include "alerting/eval/series_window.h"

namespace meshlb::alerting {

// The last kSlots ticks of GlobalValues with their times: the fine ring of the global series,
// which live outside the analytics store. Windows over it work like SeriesStore::fineWindow.
// Owned by RuleEvaluator (analytics thread); 84 KiB, held inline.
class GlobalSeries {
 public:
  static constexpr size_t kSlots = 3600;

  // Appends one tick; times are kept non-decreasing (an earlier stamp takes the previous one's).
  void push(int64_t unix_ms, const GlobalValues& values);
  // The held ticks with time in [from_ms, to_ms]; NaN values counted in `ticks` only.
  FineWindow window(GlobalMetric metric, int64_t from_ms, int64_t to_ms) const;
  size_t size() const { return size_; }

 private:
  struct Slot {
    int64_t unix_ms = 0;
    GlobalValues values;
  };
  std::array<Slot, kSlots> slots_{};
  size_t next_ = 0;     // the slot the next push writes
  size_t size_ = 0;     // slots written, at most kSlots
  int64_t pushed_ = 0;  // ticks pushed so far: the tick number of the next push
};

}  // namespace meshlb::alerting
