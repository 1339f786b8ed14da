#include "admin/stats_collector.h"

#include "admin/metrics/process_info.h"

namespace meshlb::admin {

StatsCollector::StatsCollector(uv_loop_t* loop, const ProxyServer& proxy,
                               const health::HealthManager& health, const ConfigReloader& reloader,
                               std::string version)
    : loop_(loop),
      proxy_(proxy),
      health_(health),
      reloader_(reloader),
      exporter_(std::move(version)) {}

void StatsCollector::start() {
  uv_timer_init(loop_, timer_.get());
  timer_.initialized(this);
  uv_timer_start(timer_.get(), &StatsCollector::onTick, kTickMs, kTickMs);
  refresh();
}

void StatsCollector::stop() {
  timer_.close(nullptr);
}

const stats::StatsSnapshot& StatsCollector::refresh() {
  latest_ = proxy_.stats();
  health_.annotate(latest_);
  ProcessInfo process = readProcessInfo();
  process.workers = proxy_.workerCount();
  process.config_generation = proxy_.generation();
  process.config_reloads_ok = reloader_.reloadsTotal();
  process.config_reload_failures = reloader_.failuresTotal();
  exporter_.update(latest_, process);
  if (capture_ != nullptr) {
    flows_ = capture_->latest();
  } else if (flows_ == nullptr) {
    auto none = std::make_shared<capture::FlowSummary>();
    none->health.reason = "capture is not configured (no \"capture\" section)";
    flows_ = std::move(none);
  }
  exporter_.updateCapture(*flows_);
  return latest_;
}

void StatsCollector::onTick(uv_timer_t* timer) {
  auto* self = static_cast<StatsCollector*>(timer->data);
  self->refresh();
  for (const Subscriber& subscriber : self->subscribers_) {
    subscriber(self->latest_, *self->flows_);
  }
}

}  // namespace meshlb::admin
