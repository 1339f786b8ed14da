#include "alerting/notify/alertmanager_target.h"

#include <algorithm>

#include "alerting/notify/am_payload.h"
#include "alerting/notify/attempt_outcome.h"
#include "common/thread_name.h"
#include "common/wall_clock.h"

namespace meshlb::alerting {
namespace {

// Alertmanager takes any number, but a bounded body keeps one attempt within timeout_ms.
constexpr size_t kMaxBatch = 256;

int64_t nowUnixMs() {
  return wallClockUnixMs();
}

}  // namespace

std::optional<HttpUrl> alertmanagerAlertsUrl(const std::string& base, std::string* error) {
  std::optional<HttpUrl> url = parseHttpUrl(base, error);
  if (!url) {
    return std::nullopt;
  }
  size_t query = url->path.find('?');
  std::string path = url->path.substr(0, query);
  std::string rest = query == std::string::npos ? std::string() : url->path.substr(query);
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  url->path = path.append("/api/v2/alerts").append(rest);
  return url;
}

AlertmanagerTarget::AlertmanagerTarget(const NotifierConfig& config, std::string base_url,
                                       Notifier::DeliveredFn on_delivered, UnitRandom random)
    : config_(config),
      base_url_(std::move(base_url)),
      url_(alertmanagerAlertsUrl(base_url_, &url_error_)),
      on_delivered_(std::move(on_delivered)),
      capacity_(std::max<size_t>(1, config.queue_capacity)),
      // Logs show host:port only (TargetHealth's contract), not the configured path.
      health_(config.name, base_url_, url_ ? httpAuthority(*url_, false) : "(invalid url)",
              config.retry_initial_ms, config.retry_max_ms, std::move(random)) {}

AlertmanagerTarget::~AlertmanagerTarget() {
  requestStop();
  join();
}

void AlertmanagerTarget::start() {
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
  }
}

void AlertmanagerTarget::requestStop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void AlertmanagerTarget::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void AlertmanagerTarget::offer(const std::vector<OutgoingAlert>& alerts) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!url_) {
      health_.onRejected(alerts.size(), "invalid url: " + url_error_);
      return;
    }
    for (const OutgoingAlert& alert : alerts) {
      const uint64_t seq = next_seq_++;
      auto [it, inserted] = pending_.try_emplace(alert.id);
      if (!inserted) {
        offer_order_.erase(it->second.seq);
      }
      it->second = Pending{alert, seq};
      offer_order_.emplace(seq, alert.id);
    }
    size_t dropped = 0;
    while (pending_.size() > capacity_) {
      auto oldest = offer_order_.begin();
      pending_.erase(oldest->second);
      offer_order_.erase(oldest);
      ++dropped;
    }
    if (dropped > 0) {
      health_.onOverflow(dropped);
    }
  }
  wake_.notify_one();
}

NotifierTargetStatus AlertmanagerTarget::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return health_.status(pending_.size());
}

void AlertmanagerTarget::removeSent(const std::vector<std::pair<std::string, uint64_t>>& sent) {
  for (const auto& [id, seq] : sent) {
    auto it = pending_.find(id);
    if (it != pending_.end() && it->second.seq == seq) {
      offer_order_.erase(seq);
      pending_.erase(it);
    }
  }
}

void AlertmanagerTarget::run() {
  nameThisThread("alertmanager");
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"User-Agent", userAgent()}};
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (Clock::now() < retry_at_) {
      wake_.wait_until(lock, retry_at_);
      continue;
    }
    std::vector<OutgoingAlert> batch;
    std::vector<std::pair<std::string, uint64_t>> sent;
    for (auto it = offer_order_.begin(); it != offer_order_.end() && batch.size() < kMaxBatch;
         ++it) {
      batch.push_back(pending_[it->second].alert);
      sent.emplace_back(it->second, it->first);
    }
    lock.unlock();
    const HttpResponse response =
        httpPost(*url_, headers, alertmanagerBody(batch), config_.timeout_ms);
    lock.lock();
    switch (classifyAttempt(response)) {
      case AttemptOutcome::kDelivered: {
        removeSent(sent);
        health_.onDelivered(batch.size(), nowUnixMs());
        retry_at_ = {};
        if (on_delivered_) {
          std::vector<Delivery> delivered;
          delivered.reserve(batch.size());
          for (const OutgoingAlert& alert : batch) {
            delivered.push_back({alert.id, alert.resolved});
          }
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
        removeSent(sent);
        health_.onRejected(batch.size(), describeAttempt(response));
        break;
    }
  }
}

}  // namespace meshlb::alerting
