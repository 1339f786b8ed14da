#include "proxy/lb/round_robin.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/proxy/lb/lb_test_util.h"

namespace meshlb::lb {
namespace {

using lbtest::ConstantRandom;
using lbtest::makeHosts;

// Picks `count` times and spells the ids as letters (0 -> a), so sequences read like nginx's docs.
std::string pickLetters(LoadBalancer& lb, size_t count) {
  std::string letters;
  for (size_t i = 0; i < count; ++i) {
    const std::optional<uint32_t> id = lb.pick(LbContext{});
    letters.push_back(id.has_value() ? static_cast<char>('a' + *id) : '-');
  }
  return letters;
}

TEST(RoundRobinTest, EmptyHostSetPicksNothing) {
  ConstantRandom random(0);
  RoundRobinLoadBalancer lb({}, random);
  EXPECT_FALSE(lb.pick(LbContext{}).has_value());
}

TEST(RoundRobinTest, SmoothSequenceForWeightsFiveOneOne) {
  ConstantRandom random(0);  // no start offset: the canonical sequence
  const std::vector<LbHost> hosts = makeHosts(3, {5, 1, 1});
  RoundRobinLoadBalancer lb(hosts, random);
  EXPECT_EQ(pickLetters(lb, 21),
            "aabacaa"
            "aabacaa"
            "aabacaa");
}

TEST(RoundRobinTest, RandomStartIsARotationOfTheSmoothCycle) {
  const std::vector<LbHost> hosts = makeHosts(3, {5, 1, 1});
  const std::string cycle = "aabacaa";
  std::set<std::string> starts;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    FastRandom random(seed);
    RoundRobinLoadBalancer lb(hosts, random);
    const std::string first = pickLetters(lb, 7);
    EXPECT_NE((cycle + cycle).find(first), std::string::npos) << "seed " << seed << ": " << first;
    EXPECT_EQ(pickLetters(lb, 7), first) << "seed " << seed;
    starts.insert(first);
  }
  // Offsets range over the whole cycle, so all seven rotations occur across 64 workers.
  EXPECT_EQ(starts.size(), 7u);
}

TEST(RoundRobinTest, EqualWeightsRotateStrictly) {
  const std::vector<LbHost> hosts = makeHosts(4, {3, 3, 3, 3});
  FastRandom random(99);
  RoundRobinLoadBalancer lb(hosts, random);
  const uint32_t start = *lb.pick(LbContext{});
  for (uint32_t i = 1; i < 40; ++i) {
    EXPECT_EQ(lb.pick(LbContext{}), std::optional<uint32_t>((start + i) % 4));
  }
}

TEST(RoundRobinTest, EqualWeightsStartAtHostZeroWithoutOffset) {
  ConstantRandom random(0);
  RoundRobinLoadBalancer lb(makeHosts(3), random);
  EXPECT_EQ(pickLetters(lb, 9), "abcabcabc");
}

TEST(RoundRobinTest, StartOffsetSpreadsWorkersButIsDeterministic) {
  const std::vector<LbHost> hosts = makeHosts(4);
  std::set<uint32_t> firstPicks;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    FastRandom a(seed);
    FastRandom b(seed);
    RoundRobinLoadBalancer lbA(hosts, a);
    RoundRobinLoadBalancer lbB(hosts, b);
    const std::optional<uint32_t> first = lbA.pick(LbContext{});
    EXPECT_EQ(first, lbB.pick(LbContext{}));
    firstPicks.insert(*first);
  }
  EXPECT_EQ(firstPicks.size(), 4u);
}

TEST(RoundRobinTest, EachCycleHonoursWeightsExactly) {
  const std::vector<LbHost> hosts = makeHosts(4, {4, 3, 2, 1});
  FastRandom random(7);
  RoundRobinLoadBalancer lb(hosts, random);
  // Any window of a whole number of cycles holds each host exactly weight times per cycle.
  const auto counts = lbtest::countPicks(lb, LbContext{}, 10 * 100);
  EXPECT_EQ(counts.at(0), 400u);
  EXPECT_EQ(counts.at(1), 300u);
  EXPECT_EQ(counts.at(2), 200u);
  EXPECT_EQ(counts.at(3), 100u);
}

TEST(RoundRobinTest, ReturnsCallerIdsNotPositions) {
  std::vector<LbHost> hosts = makeHosts(3);
  hosts[0].id = 30;
  hosts[1].id = 10;
  hosts[2].id = 20;
  ConstantRandom random(0);
  RoundRobinLoadBalancer lb(hosts, random);
  EXPECT_EQ(lb.pick(LbContext{}), std::optional<uint32_t>(30));
  EXPECT_EQ(lb.pick(LbContext{}), std::optional<uint32_t>(10));
  EXPECT_EQ(lb.pick(LbContext{}), std::optional<uint32_t>(20));
}

}  // namespace
}  // namespace meshlb::lb
