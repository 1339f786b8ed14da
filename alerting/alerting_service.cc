#include "alerting/alerting_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_set>

#include "alerting/rules/default_rules.h"
#include "alerting/rules/rule_parser.h"
#include "alerting/state/alert_json.h"
#include "alerting/state/state_machine.h"
#include "common/log.h"
#include "common/wall_clock.h"

namespace meshlb::alerting {
namespace {

constexpr uint64_t kCompactRecords = 5'000;
constexpr uint64_t kCompactBytes = 8 << 20;
constexpr int64_t kExpiredSilenceRetentionMs = 5LL * 86'400'000;  // Alertmanager's default

nlohmann::json errorBody(std::string_view code, std::string detail) {
  return {{"error", code}, {"detail", std::move(detail)}};
}

nlohmann::json fieldErrors(const std::vector<FieldError>& errors) {
  nlohmann::json out = nlohmann::json::array();
  for (const FieldError& error : errors) {
    out.push_back({{"path", error.path}, {"reason", error.reason}});
  }
  return out;
}

ApiAnswer badRule(const std::vector<FieldError>& errors) {
  return {400,
          {{"error", "bad_rule"},
           {"detail", "the rule is not valid; see errors"},
           {"errors", fieldErrors(errors)}}};
}

size_t severityIndex(Severity severity) {
  return static_cast<size_t>(severity);
}

bool validText(const nlohmann::json& body, const char* key, size_t min, size_t max,
               std::string& out) {
  auto it = body.find(key);
  if (it == body.end()) {
    return min == 0;
  }
  if (!it->is_string()) {
    return false;
  }
  out = it->get<std::string>();
  return out.size() >= min && out.size() <= max;
}

}  // namespace

int64_t AlertingService::nowMs() {
  return wallClockUnixMs();
}

AlertingService::AlertingService(AlertingConfig config)
    : config_(std::move(config)), history_(config_.history_max_entries) {}

AlertingService::~AlertingService() {
  stop();
}

std::unique_ptr<AlertingService> AlertingService::create(AlertingConfig config,
                                                         std::string* error) {
  std::unique_ptr<AlertingService> service(new AlertingService(std::move(config)));
  AlertingService& self = *service;
  self.started_ms_ = nowMs();
  std::lock_guard lock(self.mutex_);
  if (self.config_.default_rules) {
    for (const std::shared_ptr<const Rule>& rule : defaultRules()) {
      self.rules_[rule->name] = {rule, RuleSource::kDefault};
    }
  }
  for (const std::shared_ptr<const Rule>& rule : self.config_.rules) {
    self.rules_[rule->name] = {rule, RuleSource::kConfig};
  }
  if (!self.config_.state_dir.empty()) {
    self.state_dir_ = StateDir::open(self.config_.state_dir, self.config_.fsync, error);
    if (!self.state_dir_) {
      return nullptr;
    }
    const LoadedState loaded = self.state_dir_->load();
    self.restore(loaded);
  } else {
    LOG_WARN("alerting: no alerting.state_dir; alerts, silences and API rules live in memory only");
  }
  self.rebuildActiveRules();
  for (const NotifierConfig& notifier : self.config_.notifiers) {
    AlertingService* owner = &self;
    self.notifiers_.push_back(
        makeNotifier(notifier, self.config_.external_url,
                     [owner](const std::string& name, const std::vector<Delivery>& delivered) {
                       owner->onDelivered(name, delivered);
                     }));
  }
  return service;
}

void AlertingService::start() {
  for (const std::unique_ptr<Notifier>& notifier : notifiers_) {
    notifier->start();
  }
}

void AlertingService::stop() {
  for (const std::unique_ptr<Notifier>& notifier : notifiers_) {
    notifier->stop();
  }
}

// ---- persistence ----------------------------------------------------------------------------

void AlertingService::restore(const LoadedState& loaded) {
  load_errors_ = loaded.errors;
  counters_.load_errors = loaded.errors.size();
  for (const StateLoadError& e : loaded.errors) {
    LOG_ERROR("alerting: state %s: %s%s%s", e.file.c_str(), e.reason.c_str(),
              e.set_aside_as.empty() ? "" : "; set aside as ", e.set_aside_as.c_str());
  }
  if (loaded.snapshot) {
    nlohmann::json snapshot = nlohmann::json::parse(*loaded.snapshot, nullptr, false);
    if (!snapshot.is_object()) {
      load_errors_.push_back({"alerting.snapshot", "not a JSON object", ""});
    } else {
      for (const char* key : {"rules", "silences", "alerts", "history"}) {
        if (!snapshot.contains(key) || !snapshot[key].is_array()) {
          continue;
        }
        for (const nlohmann::json& item : snapshot[key]) {
          const std::string type = key == std::string_view("rules")      ? "rule_put"
                                   : key == std::string_view("silences") ? "silence"
                                   : key == std::string_view("alerts")   ? "alert"
                                                                         : "history";
          nlohmann::json op = {{"op", type}};
          op[type == "rule_put" ? "rule" : type == "history" ? "entry" : type] = item;
          applyOp(op);
        }
      }
    }
  }
  for (const std::string& record : loaded.journal) {
    nlohmann::json parsed = nlohmann::json::parse(record, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("ops") || !parsed["ops"].is_array()) {
      load_errors_.push_back({"alerting.journal", "a record that is not {\"ops\": [...]}", ""});
      continue;
    }
    for (const nlohmann::json& op : parsed["ops"]) {
      applyOp(op);
    }
  }
  // What was active when meshlb stopped comes back as restored: the grace below keeps a firing
  // alert from resolving while health checks and detectors learn the world again.
  restore_grace_until_ms_ = started_ms_ + int64_t{config_.restore_grace_s} * 1'000;
  for (auto& [id, alert] : alerts_) {
    if (alert.state != AlertState::kResolved) {
      alert.restored = true;
      // When an alert was last offered is not journaled (a write per offer); counting repeats
      // from the restart keeps a webhook from hearing the same episode again at once.
      for (auto& [notifier, mark] : alert.marks) {
        if (mark.offered_firing && mark.last_offered_ms == 0) {
          mark.last_offered_ms = started_ms_;
        }
      }
      refreshSilencedBy(alert, started_ms_);
      history_.add({{"type", "state"},
                    {"alert_id", id},
                    {"rule", alert.rule},
                    {"labels", labelsToJson(alert.labels)},
                    {"from", alertStateName(alert.state)},
                    {"to", "restored"},
                    {"value", alert.value},
                    {"reason", "restart"}},
                   started_ms_);
    }
  }
  if (!alerts_.empty() || !silences_.empty()) {
    LOG_INFO("alerting: restored %zu alert(s), %zu silence(s), %zu history entries from %s",
             alerts_.size(), silences_.size(), history_.size(), config_.state_dir.c_str());
  }
  // Start from a clean journal: what was replayed goes into one snapshot.
  std::string error;
  if (!state_dir_->writeSnapshot(snapshotJson().dump(), &error)) {
    LOG_ERROR("alerting: cannot write the state snapshot: %s", error.c_str());
    ++counters_.state_write_failures;
  }
}

void AlertingService::applyOp(const nlohmann::json& op) {
  if (!op.is_object() || !op.contains("op") || !op["op"].is_string()) {
    return;
  }
  const std::string type = op["op"].get<std::string>();
  if (type == "rule_put" && op.contains("rule")) {
    std::vector<FieldError> errors;
    std::optional<Rule> rule = parseRule(op["rule"], "", errors);
    if (!rule) {
      load_errors_.push_back({"alerting state", "an API rule no longer parses", ""});
      return;
    }
    auto it = rules_.find(rule->name);
    if (it != rules_.end() && it->second.source != RuleSource::kApi) {
      load_errors_.push_back(
          {"alerting state",
           "API rule '" + rule->name + "' is now defined in the config; the config's rule wins",
           ""});
      return;
    }
    rule->source = RuleSource::kApi;
    const std::string name = rule->name;  // before the move below
    rules_[name] = {std::make_shared<const Rule>(std::move(*rule)), RuleSource::kApi};
  } else if (type == "rule_delete" && op.contains("name") && op["name"].is_string()) {
    auto it = rules_.find(op["name"].get<std::string>());
    if (it != rules_.end() && it->second.source == RuleSource::kApi) {
      rules_.erase(it);
    }
  } else if (type == "silence" && op.contains("silence")) {
    if (std::optional<Silence> silence = silenceFromJson(op["silence"])) {
      silences_[silence->id] = std::move(*silence);
    }
  } else if (type == "alert" && op.contains("alert")) {
    if (std::optional<Alert> alert = alertFromJson(op["alert"])) {
      std::string id = alert->id;
      alerts_[id] = std::move(*alert);
    }
  } else if (type == "alert_drop" && op.contains("id") && op["id"].is_string()) {
    alerts_.erase(op["id"].get<std::string>());
  } else if (type == "mark" && op.contains("id") && op["id"].is_string()) {
    auto it = alerts_.find(op["id"].get<std::string>());
    if (it == alerts_.end() || !op.contains("notifier") || !op["notifier"].is_string()) {
      return;
    }
    NotifyMark& mark = it->second.marks[op["notifier"].get<std::string>()];
    const int64_t episode = op.value("episode", int64_t{0});
    if (mark.episode != episode) {
      mark = NotifyMark{};
      mark.episode = episode;
    }
    mark.delivered_firing = mark.delivered_firing || op.value("firing", false);
    mark.delivered_resolved = mark.delivered_resolved || op.value("resolved", false);
    mark.offered_firing = mark.offered_firing || mark.delivered_firing;
    mark.offered_resolved = mark.offered_resolved || mark.delivered_resolved;
  } else if (type == "history" && op.contains("entry")) {
    history_.restore(op["entry"]);
  }
}

nlohmann::json AlertingService::snapshotJson() const {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& [name, entry] : rules_) {
    if (entry.source == RuleSource::kApi) {
      rules.push_back(ruleToJson(*entry.rule));
    }
  }
  nlohmann::json silences = nlohmann::json::array();
  for (const auto& [id, silence] : silences_) {
    silences.push_back(silenceToJson(silence));
  }
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& [id, alert] : alerts_) {
    alerts.push_back(alertToJson(alert));
  }
  return {{"version", 1},
          {"rules", rules},
          {"silences", silences},
          {"alerts", alerts},
          {"history", history_.toJson()}};
}

