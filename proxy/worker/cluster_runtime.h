#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/lb/load_balancer.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/upstream/connection_pool.h"
#include "proxy/upstream/shared_limits.h"

namespace meshlb {

struct WorkerContext;

// One cluster as a worker sees it: hosts with their connection pools, in-flight request counts,
// passive outlier counters, and the balancer built over the usable hosts of the latest health
// snapshot. Below the panic threshold the balancer spans every host instead. Worker-local.
class ClusterRuntime {
 public:
  // `stats` and `host_stats` (by host index) are this worker's blocks for the cluster.
  ClusterRuntime(WorkerContext& worker, const config::ClusterConfig& config, ClusterLimits& limits,
                 stats::ClusterStats& stats, const std::vector<stats::HostStats*>& host_stats,
                 health::OutlierSink* outlier_sink, uint64_t generation, uint32_t index);

  const config::ClusterConfig& config() const { return *config_; }
  size_t hostCount() const { return pools_.size(); }
  ConnectionPool& pool(uint32_t host) { return *pools_[host]; }
  bool inPanic() const { return panic_; }
  ClusterLimits& limits() { return limits_; }
  stats::ClusterStats& stats() { return stats_; }
  stats::HostStats& hostStats(uint32_t host) { return *host_stats_[host]; }
  uint32_t activeRequests() const { return total_active_; }
  // Retry budget (per worker): may one more retry start now? Counts it when it may.
  bool tryStartRetry();
  bool retryBudgetAvailable() const;
  void retryEnded() { --retries_in_flight_; }
  size_t usableHosts() const { return usable_; }

  // The host for a new request, or nullopt when the cluster has no host at all.
  std::optional<uint32_t> pick(std::optional<uint64_t> hash);
  // A host for a retry: one not in `tried` (bit host % 64 set for each host this request has
  // tried) if a few picks find one, else one other than `last`, else whatever pick() gives. A
  // request that bounced only off the host it tried last could go back and forth between two
  // dead hosts before health checks notice them.
  static uint64_t hostBit(uint32_t host) { return uint64_t{1} << (host % 64); }
  std::optional<uint32_t> pickOther(std::optional<uint64_t> hash, uint64_t tried, uint32_t last);
  void requestStarted(uint32_t host) {
    ++active_requests_[host];
    ++total_active_;
    host_stats_[host]->requests_active.add();
  }
  void requestEnded(uint32_t host) {
    --active_requests_[host];
    --total_active_;
    host_stats_[host]->requests_active.sub();
  }

  // Closes every idle pooled connection (worker shutdown).
  void closeIdle() {
    for (auto& pool : pools_) {
      pool->closeIdle();
    }
  }

  // Applies a health snapshot's flags and weights for this cluster; rebuilds the balancer if
  // they changed.
  void applyHealth(const std::vector<uint8_t>& flags, const std::vector<uint32_t>& weights);

  // Passive outcome of one exchange with `host`, for outlier detection. A gateway failure is a
  // connect failure, reset, timeout, or a 502/503/504 answer; it also counts as a 5xx.
  void recordOutcome(uint32_t host, int status, bool gateway_failure);
  // Upstream connections of this cluster not yet freed (pooled, busy or closing).
  uint32_t liveConnections() const { return live_connections_; }

 private:
  void rebuildBalancer();

  WorkerContext& worker_;
  const config::ClusterConfig* config_;
  ClusterLimits& limits_;
  stats::ClusterStats& stats_;
  std::vector<stats::HostStats*> host_stats_;  // index = host id
  health::OutlierSink* outlier_sink_;          // null when nothing listens (tests)
  uint64_t generation_;
  uint32_t index_;
  uint32_t live_connections_ = 0;
  uint32_t total_active_ = 0;
  uint32_t retries_in_flight_ = 0;
  std::vector<std::unique_ptr<ConnectionPool>> pools_;  // index = host id
  std::vector<uint32_t> active_requests_;               // index = host id
  std::vector<uint8_t> flags_;                          // index = host id
  std::vector<uint32_t> weights_;                       // index = host id
  std::vector<uint32_t> consecutive_5xx_;
  std::vector<uint32_t> consecutive_gateway_;
  lb::LoadBalancerPtr balancer_;
  size_t usable_ = 0;
  bool panic_ = false;
};

}  // namespace meshlb
