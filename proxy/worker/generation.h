#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/stats/stats_store.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/worker/cluster_runtime.h"
#include "proxy/worker/listener.h"

namespace meshlb {

// What a worker built from one config: clusters (balancers, pools) and listeners (routes). A
// session pins the generation it was accepted on and uses it to the end, so a reload changes
// nothing under a request in flight. A retired generation is freed by the worker once no
// session and no upstream connection uses it any more. Worker-local.
struct Generation {
  uint64_t number = 0;
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<SharedLimits> limits;  // circuit-breaker gauges, shared by the workers
  std::shared_ptr<const stats::ConfigStatsBlocks> stats;  // pointers to the blocks (see worker)
  std::vector<std::unique_ptr<ClusterRuntime>> clusters;  // index = config cluster index
  std::vector<std::unique_ptr<ListenerRuntime>> listeners;
  size_t sessions = 0;  // sessions pinning this generation
  bool retired = false;

  bool unused() const {
    if (sessions > 0) {
      return false;
    }
    for (const auto& cluster : clusters) {
      if (cluster->liveConnections() > 0) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace meshlb
