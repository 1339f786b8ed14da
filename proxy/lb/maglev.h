#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

// Policy `maglev`: Google's Maglev consistent hashing (Eisenbud et al., NSDI 2016) with Envoy's
// weighting. Each host walks its own permutation of a prime-sized table, offset and skip derived
// from hash64(hash_identity, 0) and hash64(hash_identity, 1), and the hosts take turns claiming
// their next free slot; a host of weight w takes a turn in w of every max_weight rounds, so slot
// counts are proportional to weight. pick() is one modulo and one load: table[hash % size].
// When a host leaves, about 1/N of keys move (its own), plus a small extra fraction that Maglev
// trades for an almost perfectly even table. Without a hash in the context the pick uses a
// random one.
//
// Hosts fill the table in hash_identity order, so the table does not depend on the caller's
// host order. Building is O(table size) for equal weights (worst case O(table size x hosts) for
// very skewed weights). Immutable after construction; pick() never allocates. Worker-local: one
// worker owns it (the Random is not thread-safe); `random` must outlive it.
class MaglevLoadBalancer final : public LoadBalancer {
 public:
  // `tableSize` should be prime (Maglev needs skip and size coprime so that every permutation
  // visits every slot); a non-prime size is raised to the next prime.
  MaglevLoadBalancer(std::span<const LbHost> hosts, Random& random, uint32_t tableSize);

  std::optional<uint32_t> pick(const LbContext& context) override;

  // For tests and stats: the table size actually used (prime).
  size_t tableSize() const { return table_.size(); }

 private:
  std::vector<uint32_t> table_;  // host id per slot
  Random& random_;
};

}  // namespace meshlb::lb
