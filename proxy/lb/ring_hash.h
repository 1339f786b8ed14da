#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

// Policy `ring_hash`: ketama-style consistent hashing. Each host owns points on a 64-bit ring at
// hash64(hash_identity + "_" + i); a key goes to the first point at or after its hash, wrapping
// past the end. Without a hash in the context the pick uses a random one (spreads like random).
//
// Ring density: a host gets weight x K points, where K (points per unit of weight) is the
// smallest power of two with total_weight x K >= min_ring_size. A host's points therefore depend
// only on its own identity and weight, and K changes only when the total weight crosses a power
// of two relative to min_ring_size; so when a host leaves or joins, only the keys on its own
// points move (for example 5 -> 4 or 10 -> 9 equal hosts keep K). Rings are capped at 2^23
// points; past that, points are scaled down to about proportional (at least one per host).
//
// Immutable after construction; pick() is a binary search and never allocates. Worker-local:
// one worker owns it (the Random is not thread-safe); `random` must outlive it.
class RingHashLoadBalancer final : public LoadBalancer {
 public:
  RingHashLoadBalancer(std::span<const LbHost> hosts, Random& random, uint32_t minRingSize);

  std::optional<uint32_t> pick(const LbContext& context) override;

  // For tests and stats: number of points on the ring.
  size_t ringSize() const { return hashes_.size(); }

 private:
  // Parallel arrays sorted by hash: the search touches only the dense hash array.
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> ids_;
  Random& random_;
};

}  // namespace meshlb::lb
