#pragma once

#include <cstdint>
#include <span>

#include "proxy/lb/load_balancer.h"
#include "proxy/lb/weighted_sampler.h"

namespace meshlb::lb {

// Policy `least_request`: power of N random choices. Draws `choices` hosts (weighted random,
// with replacement) and keeps the one with the fewest in-flight requests on this worker; ties
// keep the earliest draw, so with equal counts (or no counts at all) it is exactly weighted
// random. Sampling a few hosts instead of scanning all of them keeps pick() O(choices) and avoids
// every worker stampeding the single least-loaded host.
// Worker-local: built and used by one worker thread; `random` must outlive it.
class LeastRequestLoadBalancer final : public LoadBalancer {
 public:
  // `choices` < 1 is treated as 1 (plain weighted random).
  LeastRequestLoadBalancer(std::span<const LbHost> hosts, Random& random, uint32_t choices);

  std::optional<uint32_t> pick(const LbContext& context) override;

 private:
  WeightedSampler sampler_;
  Random& random_;
  uint32_t choices_;
};

}  // namespace meshlb::lb
