#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "proxy/lb/load_balancer.h"

// Helpers shared by the load balancer unit tests. Everything is deterministic: fixed seeds, fixed
// host identities, keys hashed with the stable hash64.
namespace meshlb::lb::lbtest {

// A Random that always returns the same value: 0 gives each policy its canonical, un-offset
// behaviour (round robin starts at the first host).
class ConstantRandom final : public Random {
 public:
  explicit ConstantRandom(uint64_t value) : value_(value) {}
  uint64_t next() override { return value_; }

 private:
  uint64_t value_;
};

// Hosts with ids 0..n-1 (or the given ids), identities "10.0.<i/256>.<i%256>:8080" and the
// given weights (weight 1 when `weights` is shorter).
inline std::vector<LbHost> makeHosts(size_t count, const std::vector<uint32_t>& weights = {}) {
  std::vector<LbHost> hosts;
  for (size_t i = 0; i < count; ++i) {
    LbHost host;
    host.id = static_cast<uint32_t>(i);
    host.weight = i < weights.size() ? weights[i] : 1;
    host.hash_identity =
        "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":8080";
    hosts.push_back(host);
  }
  return hosts;
}

// Picks `picks` times and returns how often each id came out; nullopt picks count under
// UINT32_MAX.
inline std::map<uint32_t, uint64_t> countPicks(LoadBalancer& lb, const LbContext& context,
                                               uint64_t picks) {
  std::map<uint32_t, uint64_t> counts;
  for (uint64_t i = 0; i < picks; ++i) {
    counts[lb.pick(context).value_or(UINT32_MAX)]++;
  }
  return counts;
}

// The request key for test key `i`, as a caller would derive it from a header value.
inline uint64_t keyHash(uint64_t i) {
  return hash64("user-" + std::to_string(i));
}

// How keys 0..keys-1 are remapped between two balancers built before and after a membership
// change. A key "moved" when its host differs; `movedBetweenOthers` counts moves that neither
// came from nor went to `changedId` (the host that left or joined): consistent hashing wants 0.
struct KeyMovement {
  uint64_t moved = 0;
  uint64_t movedBetweenOthers = 0;
};

inline KeyMovement measureMovement(LoadBalancer& before, LoadBalancer& after, uint32_t changedId,
                                   uint64_t keys) {
  KeyMovement movement;
  for (uint64_t i = 0; i < keys; ++i) {
    LbContext context;
    context.hash = keyHash(i);
    const std::optional<uint32_t> was = before.pick(context);
    const std::optional<uint32_t> now = after.pick(context);
    if (was != now) {
      ++movement.moved;
      if (was != changedId && now != changedId) {
        ++movement.movedBetweenOthers;
      }
    }
  }
  return movement;
}

}  // namespace meshlb::lb::lbtest
