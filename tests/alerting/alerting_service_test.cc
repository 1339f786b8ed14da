// AlertingService end to end on a hand-built AnalyticsView: alert lifecycle and history, state
// persistence across restarts (acks, silences, API rules, notifier marks), restore grace,
// silences against a webhook receiver, rule deletion, API error answers, a damaged journal.

#include "alerting/alerting_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerting/rules/rule_parser.h"
#include "common/wall_clock.h"
#include "tests/alerting/support/hook_config.h"
#include "tests/alerting/support/temp_dir.h"
#include "tests/alerting/support/test_http_server.h"
#include "tests/alerting/support/wait_until.h"

namespace meshlb::alerting {
namespace {

using analytics::Metric;
using std::chrono::milliseconds;
using testing::RecordedRequest;
using testing::TempDir;
using testing::TestHttpServer;
using testing::waitUntil;

constexpr milliseconds kWait{10'000};

analytics::HostView makeHost(const std::string& cluster, const std::string& host) {
  analytics::HostView view;
  view.cluster = cluster;
  view.host = host;
  view.series.fill(analytics::kNoSeries);
  view.last.set(Metric::kHealth, 1);
  return view;
}

nlohmann::json healthBelowOne() {
  return {{"kind", "threshold"}, {"metric", "health"}, {"op", "<"}, {"value", 1}};
}

std::shared_ptr<const Rule> parsedRule(const nlohmann::json& json) {
  std::vector<FieldError> errors;
  std::optional<Rule> parsed = parseRule(json, "", errors);
  EXPECT_TRUE(parsed.has_value()) << (errors.empty() ? std::string()
                                                     : errors[0].path + ": " + errors[0].reason);
  return std::make_shared<const Rule>(parsed.value_or(Rule{}));
}

using testing::hookConfig;

AlertQuery anyState() {
  AlertQuery query;
  query.states = {AlertState::kPending, AlertState::kFiring, AlertState::kResolved};
  return query;
}

// The "host" label and "status" of every alert in one webhook body, in order.
std::vector<std::pair<std::string, std::string>> alertsIn(const RecordedRequest& request) {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("alerts") || !body["alerts"].is_array()) {
    out.emplace_back("<bad body>", request.body);
    return out;
  }
  for (const nlohmann::json& alert : body["alerts"]) {
    out.emplace_back(alert.value("labels", nlohmann::json::object()).value("host", "?"),
                     alert.value("status", "?"));
  }
  return out;
}

using Sent = std::vector<std::pair<std::string, std::string>>;

class AlertingServiceTest : public ::testing::Test {
 protected:
  AlertingServiceTest() : store_(16) {
    view_.recent = std::make_shared<const std::vector<analytics::Anomaly>>();
    view_.hosts.push_back(makeHost("app", "h1"));
    view_.hosts.push_back(makeHost("app", "h2"));
    analytics::ClusterView app;
    app.name = "app";
    app.series.fill(analytics::kNoSeries);
    app.hosts = {0, 1};
    view_.clusters.push_back(app);
  }

  AlertingConfig persistentConfig() const {
    AlertingConfig config;
    config.state_dir = dir_.path();
    config.fsync = false;
    config.restore_grace_s = 0;
    return config;
  }

  static std::unique_ptr<AlertingService> make(const AlertingConfig& config) {
    std::string error;
    std::unique_ptr<AlertingService> service = AlertingService::create(config, &error);
    EXPECT_NE(service, nullptr) << error;
    return service;
  }

  void setHealthy(size_t host, bool healthy) {
    view_.hosts[host].last.set(Metric::kHealth, healthy ? 1 : 0);
  }

  // One analytics tick: at `unix_ms`, or at the wall clock's now when 0.
  void tick(AlertingService& service, int64_t unix_ms = 0) {
    view_.status.last_tick_unix_ms = unix_ms;
    service.evaluate(view_, store_, nullptr);
  }

  // The alert of `rule` on `host` in any state, or null.
  static nlohmann::json findAlert(const AlertingService& service, const std::string& rule,
                                  const std::string& host) {
    const nlohmann::json alerts = service.alerts(anyState());  // outlives the loop
    for (const nlohmann::json& alert : alerts["alerts"]) {
      if (alert["rule"] == rule && alert["labels"].value("host", "") == host) {
        return alert;
      }
    }
    return nullptr;
  }

