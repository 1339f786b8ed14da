#include "proxy/lb/weighted_sampler.h"

#include <algorithm>

#include "proxy/lb/lb_common.h"

namespace meshlb::lb {

WeightedSampler::WeightedSampler(std::span<const LbHost> hosts) {
  ids_.reserve(hosts.size());
  bool allEqual = true;
  for (const LbHost& host : hosts) {
    ids_.push_back(host.id);
    allEqual = allEqual && effectiveWeight(host.weight) == effectiveWeight(hosts[0].weight);
  }
  if (allEqual) {
    total_ = ids_.size();
    return;
  }
  cumulative_.reserve(hosts.size());
  for (const LbHost& host : hosts) {
    // Fits: at most 2^32 hosts of weight < 2^32.
    total_ += effectiveWeight(host.weight);
    cumulative_.push_back(total_);
  }
}

uint32_t WeightedSampler::sample(Random& random) const {
  const uint64_t point = scaleToRange(random.next(), total_);
  if (cumulative_.empty()) {
    return ids_[point];
  }
  // The first host whose cumulative weight exceeds the point owns [previous, cumulative).
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return ids_[static_cast<size_t>(it - cumulative_.begin())];
}

}  // namespace meshlb::lb
