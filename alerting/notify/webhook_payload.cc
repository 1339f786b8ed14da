#include "alerting/notify/webhook_payload.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "alerting/notify/am_payload.h"
#include "alerting/notify/label_json.h"

namespace meshlb::alerting {
namespace {

constexpr const char* kGoZeroTime = "0001-01-01T00:00:00Z";

// Go's strconv.Quote for the ASCII range; other bytes (UTF-8) pass through.
std::string goQuote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if ((c >= 0 && c < 0x20) || c == 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

// The pairs of `sets` that every set has.
LabelSet common(const std::vector<const LabelSet*>& sets) {
  if (sets.empty()) {
    return {};
  }
  LabelSet out;
  for (const Label& label : *sets.front()) {
    bool everywhere = std::all_of(sets.begin() + 1, sets.end(), [&](const LabelSet* other) {
      const std::string* value = findLabel(*other, label.first);
      return value != nullptr && *value == label.second;
    });
    if (everywhere) {
      out.push_back(label);
    }
  }
  return out;
}

}  // namespace

std::vector<AlertGroup> groupAlerts(const std::vector<OutgoingAlert>& alerts,
                                    const std::vector<std::string>& group_by) {
  std::vector<AlertGroup> groups;
  std::map<LabelSet, size_t> index;
  for (const OutgoingAlert& alert : alerts) {
    std::vector<Label> picked;
    for (const std::string& name : group_by) {
      if (const std::string* value = findLabel(alert.labels, name)) {
        picked.emplace_back(name, *value);
      }
    }
    LabelSet labels = makeLabelSet(std::move(picked));
    auto [it, inserted] = index.try_emplace(labels, groups.size());
    if (inserted) {
      groups.push_back({std::move(labels), {}});
    }
    groups[it->second].alerts.push_back(alert);
  }
  return groups;
}

std::string groupKey(const LabelSet& group_labels) {
  std::vector<std::string> pairs;
  for (const auto& [name, value] : group_labels) {
    pairs.push_back(name + "=" + goQuote(value));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string key = "{}:{";
  for (size_t i = 0; i < pairs.size(); ++i) {
    key.append(i == 0 ? "" : ", ").append(pairs[i]);
  }
  key.push_back('}');
  return key;
}

std::string webhookBody(const AlertGroup& group, std::string_view receiver,
                        std::string_view external_url) {
  std::vector<const LabelSet*> labels;
  std::vector<const LabelSet*> annotations;
  bool firing = false;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const OutgoingAlert& alert : group.alerts) {
    labels.push_back(&alert.labels);
    annotations.push_back(&alert.annotations);
    firing = firing || !alert.resolved;
    items.push_back({{"status", alert.resolved ? "resolved" : "firing"},
                     {"labels", labelsToJson(alert.labels)},
                     {"annotations", labelsToJson(alert.annotations)},
                     {"startsAt", rfc3339(alert.starts_unix_ms)},
                     {"endsAt", alert.resolved ? rfc3339(alert.ends_unix_ms) : kGoZeroTime},
                     {"generatorURL", alert.generator_url},
                     {"fingerprint", alert.id}});
  }
  nlohmann::ordered_json body = {{"version", "4"},
                                 {"groupKey", groupKey(group.labels)},
                                 {"truncatedAlerts", 0},
                                 {"receiver", receiver},
                                 {"status", firing ? "firing" : "resolved"},
                                 {"externalURL", external_url},
                                 {"groupLabels", labelsToJson(group.labels)},
                                 {"commonLabels", labelsToJson(common(labels))},
                                 {"commonAnnotations", labelsToJson(common(annotations))},
                                 {"alerts", std::move(items)}};
  return dumpJson(body);
}

}  // namespace meshlb::alerting
