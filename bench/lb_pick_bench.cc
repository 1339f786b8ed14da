// Cost of one LoadBalancer::pick() per policy, with 3 and 100 hosts, equal and mixed weights;
// plus the cost of building each balancer (paid on every host-set change, per worker).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "proxy/lb/load_balancer.h"

namespace meshlb::lb {
namespace {

std::vector<LbHost> benchHosts(size_t count, bool weighted) {
  std::vector<LbHost> hosts;
  for (size_t i = 0; i < count; ++i) {
    LbHost host;
    host.id = static_cast<uint32_t>(i);
    host.weight = weighted ? static_cast<uint32_t>(1 + i % 3) : 1;
    host.hash_identity = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":80";
    hosts.push_back(host);
  }
  return hosts;
}

// Args: {hosts, weighted}.
void benchPick(benchmark::State& state, LbPolicy policy) {
  const size_t count = static_cast<size_t>(state.range(0));
  const std::vector<LbHost> hosts = benchHosts(count, state.range(1) != 0);
  FastRandom random(1);
  LoadBalancerPtr lb = createLoadBalancer(policy, hosts, random);
  // Uneven in-flight counts so least_request's comparison is not trivially a tie.
  std::vector<uint32_t> active(count);
  for (size_t i = 0; i < count; ++i) {
    active[i] = static_cast<uint32_t>(i * 7 % 5);
  }
  LbContext context;
  context.active_requests = active.data();
  const bool hashed = policy == LbPolicy::kRingHash || policy == LbPolicy::kMaglev;
  uint64_t key = 0;
  for (auto _ : state) {
    if (hashed) {
      key += 0x9E3779B97F4A7C15ULL;  // spread keys over the ring / table
      context.hash = key;
    }
    benchmark::DoNotOptimize(lb->pick(context));
  }
}

void benchBuild(benchmark::State& state, LbPolicy policy) {
  const std::vector<LbHost> hosts =
      benchHosts(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  FastRandom random(1);
  for (auto _ : state) {
    LoadBalancerPtr lb = createLoadBalancer(policy, hosts, random);
    benchmark::DoNotOptimize(lb.get());
  }
}

void applyPickArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"hosts", "weighted"})->ArgsProduct({{3, 100}, {0, 1}});
}

BENCHMARK_CAPTURE(benchPick, round_robin, LbPolicy::kRoundRobin)->Apply(applyPickArgs);
BENCHMARK_CAPTURE(benchPick, least_request, LbPolicy::kLeastRequest)->Apply(applyPickArgs);
BENCHMARK_CAPTURE(benchPick, random, LbPolicy::kRandom)->Apply(applyPickArgs);
BENCHMARK_CAPTURE(benchPick, ring_hash, LbPolicy::kRingHash)->Apply(applyPickArgs);
BENCHMARK_CAPTURE(benchPick, maglev, LbPolicy::kMaglev)->Apply(applyPickArgs);

void applyBuildArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"hosts", "weighted"})->Args({100, 1})->Unit(benchmark::kMicrosecond);
}

BENCHMARK_CAPTURE(benchBuild, round_robin, LbPolicy::kRoundRobin)->Apply(applyBuildArgs);
BENCHMARK_CAPTURE(benchBuild, ring_hash, LbPolicy::kRingHash)->Apply(applyBuildArgs);
BENCHMARK_CAPTURE(benchBuild, maglev, LbPolicy::kMaglev)->Apply(applyBuildArgs);

}  // namespace
}  // namespace meshlb::lb
