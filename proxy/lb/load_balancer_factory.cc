#include "proxy/lb/least_request.h"
#include "proxy/lb/load_balancer.h"
#include "proxy/lb/maglev.h"
#include "proxy/lb/ring_hash.h"
#include "proxy/lb/round_robin.h"
#include "proxy/lb/weighted_random.h"

namespace meshlb::lb {

// The only place that knows every policy: adding one is a new unit plus one case here.
LoadBalancerPtr createLoadBalancer(LbPolicy policy, std::span<const LbHost> hosts, Random& random,
                                   const LbOptions& options) {
  switch (policy) {
    case LbPolicy::kRoundRobin:
      return std::make_unique<RoundRobinLoadBalancer>(hosts, random);
    case LbPolicy::kLeastRequest:
      return std::make_unique<LeastRequestLoadBalancer>(hosts, random,
                                                        options.least_request_choices);
    case LbPolicy::kRandom:
      return std::make_unique<RandomLoadBalancer>(hosts, random);
    case LbPolicy::kRingHash:
      return std::make_unique<RingHashLoadBalancer>(hosts, random, options.ring_hash_min_ring_size);
    case LbPolicy::kMaglev:
      return std::make_unique<MaglevLoadBalancer>(hosts, random, options.maglev_table_size);
  }
  // Unreachable for valid enum values; a balancer with no hosts fails closed (nullopt).
  return std::make_unique<RandomLoadBalancer>(std::span<const LbHost>{}, random);
}

}  // namespace meshlb::lb
