// The /alerts and /silences endpoints of the real binary: each one's success shape and each of
// its errors, the token on every write, and 405 for wrong methods. No Alertmanager here (see
// tests/integration/alerting/ for delivery).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "alert-admin-token";

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string allow;
};

class AlertingApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string token_file = tempPath("admin-token");
    std::ofstream(token_file) << kToken << "\n";
    nlohmann::json cluster = clusterOf("app", {&upstream_});
    cluster["health_check"] = {{"type", "http"},           {"path", "/healthz"},
                               {"interval_ms", 500},       {"timeout_ms", 400},
                               {"unhealthy_threshold", 2}, {"healthy_threshold", 2}};
    nlohmann::json config = {{"workers", 1},
                             {"admin", {{"token_file", token_file}}},
                             {"analytics", {{"warmup_s", 5}}},
                             {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                             {"clusters", {cluster}},
                             {"alerting",
                              {{"state_dir", tempPath("alerting-state")},
                               {"rules",
                                {{{"name", "ConfigRule"},
                                  {"scope", "cluster"},
                                  {"condition",
                                   {{"kind", "threshold"},
                                    {"metric", "healthy_hosts"},
                                    {"op", "<"},
                                    {"value", 1}}}}}}}}};
    meshlb_ = std::make_unique<Meshlb>(config);
    ASSERT_TRUE(meshlb_->ready()) << meshlb_->stderrLog();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (call("GET", "/alerts").status != 200 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
  }

  Answer call(const std::string& method, const std::string& path, const std::string& body = "",
              bool with_token = true) {
    auto response = httpRequest(
        meshlb_->adminPort(), method, path,
        with_token ? std::string("Authorization: Bearer ") + kToken + "\r\n" : std::string(), body);
    if (!response) {
      return {};
    }
    return {response->status, nlohmann::json::parse(response->body, nullptr, false),
            response->header("allow")};
  }
  Answer call(const std::string& method, const std::string& path, const nlohmann::json& body) {
    return call(method, path, body.dump());
  }

  // Kills the backend and waits for BackendDown to fire; its id.
  std::string fireBackendDown() {
    upstream_.kill();
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      Answer firing = call("GET", "/alerts?rule=BackendDown&state=firing");
      if (firing.status == 200 && !firing.body["alerts"].empty()) {
        return firing.body["alerts"][0]["id"];
      }
      std::this_thread::sleep_for(100ms);
    }
    return "";
  }

  TestUpstream upstream_{"a"};
  std::unique_ptr<Meshlb> meshlb_;
};