void AlertingService::recordHistory(nlohmann::json entry, int64_t now) {
  const nlohmann::json& stamped = history_.add(std::move(entry), now);
  pending_ops_.push_back({{"op", "history"}, {"entry", stamped}});
}

void AlertingService::recordAlert(const Alert& alert) {
  pending_ops_.push_back({{"op", "alert"}, {"alert", alertToJson(alert)}});
}

void AlertingService::recordAlertDrop(const std::string& id) {
  pending_ops_.push_back({{"op", "alert_drop"}, {"id", id}});
}

bool AlertingService::commit(std::string* error) {
  if (pending_ops_.empty()) {
    return true;
  }
  nlohmann::json record = {{"ops", std::move(pending_ops_)}};
  pending_ops_.clear();
  if (!state_dir_) {
    return true;
  }
  std::string local_error;
  std::string* out = error != nullptr ? error : &local_error;
  if (!state_dir_->append(record.dump(), out)) {
    ++counters_.state_write_failures;
    LOG_ERROR("alerting: cannot journal a change: %s", out->c_str());
    return false;
  }
  if (state_dir_->journalRecords() > kCompactRecords ||
      state_dir_->journalBytes() > kCompactBytes) {
    std::string compact_error;
    if (!state_dir_->writeSnapshot(snapshotJson().dump(), &compact_error)) {
      ++counters_.state_write_failures;
      LOG_ERROR("alerting: cannot compact the journal: %s", compact_error.c_str());
    }
  }
  return true;
}

