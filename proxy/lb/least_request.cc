#include "proxy/lb/least_request.h"

namespace meshlb::lb {

LeastRequestLoadBalancer::LeastRequestLoadBalancer(std::span<const LbHost> hosts, Random& random,
                                                   uint32_t choices)
    : sampler_(hosts), random_(random), choices_(choices == 0 ? 1 : choices) {}

std::optional<uint32_t> LeastRequestLoadBalancer::pick(const LbContext& context) {
  if (sampler_.empty()) {
    return std::nullopt;
  }
  uint32_t best = sampler_.sample(random_);
  if (context.active_requests == nullptr) {
    // All counts are 0: further draws could never win, so skip them.
    return best;
  }
  for (uint32_t i = 1; i < choices_; ++i) {
    const uint32_t candidate = sampler_.sample(random_);
    if (context.active_requests[candidate] < context.active_requests[best]) {
      best = candidate;
    }
  }
  return best;
}

}  // namespace meshlb::lb
