#include "capture/flow/flow_index.h"

#include <cassert>

namespace meshlb::capture {

namespace {

uint32_t capacityFor(uint32_t max_entries) {
  const uint64_t wanted = (uint64_t{max_entries} * 13 + 9) / 10;
  uint64_t capacity = 16;
  while (capacity < wanted) {
    capacity <<= 1;
  }
  return static_cast<uint32_t>(capacity);
}

}  // namespace

FlowIndex::FlowIndex(uint32_t max_entries)
    : slots_(capacityFor(max_entries)), mask_(capacityFor(max_entries) - 1) {}

void FlowIndex::insert(uint32_t hash, uint32_t entry) {
  assert(size_ < mask_);
  uint32_t position = hash & mask_;
  while (slots_[position].entry_plus_one != 0) {
    position = (position + 1) & mask_;
  }
  slots_[position] = Slot{hash, entry + 1};
  ++size_;
}

void FlowIndex::erase(uint32_t hash, uint32_t entry) {
  uint32_t hole = hash & mask_;
  while (slots_[hole].entry_plus_one != entry + 1) {
    assert(slots_[hole].entry_plus_one != 0);
    hole = (hole + 1) & mask_;
  }
  // Backward-shift deletion: walk the run after the hole and move back every slot whose home
  // position is not cyclically within (hole, position], i.e. which the hole would cut off from
  // its home.
  uint32_t position = hole;
  for (;;) {
    position = (position + 1) & mask_;
    const Slot slot = slots_[position];
    if (slot.entry_plus_one == 0) {
      break;
    }
    const uint32_t home = slot.hash & mask_;
    const uint32_t distance_to_home = (position - home) & mask_;
    const uint32_t distance_to_hole = (position - hole) & mask_;
    if (distance_to_home >= distance_to_hole) {
      slots_[hole] = slot;
      hole = position;
    }
  }
  slots_[hole] = Slot{0, 0};
  --size_;
}

}  // namespace meshlb::capture
