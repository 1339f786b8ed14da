#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "proxy/stats/stat_blocks.h"

namespace meshlb::stats {

// Every stat summed over the workers at one moment, in the running config's order. Built by
// the main thread (ProxyServer::stats(), then health fields by HealthManager::annotate()),
// read by the admin API, the Prometheus exporter and the analytics core. A plain value.

struct HostSnapshot {
  std::string address;  // the host's label, as written in the config
  HostStatsValues values;
  // Filled from the health manager (main thread):
  uint8_t health_flags = 0;  // health::HostFlag bits
  uint32_t weight = 1;       // as balanced now (the config's, or an operator's override)
  uint32_t ejections_total = 0;
};

struct ClusterSnapshot {
  std::string name;
  ClusterStatsValues values;
  std::vector<HostSnapshot> hosts;  // config order
};

struct ListenerSnapshot {
  std::string name;
  ListenerStatsValues values;
};

struct StatsSnapshot {
  uint64_t unix_ms = 0;       // wall-clock time of the merge
  uint64_t monotonic_ms = 0;  // uv_hrtime() / 1e6 at the merge, for rates
  uint64_t config_generation = 0;
  std::vector<ClusterSnapshot> clusters;    // config order
  std::vector<ListenerSnapshot> listeners;  // config order
  // Process-wide totals of every worker (WorkerStats), name and value, in a fixed order.
  std::vector<std::pair<std::string, uint64_t>> worker_totals;
};

}  // namespace meshlb::stats
