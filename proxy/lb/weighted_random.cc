#include "proxy/lb/weighted_random.h"

namespace meshlb::lb {

RandomLoadBalancer::RandomLoadBalancer(std::span<const LbHost> hosts, Random& random)
    : sampler_(hosts), random_(random) {}

std::optional<uint32_t> RandomLoadBalancer::pick(const LbContext& /*context*/) {
  if (sampler_.empty()) {
    return std::nullopt;
  }
  return sampler_.sample(random_);
}

}  // namespace meshlb::lb
