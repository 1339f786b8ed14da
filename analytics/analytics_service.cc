#include "analytics/analytics_service.h"

#include <uv.h>

#include "analytics/ingest/tick_builder.h"
#include "common/thread_name.h"

namespace meshlb::analytics {

AnalyticsService::AnalyticsService(const EngineParams& params)
    : engine_(params), latest_(engine_.view()) {}

AnalyticsService::~AnalyticsService() {
  stop();
}

void AnalyticsService::start() {
  thread_ = std::thread([this] { run(); });
}

void AnalyticsService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void AnalyticsService::post(std::shared_ptr<const stats::StatsSnapshot> stats,
                            std::shared_ptr<const capture::FlowSummary> flows) {
  {
    std::lock_guard lock(mutex_);
    if (mailbox_.size() >= kMailbox) {
      mailbox_.pop_front();  // a slow tick must not make the main thread wait or memory grow
      ++dropped_;
    }
    mailbox_.push_back({std::move(stats), std::move(flows)});
  }
  wake_.notify_one();
}

std::shared_ptr<const AnalyticsView> AnalyticsService::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void AnalyticsService::run() {
  nameThisThread("analytics");
  TickBuilder builder;
  capture::FlowSummary no_capture;
  for (;;) {
    Input input;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !mailbox_.empty(); });
      if (stopping_) {
        return;
      }
      input = std::move(mailbox_.front());
      mailbox_.pop_front();
      engine_.queue_depth = mailbox_.size();
      engine_.dropped_ticks = dropped_;
    }
    TickSample sample = builder.build(*input.stats, input.flows ? *input.flows : no_capture);
    engine_.tick(sample);
    std::shared_ptr<const AnalyticsView> view = engine_.view();
    {
      std::lock_guard lock(mutex_);
      latest_ = view;
    }
    if (observer_) {
      observer_(*view, engine_.store(), input.flows.get());
    }
    // Lag: from the stats merge to the published view (both on the monotonic clock). It is
    // measured after the tick, so the status shows the previous tick's figure.
    engine_.last_lag_ms = static_cast<double>(uv_hrtime() / 1'000'000) -
                          static_cast<double>(input.stats->monotonic_ms);
  }
}

}  // namespace meshlb::analytics
