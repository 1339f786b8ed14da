#include "proxy/server/config_reloader.h"

#include "common/log.h"
#include "proxy/config/config_loader.h"

namespace meshlb {

void ConfigReloader::warn(std::string message) {
  LOG_WARN("reload: %s", message.c_str());
  last_warnings_.push_back(std::move(message));
}

bool ConfigReloader::reload() {
  config::LoadResult loaded = config::loadConfigFromFile(path_);
  last_errors_.clear();
  last_warnings_.clear();
  for (const config::ConfigError& error : loaded.errors) {
    last_errors_.push_back(error.toString());
  }
  if (!loaded.errors.empty()) {
    ++failures_total_;
    for (const std::string& error : last_errors_) {
      LOG_ERROR("reload rejected: %s: %s", path_.c_str(), error.c_str());
    }
    LOG_ERROR("reload rejected: %zu error(s); the running config is unchanged",
              last_errors_.size());
    return false;
  }
  const config::Config& running = proxy_.config();
  const config::Config& next = *loaded.config;
  if (next.admin.address.toString() != running.admin.address.toString()) {
    warn("admin.address changes only with a restart; keeping " + running.admin.address.toString());
  }
  if (next.workers != running.workers) {
    warn("workers changes only with a restart; keeping " + std::to_string(proxy_.workerCount()));
  }
  if (next.access_log.path != running.access_log.path) {
    warn("access_log.path changes only with a restart");
  }
  Status applied = proxy_.reload(loaded.config);
  if (!applied) {
    ++failures_total_;
    last_errors_.push_back(applied.message());
    LOG_ERROR("reload failed: %s; the running config is unchanged", applied.message().c_str());
    return false;
  }
  health_.reconfigure(loaded.config, proxy_.generation());
  for (const auto& callback : on_applied_) {
    callback(loaded.config);
  }
  ++reloads_total_;
  LOG_INFO("reload: generation %llu is running (%zu listeners, %zu clusters)",
           static_cast<unsigned long long>(proxy_.generation()), next.listeners.size(),
           next.clusters.size());
  return true;
}

}  // namespace meshlb
