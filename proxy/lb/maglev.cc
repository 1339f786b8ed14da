#include "proxy/lb/maglev.h"

#include <algorithm>
#include <numeric>

#include "proxy/lb/lb_common.h"

namespace meshlb::lb {

namespace {

bool isPrime(uint64_t n) {
  if (n < 2) {
    return false;
  }
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) {
      return false;
    }
  }
  return true;
}

uint64_t nextPrime(uint64_t n) {
  while (!isPrime(n)) {
    ++n;
  }
  return n;
}

// Per-host state while filling the table. `slot` walks the host's permutation
// offset, offset + skip, offset + 2 skip, ... (mod size) by addition, not multiply-and-modulo:
// the build probes about size x ln(size) slots, and a division per probe nearly doubled its
// cost (2.1 ms -> 1.2 ms for 100 hosts).
struct BuildEntry {
  uint32_t id;
  uint64_t weight;
  uint64_t skip;
  uint64_t slot;        // next slot of this host's permutation to try
  uint64_t target = 0;  // in units of weight x rounds; see the fill loop

  void advance(uint64_t size) {
    slot += skip;
    if (slot >= size) {
      slot -= size;
    }
  }
};

}  // namespace

MaglevLoadBalancer::MaglevLoadBalancer(std::span<const LbHost> hosts, Random& random,
                                       uint32_t tableSize)
    : random_(random) {
  if (hosts.empty()) {
    return;
  }
  const uint64_t size = nextPrime(std::max<uint64_t>(tableSize, 2));

  // Fill order by identity (then id), so every worker builds the same table from any host order.
  std::vector<size_t> order(hosts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (hosts[a].hash_identity != hosts[b].hash_identity) {
      return hosts[a].hash_identity < hosts[b].hash_identity;
    }
    return hosts[a].id < hosts[b].id;
  });
  std::vector<BuildEntry> entries;
  entries.reserve(hosts.size());
  uint64_t maxWeight = 0;
  for (size_t index : order) {
    const LbHost& host = hosts[index];
    const uint64_t weight = effectiveWeight(host.weight);
    maxWeight = std::max(maxWeight, weight);
    entries.push_back(BuildEntry{.id = host.id,
                                 .weight = weight,
                                 .skip = hash64(host.hash_identity, 1) % (size - 1) + 1,
                                 .slot = hash64(host.hash_identity, 0) % size,
                                 .target = 0});
  }

  // Ids are opaque (any uint32_t is valid), so free slots are tracked apart from the table.
  std::vector<uint32_t> table(size, 0);
  std::vector<uint8_t> taken(size, 0);
  uint64_t filled = 0;
  // Round r lets a host claim a slot when r x weight >= target, then raises target by maxWeight:
  // the heaviest host claims every round, one of weight max/3 every third round (Envoy's rule,
  // in integers so no rounding drift).
  for (uint64_t round = 1; filled < size; ++round) {
    for (BuildEntry& entry : entries) {
      if (filled == size) {
        break;
      }
      if (round * entry.weight < entry.target) {
        continue;
      }
      entry.target += maxWeight;
      while (taken[entry.slot] != 0) {
        entry.advance(size);
      }
      taken[entry.slot] = 1;
      table[entry.slot] = entry.id;
      entry.advance(size);
      ++filled;
    }
  }
  table_ = std::move(table);
}

std::optional<uint32_t> MaglevLoadBalancer::pick(const LbContext& context) {
  if (table_.empty()) {
    return std::nullopt;
  }
  const uint64_t hash = context.hash ? *context.hash : random_.next();
  return table_[hash % table_.size()];
}

}  // namespace meshlb::lb
