#include "capture/flow/report_wheel.h"

#include <algorithm>

namespace meshlb::capture {

namespace {

// 64 slots per interval bounds how late a report can be by slot width alone to 1/64 of the
// interval; twice that many slots (rounded up to a power of two) span more than an interval,
// so a rescheduled entry never lands in the slot being visited.
constexpr int64_t kSlotsPerInterval = 64;

size_t slotCount(int64_t interval_ns, int64_t width_ns) {
  const int64_t needed = interval_ns / width_ns + 2;
  size_t count = 1;
  while (static_cast<int64_t>(count) < needed) {
    count <<= 1;
  }
  return count;
}

}  // namespace

ReportWheel::ReportWheel(uint32_t max_entries, int64_t interval_ns) : interval_ns_(interval_ns) {
  if (!enabled()) {
    return;
  }
  width_ns_ = std::max<int64_t>(1, interval_ns / kSlotsPerInterval);
  slots_.resize(slotCount(interval_ns, width_ns_));
  slot_mask_ = slots_.size() - 1;
  // Indexed like the flow table's pool, which fills from its low end (see useUpTo()).
  constexpr auto kFilledBlocks = ZeroedBuffer::HugePages::kFilledBlocks;
  links_ = ZeroedArray<ListLinks>(max_entries, kFilledBlocks);
  due_ns_ = ZeroedArray<int64_t>(max_entries, kFilledBlocks);
  slot_plus_one_ = ZeroedArray<uint32_t>(max_entries, kFilledBlocks);
}

void ReportWheel::schedule(uint32_t entry, int64_t due_ns) {
  if (!enabled()) {
    return;
  }
  if (!started_) {
    start(tickOf(due_ns));
  }
  insert(entry, due_ns);
}

void ReportWheel::insert(uint32_t entry, int64_t due_ns) {
  // A due time before the cursor (a packet older than the wheel's time) goes into the cursor's
  // slot, which advance() visits next.
  const int64_t tick = std::max(tickOf(due_ns), cursor_);
  const size_t slot = static_cast<size_t>(tick) & slot_mask_;
  slots_[slot].pushBack(links_.data(), entry);
  due_ns_[entry] = due_ns;
  slot_plus_one_[entry] = static_cast<uint32_t>(slot + 1);
}

void ReportWheel::cancel(uint32_t entry) {
  if (!enabled() || slot_plus_one_[entry] == 0) {
    return;
  }
  slots_[slot_plus_one_[entry] - 1].remove(links_.data(), entry);
  slot_plus_one_[entry] = 0;
}

}  // namespace meshlb::capture