ApiAnswer AlertingService::commitAnswer(int status, nlohmann::json body) {
  std::string error;
  if (!commit(&error)) {
    return {500,
            errorBody("state_write_failed", "the change is in effect but could not be written to " +
                                                config_.state_dir + ": " + error)};
  }
  return {status, std::move(body)};
}

// ---- rules ----------------------------------------------------------------------------------

void AlertingService::rebuildActiveRules() {
  auto list = std::make_shared<RuleList>();
  for (const auto& [name, entry] : rules_) {
    list->push_back(entry.rule);
  }
  active_rules_ = std::move(list);
}

const AlertingService::RuleEntry* AlertingService::findRule(const std::string& name) const {
  auto it = rules_.find(name);
  return it == rules_.end() ? nullptr : &it->second;
}

bool AlertingService::isApiRule(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const RuleEntry* entry = findRule(name);
  return entry != nullptr && entry->source == RuleSource::kApi;
}

void AlertingService::setConfigRules(std::vector<std::shared_ptr<const Rule>> rules) {
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end();) {
    it = it->second.source == RuleSource::kConfig ? rules_.erase(it) : std::next(it);
  }
  for (std::shared_ptr<const Rule>& rule : rules) {
    const std::string name = rule->name;
    rules_[name] = {std::move(rule), RuleSource::kConfig};
  }
  rebuildActiveRules();
  recordHistory({{"type", "rule"}, {"action", "reloaded"}, {"rule", ""}, {"source", "config"}},
                nowMs());
  commit(nullptr);
}

nlohmann::json AlertingService::ruleJson(const RuleEntry& entry) const {
  nlohmann::json out = ruleToJson(*entry.rule);
  out["source"] = sourceName(entry.source);
  uint64_t pending = 0, firing = 0;
  for (const auto& [id, alert] : alerts_) {
    if (alert.rule == entry.rule->name) {
      pending += alert.state == AlertState::kPending;
      firing += alert.state == AlertState::kFiring;
    }
  }
  out["alerts"] = {{"pending", pending}, {"firing", firing}};
  return out;
}