TEST_F(AlertingApiTest, AlertsListOneAlertAndFilters) {
  Answer empty = call("GET", "/alerts");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.body["alerts"].empty());
  EXPECT_GT(empty.body["evaluated_unix_ms"].get<int64_t>(), 0);

  const std::string id = fireBackendDown();
  ASSERT_FALSE(id.empty()) << meshlb_->stderrLog();
  Answer one = call("GET", "/alerts/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["rule"], "BackendDown");
  EXPECT_EQ(one.body["state"], "firing");
  EXPECT_EQ(one.body["severity"], "critical");
  EXPECT_EQ(one.body["labels"]["host"], upstream_.address());
  EXPECT_EQ(one.body["annotations"]["summary"],
            "Backend " + upstream_.address() + " of cluster app is down");
  EXPECT_TRUE(one.body["ack"].is_null());

  EXPECT_EQ(call("GET", "/alerts?severity=critical&cluster=app").body["alerts"].size(), 1u);
  EXPECT_TRUE(call("GET", "/alerts?severity=info").body["alerts"].empty());
  EXPECT_TRUE(call("GET", "/alerts?host=10.0.0.1:1").body["alerts"].empty());
  EXPECT_TRUE(call("GET", "/alerts?acked=true").body["alerts"].empty());
  EXPECT_TRUE(call("GET", "/alerts?state=resolved").body["alerts"].empty());
  // The config rule (no healthy host left) fires for the cluster too.
  Answer config_rule = call("GET", "/alerts?rule=ConfigRule");
  ASSERT_EQ(config_rule.body["alerts"].size(), 1u);
  EXPECT_FALSE(config_rule.body["alerts"][0]["labels"].contains("host"));
  EXPECT_EQ(call("GET", "/alerts?limit=1").body["alerts"].size(), 1u);

  for (const char* bad : {"/alerts?state=gone", "/alerts?severity=loud", "/alerts?limit=0",
                          "/alerts?limit=5000", "/alerts?acked=maybe", "/alerts?colour=red"}) {
    Answer answer = call("GET", bad);
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_EQ(answer.body["error"], "bad_filter") << bad;
  }
  Answer missing = call("GET", "/alerts/0123456789abcdef");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"], "alert_not_found");
  Answer wrong = call("POST", "/alerts", std::string("{}"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET, HEAD");
  EXPECT_EQ(call("DELETE", "/alerts/" + id).status, 405);
}

TEST_F(AlertingApiTest, AcknowledgeAnAlert) {
  const std::string id = fireBackendDown();
  ASSERT_FALSE(id.empty());
  Answer ack = call("POST", "/alerts/" + id + "/ack",
                    nlohmann::json{{"by", "alice"}, {"comment", "looking"}});
  ASSERT_EQ(ack.status, 200) << ack.body.dump();
  EXPECT_EQ(ack.body["ack"]["by"], "alice");
  EXPECT_EQ(ack.body["ack"]["comment"], "looking");
  EXPECT_EQ(call("GET", "/alerts?acked=true").body["alerts"].size(), 1u);

  EXPECT_EQ(
      call("POST", "/alerts/" + id + "/ack", nlohmann::json{{"by", "alice"}}.dump(), false).status,
      401);
  auto unauthorized = httpRequest(meshlb_->adminPort(), "POST", "/alerts/" + id + "/ack", "",
                                  R"({"by":"mallory"})");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  for (const std::string& bad :
       {std::string("not json"), std::string("{}"), std::string(R"({"by": ""})"),
        std::string(R"({"by": 7})"), std::string(R"({"by": "a", "colour": 1})")}) {
    Answer answer = call("POST", "/alerts/" + id + "/ack", bad);
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_EQ(answer.body["error"], "bad_request") << bad;
  }
  Answer missing = call("POST", "/alerts/0123456789abcdef/ack", nlohmann::json{{"by", "alice"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"], "alert_not_found");
  Answer get = call("GET", "/alerts/" + id + "/ack");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.allow, "POST");

  // Once resolved, an alert cannot be acknowledged.
  upstream_.restart();
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (call("GET", "/alerts/" + id).body.value("state", "") != "resolved" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(call("GET", "/alerts/" + id).body["state"], "resolved");
  Answer late = call("POST", "/alerts/" + id + "/ack", nlohmann::json{{"by", "alice"}});
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.body["error"], "alert_not_active");
}

TEST_F(AlertingApiTest, Silences) {
  Answer created = call("POST", "/silences",
                        nlohmann::json{{"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                                       {"duration_s", 600},
                                       {"created_by", "alice"},
                                       {"comment", "deploy"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string id = created.body["id"];
  EXPECT_EQ(created.body["state"], "active");
  Answer listed = call("GET", "/silences");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["silences"].size(), 1u);
  EXPECT_EQ(listed.body["silences"][0]["id"], id);

  Answer replaced = call("POST", "/silences",
                         nlohmann::json{{"id", id},
                                        {"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                                        {"duration_s", 60},
                                        {"created_by", "alice"}});
  EXPECT_EQ(replaced.status, 200) << replaced.body.dump();

  Answer bad =
      call("POST", "/silences",
           nlohmann::json{{"matchers", {{{"name", "cluster"}, {"op", "=~"}, {"value", ".*"}}}},
                          {"duration_s", 60},
                          {"created_by", "alice"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"], "bad_silence");
  ASSERT_FALSE(bad.body["errors"].empty());
  EXPECT_EQ(bad.body["errors"][0]["path"], "matchers");
  Answer no_end = call("POST", "/silences",
                       nlohmann::json{{"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                                      {"created_by", "alice"}});
  EXPECT_EQ(no_end.status, 400);
  Answer bad_regex =
      call("POST", "/silences",
           nlohmann::json{{"matchers", {{{"name", "host"}, {"op", "=~"}, {"value", "("}}}},
                          {"duration_s", 60},
                          {"created_by", "alice"}});
  EXPECT_EQ(bad_regex.status, 400);
  EXPECT_EQ(call("POST", "/silences", std::string("[1,2]")).status, 400);
  Answer unknown = call("POST", "/silences",
                        nlohmann::json{{"id", "no-such-silence"},
                                       {"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                                       {"duration_s", 60},
                                       {"created_by", "alice"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"], "silence_not_found");
  EXPECT_EQ(call("POST", "/silences", std::string("{}"), false).status, 401);

  Answer expired = call("DELETE", "/silences/" + id);
  ASSERT_EQ(expired.status, 200);
  EXPECT_EQ(expired.body["state"], "expired");
  EXPECT_TRUE(call("GET", "/silences").body["silences"].empty());
  EXPECT_EQ(call("GET", "/silences?state=expired").body["silences"].size(), 1u);
  EXPECT_EQ(call("GET", "/silences?state=all").body["silences"].size(), 1u);
  Answer again = call("POST", "/silences",
                      nlohmann::json{{"id", id},
                                     {"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                                     {"duration_s", 60},
                                     {"created_by", "alice"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"], "silence_expired");
  EXPECT_EQ(call("DELETE", "/silences/nope").status, 404);
  EXPECT_EQ(call("DELETE", "/silences/" + id, "", false).status, 401);
  EXPECT_EQ(call("GET", "/silences?state=soon").status, 400);
  Answer put = call("PUT", "/silences");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.allow, "GET, HEAD, POST");
  EXPECT_EQ(call("GET", "/silences/" + id).status, 405);
}

TEST_F(AlertingApiTest, Rules) {
  Answer all = call("GET", "/alerts/rules");
  ASSERT_EQ(all.status, 200);
  std::map<std::string, std::string> sources;
  for (const nlohmann::json& rule : all.body["rules"]) {
    sources[rule["name"]] = rule["source"];
  }
  EXPECT_EQ(sources["BackendDown"], "default");
  EXPECT_EQ(sources["HighErrorRatio"], "default");
  EXPECT_EQ(sources["LatencyAnomaly"], "default");
  EXPECT_EQ(sources["NetworkDegradation"], "default");
  EXPECT_EQ(sources["CaptureDroppingPackets"], "default");
  EXPECT_EQ(sources["ConfigRule"], "config");

  nlohmann::json rule = {{"name", "SlowHosts"},
                         {"severity", "warning"},
                         {"for_s", 30},
                         {"condition",
                          {{"kind", "threshold"},
                           {"metric", "latency_p99_ms"},
                           {"op", ">"},
                           {"value", 500},
                           {"agg", "avg"},
                           {"window_s", 60}}},
                         {"labels", {{"team", "edge"}}},
                         {"annotations", {{"summary", "{{host}} p99 {{value}} ms"}}}};
  Answer created = call("POST", "/alerts/rules", rule);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["source"], "api");
  EXPECT_EQ(created.body["labels"]["team"], "edge");
  Answer exists = call("POST", "/alerts/rules", rule);
  EXPECT_EQ(exists.status, 409);
  EXPECT_EQ(exists.body["error"], "rule_exists");
  EXPECT_EQ(call("GET", "/alerts/rules/SlowHosts").status, 200);

  rule["for_s"] = 60;
  Answer replaced = call("PUT", "/alerts/rules/SlowHosts", rule);
  EXPECT_EQ(replaced.status, 200) << replaced.body.dump();
  EXPECT_EQ(replaced.body["for_s"], 60);
  Answer other_name = call("PUT", "/alerts/rules/Other", rule);
  EXPECT_EQ(other_name.status, 400);

  nlohmann::json broken = rule;
  broken["name"] = "Broken";
  broken["condition"]["op"] = "~";
  broken["condition"]["metric"] = "healthy_hosts";
  broken["annotations"]["summary"] = "{{nope}}";
  Answer invalid = call("POST", "/alerts/rules", broken);
  ASSERT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.body["error"], "bad_rule");
  std::set<std::string> paths;
  for (const nlohmann::json& error : invalid.body["errors"]) {
    paths.insert(error["path"]);
  }
  EXPECT_TRUE(paths.count("condition.op")) << invalid.body.dump();
  EXPECT_TRUE(paths.count("condition.metric")) << invalid.body.dump();
  EXPECT_TRUE(paths.count("annotations.summary")) << invalid.body.dump();
  EXPECT_EQ(call("POST", "/alerts/rules", std::string("{")).status, 400);

  Answer from_config =
      call("PUT", "/alerts/rules/ConfigRule", nlohmann::json{{"condition", rule["condition"]}});
  EXPECT_EQ(from_config.status, 409);
  EXPECT_EQ(from_config.body["error"], "rule_from_config");
  EXPECT_EQ(call("DELETE", "/alerts/rules/BackendDown").status, 409);
  EXPECT_EQ(call("DELETE", "/alerts/rules/SlowHosts", "", false).status, 401);
  Answer deleted = call("DELETE", "/alerts/rules/SlowHosts");
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["deleted"], "SlowHosts");
  Answer gone = call("GET", "/alerts/rules/SlowHosts");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.body["error"], "rule_not_found");
  EXPECT_EQ(call("DELETE", "/alerts/rules/SlowHosts").status, 404);
  Answer patch = call("PATCH", "/alerts/rules/SlowHosts");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(call("DELETE", "/alerts/rules").status, 405);

  Answer history = call("GET", "/alerts/history?type=rule");
  ASSERT_EQ(history.status, 200);
  std::vector<std::string> actions;
  for (const nlohmann::json& entry : history.body["entries"]) {
    actions.push_back(entry["action"]);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"deleted", "replaced", "created"}));
}

TEST_F(AlertingApiTest, HistoryAndStatus) {
  const std::string id = fireBackendDown();
  ASSERT_FALSE(id.empty());
  Answer history = call("GET", "/alerts/history?alert=" + id + "&since=-1h&until=now&limit=10");
  ASSERT_EQ(history.status, 200);
  ASSERT_GE(history.body["entries"].size(), 2u);
  EXPECT_EQ(history.body["entries"][0]["to"], "firing");
  EXPECT_GT(history.body["entries"][0]["seq"].get<int>(),
            history.body["entries"][1]["seq"].get<int>());
  for (const char* bad :
       {"/alerts/history?since=yesterday", "/alerts/history?type=other", "/alerts/history?limit=0",
        "/alerts/history?who=me", "/alerts/history?since=--111111111111110h"}) {
    Answer answer = call("GET", bad);
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_EQ(answer.body["error"], "bad_query") << bad;
  }
  EXPECT_EQ(call("POST", "/alerts/history").status, 405);

  Answer status = call("GET", "/alerts/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["persistent"], true);
  EXPECT_EQ(status.body["rules"]["default"], 5);
  EXPECT_EQ(status.body["rules"]["config"], 1);
  EXPECT_TRUE(status.body["load"]["errors"].empty());
  EXPECT_GT(status.body["evaluation"]["count"].get<int>(), 0);
  EXPECT_EQ(call("POST", "/alerts/status").status, 405);

  // The metrics show the firing alert (the exporter follows a stats tick later).
  const std::string line = "meshlb_alerts{severity=\"critical\",state=\"firing\"} 1";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string text;
  while (text.find(line) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    auto metrics = httpGet(meshlb_->adminPort(), "/metrics");
    text = metrics ? metrics->body : "";
  }
  EXPECT_NE(text.find(line), std::string::npos);
}

TEST(AlertingConfigTest, BadAlertingSectionIsAConfigErrorWithItsPath) {
  TestUpstream upstream("a");
  nlohmann::json config = {
      {"listeners",
       {{{"name", "web"}, {"address", "127.0.0.1:1"}, {"routes", {{{"cluster", "app"}}}}}}},
      {"clusters", {clusterOf("app", {&upstream})}},
      {"alerting",
       {{"notifiers", {{{"name", "am"}, {"type", "pager"}}}},
        {"rules", {{{"name", "X"}, {"condition", {{"kind", "threshold"}, {"metric", "nope"}}}}}}}}};
  const std::string path = tempPath("bad-alerting.json");
  std::ofstream(path) << config.dump();
  const std::string log = tempPath("bad-alerting.log");
  Process check(MESHLB_BINARY, {"--validate", "--config", path}, log);
  EXPECT_EQ(check.wait(10s), 1);
  std::stringstream errors;
  errors << std::ifstream(log).rdbuf();
  EXPECT_NE(errors.str().find("alerting.notifiers[0].type"), std::string::npos) << errors.str();
  EXPECT_NE(errors.str().find("alerting.rules[0].condition.metric"), std::string::npos)
      << errors.str();
}

}  // namespace
}  // namespace meshlb::testing
