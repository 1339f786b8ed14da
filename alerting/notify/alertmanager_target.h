#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alerting/notify/backoff.h"
#include "alerting/notify/http_post.h"
#include "alerting/notify/notifier.h"
#include "alerting/notify/target_health.h"

namespace meshlb::alerting {

// One Alertmanager URL of an alertmanager notifier: the alerts waiting for it and the thread
// that POSTs them to <url>/api/v2/alerts.
//
// Pending alerts are keyed by id and hold the newest version offered (coalescing: the queue is
// bounded by alerts, not by events). Above the capacity the oldest-offered are dropped. A 2xx
// removes what was sent unless a newer version arrived meanwhile; 5xx, 408, 429 and transport
// errors keep everything and back off, and a new offer does not cut the backoff short; any
// other 4xx drops what was sent.
//
// Threads: constructed, started and stopped by its AlertmanagerNotifier (main thread); offer()
// and status() from any thread; run() on the target's own thread.
class AlertmanagerTarget {
 public:
  // `config` must outlive the target. `random` is called on the target's thread only.
  AlertmanagerTarget(const NotifierConfig& config, std::string base_url,
                     Notifier::DeliveredFn on_delivered, UnitRandom random);
  ~AlertmanagerTarget();  // stops and joins
  AlertmanagerTarget(const AlertmanagerTarget&) = delete;
  AlertmanagerTarget& operator=(const AlertmanagerTarget&) = delete;

  void start();        // once
  void requestStop();  // wakes the thread; does not wait
  void join();         // waits for the thread (at most about timeout_ms after requestStop())

  void offer(const std::vector<OutgoingAlert>& alerts);
  NotifierTargetStatus status() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    OutgoingAlert alert;
    uint64_t seq = 0;  // when it was (last) offered; also its version
  };

  void run();
  // Forgets each sent (id, seq) that no newer offer has replaced.
  void removeSent(const std::vector<std::pair<std::string, uint64_t>>& sent);

  const NotifierConfig& config_;
  const std::string base_url_;
  std::string url_error_;             // why base_url_ is bad (set before url_ is initialised)
  const std::optional<HttpUrl> url_;  // base_url_ + "/api/v2/alerts"; nullopt if base_url_ is bad
  const Notifier::DeliveredFn on_delivered_;
  const size_t capacity_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, Pending> pending_;  // by alert id
  std::map<uint64_t, std::string> offer_order_;       // seq -> id, oldest offer first
  uint64_t next_seq_ = 1;
  Clock::time_point retry_at_{};  // no attempt before this (backoff)
  bool stopping_ = false;
  TargetHealth health_;
  std::thread thread_;
};

// The URL to POST to: `base` with "/api/v2/alerts" appended to its path (no double slash; a
// query stays at the end).
std::optional<HttpUrl> alertmanagerAlertsUrl(const std::string& base, std::string* error);

}  // namespace meshlb::alerting