nlohmann::json AlertingService::rules() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, entry] : rules_) {
    out.push_back(ruleJson(entry));
  }
  return {{"rules", out}};
}

std::optional<nlohmann::json> AlertingService::rule(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const RuleEntry* entry = findRule(name);
  if (entry == nullptr) {
    return std::nullopt;
  }
  return ruleJson(*entry);
}

ApiAnswer AlertingService::storeRule(std::shared_ptr<Rule> rule, bool replace_allowed,
                                     int created_status) {
  const RuleEntry* existing = findRule(rule->name);
  if (existing != nullptr && existing->source != RuleSource::kApi) {
    return {409, errorBody("rule_from_config", "rule '" + rule->name + "' comes from the " +
                                                   std::string(sourceName(existing->source)) +
                                                   " rules; change it in the config file")};
  }
  if (existing != nullptr && !replace_allowed) {
    return {409, errorBody("rule_exists", "rule '" + rule->name + "' exists; PUT /alerts/rules/" +
                                              rule->name + " replaces it")};
  }
  size_t api_rules = 0;
  for (const auto& [name, entry] : rules_) {
    api_rules += entry.source == RuleSource::kApi;
  }
  if (existing == nullptr && api_rules >= kMaxApiRules) {
    return {409, errorBody("too_many_rules", "at most " + std::to_string(kMaxApiRules) +
                                                 " rules can be defined through the API")};
  }
  const bool replaced = existing != nullptr;
  rule->source = RuleSource::kApi;
  std::shared_ptr<const Rule> stored = std::move(rule);
  rules_[stored->name] = {stored, RuleSource::kApi};
  rebuildActiveRules();
  pending_ops_.push_back({{"op", "rule_put"}, {"rule", ruleToJson(*stored)}});
  recordHistory({{"type", "rule"},
                 {"action", replaced ? "replaced" : "created"},
                 {"rule", stored->name},
                 {"source", "api"}},
                nowMs());
  return commitAnswer(replaced ? 200 : created_status, ruleJson(rules_[stored->name]));
}

ApiAnswer AlertingService::createRule(const nlohmann::json& body) {
  std::vector<FieldError> errors;
  std::optional<Rule> parsed = parseRule(body, "", errors);
  if (!parsed) {
    return badRule(errors);
  }
  std::lock_guard lock(mutex_);
  return storeRule(std::make_shared<Rule>(std::move(*parsed)), false, 201);
}

ApiAnswer AlertingService::putRule(const std::string& name, const nlohmann::json& body) {
  if (!body.is_object()) {
    return {400, errorBody("bad_rule", "the body must be a JSON object (a rule)")};
  }
  nlohmann::json named = body;
  if (!named.contains("name")) {
    named["name"] = name;
  } else if (!named["name"].is_string() || named["name"].get<std::string>() != name) {
    return {400, errorBody("bad_rule", "the body's name differs from the path's '" + name + "'")};
  }
  std::vector<FieldError> errors;
  std::optional<Rule> parsed = parseRule(named, "", errors);
  if (!parsed) {
    return badRule(errors);
  }
  std::lock_guard lock(mutex_);
  return storeRule(std::make_shared<Rule>(std::move(*parsed)), true, 201);
}

ApiAnswer AlertingService::deleteRule(const std::string& name) {
  std::lock_guard lock(mutex_);
  const RuleEntry* entry = findRule(name);
  if (entry == nullptr) {
    return {404, errorBody("rule_not_found", "no rule named '" + name + "'")};
  }
  if (entry->source != RuleSource::kApi) {
    return {409, errorBody("rule_from_config", "rule '" + name + "' comes from the " +
                                                   std::string(sourceName(entry->source)) +
                                                   " rules; change it in the config file")};
  }
  rules_.erase(name);
  rebuildActiveRules();
  pending_ops_.push_back({{"op", "rule_delete"}, {"name", name}});
  recordHistory({{"type", "rule"}, {"action", "deleted"}, {"rule", name}, {"source", "api"}},
                nowMs());
  // Its alerts resolve at the next evaluation (reason rule_deleted).
  return commitAnswer(200, {{"deleted", name}});
}

// ---- evaluation -----------------------------------------------------------------------------

void AlertingService::transition(Alert& alert, std::string_view from, std::string_view to,
                                 int64_t now, const char* reason) {
  recordHistory({{"type", "state"},
                 {"alert_id", alert.id},
                 {"rule", alert.rule},
                 {"labels", labelsToJson(alert.labels)},
                 {"from", from},
                 {"to", to},
                 {"value", std::isfinite(alert.value) ? alert.value : 0.0},
                 {"reason", reason == nullptr ? nlohmann::json(nullptr) : reason}},
                now);
  if (std::optional<AlertState> state = alertStateByName(to)) {
    ++counters_.transitions[static_cast<size_t>(*state)][severityIndex(alert.severity)];
  }
}

