#include "proxy/lb/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "tests/proxy/lb/lb_test_util.h"

namespace meshlb::lb {
namespace {

using lbtest::countPicks;
using lbtest::keyHash;
using lbtest::makeHosts;
using lbtest::measureMovement;

constexpr uint64_t kKeys = 10000;
constexpr uint32_t kDefaultTable = LbOptions{}.maglev_table_size;

std::optional<uint32_t> pickKey(LoadBalancer& lb, uint64_t key) {
  LbContext context;
  context.hash = keyHash(key);
  return lb.pick(context);
}

// Slots per host, read through pick(): hash h lands on slot h for h < table size.
std::map<uint32_t, uint64_t> slotCounts(MaglevLoadBalancer& lb) {
  std::map<uint32_t, uint64_t> counts;
  for (uint64_t slot = 0; slot < lb.tableSize(); ++slot) {
    LbContext context;
    context.hash = slot;
    counts[*lb.pick(context)]++;
  }
  return counts;
}

TEST(MaglevTest, EmptyHostSetPicksNothing) {
  FastRandom random(1);
  MaglevLoadBalancer lb({}, random, kDefaultTable);
  LbContext context;
  context.hash = 7;
  EXPECT_FALSE(lb.pick(context).has_value());
  EXPECT_FALSE(lb.pick(LbContext{}).has_value());
}

TEST(MaglevTest, TableSizeIsPrime) {
  FastRandom random(1);
  const std::vector<LbHost> hosts = makeHosts(3);
  EXPECT_EQ(MaglevLoadBalancer(hosts, random, kDefaultTable).tableSize(), 65537u);
  EXPECT_EQ(MaglevLoadBalancer(hosts, random, 1000).tableSize(), 1009u);
  EXPECT_EQ(MaglevLoadBalancer(hosts, random, 0).tableSize(), 2u);
}

TEST(MaglevTest, EqualWeightsFillTheTableEvenly) {
  FastRandom random(2);
  MaglevLoadBalancer lb(makeHosts(7), random, kDefaultTable);
  const auto counts = slotCounts(lb);
  ASSERT_EQ(counts.size(), 7u);
  for (const auto& [id, count] : counts) {
    // Round-robin claiming gives every host floor or ceil of size / N slots.
    EXPECT_GE(count, 65537u / 7) << "host " << id;
    EXPECT_LE(count, 65537u / 7 + 1) << "host " << id;
  }
}

TEST(MaglevTest, WeightedSlotsAreProportional) {
  FastRandom random(3);
  MaglevLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random, kDefaultTable);
  const auto counts = slotCounts(lb);
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = 65537.0 * (id + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts.at(id)), expected, expected * 0.01) << "host " << id;
  }
}

TEST(MaglevTest, WeightedDistribution) {
  FastRandom random(4);
  MaglevLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random, kDefaultTable);
  const auto counts = countPicks(lb, LbContext{}, 100000);  // no hash: random slots
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = 100000 * (id + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts.at(id)), expected, expected * 0.05) << "host " << id;
  }
}

TEST(MaglevTest, SameHashSameHost) {
  FastRandom random(5);
  std::vector<LbHost> hosts = makeHosts(8);
  MaglevLoadBalancer lb(hosts, random, kDefaultTable);
  // Another worker, with another Random and the hosts listed in another order, agrees.
  std::reverse(hosts.begin(), hosts.end());
  FastRandom otherRandom(6);
  MaglevLoadBalancer other(hosts, otherRandom, kDefaultTable);
  for (uint64_t key = 0; key < kKeys; ++key) {
    const std::optional<uint32_t> first = pickKey(lb, key);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(pickKey(lb, key), first);
    EXPECT_EQ(pickKey(other, key), first);
  }
}

