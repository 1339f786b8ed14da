#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/eval/global_series.h"
#include "alerting/eval/global_values.h"
#include "alerting/eval/select_cache.h"
#include "alerting/model/labels.h"
#include "alerting/rules/rule.h"
#include "analytics/analytics_view.h"
#include "analytics/store/series_store.h"

namespace meshlb::alerting {

// One (rule, instance) whose condition holds at this tick, with everything the alert table
// needs. A plain value.
struct ActiveInstance {
  std::shared_ptr<const Rule> rule;
  std::string id;  // fingerprint(labels)
  // alertname=<rule name>, severity, cluster (host and cluster scope), host (host scope), plus
  // the rule's labels
  LabelSet labels;
  LabelSet annotations;  // rendered, sorted by name
  double value = 0;      // a composite's: the first true leaf's value
  // "cause (confidence)" of the matched anomaly, or of the instance's newest open anomaly with
  // a diagnosis, or ""
  std::string diagnosis;
  std::optional<uint64_t> anomaly_id;  // the anomaly an anomaly leaf matched
  std::string cluster, host;           // "" where the scope has none
};

// Evaluates the rules against each analytics tick. Analytics thread only: it reads the store's
// fine ring without the store's lock, which is safe only on the store's writer thread. Keeps
// the last 3,600 GlobalValues for windowed global rules and the `select` answers per rule.
class RuleEvaluator {
 public:
  // Appends to `out` every (rule, instance) whose condition holds at this tick. Call once per
  // tick, after the tick has been recorded, with the tick's unix ms: `globals` joins the
  // global history here. Instances: host scope = every HostView not removed whose
  // {cluster, host} pass `select`; cluster scope = every ClusterView not removed whose
  // {cluster} passes; global = one instance. Null rules are skipped.
  void evaluate(const std::vector<std::shared_ptr<const Rule>>& rules,
                const analytics::AnalyticsView& view, const analytics::SeriesStore& store,
                const GlobalValues& globals, int64_t now_unix_ms, std::vector<ActiveInstance>& out);

 private:
  GlobalSeries global_series_;
  SelectCache select_cache_;
};

}  // namespace meshlb::alerting