  // Fires BackendDown for h1 in a persistent service, then destroys it as a crash would (no
  // shutdown call). The alert's id, or "" when that failed.
  std::string fireBeforeRestart() {
    std::unique_ptr<AlertingService> service = make(persistentConfig());
    if (service == nullptr) {
      ADD_FAILURE() << "the service did not start";
      return "";
    }
    setHealthy(0, false);
    tick(*service);
    return alertId(*service, "BackendDown", "h1");
  }

  static std::string alertId(const AlertingService& service, const std::string& rule,
                             const std::string& host) {
    const nlohmann::json alert = findAlert(service, rule, host);
    return alert.is_object() ? alert["id"].get<std::string>() : std::string();
  }

  // The alert's state transitions, oldest first, as "from>to" (with ":reason" when one is set).
  static std::vector<std::string> transitions(const AlertingService& service,
                                              const std::string& id) {
    History::Query query;
    query.alert_id = id;
    query.type = "state";
    query.limit = 1000;
    std::vector<std::string> out;
    const nlohmann::json entries = service.history(query)["entries"];
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      std::string text = (*it)["from"].get<std::string>();
      text.append(">").append((*it)["to"].get<std::string>());
      if ((*it)["reason"].is_string()) {
        text.append(":").append((*it)["reason"].get<std::string>());
      }
      out.push_back(std::move(text));
    }
    return out;
  }

  static nlohmann::json silenceOnHost(const std::string& host) {
    return {{"matchers", {{{"name", "host"}, {"op", "="}, {"value", host}}}},
            {"duration_s", 3600},
            {"created_by", "ops"},
            {"comment", "maintenance"}};
  }

  // Fires h1 with a webhook notifier, restarts, keeps h1 down for a few ticks, then takes h2 down
  // as a marker: the webhook delivers in order, so had h1 been offered again after the restart,
  // its body would come before h2's.
  void expectNoRenotifyAfterRestart(uint32_t repeat_interval_s) {
    TestHttpServer server;
    ASSERT_NE(server.port(), 0);
    AlertingConfig config = persistentConfig();
    config.notifiers.push_back(hookConfig(server.url() + "/hook"));
    config.notifiers.back().repeat_interval_s = repeat_interval_s;
    config.restore_grace_s = 30;
    std::string id;
    {
      std::string error;
      std::unique_ptr<AlertingService> service = AlertingService::create(config, &error);
      ASSERT_NE(service, nullptr) << error;
      service->start();
      setHealthy(0, false);
      tick(*service);
      ASSERT_TRUE(server.waitForRequests(1, kWait));
      EXPECT_EQ(alertsIn(server.requests()[0]), (Sent{{"h1", "firing"}}));
      const nlohmann::json alerts = service->alerts(AlertQuery{});
      for (const nlohmann::json& alert : alerts["alerts"]) {
        id = alert["id"].get<std::string>();
      }
      ASSERT_FALSE(id.empty());
      // The delivery report is journaled on the notifier's thread after the 2xx.
      ASSERT_TRUE(waitUntil(
          [&] {
            const nlohmann::json notified = service->alert(id).value()["notifications"];
            return notified.contains("hook") && notified["hook"]["firing"] == true;
          },
          kWait));
    }
    std::string error;
    std::unique_ptr<AlertingService> service = AlertingService::create(config, &error);
    ASSERT_NE(service, nullptr) << error;
    nlohmann::json restored = service->alert(id).value();
    EXPECT_EQ(restored["restored"], true);
    EXPECT_EQ(restored["notifications"]["hook"]["firing"], true) << restored.dump();
    service->start();
    for (int i = 0; i < 3; ++i) {
      tick(*service);
    }
    EXPECT_EQ(service->alert(id).value()["state"], "firing");
    setHealthy(1, false);
    tick(*service);
    ASSERT_TRUE(server.waitForRequests(2, kWait));
    EXPECT_FALSE(server.waitForRequests(3, milliseconds(200)));
    const std::vector<RecordedRequest> requests = server.requests();
    ASSERT_GE(requests.size(), 2u);
    EXPECT_EQ(alertsIn(requests[1]), (Sent{{"h2", "firing"}}))
        << "the restored, already delivered h1 alert was sent again";
    size_t h1_firing = 0;
    for (const RecordedRequest& request : requests) {
      for (const auto& [host, status] : alertsIn(request)) {
        h1_firing += host == "h1" && status == "firing";
      }
    }
    EXPECT_EQ(h1_firing, 1u);
  }

