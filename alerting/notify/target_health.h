#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "alerting/notify/backoff.h"
#include "alerting/notify/notifier.h"

namespace meshlb::alerting {

// One delivery target's health: counters, up/down, the backoff, and the rule "one warning per
// outage, one info line on recovery". Not thread-safe: the owning notifier guards it with its
// mutex (its thread records outcomes, any thread reads status()). Logs name the notifier and
// the target's host:port, never a path or a header, which may carry secrets.
class TargetHealth {
 public:
  TargetHealth(std::string notifier_name, std::string url, std::string log_target,
               uint32_t retry_initial_ms, uint32_t retry_max_ms, UnitRandom random);

  void onDelivered(size_t alerts, int64_t now_unix_ms);
  // A retryable failure (5xx, 408, 429, transport): counts it and returns how long to wait.
  uint32_t onFailed(const std::string& error, int64_t now_unix_ms);
  // The receiver refused `items` (a 4xx): they are dropped and counted, not retried.
  void onRejected(size_t items, const std::string& error);
  // `items` fell out of a full queue.
  void onOverflow(size_t items);

  NotifierTargetStatus status(size_t queued) const;

 private:
  const std::string notifier_name_;
  const std::string url_;
  const std::string log_target_;
  Backoff backoff_;
  bool up_ = true;
  std::string last_error_;
  int64_t last_success_unix_ms_ = 0;
  int64_t next_retry_unix_ms_ = 0;
  uint32_t consecutive_failures_ = 0;
  uint64_t sent_ = 0;
  uint64_t failed_ = 0;
  uint64_t dropped_ = 0;
  bool rejection_logged_ = false;  // until the next delivery
  bool overflow_logged_ = false;   // until the next delivery
};

}  // namespace meshlb::alerting
