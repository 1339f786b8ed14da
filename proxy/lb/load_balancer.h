#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace meshlb::lb {

// Source of randomness for policies that need it. A seam so tests can fix the sequence.
// Worker-local: never shared between threads.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t next() = 0;
};

// xoshiro256** seeded with splitmix64: fast, good enough for balancing, deterministic per seed.
class FastRandom final : public Random {
 public:
  explicit FastRandom(uint64_t seed);
  uint64_t next() override;

 private:
  uint64_t state_[4];
};

// One host that may be picked. `id` is the caller's index of the host in its cluster and is
// what pick() returns; `hash_identity` (the host's address) places it on hash rings so that a
// host keeps its keys no matter which other hosts come and go.
struct LbHost {
  uint32_t id = 0;
  uint32_t weight = 1;  // >= 1
  std::string hash_identity;
};

// Per-pick input. `hash` is set for hash-based policies (from a header or the client address);
// `active_requests[id]` is the worker's count of in-flight requests per host id, read by
// least_request.
struct LbContext {
  std::optional<uint64_t> hash;
  const uint32_t* active_requests = nullptr;
};

enum class LbPolicy { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };

std::optional<LbPolicy> parseLbPolicy(std::string_view name);
std::string_view lbPolicyName(LbPolicy policy);

// Picks a host among a fixed set of usable hosts. Built by a worker from an immutable host
// snapshot and rebuilt whenever the set of usable hosts changes; worker-local, so pick() needs
// no locks. pick() must not allocate.
class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // The id of the chosen host, or nullopt when the set is empty.
  virtual std::optional<uint32_t> pick(const LbContext& context) = 0;
};
using LoadBalancerPtr = std::unique_ptr<LoadBalancer>;

struct LbOptions {
  uint32_t ring_hash_min_ring_size = 1024;  // ring_hash entries, spread by weight
  uint32_t maglev_table_size = 65537;       // prime, as Maglev requires
  uint32_t least_request_choices = 2;       // power of two choices
};

// `random` must outlive the balancer. `hosts` is copied.
LoadBalancerPtr createLoadBalancer(LbPolicy policy, std::span<const LbHost> hosts, Random& random,
                                   const LbOptions& options = {});

// Stable 64-bit hash (xxHash64-like mixing) for hash keys and ring positions; stable across
// runs and builds, unlike std::hash.
uint64_t hash64(std::string_view data, uint64_t seed = 0);

}  // namespace meshlb::lb