void AlertingService::refreshSilencedBy(Alert& alert, int64_t now) const {
  alert.silenced_by.clear();
  for (const auto& [id, silence] : silences_) {
    if (alerting::silences(silence, alert.labels, now)) {
      alert.silenced_by.push_back(id);
    }
  }
}

OutgoingAlert AlertingService::outgoing(const Alert& alert, bool resolved, int64_t now) const {
  OutgoingAlert out;
  out.id = alert.id;
  out.labels = alert.labels;
  out.annotations = alert.annotations;
  if (alert.ack) {
    std::vector<Label> annotations(out.annotations.begin(), out.annotations.end());
    annotations.emplace_back("acknowledged_by", alert.ack->by);
    out.annotations = makeLabelSet(std::move(annotations));
  }
  out.starts_unix_ms = alert.fired_unix_ms;
  out.resolved = resolved;
  // Alertmanager resolves an alert by itself at endsAt: four resend intervals leave room for
  // a few lost sends (Prometheus does the same).
  out.ends_unix_ms =
      resolved ? alert.resolved_unix_ms : now + 4 * int64_t{config_.resend_interval_s} * 1'000;
  out.generator_url = config_.external_url + "/alerts/" + alert.id;
  return out;
}

void AlertingService::collectDue(Alert& alert, int64_t now,
                                 std::vector<std::vector<OutgoingAlert>>& due) {
  for (size_t i = 0; i < notifiers_.size(); ++i) {
    const NotifierConfig& config = notifiers_[i]->config();
    if (alert.state == AlertState::kPending || !matchesAll(config.match, alert.labels)) {
      continue;
    }
    const bool alertmanager = config.type == NotifierConfig::Type::kAlertmanager;
    NotifyMark& mark = alert.marks[config.name];
    if (mark.episode != alert.fired_unix_ms) {
      mark = NotifyMark{};
      mark.episode = alert.fired_unix_ms;
    }
    if (alert.state == AlertState::kFiring) {
      if (!alert.silenced_by.empty()) {
        continue;
      }
      const int64_t since = now - mark.last_offered_ms;
      bool is_due = !mark.offered_firing;
      if (alertmanager) {
        is_due = is_due || since >= int64_t{config_.resend_interval_s} * 1'000;
      } else if (mark.offered_firing && !alert.ack && config.repeat_interval_s > 0) {
        is_due = since >= int64_t{config.repeat_interval_s} * 1'000;
      }
      if (is_due) {
        due[i].push_back(outgoing(alert, false, now));
        mark.offered_firing = true;
        mark.last_offered_ms = now;
      }
    } else if (mark.offered_firing && !mark.offered_resolved &&
               (alertmanager || config.send_resolved)) {
      // A resolution goes to whoever was told it fired, silenced or not.
      due[i].push_back(outgoing(alert, true, now));
      mark.offered_resolved = true;
      mark.last_offered_ms = now;
    }
  }
}

