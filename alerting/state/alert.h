#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerting/model/labels.h"
#include "alerting/rules/rule.h"

namespace meshlb::alerting {

enum class AlertState : uint8_t { kPending, kFiring, kResolved };
std::string_view alertStateName(AlertState state);
std::optional<AlertState> alertStateByName(std::string_view name);

// An operator's "I am on it" on one episode of an alert.
struct Ack {
  std::string by;
  std::string comment;
  int64_t unix_ms = 0;
};

// What one notifier was given and told for an alert's current episode (an episode starts when
// the alert fires). `delivered_*` come back from the notifier after a 2xx and are persisted, so
// a restart does not announce the same episode again.
struct NotifyMark {
  int64_t episode = 0;  // fired_unix_ms of the episode these refer to
  int64_t last_offered_ms = 0;
  bool offered_firing = false;
  bool offered_resolved = false;
  bool delivered_firing = false;
  bool delivered_resolved = false;
};

// One alert: a rule's instance, identified by its label set. Owned by AlertingService under its
// mutex; copies go to the admin API.
struct Alert {
  std::string id;  // fingerprint(labels)
  std::string rule;
  Severity severity = Severity::kWarning;
  LabelSet labels;
  LabelSet annotations;
  AlertState state = AlertState::kPending;
  double value = 0;
  std::string diagnosis;
  std::optional<uint64_t> anomaly_id;
  int64_t active_unix_ms = 0;  // when the condition started to hold (this episode)
  int64_t fired_unix_ms = 0;   // 0 while pending
  int64_t resolved_unix_ms = 0;
  int64_t last_true_unix_ms = 0;
  std::optional<Ack> ack;
  bool restored = false;                    // came back from the state directory at start-up
  std::map<std::string, NotifyMark> marks;  // by notifier name
  std::vector<std::string> silenced_by;     // ids of the active silences that hold (not persisted)
};

}  // namespace meshlb::alerting
