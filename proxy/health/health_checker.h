#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "common/address.h"
#include "common/uv_handle.h"
#include "proxy/config/config.h"
#include "proxy/lb/load_balancer.h"

namespace meshlb::health {

// Actively checks one host, forever, on the main thread: every interval (plus jitter) it opens a
// connection (tcp check) or sends one GET and reads the status (http check), within the timeout.
// After unhealthy_threshold consecutive failures it reports the host unhealthy, after
// healthy_threshold consecutive successes healthy again. Hosts start healthy, as in HAProxy.
// Main thread only.
class HostHealthChecker {
 public:
  // Called when the host's verdict changes (true = healthy), with the reason of a failure.
  using OnChange = std::function<void(bool healthy, std::string_view reason)>;

  HostHealthChecker(uv_loop_t* loop, const config::HealthCheckConfig& config,
                    const config::HostConfig& host, lb::Random& random, OnChange on_change,
                    bool start_healthy = true);
  ~HostHealthChecker();
  HostHealthChecker(const HostHealthChecker&) = delete;
  HostHealthChecker& operator=(const HostHealthChecker&) = delete;

  void start();
  // Stops checking; the object may be destroyed once the loop has run the close callbacks
  // (the probe in flight, if any, frees itself).
  void stop();

  bool healthy() const { return healthy_; }
  uint32_t consecutiveFailures() const { return failures_; }
  uint64_t checksTotal() const { return checks_; }
  uint64_t failuresTotal() const { return failures_total_; }
  const std::string& lastFailure() const { return last_failure_; }

  // Whether `status` is one the config expects. Public for tests.
  static bool statusExpected(const config::HealthCheckConfig& config, int status);

 private:
  class Probe;
  friend class Probe;

  static void onTimer(uv_timer_t* timer);
  void scheduleNext(uint64_t delay_ms);
  void runCheck();
  void onProbeDone(bool ok, std::string_view reason);

  uv_loop_t* loop_;
  const config::HealthCheckConfig& config_;
  const config::HostConfig& host_;
  lb::Random& random_;
  OnChange on_change_;
  UvHandle<uv_timer_t> timer_;
  Probe* probe_ = nullptr;  // the check in flight
  bool healthy_ = true;
  bool stopped_ = false;
  uint32_t failures_ = 0;
  uint32_t successes_ = 0;
  uint64_t checks_ = 0;
  uint64_t failures_total_ = 0;
  std::string last_failure_;
};

}  // namespace meshlb::health