void AlertingService::evaluate(const analytics::AnalyticsView& view,
                               const analytics::SeriesStore& store,
                               const capture::FlowSummary* flows) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t now = view.status.last_tick_unix_ms > 0 ? view.status.last_tick_unix_ms : nowMs();
  const GlobalValues globals = drop_tracker_.update(flows, now);
  std::shared_ptr<const RuleList> rules;
  {
    std::lock_guard lock(mutex_);
    rules = active_rules_;
  }
  active_.clear();
  evaluator_.evaluate(*rules, view, store, globals, now, active_);

  std::vector<std::vector<OutgoingAlert>> due(notifiers_.size());
  {
    std::lock_guard lock(mutex_);
    std::unordered_set<std::string_view> seen;
    for (const ActiveInstance& instance : active_) {
      auto it = alerts_.find(instance.id);
      const bool is_new = it == alerts_.end();
      if (is_new) {
        if (alerts_.size() >= kMaxAlerts) {
          ++counters_.alerts_rejected;
          continue;
        }
        Alert alert;
        alert.id = instance.id;
        alert.rule = instance.rule->name;
        alert.severity = instance.rule->severity;
        alert.labels = instance.labels;
        alert.state = AlertState::kPending;
        alert.active_unix_ms = now;
        alert.last_true_unix_ms = now;
        it = alerts_.emplace(instance.id, std::move(alert)).first;
      }
      Alert& alert = it->second;
      seen.insert(it->first);
      alert.value = instance.value;
      alert.annotations = instance.annotations;
      alert.diagnosis = instance.diagnosis;
      alert.anomaly_id = instance.anomaly_id;
      const AlertState before = alert.state;
      const StepResult step =
          stepAlert(alert, {true, now, instance.rule->for_s, instance.rule->keep_firing_for_s,
                            restore_grace_until_ms_});
      if (is_new) {
        transition(alert, "inactive", "pending", now, nullptr);
        refreshSilencedBy(alert, now);
      }
      if (step == StepResult::kFired || step == StepResult::kReopened) {
        if (step == StepResult::kReopened) {
          transition(alert, alertStateName(before), "pending", now, nullptr);
        }
        if (alert.state == AlertState::kFiring) {
          transition(alert, "pending", "firing", now, nullptr);
        }
        recordAlert(alert);
      } else if (is_new) {
        recordAlert(alert);
      }
    }
    for (auto it = alerts_.begin(); it != alerts_.end();) {
      Alert& alert = it->second;
      if (!seen.count(it->first)) {
        const RuleEntry* entry = findRule(alert.rule);
        const char* reason = entry == nullptr ? "rule_deleted" : nullptr;
        const uint32_t keep_s = entry == nullptr ? 0 : entry->rule->keep_firing_for_s;
        const StepResult step = stepAlert(
            alert, {false, now, 0, keep_s, entry == nullptr ? 0 : restore_grace_until_ms_});
        if (step == StepResult::kResolved) {
          transition(alert, "firing", "resolved", now, reason);
          recordAlert(alert);
        } else if (step == StepResult::kDropped) {
          transition(alert, "pending", "inactive", now, reason);
          recordAlertDrop(it->first);
          it = alerts_.erase(it);
          continue;
        } else if (alert.state == AlertState::kResolved &&
                   now - alert.resolved_unix_ms >= int64_t{config_.resolved_retention_s} * 1'000) {
          recordAlertDrop(it->first);
          it = alerts_.erase(it);
          continue;
        }
      }
      if (alert.state != AlertState::kResolved) {
        refreshSilencedBy(alert, now);
      }
      collectDue(alert, now, due);
      ++it;
    }
    // Expired silences go after Alertmanager's retention.
    for (auto it = silences_.begin(); it != silences_.end();) {
      if (it->second.ends_unix_ms + kExpiredSilenceRetentionMs < now) {
        it = silences_.erase(it);
      } else {
        ++it;
      }
    }
    // Journal before anyone hears of a transition: a crash after this line cannot lose it.
    commit(nullptr);
    last_evaluation_ms_ = now;
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    counters_.last_evaluation_ms = took * 1e3;
    counters_.evaluation_seconds_total += took;
    ++counters_.evaluations;
  }
  evaluations_.fetch_add(1);
  for (size_t i = 0; i < notifiers_.size(); ++i) {
    if (!due[i].empty()) {
      notifiers_[i]->offer(due[i]);
    }
  }
}

void AlertingService::onDelivered(const std::string& notifier,
                                  const std::vector<Delivery>& delivered) {
  std::lock_guard lock(mutex_);
  for (const Delivery& delivery : delivered) {
    auto it = alerts_.find(delivery.id);
    if (it == alerts_.end()) {
      continue;
    }
    NotifyMark& mark = it->second.marks[notifier];
    if (mark.episode != it->second.fired_unix_ms) {
      continue;  // a report about an earlier episode
    }
    if (delivery.resolved) {
      mark.delivered_resolved = true;
    } else {
      mark.delivered_firing = true;
    }
    pending_ops_.push_back({{"op", "mark"},
                            {"id", delivery.id},
                            {"notifier", notifier},
                            {"episode", mark.episode},
                            {"firing", mark.delivered_firing},
                            {"resolved", mark.delivered_resolved}});
  }
  commit(nullptr);
}

// ---- alerts, acks ---------------------------------------------------------------------------

nlohmann::json AlertingService::alerts(const AlertQuery& query) const {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, alert] : alerts_) {
    if (list.size() >= query.limit) {
      break;
    }
    if (std::find(query.states.begin(), query.states.end(), alert.state) == query.states.end()) {
      continue;
    }
    if (query.severity && alert.severity != *query.severity) {
      continue;
    }
    const std::string* cluster = findLabel(alert.labels, "cluster");
    const std::string* host = findLabel(alert.labels, "host");
    if ((!query.cluster.empty() && (cluster == nullptr || *cluster != query.cluster)) ||
        (!query.host.empty() && (host == nullptr || *host != query.host)) ||
        (!query.rule.empty() && alert.rule != query.rule)) {
      continue;
    }
    if ((query.silenced && alert.silenced_by.empty() == *query.silenced) ||
        (query.acked && alert.ack.has_value() != *query.acked)) {
      continue;
    }
    list.push_back(alertToApiJson(alert, alert.silenced_by));
  }
  return {{"evaluated_unix_ms", last_evaluation_ms_}, {"alerts", list}};
}

