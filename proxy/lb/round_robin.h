#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {

// Policy `round_robin`: nginx's smooth weighted round robin. Every pick adds each host's weight
// to its running `current`, takes the host with the largest `current` (the first one on ties)
// and subtracts the total weight from it. Over a cycle of sum(weights) picks each host is chosen
// exactly weight times, interleaved rather than in bursts: weights 5,1,1 give a,a,b,a,c,a,a.
// Equal weights rotate strictly; that case takes an O(1) path, the weighted one is O(hosts).
//
// Start offset: the constructor advances the sequence by a number of picks drawn from `random`,
// so workers rebuilt at the same moment do not all send their first request to host 0. The
// observed sequence is therefore a rotation of the canonical one, and is deterministic for a
// given Random sequence (a Random returning 0 gives the canonical sequence).
//
// Worker-local: pick() mutates the cursor without locks; one worker thread owns it.
class RoundRobinLoadBalancer final : public LoadBalancer {
 public:
  RoundRobinLoadBalancer(std::span<const LbHost> hosts, Random& random);

  std::optional<uint32_t> pick(const LbContext& context) override;

 private:
  size_t pickIndex();

  std::vector<uint32_t> ids_;
  // Weighted path only (empty when all weights are equal). Signed: current_ dips below 0.
  std::vector<int64_t> weights_;
  std::vector<int64_t> current_;
  int64_t total_ = 0;
  // Equal-weight path: index of the next host.
  size_t next_ = 0;
};

}  // namespace meshlb::lb
