#include "alerting/notify/target_health.h"

#include "common/log.h"

namespace meshlb::alerting {

TargetHealth::TargetHealth(std::string notifier_name, std::string url, std::string log_target,
                           uint32_t retry_initial_ms, uint32_t retry_max_ms, UnitRandom random)
    : notifier_name_(std::move(notifier_name)),
      url_(std::move(url)),
      log_target_(std::move(log_target)),
      backoff_(retry_initial_ms, retry_max_ms, std::move(random)) {}

void TargetHealth::onDelivered(size_t alerts, int64_t now_unix_ms) {
  if (!up_) {
    LOG_INFO("alerting: notifier %s: delivering to %s again (%u failed attempts before)",
             notifier_name_.c_str(), log_target_.c_str(), consecutive_failures_);
  }
  up_ = true;
  sent_ += alerts;
  last_success_unix_ms_ = now_unix_ms;
  next_retry_unix_ms_ = 0;
  consecutive_failures_ = 0;
  rejection_logged_ = false;
  overflow_logged_ = false;
}

uint32_t TargetHealth::onFailed(const std::string& error, int64_t now_unix_ms) {
  uint32_t delay = backoff_.delayMs(consecutive_failures_);
  if (up_) {
    LOG_WARN(
        "alerting: notifier %s: delivery to %s failed: %s; retrying with backoff (quiet "
        "until it recovers)",
        notifier_name_.c_str(), log_target_.c_str(), error.c_str());
  }
  up_ = false;
  last_error_ = error;
  ++consecutive_failures_;
  ++failed_;
  next_retry_unix_ms_ = now_unix_ms + delay;
  return delay;
}

void TargetHealth::onRejected(size_t items, const std::string& error) {
  if (!rejection_logged_) {
    LOG_WARN("alerting: notifier %s: %s rejected a delivery (%s); dropped it, not retrying",
             notifier_name_.c_str(), log_target_.c_str(), error.c_str());
    rejection_logged_ = true;
  }
  up_ = false;
  last_error_ = error;
  dropped_ += items;
  next_retry_unix_ms_ = 0;
}

void TargetHealth::onOverflow(size_t items) {
  if (!overflow_logged_) {
    LOG_WARN("alerting: notifier %s: queue for %s is full; dropping the oldest",
             notifier_name_.c_str(), log_target_.c_str());
    overflow_logged_ = true;
  }
  dropped_ += items;
}

NotifierTargetStatus TargetHealth::status(size_t queued) const {
  NotifierTargetStatus out;
  out.url = url_;
  out.up = up_;
  out.last_error = last_error_;
  out.last_success_unix_ms = last_success_unix_ms_;
  out.next_retry_unix_ms = next_retry_unix_ms_;
  out.queued = queued;
  out.sent = sent_;
  out.failed = failed_;
  out.dropped = dropped_;
  return out;
}

}  // namespace meshlb::alerting