  TempDir dir_;
  analytics::AnalyticsView view_;
  analytics::SeriesStore store_;
};

TEST_F(AlertingServiceTest, UnhealthyHostFiresAndResolvesWithHistory) {
  ASSERT_FALSE(dir_.path().empty());
  std::unique_ptr<AlertingService> service = make(persistentConfig());
  ASSERT_NE(service, nullptr);

  tick(*service);
  EXPECT_TRUE(service->evaluatedOnce());
  EXPECT_TRUE(service->alerts(AlertQuery{})["alerts"].empty());

  setHealthy(0, false);
  tick(*service);
  const nlohmann::json active = service->alerts(AlertQuery{})["alerts"];
  ASSERT_EQ(active.size(), 1u) << active.dump();
  const nlohmann::json& alert = active[0];
  EXPECT_EQ(alert["rule"], "BackendDown");
  EXPECT_EQ(alert["state"], "firing");
  EXPECT_EQ(alert["labels"], (nlohmann::json{{"alertname", "BackendDown"},
                                             {"cluster", "app"},
                                             {"host", "h1"},
                                             {"severity", "critical"}}));
  EXPECT_EQ(alert["severity"], "critical");
  EXPECT_TRUE(alert["fired_unix_ms"].is_number());
  EXPECT_EQ(alert["restored"], false);
  const std::string id = alert["id"].get<std::string>();
  ASSERT_TRUE(service->alert(id).has_value());

  tick(*service);  // still down: nothing changes
  EXPECT_EQ(service->alert(id).value()["state"], "firing");
  EXPECT_EQ(service->alert(id).value()["fired_unix_ms"], alert["fired_unix_ms"]);

  setHealthy(0, true);
  tick(*service);
  EXPECT_TRUE(service->alerts(AlertQuery{})["alerts"].empty());
  AlertQuery resolved;
  resolved.states = {AlertState::kResolved};
  const nlohmann::json gone = service->alerts(resolved)["alerts"];
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0]["id"], id);
  EXPECT_EQ(gone[0]["state"], "resolved");
  EXPECT_TRUE(gone[0]["resolved_unix_ms"].is_number());

  EXPECT_EQ(transitions(*service, id),
            (std::vector<std::string>{"inactive>pending", "pending>firing", "firing>resolved"}));
  // Newest first, with increasing seq numbers.
  History::Query query;
  query.alert_id = id;
  const nlohmann::json entries = service->history(query)["entries"];
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_GT(entries[0]["seq"].get<uint64_t>(), entries[1]["seq"].get<uint64_t>());
  EXPECT_GT(entries[1]["seq"].get<uint64_t>(), entries[2]["seq"].get<uint64_t>());
  EXPECT_EQ(entries[0]["labels"]["host"], "h1");

  // A new episode: firing again with a new fired time.
  setHealthy(0, false);
  tick(*service, wallClockUnixMs() + 5'000);
  EXPECT_EQ(service->alert(id).value()["state"], "firing");
  EXPECT_GT(service->alert(id).value()["fired_unix_ms"].get<int64_t>(),
            alert["fired_unix_ms"].get<int64_t>());
  const std::vector<std::string> steps = transitions(*service, id);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[3], "resolved>pending");
  EXPECT_EQ(steps[4], "pending>firing");
}

