#pragma once

#include <cstdint>
#include <vector>

#include "capture/flow/index_list.h"
#include "capture/flow/zeroed_array.h"

namespace meshlb::capture {

// When each flow's next periodic report is due: a hashed timing wheel of slots `width` ns
// wide, spanning more than one report interval, each slot an IndexList of entries. Scheduling
// and cancelling are O(1); advance() visits only the slots whose time has come, so a million
// quiet flows cost nothing between their reports. Times are packet time. All memory is
// allocated at construction. Owned by the flow table's capture thread.
class ReportWheel {
 public:
  // `interval_ns` <= 0 disables the wheel: schedule() and advance() do nothing.
  ReportWheel(uint32_t max_entries, int64_t interval_ns);

  bool enabled() const { return interval_ns_ > 0; }

  // Adds an entry that is not scheduled, due at `due_ns`.
  void schedule(uint32_t entry, int64_t due_ns);
  // Entries [0, count) have been in use (for the arrays' huge pages: ZeroedBuffer::useUpTo).
  void useUpTo(uint32_t count) {
    links_.useUpTo(count);
    due_ns_.useUpTo(count);
    slot_plus_one_.useUpTo(count);
  }
  // Removes an entry if it is scheduled.
  void cancel(uint32_t entry);

  // Calls `due(entry, due_ns)` once for every entry due at or before `now_ns` and reschedules
  // it `interval` later (repeatedly, until after now_ns: a report that was late covers the
  // whole gap). `due` must not schedule or cancel.
  template <typename Due>
  void advance(int64_t now_ns, Due&& due) {
    if (!enabled()) {
      return;
    }
    const int64_t now_tick = tickOf(now_ns);
    if (!started_) {
      start(now_tick);
    }
    if (now_tick < cursor_) {
      return;
    }
    // Past one full turn every slot has been seen once; visiting more would repeat them.
    const int64_t last = now_tick - cursor_ >= static_cast<int64_t>(slots_.size())
                             ? cursor_ + static_cast<int64_t>(slots_.size()) - 1
                             : now_tick;
    for (int64_t tick = cursor_; tick <= last; ++tick) {
      IndexList& slot = slots_[static_cast<size_t>(tick) & slot_mask_];
      uint32_t entry = slot.front();
      while (entry != kNilIndex) {
        const uint32_t following = IndexList::next(links_.data(), entry);
        const int64_t due_ns = due_ns_[entry];
        if (due_ns <= now_ns) {
          slot.remove(links_.data(), entry);
          slot_plus_one_[entry] = 0;
          due(entry, due_ns);
          int64_t next = due_ns + interval_ns_;
          if (next <= now_ns) {
            next += ((now_ns - next) / interval_ns_ + 1) * interval_ns_;
          }
          insert(entry, next);
        }
        entry = following;
      }
    }
    // The current slot may still hold entries due later within its tick: visit it again.
    cursor_ = now_tick;
  }

 private:
  int64_t tickOf(int64_t time_ns) const { return time_ns / width_ns_; }
  void start(int64_t tick) {
    cursor_ = tick;
    started_ = true;
  }
  void insert(uint32_t entry, int64_t due_ns);

  int64_t interval_ns_;
  int64_t width_ns_ = 1;
  std::vector<IndexList> slots_;
  size_t slot_mask_ = 0;
  ZeroedArray<ListLinks> links_;
  ZeroedArray<int64_t> due_ns_;
  ZeroedArray<uint32_t> slot_plus_one_;  // the entry's slot + 1; 0 = not scheduled
  int64_t cursor_ = 0;                   // first tick not yet completely visited
  bool started_ = false;
};

}  // namespace meshlb::capture