std::optional<nlohmann::json> AlertingService::alert(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = alerts_.find(id);
  if (it == alerts_.end()) {
    return std::nullopt;
  }
  return alertToApiJson(it->second, it->second.silenced_by);
}

ApiAnswer AlertingService::acknowledge(const std::string& id, const nlohmann::json& body) {
  std::string by, comment;
  if (!body.is_object() || !validText(body, "by", 1, 128, by) ||
      !validText(body, "comment", 0, 1024, comment)) {
    return {400, errorBody("bad_request",
                           "the body must be {\"by\": \"<1-128 chars>\", \"comment\": \"<at most "
                           "1024 chars>\"}")};
  }
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "by" && it.key() != "comment") {
      return {400, errorBody("bad_request", "unknown key '" + it.key() + "'")};
    }
  }
  std::lock_guard lock(mutex_);
  auto it = alerts_.find(id);
  if (it == alerts_.end()) {
    return {404, errorBody("alert_not_found", "no alert with id '" + id + "'")};
  }
  Alert& alert = it->second;
  if (alert.state == AlertState::kResolved) {
    return {409, errorBody("alert_not_active", "alert '" + id + "' is resolved")};
  }
  const int64_t now = nowMs();
  alert.ack = Ack{by, comment, now};
  recordAlert(alert);
  recordHistory(
      {{"type", "ack"}, {"alert_id", id}, {"rule", alert.rule}, {"by", by}, {"comment", comment}},
      now);
  return commitAnswer(200, alertToApiJson(alert, alert.silenced_by));
}

// ---- silences -------------------------------------------------------------------------------

nlohmann::json AlertingService::silences(std::optional<SilenceState> state) const {
  std::lock_guard lock(mutex_);
  const int64_t now = nowMs();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, silence] : silences_) {
    const SilenceState current = silenceState(silence, now);
    if (state && current != *state) {
      continue;
    }
    nlohmann::json item = silenceToJson(silence);
    item["state"] = silenceStateName(current);
    uint64_t matching = 0;
    for (const auto& [alert_id, alert] : alerts_) {
      matching +=
          alert.state != AlertState::kResolved && alerting::silences(silence, alert.labels, now);
    }
    item["matching_alerts"] = matching;
    list.push_back(std::move(item));
  }
  return {{"silences", list}};
}

ApiAnswer AlertingService::putSilence(const nlohmann::json& body) {
  const int64_t now = nowMs();
  std::vector<FieldError> errors;
  std::optional<Silence> parsed = parseSilence(body, now, errors);
  if (!parsed) {
    return {400,
            {{"error", "bad_silence"},
             {"detail", "the silence is not valid; see errors"},
             {"errors", fieldErrors(errors)}}};
  }
  std::lock_guard lock(mutex_);
  bool replaced = false;
  if (!parsed->id.empty()) {
    auto it = silences_.find(parsed->id);
    if (it == silences_.end()) {
      return {404, errorBody("silence_not_found", "no silence with id '" + parsed->id + "'")};
    }
    if (silenceState(it->second, now) == SilenceState::kExpired) {
      return {409, errorBody("silence_expired",
                             "silence '" + parsed->id + "' has expired; create a new one")};
    }
    replaced = true;
  } else {
    size_t live = 0;
    for (const auto& [id, silence] : silences_) {
      live += silenceState(silence, now) != SilenceState::kExpired;
    }
    if (live >= kMaxSilences) {
      return {400,
              {{"error", "bad_silence"},
               {"detail", "too many silences"},
               {"errors", fieldErrors({{"",
                                        "at most 1000 silences may be active or "
                                        "pending"}})}}};
    }
    parsed->id = newSilenceId();
  }
  parsed->updated_unix_ms = now;
  Silence& stored = silences_[parsed->id] = std::move(*parsed);
  pending_ops_.push_back({{"op", "silence"}, {"silence", silenceToJson(stored)}});
  recordHistory({{"type", "silence"},
                 {"action", replaced ? "replaced" : "created"},
                 {"silence_id", stored.id},
                 {"by", stored.created_by}},
                now);
  for (auto& [id, alert] : alerts_) {
    if (alert.state != AlertState::kResolved) {
      refreshSilencedBy(alert, now);
    }
  }
  nlohmann::json answer = silenceToJson(stored);
  answer["state"] = silenceStateName(silenceState(stored, now));
  return commitAnswer(replaced ? 200 : 201, answer);
}