TEST_F(AlertingServiceTest, StateSurvivesARestart) {
  ASSERT_FALSE(dir_.path().empty());
  std::string id, silence_id;
  nlohmann::json fired_unix_ms;
  {
    std::unique_ptr<AlertingService> service = make(persistentConfig());
    ASSERT_NE(service, nullptr);
    setHealthy(0, false);
    tick(*service);
    const nlohmann::json alert = findAlert(*service, "BackendDown", "h1");
    ASSERT_TRUE(alert.is_object());
    ASSERT_EQ(alert["state"], "firing");
    id = alert["id"].get<std::string>();
    fired_unix_ms = alert["fired_unix_ms"];

    const ApiAnswer ack = service->acknowledge(id, {{"by", "ops"}, {"comment", "x"}});
    ASSERT_EQ(ack.status, 200) << ack.body.dump();
    EXPECT_EQ(ack.body["ack"]["by"], "ops");

    const ApiAnswer silence = service->putSilence(silenceOnHost("h2"));
    ASSERT_EQ(silence.status, 201) << silence.body.dump();
    silence_id = silence.body["id"].get<std::string>();

    const ApiAnswer rule = service->createRule(
        {{"name", "ApiDown"}, {"severity", "info"}, {"condition", healthBelowOne()}});
    ASSERT_EQ(rule.status, 201) << rule.body.dump();
    EXPECT_TRUE(service->isApiRule("ApiDown"));
    // Destroyed without any shutdown call: as after a crash, only the journal remains.
  }
  // Twice: the first restart replays the journal, the second reads the snapshot it wrote.
  for (int restart = 1; restart <= 2; ++restart) {
    SCOPED_TRACE(std::string("restart ").append(std::to_string(restart)));
    std::unique_ptr<AlertingService> service = make(persistentConfig());
    ASSERT_NE(service, nullptr);
    EXPECT_TRUE(service->status()["load"]["errors"].empty()) << service->status().dump();

    const std::optional<nlohmann::json> alert = service->alert(id);
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ((*alert)["state"], "firing");
    EXPECT_EQ((*alert)["fired_unix_ms"], fired_unix_ms);
    EXPECT_EQ((*alert)["restored"], true);
    ASSERT_TRUE((*alert)["ack"].is_object()) << alert->dump();
    EXPECT_EQ((*alert)["ack"]["by"], "ops");
    EXPECT_EQ((*alert)["ack"]["comment"], "x");

    const nlohmann::json silences = service->silences(std::nullopt)["silences"];
    ASSERT_EQ(silences.size(), 1u) << silences.dump();
    EXPECT_EQ(silences[0]["id"], silence_id);
    EXPECT_EQ(silences[0]["state"], "active");
    EXPECT_EQ(silences[0]["matchers"][0]["name"], "host");
    EXPECT_EQ(silences[0]["matchers"][0]["value"], "h2");

    EXPECT_TRUE(service->isApiRule("ApiDown"));
    EXPECT_FALSE(service->isApiRule("BackendDown"));
    bool listed = false;
    const nlohmann::json rules = service->rules();
    for (const nlohmann::json& rule : rules["rules"]) {
      if (rule["name"] == "ApiDown") {
        listed = true;
        EXPECT_EQ(rule["source"], "api");
        EXPECT_EQ(rule.value("severity", ""), "info");
      }
    }
    EXPECT_TRUE(listed);

    History::Query query;
    query.alert_id = id;
    query.type = "state";
    const nlohmann::json newest = service->history(query)["entries"].at(0);
    EXPECT_EQ(newest["to"], "restored");
    EXPECT_EQ(newest["reason"], "restart");
  }
}

