#include "proxy/lb/least_request.h"

#include <gtest/gtest.h>

#include "tests/proxy/lb/lb_test_util.h"

namespace meshlb::lb {
namespace {

using lbtest::countPicks;
using lbtest::makeHosts;

constexpr uint64_t kPicks = 100000;

double share(const std::map<uint32_t, uint64_t>& counts, uint32_t id) {
  const auto it = counts.find(id);
  return it == counts.end() ? 0.0 : static_cast<double>(it->second) / static_cast<double>(kPicks);
}

TEST(LeastRequestTest, EmptyHostSetPicksNothing) {
  FastRandom random(1);
  LeastRequestLoadBalancer lb({}, random, 2);
  const uint32_t active[1] = {0};
  LbContext context;
  context.active_requests = active;
  EXPECT_FALSE(lb.pick(context).has_value());
  EXPECT_FALSE(lb.pick(LbContext{}).has_value());
}

TEST(LeastRequestTest, PrefersTheIdleHost) {
  FastRandom random(11);
  LeastRequestLoadBalancer lb(makeHosts(2), random, 2);
  const uint32_t active[2] = {10, 0};
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  // Two draws with replacement: the busy host wins only when both draws hit it (1/4).
  EXPECT_GE(share(counts, 1), 0.70);
  EXPECT_NEAR(share(counts, 1), 0.75, 0.01);
}

TEST(LeastRequestTest, MoreChoicesPreferTheIdleHostMore) {
  FastRandom random(12);
  LeastRequestLoadBalancer lb(makeHosts(2), random, 3);
  const uint32_t active[2] = {10, 0};
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  EXPECT_NEAR(share(counts, 1), 0.875, 0.01);
}

TEST(LeastRequestTest, OneChoiceIgnoresLoad) {
  FastRandom random(13);
  LeastRequestLoadBalancer lb(makeHosts(2), random, 0);  // 0 is treated as 1
  const uint32_t active[2] = {10, 0};
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  EXPECT_NEAR(share(counts, 1), 0.5, 0.01);
}

TEST(LeastRequestTest, BusiestOfManyHostsIsAvoided) {
  FastRandom random(14);
  LeastRequestLoadBalancer lb(makeHosts(10), random, 2);
  uint32_t active[10] = {};
  active[4] = 50;  // one slow host accumulating requests
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  // It wins only when drawn twice: (1/10)^2.
  EXPECT_NEAR(share(counts, 4), 0.01, 0.003);
}

TEST(LeastRequestTest, EqualCountsBehaveLikeWeightedRandom) {
  FastRandom random(15);
  LeastRequestLoadBalancer lb(makeHosts(4, {1, 2, 3, 4}), random, 2);
  const uint32_t active[4] = {5, 5, 5, 5};
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  for (uint32_t id = 0; id < 4; ++id) {
    const double expected = (id + 1) / 10.0;
    EXPECT_NEAR(share(counts, id), expected, expected * 0.05) << "host " << id;
  }
}

TEST(LeastRequestTest, MissingCountsBehaveLikeWeightedRandom) {
  FastRandom random(16);
  LeastRequestLoadBalancer lb(makeHosts(3, {5, 1, 1}), random, 2);
  const auto counts = countPicks(lb, LbContext{}, kPicks);
  EXPECT_NEAR(share(counts, 0), 5.0 / 7, 0.01);
  EXPECT_NEAR(share(counts, 1), 1.0 / 7, 0.01);
  EXPECT_NEAR(share(counts, 2), 1.0 / 7, 0.01);
}

TEST(LeastRequestTest, CountsAreIndexedByHostId) {
  std::vector<LbHost> hosts = makeHosts(2);
  hosts[0].id = 7;
  hosts[1].id = 3;
  FastRandom random(17);
  LeastRequestLoadBalancer lb(hosts, random, 2);
  uint32_t active[8] = {};
  active[7] = 100;  // host id 7 is busy, id 3 idle
  LbContext context;
  context.active_requests = active;
  const auto counts = countPicks(lb, context, kPicks);
  EXPECT_NEAR(share(counts, 3), 0.75, 0.01);
  EXPECT_NEAR(share(counts, 7), 0.25, 0.01);
}

TEST(LeastRequestTest, DeterministicWithFixedSeed) {
  const std::vector<LbHost> hosts = makeHosts(5, {1, 2, 1, 2, 1});
  FastRandom a(21);
  FastRandom b(21);
  LeastRequestLoadBalancer lbA(hosts, a, 2);
  LeastRequestLoadBalancer lbB(hosts, b, 2);
  const uint32_t active[5] = {3, 0, 1, 4, 2};
  LbContext context;
  context.active_requests = active;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(lbA.pick(context), lbB.pick(context));
  }
}

}  // namespace
}  // namespace meshlb::lb
