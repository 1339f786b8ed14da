#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

// The names are the config spelling (`lb_policy: ring_hash`); parse and print must round-trip.
std::optional<LbPolicy> parseLbPolicy(std::string_view name) {
  if (name == "round_robin") {
    return LbPolicy::kRoundRobin;
  }
  if (name == "least_request") {
    return LbPolicy::kLeastRequest;
  }
  if (name == "random") {
    return LbPolicy::kRandom;
  }
  if (name == "ring_hash") {
    return LbPolicy::kRingHash;
  }
  if (name == "maglev") {
    return LbPolicy::kMaglev;
  }
  return std::nullopt;
}

std::string_view lbPolicyName(LbPolicy policy) {
  switch (policy) {
    case LbPolicy::kRoundRobin:
      return "round_robin";
    case LbPolicy::kLeastRequest:
      return "least_request";
    case LbPolicy::kRandom:
      return "random";
    case LbPolicy::kRingHash:
      return "ring_hash";
    case LbPolicy::kMaglev:
      return "maglev";
  }
  return "unknown";
}

}  // namespace meshlb::lb
