#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/uv_handle.h"
#include "proxy/config/config.h"
#include "proxy/health/health_checker.h"
#include "proxy/health/host_state.h"
#include "proxy/lb/load_balancer.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::health {

// Owns every host's health on the main thread: active checkers, outlier ejections (with their
// growing ejection times and the max_ejection_percent cap), and publishes an immutable
// HealthSnapshot to the workers whenever a host's flags change. Workers report outlier events
// through report(), from their own threads; the events reach the main loop by uv_async.
// Main thread, except report().
class HealthManager final : public OutlierSink {
 public:
  using Publish = std::function<void(HealthSnapshotPtr)>;

  HealthManager(uv_loop_t* loop, std::shared_ptr<const config::Config> config, Publish publish);
  ~HealthManager() override;

  void start();
  // Stops checkers and timers; the loop must run once more for the close callbacks.
  void stop();
  // A new config generation: hosts are re-indexed, checks restart, and a host that was failing
  // its active checks (same cluster name and address) stays unhealthy until checks pass again.
  // Ejections end with the old generation.
  void reconfigure(std::shared_ptr<const config::Config> config, uint64_t generation);

  // Any thread. Cheap and rare: called only when a worker's consecutive count reaches a limit.
  void report(uint64_t generation, uint32_t cluster, uint32_t host, OutlierEventKind kind) override;

  // Main thread: an operator's change through the admin API. It lasts across reloads for as
  // long as the host (cluster name and address) stays in the config. Publishes at once.
  void setOperatorDrain(uint32_t cluster, uint32_t host, bool draining);
  void setOperatorWeight(uint32_t cluster, uint32_t host, uint32_t weight);  // weight >= 1
  // Fills each host's health flags, weight and ejection count into a stats snapshot of the
  // same config generation (does nothing on a mismatch, e.g. in the middle of a reload).
  void annotate(stats::StatsSnapshot& snapshot) const;

  // Main thread: what the admin API shows.
  struct HostView {
    uint8_t flags = 0;
    uint32_t weight = 1;
    uint32_t ejections = 0;                      // times ejected so far
    uint64_t ejected_for_ms = 0;                 // remaining ejection, 0 when not ejected
    const HostHealthChecker* checker = nullptr;  // null without active checks
  };
  HostView host(uint32_t cluster, uint32_t host) const;
  HealthSnapshotPtr snapshot() const { return snapshot_; }

 private:
  struct HostRecord {
    HealthManager* manager = nullptr;  // for the ejection timer's callback
    uint32_t cluster = 0;
    uint32_t host = 0;
    uint8_t flags = 0;
    uint32_t weight = 1;
    uint32_t ejections = 0;        // in this generation: sets the next ejection's length
    uint32_t ejections_total = 0;  // over the process's life (kept across reloads)
    uint64_t ejected_until_ms = 0;
    std::unique_ptr<UvHandle<uv_timer_t>> ejection_timer;
    std::unique_ptr<HostHealthChecker> checker;
  };
  struct PendingEvent {
    uint64_t generation;
    uint32_t cluster;
    uint32_t host;
    OutlierEventKind kind;
  };

  static void onEvents(uv_async_t* async);
  void handleOutlier(const PendingEvent& event);
  void endEjection(uint32_t cluster, uint32_t host);
  void setFlag(uint32_t cluster, uint32_t host, HostFlag flag, bool on);
  void publish();
  HealthSnapshotPtr makeSnapshot(uint64_t version) const;
  static std::string hostKey(const std::string& cluster, const std::string& address);
  // An operator's changes, by hostKey(); applied by buildHosts().
  struct OperatorOverride {
    std::optional<bool> draining;
    std::optional<uint32_t> weight;
  };
  std::map<std::string, OperatorOverride> overrides_;
  void buildHosts(const std::vector<std::vector<HostRecord>>* previous);
  void startCheckers();
  void retireHosts();

  uv_loop_t* loop_;
  std::shared_ptr<const config::Config> config_;
  std::shared_ptr<const config::Config> previous_config_;  // only during reconfigure()
  Publish publish_;
  lb::FastRandom random_;
  uint64_t generation_ = 1;
  std::vector<std::vector<HostRecord>> hosts_;  // [cluster][host]
  // Checkers of past generations, kept until their closing timers are surely done.
  std::vector<std::unique_ptr<HostHealthChecker>> retired_checkers_;
  HealthSnapshotPtr snapshot_;
  UvHandle<uv_async_t> events_async_;
  std::mutex events_mutex_;  // guards pending_ and accepting_
  std::vector<PendingEvent> pending_;
  bool accepting_ = false;
};

}  // namespace meshlb::health