TEST_F(AlertingServiceTest, RestoredAlertIsNotResolvedDuringTheGrace) {
  ASSERT_FALSE(dir_.path().empty());
  const std::string id = fireBeforeRestart();
  ASSERT_FALSE(id.empty());
  AlertingConfig config = persistentConfig();
  config.restore_grace_s = 30;
  std::unique_ptr<AlertingService> service = make(config);
  ASSERT_NE(service, nullptr);
  const int64_t restarted = wallClockUnixMs();
  setHealthy(0, true);  // the first ticks after the restart do not see the condition
  for (int i = 0; i < 3; ++i) {
    tick(*service, i == 0 ? 0 : restarted + i * 1'000);
    const std::optional<nlohmann::json> alert = service->alert(id);
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ((*alert)["state"], "firing") << "tick " << i;
    EXPECT_EQ((*alert)["restored"], true);
    EXPECT_TRUE((*alert)["resolved_unix_ms"].is_null());
  }
  EXPECT_EQ(service->alerts(AlertQuery{})["alerts"].size(), 1u);
  EXPECT_EQ(transitions(*service, id).back(), "firing>restored:restart");

  // After the grace a healthy tick resolves it.
  tick(*service, restarted + 31'000);
  EXPECT_EQ(service->alert(id).value()["state"], "resolved");
  EXPECT_EQ(service->alert(id).value()["restored"], false);
  EXPECT_EQ(transitions(*service, id).back(), "firing>resolved");
}

TEST_F(AlertingServiceTest, WithoutGraceARestoredAlertResolvesAtOnce) {
  ASSERT_FALSE(dir_.path().empty());
  const std::string id = fireBeforeRestart();
  ASSERT_FALSE(id.empty());
  std::unique_ptr<AlertingService> service = make(persistentConfig());  // restore_grace_s 0
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->alert(id).value()["restored"], true);
  setHealthy(0, true);
  tick(*service);
  EXPECT_EQ(service->alert(id).value()["state"], "resolved");
}

TEST_F(AlertingServiceTest, NoRenotifyAfterRestart) {
  ASSERT_FALSE(dir_.path().empty());
  // The webhook's default repeat interval (4 h): nothing is due again minutes after a restart.
  expectNoRenotifyAfterRestart(NotifierConfig{}.repeat_interval_s);
}

TEST_F(AlertingServiceTest, NoRenotifyAfterRestartWithoutRepeats) {
  ASSERT_FALSE(dir_.path().empty());
  expectNoRenotifyAfterRestart(0);
}

TEST_F(AlertingServiceTest, SilenceHoldsBackDeliveryUntilExpired) {
  TestHttpServer server;
  ASSERT_NE(server.port(), 0);
  AlertingConfig config;  // in memory only
  config.notifiers.push_back(hookConfig(server.url() + "/hook"));
  std::unique_ptr<AlertingService> service = make(config);
  ASSERT_NE(service, nullptr);
  service->start();

  const ApiAnswer silence = service->putSilence(silenceOnHost("h1"));
  ASSERT_EQ(silence.status, 201) << silence.body.dump();
  const std::string silence_id = silence.body["id"].get<std::string>();
  EXPECT_EQ(silence.body["state"], "active");

  setHealthy(0, false);
  setHealthy(1, false);  // h2 is not silenced: its delivery shows what was offered
  tick(*service);
  ASSERT_TRUE(server.waitForRequests(1, kWait));
  EXPECT_EQ(alertsIn(server.requests()[0]), (Sent{{"h2", "firing"}}));

  const nlohmann::json h1 = findAlert(*service, "BackendDown", "h1");
  ASSERT_TRUE(h1.is_object());
  const std::string id = h1["id"].get<std::string>();
  EXPECT_EQ(h1["state"], "firing");
  EXPECT_EQ(h1["silenced_by"], nlohmann::json::array({silence_id}));
  EXPECT_TRUE(findAlert(*service, "BackendDown", "h2")["silenced_by"].empty());
  AlertQuery silenced;
  silenced.silenced = true;
  ASSERT_EQ(service->alerts(silenced)["alerts"].size(), 1u);
  EXPECT_EQ(service->alerts(silenced)["alerts"][0]["id"], id);
  EXPECT_EQ(service->silences(SilenceState::kActive)["silences"][0]["matching_alerts"], 1);

  tick(*service);  // still silenced
  EXPECT_FALSE(server.waitForRequests(2, milliseconds(100)));

  const ApiAnswer expired = service->expireSilence(silence_id);
  ASSERT_EQ(expired.status, 200) << expired.body.dump();
  EXPECT_EQ(expired.body["state"], "expired");
  EXPECT_TRUE(service->alert(id).value()["silenced_by"].empty());

  tick(*service);
  ASSERT_TRUE(server.waitForRequests(2, kWait));
  EXPECT_EQ(alertsIn(server.requests()[1]), (Sent{{"h1", "firing"}}));
  EXPECT_TRUE(service->silences(SilenceState::kActive)["silences"].empty());
}

TEST_F(AlertingServiceTest, DeletingAnApiRuleResolvesItsAlerts) {
  AlertingConfig config;
  config.rules.push_back(parsedRule({{"name", "CfgDown"}, {"condition", healthBelowOne()}}));
  std::unique_ptr<AlertingService> service = make(config);
  ASSERT_NE(service, nullptr);
  const ApiAnswer created =
      service->createRule({{"name", "ApiDown"}, {"condition", healthBelowOne()}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["source"], "api");

  setHealthy(0, false);
  tick(*service);
  const std::string api_id = alertId(*service, "ApiDown", "h1");
  ASSERT_FALSE(api_id.empty());
  EXPECT_EQ(service->alert(api_id).value()["state"], "firing");
  EXPECT_EQ(service->rule("ApiDown").value()["alerts"]["firing"], 1);

  const ApiAnswer deleted = service->deleteRule("ApiDown");
  ASSERT_EQ(deleted.status, 200) << deleted.body.dump();
  EXPECT_FALSE(service->rule("ApiDown").has_value());
  EXPECT_FALSE(service->isApiRule("ApiDown"));

  tick(*service);  // h1 still down: only the rule's disappearance resolves it
  EXPECT_EQ(service->alert(api_id).value()["state"], "resolved");
  EXPECT_EQ(transitions(*service, api_id).back(), "firing>resolved:rule_deleted");
  EXPECT_EQ(findAlert(*service, "BackendDown", "h1")["state"], "firing");
  EXPECT_EQ(findAlert(*service, "CfgDown", "h1")["state"], "firing");

  for (const std::string name : {"BackendDown", "CfgDown"}) {
    const ApiAnswer refused = service->deleteRule(name);
    EXPECT_EQ(refused.status, 409) << name;
    EXPECT_EQ(refused.body["error"], "rule_from_config") << name;
    EXPECT_TRUE(service->rule(name).has_value()) << name;
  }
  EXPECT_EQ(service->rule("BackendDown").value()["source"], "default");
  EXPECT_EQ(service->rule("CfgDown").value()["source"], "config");
  EXPECT_EQ(service->deleteRule("ApiDown").status, 404);
}

TEST_F(AlertingServiceTest, ErrorAnswers) {
  std::unique_ptr<AlertingService> service = make(AlertingConfig{});
  ASSERT_NE(service, nullptr);

  ApiAnswer answer = service->acknowledge("0123456789abcdef", {{"by", "ops"}});
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.body["error"], "alert_not_found");
  // The acknowledger is "by"; anything else is refused before the alert is looked up.
  answer = service->acknowledge("0123456789abcdef", {{"who", "ops"}, {"comment", "x"}});
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body["error"], "bad_request");

  answer = service->putSilence({{"matchers", nlohmann::json::array()}, {"created_by", ""}});
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body["error"], "bad_silence");
  ASSERT_TRUE(answer.body["errors"].is_array());
  EXPECT_FALSE(answer.body["errors"].empty());
  EXPECT_TRUE(answer.body["errors"][0].contains("path"));
  EXPECT_TRUE(service->silences(std::nullopt)["silences"].empty());

  const nlohmann::json rule = {{"name", "Mine"}, {"condition", healthBelowOne()}};
  ASSERT_EQ(service->createRule(rule).status, 201);
  answer = service->createRule(rule);
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.body["error"], "rule_exists");
  answer = service->createRule({{"name", "BackendDown"}, {"condition", healthBelowOne()}});
  EXPECT_EQ(answer.status, 409);
  EXPECT_EQ(answer.body["error"], "rule_from_config");

  answer = service->createRule(
      {{"name", "Broken"},
       {"condition", {{"kind", "threshold"}, {"metric", "no_such_metric"}, {"op", "<>"}}}});
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body["error"], "bad_rule");
  ASSERT_TRUE(answer.body["errors"].is_array());
  EXPECT_FALSE(answer.body["errors"].empty());
  EXPECT_FALSE(service->rule("Broken").has_value());
}

