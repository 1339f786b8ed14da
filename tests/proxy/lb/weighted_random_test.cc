#include "proxy/lb/weighted_random.h"

#include <gtest/gtest.h>

#include "tests/proxy/lb/lb_test_util.h"

namespace meshlb::lb {
namespace {

using lbtest::countPicks;
using lbtest::makeHosts;

constexpr uint64_t kPicks = 100000;

TEST(RandomLoadBalancerTest, EmptyHostSetPicksNothing) {
  FastRandom random(1);
  RandomLoadBalancer lb({}, random);
  EXPECT_FALSE(lb.pick(LbContext{}).has_value());
}

TEST(RandomLoadBalancerTest, WeightedDistribution) {
  FastRandom random(2);
  RandomLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random);
  const auto counts = countPicks(lb, LbContext{}, kPicks);
  ASSERT_EQ(counts.size(), 4u);
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = kPicks * (id + 1) / 10.0;
    EXPECT_NEAR(static_cast<double>(counts.at(id)), expected, expected * 0.05) << "host " << id;
  }
}

TEST(RandomLoadBalancerTest, SkewedWeightsStillReachLightHosts) {
  FastRandom random(3);
  RandomLoadBalancer lb(makeHosts(3, {1000, 1, 1}), random);
  const auto counts = countPicks(lb, LbContext{}, kPicks);
  const double light = kPicks / 1002.0;  // ~100 each
  EXPECT_NEAR(static_cast<double>(counts.at(1)), light, light * 0.35);
  EXPECT_NEAR(static_cast<double>(counts.at(2)), light, light * 0.35);
}

TEST(RandomLoadBalancerTest, EqualWeightsAreUniform) {
  FastRandom random(4);
  RandomLoadBalancer lb(makeHosts(10), random);
  const auto counts = countPicks(lb, LbContext{}, kPicks);
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [id, count] : counts) {
    EXPECT_NEAR(static_cast<double>(count), kPicks / 10.0, kPicks / 10.0 * 0.05) << "host " << id;
  }
}

TEST(RandomLoadBalancerTest, DeterministicWithFixedSeed) {
  const std::vector<LbHost> hosts = makeHosts(7, {1, 2, 3, 1, 2, 3, 1});
  FastRandom a(5);
  FastRandom b(5);
  RandomLoadBalancer lbA(hosts, a);
  RandomLoadBalancer lbB(hosts, b);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(lbA.pick(LbContext{}), lbB.pick(LbContext{}));
  }
}

TEST(RandomLoadBalancerTest, IgnoresTheHash) {
  FastRandom random(6);
  RandomLoadBalancer lb(makeHosts(4), random);
  LbContext context;
  context.hash = 12345;
  const auto counts = countPicks(lb, context, 10000);
  EXPECT_EQ(counts.size(), 4u);
}

}  // namespace
}  // namespace meshlb::lb
