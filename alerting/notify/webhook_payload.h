#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerting/model/labels.h"
#include "alerting/notify/outgoing_alert.h"

namespace meshlb::alerting {

// Alerts that share the values of the notifier's group_by labels: one webhook body each.
struct AlertGroup {
  LabelSet labels;  // the group_by labels the alerts have; absent ones are left out, as in AM
  std::vector<OutgoingAlert> alerts;  // in the order they were offered
};

// Splits `alerts` by the values of the `group_by` labels, groups in order of first appearance.
// An empty group_by puts every alert into one group. Pure; any thread.
std::vector<AlertGroup> groupAlerts(const std::vector<OutgoingAlert>& alerts,
                                    const std::vector<std::string>& group_by);

// Alertmanager's group key for the root route: {}:{alertname="X", cluster="app"} (values quoted
// like Go's %q, pairs sorted as Go sorts them).
std::string groupKey(const LabelSet& group_labels);

// One body in the shape of Alertmanager's webhook, version "4":
//   {"version":"4","groupKey":..,"truncatedAlerts":0,"receiver":..,"status":..,
//    "externalURL":..,"groupLabels":{..},"commonLabels":{..},"commonAnnotations":{..},
//    "alerts":[{"status":..,"labels":{..},"annotations":{..},"startsAt":..,"endsAt":..,
//               "generatorURL":..,"fingerprint":..}]}
// status is "firing" when any alert fires; a firing alert's endsAt is "0001-01-01T00:00:00Z"
// (Go's zero time, as AM sends it), a resolved one's its resolution time. commonLabels and
// commonAnnotations hold the pairs every alert has. Pure; any thread.
std::string webhookBody(const AlertGroup& group, std::string_view receiver,
                        std::string_view external_url);

}  // namespace meshlb::alerting
