#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "analytics/anomaly/anomaly.h"

namespace meshlb::analytics {

// Open anomalies by id, and the most recently closed ones (at most `recent`, none older than
// 24 hours). Owned by the analytics thread.
class AnomalyBook {
 public:
  explicit AnomalyBook(size_t recent) : recent_limit_(recent) {}

  Anomaly& open(Anomaly anomaly);  // assigns the id
  Anomaly* find(uint64_t id);
  // Moves an open anomaly to the closed ones.
  void close(uint64_t id, int64_t end_unix_ms, const char* reason);
  void expire(int64_t now_unix_ms);

  const std::map<uint64_t, Anomaly>& openAnomalies() const { return open_; }
  std::map<uint64_t, Anomaly>& openAnomalies() { return open_; }
  const std::deque<Anomaly>& recent() const { return closed_; }  // oldest first
  uint64_t openedTotal() const { return next_id_ - 1; }

 private:
  size_t recent_limit_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Anomaly> open_;
  std::deque<Anomaly> closed_;
};

}  // namespace meshlb::analytics
