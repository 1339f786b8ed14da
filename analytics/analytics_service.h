#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "analytics/analytics_engine.h"
#include "analytics/analytics_view.h"
#include "capture/summary/flow_summary.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::analytics {

// The analytics core on its own thread. The main thread posts each stats tick (a snapshot and
// the newest capture summary) and reads the published view and the series store; the
// analytics thread owns the engine. Shared state: the mailbox and the published view, each
// behind a mutex, and the store's own lock. Nothing here is on the proxy's data path.
class AnalyticsService {
 public:
  static constexpr size_t kMailbox = 4;  // ticks waiting; when full the oldest is dropped

  explicit AnalyticsService(const EngineParams& params);
  ~AnalyticsService();
  AnalyticsService(const AnalyticsService&) = delete;
  AnalyticsService& operator=(const AnalyticsService&) = delete;

  void start();
  void stop();
  // Main thread: one stats tick.
  void post(std::shared_ptr<const stats::StatsSnapshot> stats,
            std::shared_ptr<const capture::FlowSummary> flows);
  // Any thread: the view of the last processed tick (never null).
  std::shared_ptr<const AnalyticsView> latest() const;
  // Any thread: range queries (the store locks itself).
  const SeriesStore& store() const { return engine_.store(); }

  // Called on the analytics thread after each tick, with the view just published, the store
  // (readable without its lock on this thread: it is the only writer) and the capture summary
  // of the tick (null without capture). Alert rules are evaluated here. Set before start().
  using TickObserver = std::function<void(const AnalyticsView& view, const SeriesStore& store,
                                          const capture::FlowSummary* flows)>;
  void setTickObserver(TickObserver observer) { observer_ = std::move(observer); }

 private:
  struct Input {
    std::shared_ptr<const stats::StatsSnapshot> stats;
    std::shared_ptr<const capture::FlowSummary> flows;
  };
  void run();

  AnalyticsEngine engine_;  // analytics thread only (except store())
  TickObserver observer_;
  std::thread thread_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::deque<Input> mailbox_;
  bool stopping_ = false;
  uint64_t dropped_ = 0;
  std::shared_ptr<const AnalyticsView> latest_;
};

}  // namespace meshlb::analytics
