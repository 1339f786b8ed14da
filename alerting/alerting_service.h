#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alerting_config.h"
#include "alerting/eval/capture_drops.h"
#include "alerting/eval/rule_evaluator.h"
#include "alerting/manage/history.h"
#include "alerting/manage/silence.h"
#include "alerting/notify/notifier.h"
#include "alerting/persist/state_dir.h"
#include "alerting/state/alert.h"
#include "analytics/analytics_view.h"
#include "analytics/store/series_store.h"
#include "capture/summary/flow_summary.h"

namespace meshlb::alerting {

// An answer to a management call, in the admin API's terms: an HTTP status and a JSON body
// (the object asked for, or {"error", "detail"[, "errors"]}).
struct ApiAnswer {
  int status = 200;
  nlohmann::json body;
};

// Filters of GET /alerts.
struct AlertQuery {
  std::vector<AlertState> states = {AlertState::kPending, AlertState::kFiring};
  std::optional<Severity> severity;
  std::string cluster, host, rule;
  std::optional<bool> silenced, acked;
  size_t limit = 100;
};

// Counts for the Prometheus exporter, taken under the service's mutex once per scrape.
struct AlertingCounts {
  static constexpr size_t kSeverities = 3;
  std::array<std::array<uint64_t, kSeverities>, 3> alerts{};  // [AlertState][Severity]
  std::array<uint64_t, kSeverities> silenced{}, acknowledged{};
  std::array<std::array<uint64_t, kSeverities>, 3> transitions{};  // [to: AlertState][Severity]
  std::array<uint64_t, 3> rules{};                                 // by RuleSource
  std::array<uint64_t, 3> silences{};                              // by SilenceState
  struct Target {
    std::string notifier;
    NotifierTargetStatus status;
  };
  std::vector<Target> targets;
  uint64_t journal_bytes = 0;
  uint64_t load_errors = 0;
  uint64_t state_write_failures = 0;
  uint64_t alerts_rejected = 0;
  uint64_t evaluations = 0;
  double evaluation_seconds_total = 0;
  double last_evaluation_ms = 0;
};

// Alert rules, the alerts they raise, silences, acks, the history, their persistence, and the
// hand-over to the notifiers. Three kinds of thread call in, all off the proxy's data path, and
// one mutex guards the model:
//   - the analytics thread: evaluate() after each tick (rule evaluation itself runs outside the
//     mutex; applying the results, journaling them and queueing notifications inside);
//   - the main thread: the admin API's reads and writes and config reloads;
//   - notifier threads: delivery reports (marks).
// Every change is journaled (fdatasync unless "fsync": false) before the admin API answers 2xx
// or a notifier is given the alert, so a kill -9 loses nothing that was acknowledged.
class AlertingService {
 public:
  static constexpr size_t kMaxAlerts = 10'000;
  static constexpr size_t kMaxApiRules = 1'000;
  static constexpr size_t kMaxSilences = 1'000;

  // Main thread, at start-up: opens the state directory (a failure is a start-up error),
  // restores what it holds (damage there is reported in status, never fatal) and builds the
  // notifiers. nullptr and *error when it cannot run.
  static std::unique_ptr<AlertingService> create(AlertingConfig config, std::string* error);
  ~AlertingService();
  AlertingService(const AlertingService&) = delete;
  AlertingService& operator=(const AlertingService&) = delete;

  void start();  // the notifiers' threads
  void stop();

  // Main thread: the config's rules after a reload (already validated).
  void setConfigRules(std::vector<std::shared_ptr<const Rule>> rules);
  // Any thread: names defined through the API (the config validator refuses to shadow them).
  bool isApiRule(const std::string& name) const;

  // Analytics thread, after each tick.
  void evaluate(const analytics::AnalyticsView& view, const analytics::SeriesStore& store,
                const capture::FlowSummary* flows);

  // Main thread (admin API).
  bool evaluatedOnce() const { return evaluations_.load() > 0; }
  nlohmann::json alerts(const AlertQuery& query) const;
  std::optional<nlohmann::json> alert(const std::string& id) const;
  ApiAnswer acknowledge(const std::string& id, const nlohmann::json& body);
  nlohmann::json silences(std::optional<SilenceState> state) const;
  ApiAnswer putSilence(const nlohmann::json& body);
  ApiAnswer expireSilence(const std::string& id);
  nlohmann::json history(const History::Query& query) const;
  nlohmann::json rules() const;
  std::optional<nlohmann::json> rule(const std::string& name) const;
  ApiAnswer createRule(const nlohmann::json& body);
  ApiAnswer putRule(const std::string& name, const nlohmann::json& body);
  ApiAnswer deleteRule(const std::string& name);
  nlohmann::json status() const;
  AlertingCounts counts() const;

 private:
  struct RuleEntry {
    std::shared_ptr<const Rule> rule;
    RuleSource source;
  };
  using RuleList = std::vector<std::shared_ptr<const Rule>>;

  explicit AlertingService(AlertingConfig config);
  static int64_t nowMs();

  // All below: with mutex_ held.
  void restore(const LoadedState& loaded);
  void applyOp(const nlohmann::json& op);
  void rebuildActiveRules();
  const RuleEntry* findRule(const std::string& name) const;
  void recordHistory(nlohmann::json entry, int64_t now);
  void recordAlert(const Alert& alert);
  void recordAlertDrop(const std::string& id);
  bool commit(std::string* error);  // journals pending_ops_
  nlohmann::json snapshotJson() const;
  void transition(Alert& alert, std::string_view from, std::string_view to, int64_t now,
                  const char* reason);
  void refreshSilencedBy(Alert& alert, int64_t now) const;
  void collectDue(Alert& alert, int64_t now, std::vector<std::vector<OutgoingAlert>>& due);
  OutgoingAlert outgoing(const Alert& alert, bool resolved, int64_t now) const;
  nlohmann::json ruleJson(const RuleEntry& entry) const;
  ApiAnswer storeRule(std::shared_ptr<Rule> rule, bool replace_allowed, int created_status);
  ApiAnswer commitAnswer(int status, nlohmann::json body);
  void onDelivered(const std::string& notifier, const std::vector<Delivery>& delivered);

  const AlertingConfig config_;
  std::unique_ptr<StateDir> state_dir_;  // null when state_dir is not configured
  std::vector<std::unique_ptr<Notifier>> notifiers_;
  RuleEvaluator evaluator_;             // analytics thread only
  CaptureDropTracker drop_tracker_;     // analytics thread only
  std::vector<ActiveInstance> active_;  // analytics thread only: reused every tick
  std::atomic<uint64_t> evaluations_{0};
  int64_t started_ms_ = 0;

  mutable std::mutex mutex_;                // guards everything below
  std::map<std::string, RuleEntry> rules_;  // every source, by name
  std::shared_ptr<const RuleList> active_rules_;
  std::map<std::string, Alert> alerts_;  // by id
  std::map<std::string, Silence> silences_;
  History history_;
  std::vector<nlohmann::json> pending_ops_;
  std::vector<StateLoadError> load_errors_;
  AlertingCounts counters_;  // the cumulative parts
  int64_t last_evaluation_ms_ = 0;
  int64_t restore_grace_until_ms_ = 0;
};

}  // namespace meshlb::alerting
