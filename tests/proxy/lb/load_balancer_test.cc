// Tests of the shared pieces behind the load balancer interface: the stable hash, the random
// source, policy names and the factory's behaviour common to every policy.
#include "proxy/lb/load_balancer.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/proxy/lb/lb_test_util.h"

namespace meshlb::lb {
namespace {

using lbtest::countPicks;
using lbtest::makeHosts;

constexpr LbPolicy kAllPolicies[] = {LbPolicy::kRoundRobin, LbPolicy::kLeastRequest,
                                     LbPolicy::kRandom, LbPolicy::kRingHash, LbPolicy::kMaglev};

// Reference values from the xxHash project's XXH64 (libxxhash 0.8.1): ring positions must never
// change between builds, or every upgrade would reshuffle all sticky sessions.
TEST(Hash64Test, MatchesReferenceXxHash64) {
  EXPECT_EQ(hash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(hash64("", 1), 0xD5AFBA1336A3BE4BULL);
  EXPECT_EQ(hash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(hash64("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(hash64("abc", 1), 0xBEA9CA8199328908ULL);
  EXPECT_EQ(hash64("10.0.0.1:8080_0"), 0x23A29AE775DFD4A3ULL);
  // Exactly 32 bytes: one full stripe.
  EXPECT_EQ(hash64("0123456789abcdef0123456789abcdef"), 0x642A94958E71E6C5ULL);
  // Two stripes plus 8-, 4- and 1-byte tails.
  EXPECT_EQ(hash64("The quick brown fox jumps over the lazy dog, then runs 42 laps around it!"),
            0xA0D8F6F93E9CC385ULL);
  EXPECT_EQ(hash64("The quick brown fox jumps over the lazy dog, then runs 42 laps around it!",
                   0x9E3779B97F4A7C15ULL),
            0x6F8BBAB1AC03B341ULL);
}

TEST(Hash64Test, SameInputSameHash) {
  EXPECT_EQ(hash64("10.1.2.3:443"), hash64("10.1.2.3:443"));
  EXPECT_EQ(hash64("10.1.2.3:443", 7), hash64("10.1.2.3:443", 7));
}

TEST(Hash64Test, DifferentSeedsAndInputsDiffer) {
  EXPECT_NE(hash64("10.1.2.3:443", 0), hash64("10.1.2.3:443", 1));
  EXPECT_NE(hash64("10.1.2.3:443"), hash64("10.1.2.4:443"));
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    seen.insert(lbtest::keyHash(static_cast<uint64_t>(i)));
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(FastRandomTest, MatchesReferenceXoshiro256StarStar) {
  // xoshiro256** with splitmix64 seeding, computed by an independent implementation.
  FastRandom zero(0);
  EXPECT_EQ(zero.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(zero.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(zero.next(), 0x1a5f849d4933e6e0ULL);
  FastRandom fortyTwo(42);
  EXPECT_EQ(fortyTwo.next(), 0x15780b2e0c2ec716ULL);
}

TEST(FastRandomTest, DeterministicPerSeed) {
  FastRandom a(12345);
  FastRandom b(12345);
  FastRandom c(12346);
  bool anyDifferent = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.next();
    EXPECT_EQ(va, b.next());
    anyDifferent = anyDifferent || va != c.next();
  }
  EXPECT_TRUE(anyDifferent);
}

TEST(LbPolicyTest, NamesRoundTrip) {
  for (LbPolicy policy : kAllPolicies) {
    const std::string_view name = lbPolicyName(policy);
    const std::optional<LbPolicy> parsed = parseLbPolicy(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(*parsed, policy) << name;
  }
  EXPECT_EQ(lbPolicyName(LbPolicy::kRoundRobin), "round_robin");
  EXPECT_EQ(lbPolicyName(LbPolicy::kLeastRequest), "least_request");
  EXPECT_EQ(lbPolicyName(LbPolicy::kRandom), "random");
  EXPECT_EQ(lbPolicyName(LbPolicy::kRingHash), "ring_hash");
  EXPECT_EQ(lbPolicyName(LbPolicy::kMaglev), "maglev");
}

TEST(LbPolicyTest, UnknownNamesRejected) {
  EXPECT_FALSE(parseLbPolicy("").has_value());
  EXPECT_FALSE(parseLbPolicy("RoundRobin").has_value());
  EXPECT_FALSE(parseLbPolicy("ROUND_ROBIN").has_value());
  EXPECT_FALSE(parseLbPolicy("least_conn").has_value());
  EXPECT_FALSE(parseLbPolicy("maglev ").has_value());
}

TEST(LoadBalancerFactoryTest, EmptyHostSetPicksNothing) {
  for (LbPolicy policy : kAllPolicies) {
    FastRandom random(1);
    LoadBalancerPtr lb = createLoadBalancer(policy, {}, random);
    ASSERT_NE(lb, nullptr);
    LbContext context;
    EXPECT_FALSE(lb->pick(context).has_value()) << lbPolicyName(policy);
    context.hash = 42;
    EXPECT_FALSE(lb->pick(context).has_value()) << lbPolicyName(policy);
  }
}

TEST(LoadBalancerFactoryTest, SingleHostAlwaysPicked) {
  std::vector<LbHost> hosts = makeHosts(1);
  hosts[0].id = 17;
  for (LbPolicy policy : kAllPolicies) {
    FastRandom random(1);
    LoadBalancerPtr lb = createLoadBalancer(policy, hosts, random);
    for (uint64_t i = 0; i < 100; ++i) {
      LbContext context;
      if (i % 2 == 0) {
        context.hash = lbtest::keyHash(i);
      }
      EXPECT_EQ(lb->pick(context), std::optional<uint32_t>(17)) << lbPolicyName(policy);
    }
  }
}

TEST(LoadBalancerFactoryTest, ZeroWeightTreatedAsOne) {
  const std::vector<LbHost> hosts = makeHosts(2, {0, 1});
  for (LbPolicy policy : kAllPolicies) {
    FastRandom random(3);
    LoadBalancerPtr lb = createLoadBalancer(policy, hosts, random);
    const auto counts = countPicks(*lb, LbContext{}, 20000);
    ASSERT_EQ(counts.size(), 2u) << lbPolicyName(policy);
    EXPECT_NEAR(static_cast<double>(counts.at(0)) / 20000.0, 0.5, 0.05) << lbPolicyName(policy);
  }
}

TEST(LoadBalancerFactoryTest, HostsAreCopied) {
  FastRandom random(5);
  std::vector<LbHost> hosts = makeHosts(3);
  std::vector<LoadBalancerPtr> lbs;
  for (LbPolicy policy : kAllPolicies) {
    lbs.push_back(createLoadBalancer(policy, hosts, random));
  }
  hosts.clear();
  hosts.shrink_to_fit();
  for (LoadBalancerPtr& lb : lbs) {
    const std::optional<uint32_t> picked = lb->pick(LbContext{});
    ASSERT_TRUE(picked.has_value());
    EXPECT_LT(*picked, 3u);
  }
}

}  // namespace
}  // namespace meshlb::lb
