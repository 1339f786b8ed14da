#include "alerting/state/alert_json.h"

#include "alerting/notify/label_json.h"

namespace meshlb::alerting {
namespace {

nlohmann::json optionalTime(int64_t unix_ms) {
  return unix_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(unix_ms);
}

nlohmann::json ackJson(const std::optional<Ack>& ack) {
  if (!ack) {
    return nullptr;
  }
  return {{"by", ack->by}, {"comment", ack->comment}, {"unix_ms", ack->unix_ms}};
}

template <typename T>
bool read(const nlohmann::json& node, const char* key, T& out) {
  auto it = node.find(key);
  if (it == node.end() || it->is_null()) {
    return true;  // optional fields keep their defaults
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) {
      return false;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) {
      return false;
    }
  } else {
    if (!it->is_number()) {
      return false;
    }
  }
  out = it->get<T>();
  return true;
}

}  // namespace

std::optional<LabelSet> labelsFromJson(const nlohmann::json& node) {
  if (!node.is_object()) {
    return std::nullopt;
  }
  std::vector<Label> labels;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it.value().is_string()) {
      return std::nullopt;
    }
    labels.emplace_back(it.key(), it.value().get<std::string>());
  }
  return makeLabelSet(std::move(labels));
}

nlohmann::json alertToApiJson(const Alert& alert, const std::vector<std::string>& silenced_by) {
  nlohmann::json notified = nlohmann::json::object();
  for (const auto& [notifier, mark] : alert.marks) {
    notified[notifier] = {{"firing", mark.delivered_firing},
                          {"resolved", mark.delivered_resolved},
                          {"last_offered_unix_ms", optionalTime(mark.last_offered_ms)}};
  }
  return {{"id", alert.id},
          {"rule", alert.rule},
          {"state", alertStateName(alert.state)},
          {"severity", severityName(alert.severity)},
          {"labels", labelsToJson(alert.labels)},
          {"annotations", labelsToJson(alert.annotations)},
          {"value", std::isfinite(alert.value) ? nlohmann::json(alert.value) : nullptr},
          {"diagnosis",
           alert.diagnosis.empty() ? nlohmann::json(nullptr) : nlohmann::json(alert.diagnosis)},
          {"anomaly_id", alert.anomaly_id ? nlohmann::json(*alert.anomaly_id) : nullptr},
          {"active_unix_ms", alert.active_unix_ms},
          {"fired_unix_ms", optionalTime(alert.fired_unix_ms)},
          {"resolved_unix_ms", optionalTime(alert.resolved_unix_ms)},
          {"restored", alert.restored},
          {"silenced_by", silenced_by},
          {"ack", ackJson(alert.ack)},
          {"notifications", notified}};
}

nlohmann::json alertToJson(const Alert& alert) {
  nlohmann::json marks = nlohmann::json::object();
  for (const auto& [notifier, mark] : alert.marks) {
    marks[notifier] = {{"episode", mark.episode},
                       {"delivered_firing", mark.delivered_firing},
                       {"delivered_resolved", mark.delivered_resolved}};
  }
  return {{"id", alert.id},
          {"rule", alert.rule},
          {"severity", severityName(alert.severity)},
          {"labels", labelsToJson(alert.labels)},
          {"annotations", labelsToJson(alert.annotations)},
          {"state", alertStateName(alert.state)},
          {"value", std::isfinite(alert.value) ? alert.value : 0.0},
          {"diagnosis", alert.diagnosis},
          {"active_unix_ms", alert.active_unix_ms},
          {"fired_unix_ms", alert.fired_unix_ms},
          {"resolved_unix_ms", alert.resolved_unix_ms},
          {"last_true_unix_ms", alert.last_true_unix_ms},
          {"ack", ackJson(alert.ack)},
          {"marks", marks}};
}

std::optional<Alert> alertFromJson(const nlohmann::json& node) {
  if (!node.is_object()) {
    return std::nullopt;
  }
  Alert alert;
  std::string severity, state;
  bool ok = read(node, "id", alert.id) && read(node, "rule", alert.rule) &&
            read(node, "severity", severity) && read(node, "state", state) &&
            read(node, "value", alert.value) && read(node, "diagnosis", alert.diagnosis) &&
            read(node, "active_unix_ms", alert.active_unix_ms) &&
            read(node, "fired_unix_ms", alert.fired_unix_ms) &&
            read(node, "resolved_unix_ms", alert.resolved_unix_ms) &&
            read(node, "last_true_unix_ms", alert.last_true_unix_ms);
  std::optional<Severity> parsed_severity = parseSeverity(severity);
  std::optional<AlertState> parsed_state = alertStateByName(state);
  std::optional<LabelSet> labels = labelsFromJson(node.value("labels", nlohmann::json()));
  std::optional<LabelSet> annotations =
      labelsFromJson(node.value("annotations", nlohmann::json::object()));
  if (!ok || !parsed_severity || !parsed_state || !labels || !annotations || alert.id.empty()) {
    return std::nullopt;
  }
  alert.severity = *parsed_severity;
  alert.state = *parsed_state;
  alert.labels = std::move(*labels);
  alert.annotations = std::move(*annotations);
  if (auto ack = node.find("ack"); ack != node.end() && ack->is_object()) {
    Ack restored;
    if (read(*ack, "by", restored.by) && read(*ack, "comment", restored.comment) &&
        read(*ack, "unix_ms", restored.unix_ms)) {
      alert.ack = std::move(restored);
    }
  }
  if (auto marks = node.find("marks"); marks != node.end() && marks->is_object()) {
    for (auto it = marks->begin(); it != marks->end(); ++it) {
      NotifyMark mark;
      if (it.value().is_object() && read(it.value(), "episode", mark.episode) &&
          read(it.value(), "delivered_firing", mark.delivered_firing) &&
          read(it.value(), "delivered_resolved", mark.delivered_resolved)) {
        mark.offered_firing = mark.delivered_firing;
        mark.offered_resolved = mark.delivered_resolved;
        alert.marks[it.key()] = mark;
      }
    }
  }
  return alert;
}

}  // namespace meshlb::alerting
