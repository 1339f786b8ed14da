#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace meshlb::alerting {

// The audit trail: state changes, acks, silence and rule changes, newest last, each a JSON
// object with "seq", "unix_ms" and "type" ("state", "ack", "silence", "rule"). A bounded ring:
// beyond `max_entries` the oldest go. Owned by AlertingService under its mutex.
class History {
 public:
  explicit History(size_t max_entries) : max_entries_(max_entries) {}

  // Stamps `entry` with the next seq and returns the stamped copy (for the journal).
  const nlohmann::json& add(nlohmann::json entry, int64_t unix_ms);
  // Puts back an entry read from the state directory (keeps its seq).
  void restore(nlohmann::json entry);

  struct Query {
    int64_t since_ms = 0;
    int64_t until_ms = INT64_MAX;
    std::string alert_id;  // "" = any
    std::string rule;
    std::string type;
    size_t limit = 100;
  };
  // Newest first.
  std::vector<nlohmann::json> query(const Query& q) const;
  nlohmann::json toJson() const;  // every entry, oldest first (the snapshot)
  uint64_t lastSeq() const { return last_seq_; }
  size_t size() const { return entries_.size(); }

 private:
  size_t max_entries_;
  uint64_t last_seq_ = 0;
  std::deque<nlohmann::json> entries_;
};

}  // namespace meshlb::alerting
