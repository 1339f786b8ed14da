#include "proxy/lb/round_robin.h"

#include <algorithm>

#include "proxy/lb/lb_common.h"

namespace meshlb::lb {

namespace {

// Upper bound on the work the weighted start offset may cost (offset picks x hosts), so a
// rebuild of a large weighted cluster stays well under a millisecond. With up to 512 hosts the
// offset still covers at least one pick per host.
constexpr uint64_t kStartOffsetBudget = 1 << 18;

}  // namespace

RoundRobinLoadBalancer::RoundRobinLoadBalancer(std::span<const LbHost> hosts, Random& random) {
  if (hosts.empty()) {
    return;
  }
  ids_.reserve(hosts.size());
  bool allEqual = true;
  for (const LbHost& host : hosts) {
    ids_.push_back(host.id);
    allEqual = allEqual && effectiveWeight(host.weight) == effectiveWeight(hosts[0].weight);
  }
  const uint64_t offsetSeed = random.next();
  if (allEqual) {
    // Smooth WRR with equal weights is plain rotation; starting at index k is the same as
    // having made k picks.
    next_ = static_cast<size_t>(offsetSeed % ids_.size());
    return;
  }
  weights_.reserve(hosts.size());
  for (const LbHost& host : hosts) {
    weights_.push_back(static_cast<int64_t>(effectiveWeight(host.weight)));
    total_ += weights_.back();
  }
  current_.assign(hosts.size(), 0);
  // Offsets range over the whole cycle when it is short (all of 5,1,1's seven positions), and
  // are capped by the budget when the cycle is long.
  const uint64_t maxOffset = std::min<uint64_t>(
      static_cast<uint64_t>(total_), std::max<uint64_t>(1, kStartOffsetBudget / ids_.size()));
  const uint64_t offset = offsetSeed % maxOffset;
  for (uint64_t i = 0; i < offset; ++i) {
    pickIndex();
  }
}

size_t RoundRobinLoadBalancer::pickIndex() {
  if (weights_.empty()) {
    const size_t index = next_;
    next_ = next_ + 1 == ids_.size() ? 0 : next_ + 1;
    return index;
  }
  size_t best = 0;
  for (size_t i = 0; i < current_.size(); ++i) {
    current_[i] += weights_[i];
    if (current_[i] > current_[best]) {
      best = i;
    }
  }
  current_[best] -= total_;
  return best;
}

std::optional<uint32_t> RoundRobinLoadBalancer::pick(const LbContext& /*context*/) {
  if (ids_.empty()) {
    return std::nullopt;
  }
  return ids_[pickIndex()];
}

}  // namespace meshlb::lb
