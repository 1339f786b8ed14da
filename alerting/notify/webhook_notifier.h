#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alerting/notify/backoff.h"
#include "alerting/notify/http_post.h"
#include "alerting/notify/notifier.h"
#include "alerting/notify/target_health.h"

namespace meshlb::alerting {

// `type: webhook`: each offer() becomes one body per group_by group (webhook_payload.h), queued
// in a bounded FIFO (full: the oldest waiting body is dropped) and POSTed in order by one thread.
// Each body has a delivery id (a random UUID, header X-Meshlb-Delivery) that stays the same on
// retries, so a receiver can drop duplicates. The head is retried with backoff on 5xx, 408, 429
// and transport errors and dropped on any other 4xx. Headers: Content-Type, User-Agent,
// "Authorization: Bearer <token>" when a token is set, and with an HMAC secret
// "<hmac_header>: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>", signed afresh on every
// attempt. The token and secret are never logged or shown in status().
//
// Threads: constructed, started and stopped on the main thread; offer() and status() from any
// thread; delivery on the notifier's own thread.
class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(NotifierConfig config, std::string external_url, DeliveredFn on_delivered,
                  UnitRandom random = {});
  ~WebhookNotifier() override;

  const NotifierConfig& config() const override { return config_; }
  void start() override;
  void stop() override;
  void offer(const std::vector<OutgoingAlert>& alerts) override;
  std::vector<NotifierTargetStatus> status() const override;

 private:
  using Clock = std::chrono::steady_clock;
  struct QueuedBody {
    std::string delivery_id;
    std::string json;
    std::vector<Delivery> alerts;
  };

  void run();
  std::vector<std::pair<std::string, std::string>> headersFor(const QueuedBody& body) const;

  const NotifierConfig config_;
  const std::string external_url_;
  const DeliveredFn on_delivered_;
  std::string url_error_;  // set before url_ is initialised
  const std::optional<HttpUrl> url_;
  const size_t capacity_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<QueuedBody> queue_;
  bool head_in_flight_ = false;  // the thread is POSTing queue_.front(): never evicted then
  Clock::time_point retry_at_{};
  bool stopping_ = false;
  TargetHealth health_;
  std::thread thread_;
};

}  // namespace meshlb::alerting
