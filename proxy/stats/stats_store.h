#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::stats {

// One worker's blocks for one config generation, by config index: what the worker's Generation
// points its clusters, hosts and listeners at.
struct WorkerStatsBlocks {
  std::vector<ClusterStats*> clusters;         // [cluster]
  std::vector<std::vector<HostStats*>> hosts;  // [cluster][host]
  std::vector<ListenerStats*> listeners;       // [listener]
};

// Every worker's blocks for one config.
struct ConfigStatsBlocks {
  std::vector<WorkerStatsBlocks> workers;  // [worker]
};

// Owns every stats block of every worker, keyed by what the block counts for: a cluster by
// name, a host by cluster name and address, a listener by name. A reload that keeps a cluster,
// host or listener keeps its blocks, so counters never go backwards across reloads; a new one
// gets fresh zeroed blocks. Blocks are never freed before the store (a host removed and added
// again continues its counts), so the workers' raw pointers stay valid; the store must outlive
// the workers. Main thread only: the workers touch the blocks, never the store.
class StatsStore {
 public:
  explicit StatsStore(uint32_t workers) : workers_(workers) {}
  StatsStore(const StatsStore&) = delete;
  StatsStore& operator=(const StatsStore&) = delete;

  uint32_t workers() const { return workers_; }
  // The blocks for `config`, creating those it needs that do not exist yet.
  std::shared_ptr<const ConfigStatsBlocks> resolve(const config::Config& config);
  // Sums every worker's blocks for `config` (resolved as `blocks`) into a snapshot; fills the
  // counters only (not time, generation, worker totals or health).
  static StatsSnapshot merge(const config::Config& config, const ConfigStatsBlocks& blocks);

 private:
  // One block per worker, each allocated on its own so workers never share a cache line.
  template <typename Block>
  using PerWorker = std::vector<std::unique_ptr<Block>>;

  template <typename Block>
  static PerWorker<Block>& entry(std::map<std::string, PerWorker<Block>>& map,
                                 const std::string& key, uint32_t workers);

  uint32_t workers_;
  std::map<std::string, PerWorker<ClusterStats>> clusters_;
  std::map<std::string, PerWorker<HostStats>> hosts_;  // key: cluster '\n' address
  std::map<std::string, PerWorker<ListenerStats>> listeners_;
};

}  // namespace meshlb::stats
