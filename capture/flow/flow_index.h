#pragma once

#include <cstdint>

#include "capture/flow/index_list.h"
#include "capture/flow/zeroed_array.h"

namespace meshlb::capture {

// The flow table's hash index: open addressing with linear probing over a power-of-two array
// of 8-byte slots (32-bit hash, entry index + 1; 0 = empty), so one probe sequence usually
// stays in one or two cache lines and a stored hash rejects most non-matching slots without
// touching a record. Deletion shifts the following run back (no tombstones), so probe lengths
// do not grow with churn. The slots are allocated once, zero-filled (ZeroedArray). Owned by
// the flow table's capture thread.
class FlowIndex {
 public:
  // Capacity: the smallest power of two >= max_entries * 1.3 (at least 16), so the load stays
  // at most ~77% when the pool is full.
  explicit FlowIndex(uint32_t max_entries);

  uint32_t capacity() const { return mask_ + 1; }
  uint32_t size() const { return size_; }

  // The entry stored under `hash` for which matches(entry) is true, or kNilIndex.
  template <typename Matches>
  uint32_t find(uint32_t hash, Matches&& matches) const {
    uint32_t position = hash & mask_;
    for (;;) {
      const Slot slot = slots_[position];
      if (slot.entry_plus_one == 0) {
        return kNilIndex;
      }
      if (slot.hash == hash && matches(slot.entry_plus_one - 1)) {
        return slot.entry_plus_one - 1;
      }
      position = (position + 1) & mask_;
    }
  }

  // Starts loading the cache line of `hash`'s home slot (for batched lookups).
  void prefetch(uint32_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }

  // The first entry stored under `hash`, keys not compared, or kNilIndex: a hint of which
  // entry a lookup will touch, for prefetching it.
  uint32_t firstWithHash(uint32_t hash) const {
    uint32_t position = hash & mask_;
    for (;;) {
      const Slot slot = slots_[position];
      if (slot.entry_plus_one == 0 || slot.hash == hash) {
        return slot.entry_plus_one - 1;  // kNilIndex when empty
      }
      position = (position + 1) & mask_;
    }
  }

  // Adds an entry that is not present. The caller bounds the number of entries by the
  // max_entries given at construction (the flow pool does).
  void insert(uint32_t hash, uint32_t entry);

  // Removes an entry that is present under `hash`.
  void erase(uint32_t hash, uint32_t entry);

 private:
  struct Slot {
    uint32_t hash;
    uint32_t entry_plus_one;
  };

  ZeroedArray<Slot> slots_;
  uint32_t mask_ = 0;
  uint32_t size_ = 0;
};

}  // namespace meshlb::capture
