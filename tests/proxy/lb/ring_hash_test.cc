#include "proxy/lb/ring_hash.h"

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
constexpr uint32_t kDefaultMinRing = LbOptions{}.ring_hash_min_ring_size;

std::optional<uint32_t> pickKey(LoadBalancer& lb, uint64_t key) {
  LbContext context;
  context.hash = keyHash(key);
  return lb.pick(context);
}

TEST(RingHashTest, EmptyHostSetPicksNothing) {
  FastRandom random(1);
  RingHashLoadBalancer lb({}, random, kDefaultMinRing);
  LbContext context;
  context.hash = 7;
  EXPECT_FALSE(lb.pick(context).has_value());
  EXPECT_FALSE(lb.pick(LbContext{}).has_value());
  EXPECT_EQ(lb.ringSize(), 0u);
}

TEST(RingHashTest, RingIsAtLeastMinSizeAndProportionalToWeight) {
  FastRandom random(1);
  RingHashLoadBalancer equal(makeHosts(5), random, 1024);
  // 1024 / 5 = 204.8 points per unit weight, rounded up to a power of two.
  EXPECT_EQ(equal.ringSize(), 5u * 256u);
  RingHashLoadBalancer weighted(makeHosts(3, {1, 2, 5}), random, 1000);
  EXPECT_EQ(weighted.ringSize(), 8u * 128u);
  RingHashLoadBalancer heavy(makeHosts(2, {3000, 1000}), random, 1024);
  EXPECT_EQ(heavy.ringSize(), 4000u);  // already past the minimum: one point per unit
}

TEST(RingHashTest, SameHashSameHost) {
  FastRandom random(2);
  std::vector<LbHost> hosts = makeHosts(8);
  RingHashLoadBalancer lb(hosts, random, kDefaultMinRing);
  // Another worker, with another Random and the hosts listed in another order, agrees.
  std::reverse(hosts.begin(), hosts.end());
  FastRandom otherRandom(3);
  RingHashLoadBalancer other(hosts, otherRandom, kDefaultMinRing);
  for (uint64_t key = 0; key < kKeys; ++key) {
    const std::optional<uint32_t> first = pickKey(lb, key);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(pickKey(lb, key), first);
    EXPECT_EQ(pickKey(other, key), first);
  }
}

TEST(RingHashTest, HashPastTheLastPointWrapsToTheFirst) {
  FastRandom random(4);
  RingHashLoadBalancer lb(makeHosts(3), random, 16);
  LbContext high;
  high.hash = UINT64_MAX;
  LbContext low;
  low.hash = 0;
  EXPECT_EQ(lb.pick(high), lb.pick(low));
}

TEST(RingHashTest, WeightedDistribution) {
  FastRandom random(5);
  // A dense ring so that the spread of point positions does not dominate the tolerance.
  RingHashLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random, 16384);
  FastRandom keys(6);
  std::map<uint32_t, uint64_t> counts;
  constexpr uint64_t kPicks = 100000;
  for (uint64_t i = 0; i < kPicks; ++i) {
    LbContext context;
    context.hash = keys.next();
    counts[*lb.pick(context)]++;
  }
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = kPicks * (id + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts[id]), expected, expected * 0.10) << "host " << id;
  }
}

TEST(RingHashTest, WeightedDistributionWithDefaultRing) {
  FastRandom random(7);
  RingHashLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random, kDefaultMinRing);
  const auto counts = countPicks(lb, LbContext{}, 100000);  // no hash: random positions
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = 100000 * (id + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts.at(id)), expected, expected * 0.25) << "host " << id;
  }
}

TEST(RingHashTest, MissingHashFallsBackToRandom) {
  FastRandom a(8);
  FastRandom b(8);
  const std::vector<LbHost> hosts = makeHosts(5);
  RingHashLoadBalancer lbA(hosts, a, kDefaultMinRing);
  RingHashLoadBalancer lbB(hosts, b, kDefaultMinRing);
  std::map<uint32_t, uint64_t> counts;
  for (int i = 0; i < 10000; ++i) {
    const std::optional<uint32_t> picked = lbA.pick(LbContext{});
    EXPECT_EQ(picked, lbB.pick(LbContext{}));  // deterministic for a fixed seed
    counts[*picked]++;
  }
  EXPECT_EQ(counts.size(), 5u);
}