TEST(MaglevTest, KeysSpreadEvenly) {
  FastRandom random(7);
  MaglevLoadBalancer lb(makeHosts(10), random, kDefaultTable);
  std::map<uint32_t, uint64_t> counts;
  for (uint64_t key = 0; key < kKeys; ++key) {
    counts[*pickKey(lb, key)]++;
  }
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [id, count] : counts) {
    EXPECT_NEAR(static_cast<double>(count), kKeys / 10.0, kKeys / 10.0 * 0.15) << "host " << id;
  }
}

TEST(MaglevTest, MissingHashFallsBackToRandom) {
  FastRandom a(8);
  FastRandom b(8);
  const std::vector<LbHost> hosts = makeHosts(5);
  MaglevLoadBalancer lbA(hosts, a, kDefaultTable);
  MaglevLoadBalancer lbB(hosts, b, kDefaultTable);
  std::map<uint32_t, uint64_t> counts;
  for (int i = 0; i < 10000; ++i) {
    const std::optional<uint32_t> picked = lbA.pick(LbContext{});
    EXPECT_EQ(picked, lbB.pick(LbContext{}));  // deterministic for a fixed seed
    counts[*picked]++;
  }
  EXPECT_EQ(counts.size(), 5u);
}

class MaglevMembershipTest : public ::testing::TestWithParam<size_t> {};

// When one of N hosts leaves, its ~1/N of keys move plus a small fraction reshuffled between
// staying hosts (Maglev's price for its even table). Checked for every host in turn.
TEST_P(MaglevMembershipTest, HostLeavingMovesAboutOneNth) {
  const size_t n = GetParam();
  const std::vector<LbHost> hosts = makeHosts(n);
  FastRandom random(10);
  MaglevLoadBalancer before(hosts, random, kDefaultTable);
  uint64_t maxMoved = 0;
  uint64_t totalMoved = 0;
  uint64_t totalBetweenOthers = 0;
  for (size_t leaving = 0; leaving < n; ++leaving) {
    std::vector<LbHost> remaining = hosts;
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(leaving));
    MaglevLoadBalancer after(remaining, random, kDefaultTable);
    const lbtest::KeyMovement movement =
        measureMovement(before, after, static_cast<uint32_t>(leaving), kKeys);
    EXPECT_LE(static_cast<double>(movement.moved), 1.3 * kKeys / static_cast<double>(n))
        << "host " << leaving << " left";
    maxMoved = std::max(maxMoved, movement.moved);
    totalMoved += movement.moved;
    totalBetweenOthers += movement.movedBetweenOthers;
  }
  std::printf(
      "[ figures  ] maglev N=%zu, one host leaves: keys moved mean %.0f (%.2f%%), max %llu "
      "(%.2f%%) of %llu, of which between staying hosts mean %.0f; ideal 1/N = %.2f%%\n",
      n, static_cast<double>(totalMoved) / static_cast<double>(n),
      100.0 * static_cast<double>(totalMoved) / static_cast<double>(n * kKeys),
      static_cast<unsigned long long>(maxMoved),
      100.0 * static_cast<double>(maxMoved) / static_cast<double>(kKeys),
      static_cast<unsigned long long>(kKeys),
      static_cast<double>(totalBetweenOthers) / static_cast<double>(n),
      100.0 / static_cast<double>(n));
}

TEST_P(MaglevMembershipTest, HostJoiningMovesAboutOneNth) {
  const size_t n = GetParam();
  const std::vector<LbHost> all = makeHosts(n);
  const std::vector<LbHost> without(all.begin(), all.end() - 1);
  FastRandom random(11);
  MaglevLoadBalancer before(without, random, kDefaultTable);
  MaglevLoadBalancer after(all, random, kDefaultTable);
  const lbtest::KeyMovement movement =
      measureMovement(before, after, static_cast<uint32_t>(n - 1), kKeys);
  EXPECT_LE(static_cast<double>(movement.moved), 1.3 * kKeys / static_cast<double>(n));
}

INSTANTIATE_TEST_SUITE_P(HostCounts, MaglevMembershipTest, ::testing::Values(5, 10));

}  // namespace
}  // namespace meshlb::lb