ApiAnswer AlertingService::expireSilence(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = silences_.find(id);
  if (it == silences_.end()) {
    return {404, errorBody("silence_not_found", "no silence with id '" + id + "'")};
  }
  const int64_t now = nowMs();
  Silence& silence = it->second;
  if (silenceState(silence, now) != SilenceState::kExpired) {
    silence.ends_unix_ms = now;
    if (silence.starts_unix_ms > now) {
      silence.starts_unix_ms = now;
    }
    silence.updated_unix_ms = now;
    pending_ops_.push_back({{"op", "silence"}, {"silence", silenceToJson(silence)}});
    recordHistory({{"type", "silence"},
                   {"action", "expired"},
                   {"silence_id", id},
                   {"by", silence.created_by}},
                  now);
  }
  for (auto& [alert_id, alert] : alerts_) {
    if (alert.state != AlertState::kResolved) {
      refreshSilencedBy(alert, now + 1);
    }
  }
  nlohmann::json answer = silenceToJson(silence);
  answer["state"] = "expired";
  return commitAnswer(200, answer);
}

// ---- history, status, counts ----------------------------------------------------------------

nlohmann::json AlertingService::history(const History::Query& query) const {
  std::lock_guard lock(mutex_);
  return {{"entries", history_.query(query)}};
}

nlohmann::json AlertingService::status() const {
  std::lock_guard lock(mutex_);
  nlohmann::json errors = nlohmann::json::array();
  for (const StateLoadError& e : load_errors_) {
    errors.push_back({{"file", e.file},
                      {"reason", e.reason},
                      {"set_aside_as", e.set_aside_as.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(e.set_aside_as)}});
  }
  std::array<uint64_t, 3> by_source{};
  for (const auto& [name, entry] : rules_) {
    ++by_source[static_cast<size_t>(entry.source)];
  }
  nlohmann::json notifiers = nlohmann::json::array();
  for (const std::unique_ptr<Notifier>& notifier : notifiers_) {
    nlohmann::json targets = nlohmann::json::array();
    for (const NotifierTargetStatus& target : notifier->status()) {
      targets.push_back(
          {{"url", target.url},
           {"up", target.up},
           {"last_error", target.last_error.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(target.last_error)},
           {"last_success_unix_ms", target.last_success_unix_ms},
           {"next_retry_unix_ms", target.next_retry_unix_ms},
           {"queued", target.queued},
           {"sent", target.sent},
           {"failed", target.failed},
           {"dropped", target.dropped}});
    }
    notifiers.push_back(
        {{"name", notifier->config().name},
         {"type", notifier->config().type == NotifierConfig::Type::kAlertmanager ? "alertmanager"
                                                                                 : "webhook"},
         {"targets", targets}});
  }
  return {{"enabled", true},
          {"persistent", state_dir_ != nullptr},
          {"state_dir", config_.state_dir},
          {"journal_bytes", state_dir_ ? state_dir_->journalBytes() : 0},
          {"load", {{"errors", errors}}},
          {"rules", {{"default", by_source[0]}, {"config", by_source[1]}, {"api", by_source[2]}}},
          {"alerts", alerts_.size()},
          {"silences", silences_.size()},
          {"evaluation",
           {{"count", counters_.evaluations},
            {"last_unix_ms", last_evaluation_ms_},
            {"duration_ms", counters_.last_evaluation_ms}}},
          {"notifiers", notifiers}};
}

AlertingCounts AlertingService::counts() const {
  std::lock_guard lock(mutex_);
  AlertingCounts out = counters_;
  const int64_t now = nowMs();
  for (const auto& [id, alert] : alerts_) {
    const size_t severity = severityIndex(alert.severity);
    ++out.alerts[static_cast<size_t>(alert.state)][severity];
    if (alert.state != AlertState::kResolved) {
      out.silenced[severity] += !alert.silenced_by.empty();
      out.acknowledged[severity] += alert.ack.has_value();
    }
  }
  for (const auto& [name, entry] : rules_) {
    ++out.rules[static_cast<size_t>(entry.source)];
  }
  for (const auto& [id, silence] : silences_) {
    ++out.silences[static_cast<size_t>(silenceState(silence, now))];
  }
  for (const std::unique_ptr<Notifier>& notifier : notifiers_) {
    for (const NotifierTargetStatus& target : notifier->status()) {
      out.targets.push_back({notifier->config().name, target});
    }
  }
  out.journal_bytes = state_dir_ ? state_dir_->journalBytes() : 0;
  return out;
}

}  // namespace meshlb::alerting
