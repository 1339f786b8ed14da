#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/process_info.h"

namespace meshlb::admin::metrics {

// The process-level metrics (build info, start time, uptime, workers, descriptors, memory,
// config generation and reloads): families and their single series, registered once. Main
// thread only.
class ProcessMetrics {
 public:
  ProcessMetrics(FamilyRegistry& registry, const std::string& version);

  void update(const ProcessInfo& process);

 private:
  prometheus::Gauge& start_time_;
  prometheus::Gauge& uptime_;
  prometheus::Gauge& workers_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& virtual_memory_;
  prometheus::Gauge& config_generation_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Counter& reloads_ok_;
  prometheus::Counter& reload_failures_;
  uint64_t applied_reloads_ok_ = 0;
  uint64_t applied_reload_failures_ = 0;
};

}  // namespace meshlb::admin::metrics
