#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <vector>

#include "admin/metrics/metrics_exporter.h"
#include "capture/capture_service.h"
#include "common/uv_handle.h"
#include "proxy/health/health_manager.h"
#include "proxy/server/config_reloader.h"
#include "proxy/server/proxy_server.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::admin {

// The main thread's stats tick: once a second (and whenever an endpoint wants fresh numbers) it
// merges every worker's blocks, adds the health manager's view of each host, publishes the
// result to the Prometheus registry and hands it to whoever subscribed (the analytics core).
// Main thread only.
class StatsCollector {
 public:
  // The stats and the newest capture summary (never null) of one tick.
  using Subscriber = std::function<void(const stats::StatsSnapshot&, const capture::FlowSummary&)>;
  static constexpr uint64_t kTickMs = 1000;

  StatsCollector(uv_loop_t* loop, const ProxyServer& proxy, const health::HealthManager& health,
                 const ConfigReloader& reloader, std::string version);

  // Where capture summaries come from (null: capture is not configured).
  void setCapture(const capture::CaptureService* capture) { capture_ = capture; }

  void start();
  // Stops the tick; the loop must run once more for the timer's close callback.
  void stop();
  // Merges now, publishes, and returns the new snapshot.
  const stats::StatsSnapshot& refresh();
  const stats::StatsSnapshot& latest() const { return latest_; }
  const std::shared_ptr<const capture::FlowSummary>& latestFlows() const { return flows_; }
  MetricsExporter& exporter() { return exporter_; }
  // Called after every tick's merge (not after refresh() calls made for endpoints).
  void subscribe(Subscriber subscriber) { subscribers_.push_back(std::move(subscriber)); }

 private:
  static void onTick(uv_timer_t* timer);

  uv_loop_t* loop_;
  const ProxyServer& proxy_;
  const health::HealthManager& health_;
  const ConfigReloader& reloader_;
  MetricsExporter exporter_;
  stats::StatsSnapshot latest_;
  const capture::CaptureService* capture_ = nullptr;
  std::shared_ptr<const capture::FlowSummary> flows_;
  std::vector<Subscriber> subscribers_;
  UvHandle<uv_timer_t> timer_;
};

}  // namespace meshlb::admin
