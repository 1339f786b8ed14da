#include "admin/metrics/alerting_metrics.h"

namespace meshlb::admin::metrics {
namespace {

constexpr const char* kSeverities[] = {"critical", "warning", "info"};
constexpr const char* kStates[] = {"pending", "firing", "resolved"};
constexpr const char* kSources[] = {"default", "config", "api"};
constexpr const char* kSilenceStates[] = {"pending", "active", "expired"};

}  // namespace

AlertingMetrics::AlertingMetrics(FamilyRegistry& registry)
    : alerts_(gaugeFamily(registry, "meshlb_alerts",
                          "Alerts by state (pending, firing; resolved ones are kept a while) "
                          "and severity.")),
      silenced_(gaugeFamily(registry, "meshlb_alerts_silenced",
                            "Pending or firing alerts that a silence holds back.")),
      acknowledged_(gaugeFamily(registry, "meshlb_alerts_acknowledged",
                                "Pending or firing alerts an operator acknowledged.")),
      transitions_(counterFamily(registry, "meshlb_alert_transitions_total",
                                 "Alert state changes, by the state entered and severity.")),
      notifications_(counterFamily(registry, "meshlb_alerting_notifications_total",
                                   "Alerts a notifier target delivered (sent), attempts that "
                                   "failed, and alerts or bodies it gave up on (dropped).")),
      queue_(gaugeFamily(registry, "meshlb_alerting_notification_queue_length",
                         "Alerts (Alertmanager) or bodies (webhook) waiting for a target.")),
      target_up_(gaugeFamily(registry, "meshlb_alerting_target_up",
                             "1 when the target's last delivery attempt succeeded.")),
      rules_(
          gaugeFamily(registry, "meshlb_alerting_rules", "Alert rules by where they come from.")),
      silences_(gaugeFamily(registry, "meshlb_alerting_silences", "Silences by state.")),
      journal_bytes_(gaugeFamily(registry, "meshlb_alerting_journal_bytes",
                                 "Size of the alerting state journal since the last snapshot.")
                         .Add({})),
      load_errors_(counterFamily(registry, "meshlb_alerting_state_load_errors_total",
                                 "Damaged state files found (and set aside) at start-up.")
                       .Add({})),
      write_failures_(counterFamily(registry, "meshlb_alerting_state_write_failures_total",
                                    "Alerting state changes that could not be written.")
                          .Add({})),
      rejected_(counterFamily(registry, "meshlb_alerting_alerts_rejected_total",
                              "Alerts not created because 10,000 alerts exist.")
                    .Add({})),
      evaluations_(counterFamily(registry, "meshlb_alerting_evaluations_total",
                                 "Rule evaluations (one per analytics tick).")
                       .Add({})),
      evaluation_seconds_(counterFamily(registry, "meshlb_alerting_evaluation_seconds_total",
                                        "Time spent evaluating rules and applying the results.")
                              .Add({})) {
  for (size_t state = 0; state < 3; ++state) {
    for (size_t severity = 0; severity < 3; ++severity) {
      transition_series_[state][severity] = {
          &transitions_.Add({{"to", kStates[state]}, {"severity", kSeverities[severity]}}), 0};
    }
  }
}

void AlertingMetrics::raise(prometheus::Counter& counter, uint64_t total, uint64_t& applied) {
  if (total > applied) {
    counter.Increment(static_cast<double>(total - applied));
    applied = total;
  }
}

void AlertingMetrics::update(const alerting::AlertingCounts& counts) {
  for (size_t severity = 0; severity < 3; ++severity) {
    for (size_t state = 0; state < 3; ++state) {
      alerts_.Add({{"state", kStates[state]}, {"severity", kSeverities[severity]}})
          .Set(static_cast<double>(counts.alerts[state][severity]));
      auto& [counter, applied] = transition_series_[state][severity];
      raise(*counter, counts.transitions[state][severity], applied);
    }
    silenced_.Add({{"severity", kSeverities[severity]}})
        .Set(static_cast<double>(counts.silenced[severity]));
    acknowledged_.Add({{"severity", kSeverities[severity]}})
        .Set(static_cast<double>(counts.acknowledged[severity]));
  }
  for (size_t source = 0; source < 3; ++source) {
    rules_.Add({{"source", kSources[source]}}).Set(static_cast<double>(counts.rules[source]));
    silences_.Add({{"state", kSilenceStates[source]}})
        .Set(static_cast<double>(counts.silences[source]));
  }
  for (const alerting::AlertingCounts::Target& target : counts.targets) {
    auto [it, inserted] = targets_.try_emplace({target.notifier, target.status.url});
    TargetSeries& series = it->second;
    if (inserted) {
      const prometheus::Labels labels = {{"notifier", target.notifier},
                                         {"target", target.status.url}};
      series.sent = &notifications_.Add(withLabel(labels, "result", "sent"));
      series.failed = &notifications_.Add(withLabel(labels, "result", "failed"));
      series.dropped = &notifications_.Add(withLabel(labels, "result", "dropped"));
      series.queued = &queue_.Add(labels);
      series.up = &target_up_.Add(labels);
    }
    raise(*series.sent, target.status.sent, series.applied_sent);
    raise(*series.failed, target.status.failed, series.applied_failed);
    raise(*series.dropped, target.status.dropped, series.applied_dropped);
    series.queued->Set(static_cast<double>(target.status.queued));
    series.up->Set(target.status.up ? 1 : 0);
  }
  journal_bytes_.Set(static_cast<double>(counts.journal_bytes));
  raise(load_errors_, counts.load_errors, applied_load_errors_);
  raise(write_failures_, counts.state_write_failures, applied_write_failures_);
  raise(rejected_, counts.alerts_rejected, applied_rejected_);
  raise(evaluations_, counts.evaluations, applied_evaluations_);
  if (counts.evaluation_seconds_total > applied_evaluation_seconds_) {
    evaluation_seconds_.Increment(counts.evaluation_seconds_total - applied_evaluation_seconds_);
    applied_evaluation_seconds_ = counts.evaluation_seconds_total;
  }
}

}  // namespace meshlb::admin::metrics
