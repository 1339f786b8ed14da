#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxy/health/health_manager.h"
#include "proxy/server/proxy_server.h"

namespace meshlb {

// Reloads the config file on request (SIGHUP): the new file is loaded and validated first; an
// invalid one changes nothing and its errors are logged and kept for the admin API. A valid one
// becomes the next generation for the workers and the health manager. Keys that need a restart
// (admin.address, workers, access_log) are reported and left as they are. Main thread only.
class ConfigReloader {
 public:
  ConfigReloader(std::string path, ProxyServer& proxy, health::HealthManager& health)
      : path_(std::move(path)), proxy_(proxy), health_(health) {}

  // True when the new config runs now.
  bool reload();
  // Called after each applied reload with the new config (e.g. capture's endpoints follow it).
  // Each call adds a callback; they run in the order added.
  void onApplied(std::function<void(const std::shared_ptr<const config::Config>&)> callback) {
    on_applied_.push_back(std::move(callback));
  }

  uint64_t reloadsTotal() const { return reloads_total_; }
  uint64_t failuresTotal() const { return failures_total_; }
  // The errors of the last failed reload (empty after a success).
  const std::vector<std::string>& lastErrors() const { return last_errors_; }
  // What the last reload left as it was (keys that need a restart).
  const std::vector<std::string>& lastWarnings() const { return last_warnings_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  ProxyServer& proxy_;
  health::HealthManager& health_;
  uint64_t reloads_total_ = 0;
  uint64_t failures_total_ = 0;
  std::vector<std::string> last_errors_;
  std::vector<std::string> last_warnings_;
  std::vector<std::function<void(const std::shared_ptr<const config::Config>&)>> on_applied_;

  void warn(std::string message);
};

}  // namespace meshlb