// The journal's records: u32 length | u32 crc | payload, after an 8-byte header.
std::vector<size_t> recordOffsets(const std::string& bytes) {
  std::vector<size_t> offsets;
  size_t at = 8;
  while (at + 8 <= bytes.size()) {
    uint32_t length = 0;
    std::memcpy(&length, bytes.data() + at, sizeof(length));  // little-endian host
    offsets.push_back(at);
    at += 8 + length;
  }
  return offsets;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

TEST_F(AlertingServiceTest, CorruptJournalIsSetAsideAndReported) {
  ASSERT_FALSE(dir_.path().empty());
  std::vector<std::string> ids;
  {
    std::unique_ptr<AlertingService> service = make(persistentConfig());
    ASSERT_NE(service, nullptr);
    for (const char* host : {"h1", "h2", "h3"}) {
      const ApiAnswer answer = service->putSilence(silenceOnHost(host));
      ASSERT_EQ(answer.status, 201) << answer.body.dump();
      ids.push_back(answer.body["id"].get<std::string>());
    }
  }
  const std::string journal = dir_.file("alerting.journal");
  std::string bytes = readFile(journal);
  const std::vector<size_t> records = recordOffsets(bytes);
  ASSERT_EQ(records.size(), 3u);
  bytes[records[1] + 8 + 10] ^= 0x20;  // damage the second record's payload; the third follows
  writeFile(journal, bytes);

  std::unique_ptr<AlertingService> service = make(persistentConfig());
  ASSERT_NE(service, nullptr);
  const nlohmann::json errors = service->status()["load"]["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors.dump();
  EXPECT_EQ(errors[0]["file"], "alerting.journal");
  ASSERT_TRUE(errors[0]["set_aside_as"].is_string()) << errors.dump();
  const std::string aside = errors[0]["set_aside_as"].get<std::string>();
  EXPECT_EQ(aside.rfind("alerting.journal.corrupt-", 0), 0u) << aside;
  EXPECT_TRUE(std::filesystem::exists(dir_.file(aside)));
  EXPECT_EQ(readFile(dir_.file(aside)), bytes);  // the damaged original, kept for a post-mortem

  // What came before the damage is kept.
  nlohmann::json silences = service->silences(std::nullopt)["silences"];
  ASSERT_EQ(silences.size(), 1u) << silences.dump();
  EXPECT_EQ(silences[0]["id"], ids[0]);

  // And the service works on.
  const ApiAnswer answer = service->putSilence(silenceOnHost("h4"));
  ASSERT_EQ(answer.status, 201) << answer.body.dump();
  setHealthy(0, false);
  tick(*service);
  EXPECT_EQ(findAlert(*service, "BackendDown", "h1")["silenced_by"],
            nlohmann::json::array({ids[0]}));

  service.reset();
  service = make(persistentConfig());
  ASSERT_NE(service, nullptr);
  EXPECT_TRUE(service->status()["load"]["errors"].empty()) << service->status().dump();
  silences = service->silences(std::nullopt)["silences"];
  EXPECT_EQ(silences.size(), 2u) << silences.dump();
}

TEST_F(AlertingServiceTest, GarbageJournalIsSetAside) {
  ASSERT_FALSE(dir_.path().empty());
  writeFile(dir_.file("alerting.journal"), "this is not a journal at all");
  std::unique_ptr<AlertingService> service = make(persistentConfig());
  ASSERT_NE(service, nullptr);
  const nlohmann::json errors = service->status()["load"]["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors.dump();
  EXPECT_EQ(errors[0]["file"], "alerting.journal");
  ASSERT_TRUE(errors[0]["set_aside_as"].is_string());
  EXPECT_EQ(readFile(dir_.file(errors[0]["set_aside_as"].get<std::string>())),
            "this is not a journal at all");
  const ApiAnswer answer = service->putSilence(silenceOnHost("h1"));
  EXPECT_EQ(answer.status, 201) << answer.body.dump();
  service.reset();
  service = make(persistentConfig());
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->silences(std::nullopt)["silences"].size(), 1u);
}

}  // namespace
}  // namespace meshlb::alerting
