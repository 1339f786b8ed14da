#include "proxy/lb/ring_hash.h"

#include <algorithm>
#include <bit>
#include <string>

#include "proxy/lb/lb_common.h"

namespace meshlb::lb {

namespace {

// Same ceiling as Envoy's default maximum ring size: 8M points (~100 MB is the worst case of a
// misconfigured weight, not the common case of a few thousand points).
constexpr uint64_t kMaxRingSize = uint64_t{1} << 23;

struct RingPoint {
  uint64_t hash;
  size_t host;  // index into the host span, for tie-breaking by identity
};

}  // namespace

RingHashLoadBalancer::RingHashLoadBalancer(std::span<const LbHost> hosts, Random& random,
                                           uint32_t minRingSize)
    : random_(random) {
  if (hosts.empty()) {
    return;
  }
  uint64_t totalWeight = 0;
  for (const LbHost& host : hosts) {
    totalWeight += effectiveWeight(host.weight);
  }
  const uint64_t minSize = std::clamp<uint64_t>(minRingSize, 1, kMaxRingSize);

  // Points per unit weight: a power of two, so it is the same for every host set whose total
  // weight falls in the same power-of-two band (see the class comment).
  uint64_t perWeight = std::bit_ceil((minSize + totalWeight - 1) / totalWeight);
  while (perWeight > 1 && totalWeight * perWeight > kMaxRingSize) {
    perWeight /= 2;
  }
  const bool scaleDown = totalWeight > kMaxRingSize;

  std::vector<RingPoint> points;
  points.reserve(scaleDown ? kMaxRingSize + hosts.size() : totalWeight * perWeight);
  std::string key;
  for (size_t h = 0; h < hosts.size(); ++h) {
    const uint64_t weight = effectiveWeight(hosts[h].weight);
    const uint64_t count =
        scaleDown ? std::max<uint64_t>(1, weight * kMaxRingSize / totalWeight) : weight * perWeight;
    key.assign(hosts[h].hash_identity);
    key.push_back('_');
    const size_t prefix = key.size();
    for (uint64_t i = 0; i < count; ++i) {
      key.resize(prefix);
      key.append(std::to_string(i));
      points.push_back(RingPoint{hash64(key), h});
    }
  }
  // Ties (two points with one hash) are resolved by identity, not by the caller's host order,
  // so every worker and every rebuild builds the same ring.
  std::sort(points.begin(), points.end(), [&](const RingPoint& a, const RingPoint& b) {
    if (a.hash != b.hash) {
      return a.hash < b.hash;
    }
    if (hosts[a.host].hash_identity != hosts[b.host].hash_identity) {
      return hosts[a.host].hash_identity < hosts[b.host].hash_identity;
    }
    return hosts[a.host].id < hosts[b.host].id;
  });
  hashes_.reserve(points.size());
  ids_.reserve(points.size());
  for (const RingPoint& point : points) {
    hashes_.push_back(point.hash);
    ids_.push_back(hosts[point.host].id);
  }
}

std::optional<uint32_t> RingHashLoadBalancer::pick(const LbContext& context) {
  if (hashes_.empty()) {
    return std::nullopt;
  }
  const uint64_t hash = context.hash ? *context.hash : random_.next();
  const auto it = std::lower_bound(hashes_.begin(), hashes_.end(), hash);
  if (it == hashes_.end()) {
    return ids_.front();  // wrap around the ring
  }
  return ids_[static_cast<size_t>(it - hashes_.begin())];
}

}  // namespace meshlb::lb
