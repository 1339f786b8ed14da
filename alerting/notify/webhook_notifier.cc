#include "alerting/notify/webhook_notifier.h"

#include <algorithm>

#include "alerting/notify/attempt_outcome.h"
#include "alerting/notify/delivery_id.h"
#include "alerting/notify/hmac.h"
#include "alerting/notify/webhook_payload.h"
#include "common/thread_name.h"
#include "common/wall_clock.h"

namespace meshlb::alerting {
namespace {

int64_t nowUnixMs() {
  return wallClockUnixMs();
}

std::optional<HttpUrl> webhookUrl(const NotifierConfig& config, std::string* error) {
  if (config.urls.empty()) {
    *error = "no url";
    return std::nullopt;
  }
  return parseHttpUrl(config.urls.front(), error);
}

}  // namespace

WebhookNotifier::WebhookNotifier(NotifierConfig config, std::string external_url,
                                 DeliveredFn on_delivered, UnitRandom random)
    : config_(std::move(config)),
      external_url_(std::move(external_url)),
      on_delivered_(std::move(on_delivered)),
      url_(webhookUrl(config_, &url_error_)),
      capacity_(std::max<size_t>(1, config_.queue_capacity)),
      health_(config_.name, config_.urls.empty() ? std::string() : config_.urls.front(),
              url_ ? httpAuthority(*url_, false) : std::string("(invalid url)"),
              config_.retry_initial_ms, config_.retry_max_ms, std::move(random)) {}

WebhookNotifier::~WebhookNotifier() {
  stop();
}

void WebhookNotifier::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!thread_.joinable() && !stopping_) {
    thread_ = std::thread([this] { run(); });
  }
}

void WebhookNotifier::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void WebhookNotifier::offer(const std::vector<OutgoingAlert>& alerts) {
  if (alerts.empty()) {
    return;
  }
  // Bodies are built here, on the caller's thread, without the lock: the delivery thread only
  // sends bytes.
  std::vector<QueuedBody> bodies;
  for (const AlertGroup& group : groupAlerts(alerts, config_.group_by)) {
    QueuedBody body{randomUuid(), webhookBody(group, config_.name, external_url_), {}};
    for (const OutgoingAlert& alert : group.alerts) {
      body.alerts.push_back({alert.id, alert.resolved});
    }
    bodies.push_back(std::move(body));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!url_) {
      health_.onRejected(bodies.size(), "invalid url: " + url_error_);
      return;
    }
    size_t dropped = 0;
    for (QueuedBody& body : bodies) {
      queue_.push_back(std::move(body));
      if (queue_.size() > capacity_) {
        queue_.erase(queue_.begin() + (head_in_flight_ ? 1 : 0));
        ++dropped;
      }
    }
    if (dropped > 0) {
      health_.onOverflow(dropped);
    }
  }
  wake_.notify_one();
}

std::vector<NotifierTargetStatus> WebhookNotifier::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {health_.status(queue_.size())};
}

std::vector<std::pair<std::string, std::string>> WebhookNotifier::headersFor(
    const QueuedBody& body) const {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", userAgent()},
      {"X-Meshlb-Delivery", body.delivery_id}};
  if (!config_.bearer_token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + config_.bearer_token);
  }
  if (!config_.hmac_secret.empty()) {
    // The time is signed with the body so that a captured delivery cannot be replayed later.
    const std::string t = std::to_string(nowUnixMs() / 1000);
    const std::string signature =
        hmacSha256Hex(config_.hmac_secret, std::string(t).append(".").append(body.json));
    headers.emplace_back(config_.hmac_header.empty() ? "X-Meshlb-Signature" : config_.hmac_header,
                         "t=" + t + ",v1=" + signature);
  }
  return headers;
}

void WebhookNotifier::run() {
  nameThisThread("webhook");
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (Clock::now() < retry_at_) {
      wake_.wait_until(lock, retry_at_);
      continue;
    }
    // A copy: evicting the second element of a deque may move the first, so no reference into
    // queue_ survives the unlock. The head itself is never evicted while in flight.
    head_in_flight_ = true;
    const QueuedBody head = queue_.front();
    lock.unlock();
    const HttpResponse response = httpPost(*url_, headersFor(head), head.json, config_.timeout_ms);
    lock.lock();
    head_in_flight_ = false;
    switch (classifyAttempt(response)) {
      case AttemptOutcome::kDelivered: {
        std::vector<Delivery> delivered = head.alerts;
        queue_.pop_front();
        health_.onDelivered(delivered.size(), nowUnixMs());
        retry_at_ = {};
        if (on_delivered_) {
          lock.unlock();
          on_delivered_(config_.name, delivered);
          lock.lock();
        }
        break;
      }
      case AttemptOutcome::kRetry: {
        const uint32_t delay = health_.onFailed(describeAttempt(response), nowUnixMs());
        retry_at_ = Clock::now() + std::chrono::milliseconds(delay);
        break;
      }
      case AttemptOutcome::kRejected:
        queue_.pop_front();
        health_.onRejected(1, describeAttempt(response));
        break;
    }
  }
}

}  // namespace meshlb::alerting