TEST(RingHashTest, KeysSpreadEvenly) {
  FastRandom random(9);
  RingHashLoadBalancer lb(makeHosts(10), random, kDefaultMinRing);
  std::map<uint32_t, uint64_t> counts;
  for (uint64_t key = 0; key < kKeys; ++key) {
    counts[*pickKey(lb, key)]++;
  }
  ASSERT_EQ(counts.size(), 10u);
  uint64_t lowest = kKeys;
  uint64_t highest = 0;
  for (const auto& [id, count] : counts) {
    lowest = std::min(lowest, count);
    highest = std::max(highest, count);
    EXPECT_NEAR(static_cast<double>(count), kKeys / 10.0, kKeys / 10.0 * 0.30) << "host " << id;
  }
  std::printf("[ figures  ] ring_hash 10 hosts, %llu keys: per host min %llu max %llu\n",
              static_cast<unsigned long long>(kKeys), static_cast<unsigned long long>(lowest),
              static_cast<unsigned long long>(highest));
}

class RingHashMembershipTest : public ::testing::TestWithParam<size_t> {};

// When one of N hosts leaves, only the keys it held move: none move between staying hosts, and
// the departed host held about 1/N of them. Checked for every host in turn.
TEST_P(RingHashMembershipTest, HostLeavingMovesOnlyItsOwnKeys) {
  const size_t n = GetParam();
  const std::vector<LbHost> hosts = makeHosts(n);
  FastRandom random(10);
  RingHashLoadBalancer before(hosts, random, kDefaultMinRing);
  uint64_t maxMoved = 0;
  uint64_t totalMoved = 0;
  for (size_t leaving = 0; leaving < n; ++leaving) {
    std::vector<LbHost> remaining = hosts;
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(leaving));
    RingHashLoadBalancer after(remaining, random, kDefaultMinRing);
    const lbtest::KeyMovement movement =
        measureMovement(before, after, static_cast<uint32_t>(leaving), kKeys);
    EXPECT_EQ(movement.movedBetweenOthers, 0u) << "host " << leaving << " left";
    EXPECT_LE(static_cast<double>(movement.moved), 1.3 * kKeys / static_cast<double>(n))
        << "host " << leaving << " left";
    maxMoved = std::max(maxMoved, movement.moved);
    totalMoved += movement.moved;
  }
  std::printf(
      "[ figures  ] ring_hash N=%zu, one host leaves: keys moved mean %.0f (%.2f%%), max %llu "
      "(%.2f%%) of %llu; ideal 1/N = %.2f%%\n",
      n, static_cast<double>(totalMoved) / static_cast<double>(n),
      100.0 * static_cast<double>(totalMoved) / static_cast<double>(n * kKeys),
      static_cast<unsigned long long>(maxMoved),
      100.0 * static_cast<double>(maxMoved) / static_cast<double>(kKeys),
      static_cast<unsigned long long>(kKeys), 100.0 / static_cast<double>(n));
}

// The mirror image: a host joining takes keys only for itself.
TEST_P(RingHashMembershipTest, HostJoiningTakesKeysOnlyForItself) {
  const size_t n = GetParam();
  const std::vector<LbHost> all = makeHosts(n);
  const std::vector<LbHost> without(all.begin(), all.end() - 1);
  FastRandom random(11);
  RingHashLoadBalancer before(without, random, kDefaultMinRing);
  RingHashLoadBalancer after(all, random, kDefaultMinRing);
  const lbtest::KeyMovement movement =
      measureMovement(before, after, static_cast<uint32_t>(n - 1), kKeys);
  EXPECT_EQ(movement.movedBetweenOthers, 0u);
  EXPECT_LE(static_cast<double>(movement.moved), 1.3 * kKeys / static_cast<double>(n));
}

INSTANTIATE_TEST_SUITE_P(HostCounts, RingHashMembershipTest, ::testing::Values(5, 10));

}  // namespace
}  // namespace meshlb::lb
