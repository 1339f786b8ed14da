#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

// Draws a host id with probability proportional to its weight: one random number and a binary
// search over precomputed cumulative weights, or a plain index when all weights are equal.
// Shared by the random and least_request policies. Immutable after construction, so it holds
// no per-pick state; it lives inside a worker-local balancer and is used only by that worker.
class WeightedSampler {
 public:
  explicit WeightedSampler(std::span<const LbHost> hosts);

  bool empty() const { return ids_.empty(); }
  // Precondition: !empty(). Never allocates.
  uint32_t sample(Random& random) const;

 private:
  std::vector<uint32_t> ids_;
  // cumulative_[i] = weight(0) + ... + weight(i); left empty when all weights are equal, which
  // selects the uniform fast path.
  std::vector<uint64_t> cumulative_;
  uint64_t total_ = 0;
};

}  // namespace meshlb::lb
