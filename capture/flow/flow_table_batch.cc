#include <cstddef>

#include "capture/flow/flow_table.h"

namespace meshlb::capture {

namespace {

// How far ahead packets are hashed (and their index slot prefetched), and how far ahead their
// entry is prefetched once the slot should be in cache. About the number of misses the core
// can have in flight, and half of it.
constexpr size_t kSlotLookahead = 8;
constexpr size_t kEntryLookahead = 4;

}  // namespace

void FlowTable::prefetchEntryOf(uint32_t hash) const {
  const uint32_t entry = index_.firstWithHash(hash);
  if (entry == kNilIndex) {
    return;
  }
  const char* base = reinterpret_cast<const char*>(&entries_[entry]);
  for (size_t line = 0; line < FlowEntry::kHotLines; ++line) {
    __builtin_prefetch(base + line * 64, 1);
  }
  __builtin_prefetch(&links_[entry], 1);
}

void FlowTable::ingestBatch(std::span<const DecodedPacket> packets) {
  // Keys and hashes of the packets in flight, by position modulo the lookahead. Only a hint
  // is taken from the index ahead of time: each packet is looked up again when its turn comes,
  // so flows started or ended in between are handled exactly as ingest() would.
  PacketKey keys[kSlotLookahead];
  uint32_t hashes[kSlotLookahead];
  const size_t count = packets.size();
  auto prepare = [&](size_t i) {
    if (trackable(packets[i])) {
      const size_t ring = i % kSlotLookahead;
      keys[ring] = makePacketKey(packets[i]);
      hashes[ring] = hashFlowKey(keys[ring].key, options_.hash_seed);
      index_.prefetch(hashes[ring]);
    }
  };
  for (size_t i = 0; i < count && i < kSlotLookahead; ++i) {
    prepare(i);
  }
  for (size_t i = 0; i < count; ++i) {
    const size_t ahead = i + kEntryLookahead;
    if (ahead < count && trackable(packets[ahead])) {
      prefetchEntryOf(hashes[ahead % kSlotLookahead]);
    }
    const DecodedPacket& packet = packets[i];
    if (trackable(packet)) {
      ingestKeyed(packet, keys[i % kSlotLookahead], hashes[i % kSlotLookahead]);
    } else {
      ++ignored_;
      last_analysis_flags_ = 0;
    }
    if (i + kSlotLookahead < count) {
      prepare(i + kSlotLookahead);
    }
  }
}

}  // namespace meshlb::capture
