#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/config/config.h"
#include "proxy/worker/worker.h"

namespace meshlb {

// Sum of every worker's counters at one moment.
struct StatsSnapshot {
  std::vector<std::pair<std::string, uint64_t>> counters;  // name, value; in a fixed order
};

// The data plane as the main thread sees it: opens every listening socket (one per worker per
// listener), starts the workers, sums their stats, and drains them. Main thread only.
class ProxyServer {
 public:
  explicit ProxyServer(std::shared_ptr<const config::Config> config);
  ~ProxyServer();

  // Binds every listener and starts the workers; the error names the listener that failed.
  Status start();
  // Where workers report outlier events; set before start().
  void setOutlierSink(health::OutlierSink* sink) { outlier_sink_ = sink; }
  // Hands a new health snapshot to every worker.
  void publishHealth(const health::HealthSnapshotPtr& snapshot);
  // Asks every worker to drain; finished() turns true when all have ended.
  void drain();
  bool finished() const;
  void join();

  uint32_t workerCount() const { return static_cast<uint32_t>(workers_.size()); }
  StatsSnapshot stats() const;
  const config::Config& config() const { return *config_; }

 private:
  std::shared_ptr<const config::Config> config_;
  int access_log_fd_ = -1;
  health::OutlierSink* outlier_sink_ = nullptr;
  std::unique_ptr<SharedLimits> limits_;  // outlives the workers (declared before them)
  std::vector<std::unique_ptr<Worker>> workers_;
  bool draining_ = false;
};

}  // namespace meshlb
