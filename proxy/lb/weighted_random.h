#pragma once

#include <span>

#include "proxy/lb/load_balancer.h"
#include "proxy/lb/weighted_sampler.h"

namespace meshlb::lb {

// Policy `random`: each pick is an independent weighted random draw. No shared state between
// picks, so it needs no coordination across workers and has no start-up herd on one host.
// Worker-local: built and used by one worker thread; `random` must outlive it.
class RandomLoadBalancer final : public LoadBalancer {
 public:
  RandomLoadBalancer(std::span<const LbHost> hosts, Random& random);

  std::optional<uint32_t> pick(const LbContext& context) override;

 private:
  WeightedSampler sampler_;
  Random& random_;
};

}  // namespace meshlb::lb
