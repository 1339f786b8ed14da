#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/stats/stats_store.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/worker/worker.h"

namespace meshlb {

// The data plane as the main thread sees it: opens the listening sockets (one per worker per
// address), starts the workers, hands them new config generations, sums their stats, and
// drains them. Main thread only.
class ProxyServer {
 public:
  explicit ProxyServer(std::shared_ptr<const config::Config> config);
  ~ProxyServer();

  // Where workers report outlier events; set before start().
  void setOutlierSink(health::OutlierSink* sink) { outlier_sink_ = sink; }
  // Binds every listener and starts the workers; the error names the listener that failed.
  Status start();
  // Runs `config` from now on (generation()+1): new addresses are bound first, so a failure
  // leaves the running config untouched. Connections in flight finish on their generation.
  Status reload(std::shared_ptr<const config::Config> config);
  // Hands a new health snapshot to every worker.
  void publishHealth(const health::HealthSnapshotPtr& snapshot);
  // Asks every worker to drain; finished() turns true when all have ended.
  void drain();
  bool finished() const;
  void join();

  uint32_t workerCount() const { return static_cast<uint32_t>(workers_.size()); }
  uint64_t generation() const { return generation_; }
  // Every worker's stats merged, for the running config (health fields not filled).
  stats::StatsSnapshot stats() const;
  const config::Config& config() const { return *config_; }
  std::shared_ptr<const config::Config> configPtr() const { return config_; }

 private:
  // Opens one socket per worker for each listener address not bound yet. On failure nothing is
  // left open and the error names the listener.
  Result<std::vector<std::map<std::string, int>>> openNewSockets(const config::Config& config,
                                                                 uint32_t workers);

  std::shared_ptr<const config::Config> config_;
  health::OutlierSink* outlier_sink_ = nullptr;
  // Declared before workers_: the blocks must outlive the worker threads that write them.
  std::unique_ptr<stats::StatsStore> stats_store_;
  std::shared_ptr<const stats::ConfigStatsBlocks> stats_blocks_;  // for config_
  std::vector<std::unique_ptr<Worker>> workers_;
  std::set<std::string> bound_addresses_;
  uint64_t generation_ = 0;
  int access_log_fd_ = -1;
  bool draining_ = false;
};

}  // namespace meshlb
