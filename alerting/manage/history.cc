#include "alerting/manage/history.h"

namespace meshlb::alerting {

const nlohmann::json& History::add(nlohmann::json entry, int64_t unix_ms) {
  entry["seq"] = ++last_seq_;
  entry["unix_ms"] = unix_ms;
  entries_.push_back(std::move(entry));
  while (entries_.size() > max_entries_) {
    entries_.pop_front();
  }
  return entries_.back();
}

void History::restore(nlohmann::json entry) {
  if (!entry.is_object() || !entry.contains("seq") || !entry["seq"].is_number_unsigned()) {
    return;
  }
  const uint64_t seq = entry["seq"].get<uint64_t>();
  if (seq <= last_seq_ && !entries_.empty()) {
    return;  // already there (a snapshot and its journal may overlap after a crash)
  }
  last_seq_ = seq;
  entries_.push_back(std::move(entry));
  while (entries_.size() > max_entries_) {
    entries_.pop_front();
  }
}

std::vector<nlohmann::json> History::query(const Query& q) const {
  std::vector<nlohmann::json> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < q.limit; ++it) {
    const nlohmann::json& entry = *it;
    const int64_t at = entry.value("unix_ms", int64_t{0});
    if (at < q.since_ms || at > q.until_ms) {
      continue;
    }
    if (!q.type.empty() && entry.value("type", "") != q.type) {
      continue;
    }
    if (!q.alert_id.empty() && entry.value("alert_id", "") != q.alert_id) {
      continue;
    }
    if (!q.rule.empty() && entry.value("rule", "") != q.rule) {
      continue;
    }
    out.push_back(entry);
  }
  return out;
}

nlohmann::json History::toJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const nlohmann::json& entry : entries_) {
    out.push_back(entry);
  }
  return out;
}

}  // namespace meshlb::alerting
