#include "alerting/eval/rule_evaluator.h"

#include <array>

#include "alerting/eval/condition_eval.h"

namespace meshlb::alerting {
namespace {

std::string diagnosisText(const analytics::Anomaly& anomaly) {
  std::string text(analytics::causeName(anomaly.diagnosis.cause));
  text.append(" (").append(analytics::confidenceName(anomaly.diagnosis.confidence)).append(")");
  return text;
}

// The matched anomaly's diagnosis, else that of the instance's newest diagnosed open anomaly.
std::string diagnosisOf(const ConditionResult& result, const std::vector<uint64_t>* open,
                        const analytics::AnalyticsView& view) {
  if (result.anomaly != nullptr && result.anomaly->diagnosis.cause != analytics::Cause::kNone) {
    return diagnosisText(*result.anomaly);
  }
  const analytics::Anomaly* newest = nullptr;
  if (open != nullptr) {
    for (const uint64_t id : *open) {
      const analytics::Anomaly* anomaly = findOpenAnomaly(view, id);
      if (anomaly != nullptr && anomaly->diagnosis.cause != analytics::Cause::kNone &&
          (newest == nullptr || anomaly->id > newest->id)) {
        newest = anomaly;
      }
    }
  }
  return newest == nullptr ? std::string() : diagnosisText(*newest);
}

// The rule's labels (sorted, none of them derived) merged with the derived ones, which sort as
// alertname < cluster < host < severity: a merge instead of a sort, so a firing instance costs
// one allocation per label and no temporary buffer.
LabelSet instanceLabels(const Rule& rule, std::string_view severity, const std::string* cluster,
                        const std::string* host) {
  struct Derived {
    std::string_view name;
    const std::string_view* value;  // nullptr: not at this scope
  };
  const std::string_view cluster_value =
      cluster == nullptr ? std::string_view() : std::string_view(*cluster);
  const std::string_view host_value =
      host == nullptr ? std::string_view() : std::string_view(*host);
  const std::string_view alertname = rule.name;
  const std::array<Derived, 4> derived = {
      {{"alertname", &alertname},
       {"cluster", cluster == nullptr ? nullptr : &cluster_value},
       {"host", host == nullptr ? nullptr : &host_value},
       {"severity", &severity}}};
  LabelSet labels;
  labels.reserve(rule.labels.size() + derived.size());
  auto own = rule.labels.begin();
  for (const Derived& label : derived) {
    if (label.value == nullptr) {
      continue;
    }
    for (; own != rule.labels.end() && std::string_view(own->first) < label.name; ++own) {
      labels.push_back(*own);
    }
    labels.emplace_back(std::string(label.name), std::string(*label.value));
  }
  labels.insert(labels.end(), own, rule.labels.end());
  return labels;
}

// Builds the active instance: only for conditions that hold, so its allocations are paid per
// alert, not per evaluation.
ActiveInstance makeInstance(const std::shared_ptr<const Rule>& rule, const std::string* cluster,
                            const std::string* host, const ConditionResult& result,
                            const InstanceData& data, const analytics::AnalyticsView& view) {
  ActiveInstance instance;
  instance.rule = rule;
  instance.value = result.value;
  instance.diagnosis = diagnosisOf(result, data.open_anomalies, view);
  if (result.anomaly != nullptr) {
    instance.anomaly_id = result.anomaly->id;
  }
  instance.cluster = cluster == nullptr ? std::string() : *cluster;
  instance.host = host == nullptr ? std::string() : *host;

  const std::string_view severity = severityName(rule->severity);
  instance.labels = instanceLabels(*rule, severity, cluster, host);
  instance.id = fingerprint(instance.labels);

  const RenderContext context{instance.cluster, instance.host, instance.value, instance.diagnosis,
                              rule->name,       severity,      result.metric};
  instance.annotations.reserve(rule->annotations.size());
  for (const auto& [name, annotation] : rule->annotations) {
    instance.annotations.emplace_back(name, annotation.render(context));  // sorted by the parser
  }
  return instance;
}

bool selected(const std::vector<uint8_t>* selection, size_t index) {
  return selection == nullptr || (index < selection->size() && (*selection)[index] != 0);
}

}  // namespace

void RuleEvaluator::evaluate(const std::vector<std::shared_ptr<const Rule>>& rules,
                             const analytics::AnalyticsView& view,
                             const analytics::SeriesStore& store, const GlobalValues& globals,
                             int64_t now_unix_ms, std::vector<ActiveInstance>& out) {
  global_series_.push(now_unix_ms, globals);
  select_cache_.update(view, rules);
  const EvalInputs inputs{view, store, globals, global_series_, now_unix_ms};
  for (const std::shared_ptr<const Rule>& rule : rules) {
    if (rule == nullptr) {
      continue;
    }
    const std::vector<uint8_t>* selection = select_cache_.selection(*rule);
    switch (rule->scope) {
      case Scope::kHost:
        for (size_t i = 0; i < view.hosts.size(); ++i) {
          const analytics::HostView& host = view.hosts[i];
          if (host.removed || !selected(selection, i)) {
            continue;
          }
          const InstanceData data = InstanceData::of(host);
          const ConditionResult result = evaluateCondition(rule->condition, data, inputs);
          if (result.holds) {
            out.push_back(makeInstance(rule, &host.cluster, &host.host, result, data, view));
          }
        }
        break;
      case Scope::kCluster:
        for (size_t i = 0; i < view.clusters.size(); ++i) {
          const analytics::ClusterView& cluster = view.clusters[i];
          if (cluster.removed || !selected(selection, i)) {
            continue;
          }
          const InstanceData data = InstanceData::of(cluster);
          const ConditionResult result = evaluateCondition(rule->condition, data, inputs);
          if (result.holds) {
            out.push_back(makeInstance(rule, &cluster.name, nullptr, result, data, view));
          }
        }
        break;
      case Scope::kGlobal: {
        const InstanceData data;
        const ConditionResult result = evaluateCondition(rule->condition, data, inputs);
        if (result.holds) {
          out.push_back(makeInstance(rule, nullptr, nullptr, result, data, view));
        }
        break;
      }
    }
  }
}

}  // namespace meshlb::alerting
