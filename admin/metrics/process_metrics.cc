#include "admin/metrics/process_metrics.h"

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

namespace {

prometheus::Gauge& singleGauge(FamilyRegistry& registry, const std::string& name,
                               const std::string& help) {
  return gaugeFamily(registry, name, help).Add({});
}

}  // namespace

ProcessMetrics::ProcessMetrics(FamilyRegistry& registry, const std::string& version)
    : start_time_(singleGauge(registry, "meshlb_start_time_seconds",
                              "Start time of the meshlb process since the Unix epoch, in "
                              "seconds.")),
      uptime_(singleGauge(registry, "meshlb_uptime_seconds",
                          "Seconds since the meshlb process started.")),
      workers_(singleGauge(registry, "meshlb_workers",
                           "Worker threads serving traffic, each with its own event loop.")),
      open_fds_(singleGauge(registry, "meshlb_process_open_fds",
                            "File descriptors open in the meshlb process.")),
      resident_memory_(singleGauge(registry, "meshlb_process_resident_memory_bytes",
                                   "Resident memory of the meshlb process, in bytes.")),
      virtual_memory_(singleGauge(registry, "meshlb_process_virtual_memory_bytes",
                                  "Virtual memory size of the meshlb process, in bytes.")),
      config_generation_(singleGauge(
          registry, "meshlb_config_generation",
          "Generation of the config in use; each config put in use (at start, then by each "
          "successful reload) gets the next one.")),
      reloads_(counterFamily(registry, "meshlb_config_reloads_total",
                             "Config reloads attempted since start, by result: success (the new "
                             "config is in use) or failure (it was rejected and the previous one "
                             "kept).")),
      reloads_ok_(reloads_.Add({{"result", "success"}})),
      reload_failures_(reloads_.Add({{"result", "failure"}})) {
  gaugeFamily(registry, "meshlb_build_info",
              "Always 1; the version label is the meshlb version running.")
      .Add({{"version", version}})
      .Set(1);
}

void ProcessMetrics::update(const ProcessInfo& process) {
  start_time_.Set(process.start_time_unix_seconds);
  uptime_.Set(process.uptime_seconds);
  workers_.Set(static_cast<double>(process.workers));
  open_fds_.Set(static_cast<double>(process.open_fds));
  resident_memory_.Set(static_cast<double>(process.resident_memory_bytes));
  virtual_memory_.Set(static_cast<double>(process.virtual_memory_bytes));
  config_generation_.Set(static_cast<double>(process.config_generation));
  advanceCounter(reloads_ok_, applied_reloads_ok_, process.config_reloads_ok);
  advanceCounter(reload_failures_, applied_reload_failures_, process.config_reload_failures);
}

}  // namespace meshlb::admin::metrics
