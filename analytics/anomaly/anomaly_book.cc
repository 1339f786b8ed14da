#include "analytics/anomaly/anomaly_book.h"

namespace meshlb::analytics {

namespace {
constexpr int64_t kRecentMaxAgeMs = 24LL * 3600 * 1000;
}

Anomaly& AnomalyBook::open(Anomaly anomaly) {
  anomaly.id = next_id_++;
  anomaly.end_unix_ms.reset();
  anomaly.end_reason.reset();
  return open_.emplace(anomaly.id, std::move(anomaly)).first->second;
}

Anomaly* AnomalyBook::find(uint64_t id) {
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : &it->second;
}

void AnomalyBook::close(uint64_t id, int64_t end_unix_ms, const char* reason) {
  auto it = open_.find(id);
  if (it == open_.end()) {
    return;
  }
  Anomaly anomaly = std::move(it->second);
  open_.erase(it);
  anomaly.end_unix_ms = end_unix_ms;
  anomaly.end_reason = reason;
  closed_.push_back(std::move(anomaly));
  while (closed_.size() > recent_limit_) {
    closed_.pop_front();
  }
}

void AnomalyBook::expire(int64_t now_unix_ms) {
  while (!closed_.empty() && *closed_.front().end_unix_ms < now_unix_ms - kRecentMaxAgeMs) {
    closed_.pop_front();
  }
}

}  // namespace meshlb::analytics
