// Alerting end to end: the real meshlb, real backends, a real Prometheus Alertmanager and a
// webhook receiver, all on loopback. Deadlines are asserted with a margin (the machine is a
// shared 2-core box); every test prints the delays it measured.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "alerting/alertmanager.h"
#include "alerting/notify/hmac.h"
#include "support/instances.h"
#include "support/raw_client.h"
#include "tests/alerting/support/test_http_server.h"

namespace meshlb::testing {
namespace {

using namespace std::chrono_literals;
using alerting::testing::TestHttpServer;
using Clock = std::chrono::steady_clock;

// The acceptance figure is 5 s; the assertion leaves room for a loaded CI machine and the
// tests print what they measured.
constexpr auto kDeadline = 10s;
constexpr const char* kBearer = "hook-token";
constexpr const char* kHmacSecret = "hook-secret";

struct Answer {
  int status = 0;
  nlohmann::json body;
};

Answer admin(const Meshlb& meshlb, const std::string& method, const std::string& path,
             const nlohmann::json& body = nullptr) {
  auto response = httpRequest(meshlb.adminPort(), method, path, "",
                              body.is_null() ? std::string() : body.dump());
  if (!response) {
    return {};
  }
  return {response->status, nlohmann::json::parse(response->body, nullptr, false)};
}

// Polls `done` every 100 ms until it holds; the time it took, or nullopt at the deadline.
std::optional<std::chrono::milliseconds> waitFor(const std::function<bool()>& done,
                                                 std::chrono::milliseconds deadline = kDeadline) {
  const auto start = Clock::now();
  while (Clock::now() - start < deadline) {
    if (done()) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    }
    std::this_thread::sleep_for(100ms);
  }
  return std::nullopt;
}

// The webhook bodies received that carry an alert `alertname` for `host` with `status`.
size_t hookCount(const TestHttpServer& hook, const std::string& host, const std::string& status) {
  size_t count = 0;
  for (const auto& request : hook.requests()) {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("alerts")) {
      continue;
    }
    for (const nlohmann::json& alert : body["alerts"]) {
      if (alert["labels"].value("alertname", "") == "BackendDown" &&
          alert["labels"].value("host", "") == host && alert.value("status", "") == status) {
        ++count;
      }
    }
  }
  return count;
}

// Alertmanager's active BackendDown alert for `host`, or null.
nlohmann::json amAlert(const Alertmanager& am, const std::string& host) {
  for (const nlohmann::json& alert : am.alerts("BackendDown")) {
    if (alert["labels"].value("host", "") == host) {
      return alert;
    }
  }
  return nullptr;
}

// meshlb's firing BackendDown alert for `host`, or null.
nlohmann::json firingAlert(const Meshlb& meshlb, const std::string& host) {
  Answer answer = admin(meshlb, "GET", "/alerts?rule=BackendDown&state=firing&host=" + host);
  if (answer.status != 200) {
    return nullptr;
  }
  for (const nlohmann::json& alert : answer.body["alerts"]) {
    return alert;
  }
  return nullptr;
}

class AlertingE2eTest : public ::testing::Test {
 protected:
  nlohmann::json config(const std::string& am_url, const std::string& state_dir) {
    nlohmann::json cluster = clusterOf("app", {&a_, &b_, &c_});
    cluster["health_check"] = {{"type", "http"},           {"path", "/healthz"},
                               {"interval_ms", 500},       {"timeout_ms", 400},
                               {"unhealthy_threshold", 2}, {"healthy_threshold", 2}};
    cluster["retry_policy"] = {{"retry_on", {"connect-failure", "reset"}}, {"max_retries", 2}};
    nlohmann::json notifiers = nlohmann::json::array();
    notifiers.push_back({{"name", "am"},
                         {"type", "alertmanager"},
                         {"urls", {am_url}},
                         {"timeout_ms", 1000},
                         {"retry_initial_ms", 200},
                         {"retry_max_ms", 1000}});
    notifiers.push_back({{"name", "hook"},
                         {"type", "webhook"},
                         {"url", "http://127.0.0.1:" + std::to_string(hook_.port()) + "/hook"},
                         {"bearer_token", kBearer},
                         {"hmac_secret", kHmacSecret},
                         {"timeout_ms", 1000},
                         {"retry_initial_ms", 200},
                         {"retry_max_ms", 1000},
                         {"match", {{{"name", "severity"}, {"op", "="}, {"value", "critical"}}}}});
    return {{"workers", 1},
            {"analytics", {{"warmup_s", 5}}},
            {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
            {"clusters", {cluster}},
            {"alerting",
             {{"state_dir", state_dir}, {"resend_interval_s", 5}, {"notifiers", notifiers}}}};
  }

  // Waits for the first evaluation with every backend up.
  void waitForQuiet(const Meshlb& meshlb) {
    ASSERT_TRUE(waitFor([&] { return admin(meshlb, "GET", "/alerts").status == 200; }))
        << meshlb.stderrLog();
  }

  TestHttpServer am_hook_;  // Alertmanager's own receiver
  TestHttpServer hook_;     // meshlb's webhook notifier
  TestUpstream a_{"a"}, b_{"b"}, c_{"c"};
};

TEST_F(AlertingE2eTest, BackendDownReachesAlertmanagerAndWebhookThenResolves) {
  Alertmanager am("http://127.0.0.1:" + std::to_string(am_hook_.port()) + "/");
  ASSERT_TRUE(am.ready());
  Meshlb meshlb(config(am.url(), tempPath("alerting-state")));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  waitForQuiet(meshlb);
  EXPECT_TRUE(amAlert(am, b_.address()).is_null());

  b_.kill();
  auto in_am = waitFor([&] { return !amAlert(am, b_.address()).is_null(); });
  ASSERT_TRUE(in_am) << meshlb.stderrLog();
  auto in_hook = waitFor([&] { return hookCount(hook_, b_.address(), "firing") > 0; });
  ASSERT_TRUE(in_hook);
  printf("kill -> firing in Alertmanager: %lld ms; at the webhook %lld ms later\n",
         static_cast<long long>(in_am->count()), static_cast<long long>(in_hook->count()));

  // The same alert everywhere: Alertmanager's fingerprint is meshlb's id; the labels are the
  // rule's contract.
  nlohmann::json firing = firingAlert(meshlb, b_.address());
  ASSERT_FALSE(firing.is_null());
  nlohmann::json in_alertmanager = amAlert(am, b_.address());
  EXPECT_EQ(in_alertmanager["fingerprint"], firing["id"]);
  EXPECT_EQ(in_alertmanager["labels"], nlohmann::json({{"alertname", "BackendDown"},
                                                       {"cluster", "app"},
                                                       {"host", b_.address()},
                                                       {"severity", "critical"}}));
  EXPECT_EQ(in_alertmanager["generatorURL"].get<std::string>().find("/alerts/"),
            std::string("http://127.0.0.1:9901").size());

  // The webhook's body is Alertmanager's shape, with the bearer token and a valid signature.
  bool checked = false;
  for (const auto& request : hook_.requests()) {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || body.value("status", "") != "firing") {
      continue;
    }
    EXPECT_EQ(body["version"], "4");
    EXPECT_EQ(body["receiver"], "hook");
    EXPECT_EQ(body["groupLabels"],
              nlohmann::json({{"alertname", "BackendDown"}, {"cluster", "app"}}));
    ASSERT_NE(request.header("authorization"), nullptr);
    EXPECT_EQ(*request.header("authorization"), std::string("Bearer ") + kBearer);
    ASSERT_NE(request.header("x-meshlb-signature"), nullptr);
    const std::string signature = *request.header("x-meshlb-signature");
    const size_t comma = signature.find(",v1=");
    ASSERT_NE(comma, std::string::npos) << signature;
    const std::string t = signature.substr(2, comma - 2);
    EXPECT_EQ(signature.substr(comma + 4),
              alerting::hmacSha256Hex(kHmacSecret, t + "." + request.body));
    checked = true;
    break;
  }
  EXPECT_TRUE(checked);

  // Alertmanager passes it on to its own receiver (after its 1 s group wait).
  EXPECT_TRUE(waitFor([&] { return hookCount(am_hook_, b_.address(), "firing") > 0; }))
      << "Alertmanager's receiver got " << am_hook_.requestCount() << " request(s)";

  b_.restart();
  auto resolved_in_am = waitFor([&] { return amAlert(am, b_.address()).is_null(); });
  ASSERT_TRUE(resolved_in_am) << amAlert(am, b_.address()).dump();
  auto resolved_at_hook = waitFor([&] { return hookCount(hook_, b_.address(), "resolved") > 0; });
  ASSERT_TRUE(resolved_at_hook);
  printf("restart -> resolved in Alertmanager: %lld ms; at the webhook %lld ms later\n",
         static_cast<long long>(resolved_in_am->count()),
         static_cast<long long>(resolved_at_hook->count()));
  EXPECT_TRUE(waitFor([&] { return hookCount(am_hook_, b_.address(), "resolved") > 0; }))
      << "Alertmanager's receiver got " << am_hook_.requestCount() << " request(s)";

  Answer history = admin(meshlb, "GET", "/alerts/history?rule=BackendDown&type=state");
  ASSERT_EQ(history.status, 200);
  std::vector<std::string> to;
  for (const nlohmann::json& entry : history.body["entries"]) {
    if (entry["labels"].value("host", "") == b_.address()) {
      to.push_back(entry["to"]);
    }
  }
  // Newest first.
  EXPECT_EQ(to, (std::vector<std::string>{"resolved", "firing", "pending"}));
}

TEST_F(AlertingE2eTest, SilenceCreatedInMeshlbStopsTheNotification) {
  Alertmanager am("http://127.0.0.1:" + std::to_string(am_hook_.port()) + "/");
  ASSERT_TRUE(am.ready());
  Meshlb meshlb(config(am.url(), tempPath("alerting-state")));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  waitForQuiet(meshlb);
  Answer silence = admin(meshlb, "POST", "/silences",
                         {{"matchers",
                           {{{"name", "alertname"}, {"value", "BackendDown"}},
                            {{"name", "host"}, {"op", "=~"}, {"value", b_.address()}}}},
                          {"duration_s", 600},
                          {"created_by", "test"},
                          {"comment", "maintenance"}});
  ASSERT_EQ(silence.status, 201) << silence.body.dump();
  const std::string silence_id = silence.body["id"];

  b_.kill();
  ASSERT_TRUE(waitFor([&] { return !firingAlert(meshlb, b_.address()).is_null(); }));
  nlohmann::json alert = firingAlert(meshlb, b_.address());
  EXPECT_EQ(alert["silenced_by"], nlohmann::json({silence_id}));
  // Long enough for a notification to have gone out (they take well under a second).
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(amAlert(am, b_.address()).is_null());
  EXPECT_EQ(hookCount(hook_, b_.address(), "firing"), 0u);
  Answer listed = admin(meshlb, "GET", "/silences");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["silences"].size(), 1u);
  EXPECT_EQ(listed.body["silences"][0]["matching_alerts"], 1);

  // Expiring the silence lets the notification through.
  ASSERT_EQ(admin(meshlb, "DELETE", "/silences/" + silence_id).status, 200);
  auto delivered = waitFor([&] {
    return !amAlert(am, b_.address()).is_null() && hookCount(hook_, b_.address(), "firing") > 0;
  });
  ASSERT_TRUE(delivered);
  printf("silence expired -> delivered to Alertmanager and the webhook: %lld ms\n",
         static_cast<long long>(delivered->count()));
}

TEST_F(AlertingE2eTest, KillNineKeepsAlertsAcksSilencesRulesAndDoesNotNotifyAgain) {
  Alertmanager am("http://127.0.0.1:" + std::to_string(am_hook_.port()) + "/");
  ASSERT_TRUE(am.ready());
  const std::string state_dir = tempPath("alerting-state");
  const nlohmann::json cfg = config(am.url(), state_dir);
  auto first = std::make_unique<Meshlb>(cfg);
  ASSERT_TRUE(first->ready()) << first->stderrLog();
  waitForQuiet(*first);

  b_.kill();
  ASSERT_TRUE(waitFor([&] { return hookCount(hook_, b_.address(), "firing") == 1; }));
  ASSERT_TRUE(waitFor([&] { return !amAlert(am, b_.address()).is_null(); }));
  nlohmann::json alert = firingAlert(*first, b_.address());
  ASSERT_FALSE(alert.is_null());
  const std::string id = alert["id"];
  Answer ack =
      admin(*first, "POST", "/alerts/" + id + "/ack", {{"by", "alice"}, {"comment", "on it"}});
  ASSERT_EQ(ack.status, 200) << ack.body.dump();
  Answer silence = admin(*first, "POST", "/silences",
                         {{"matchers", {{{"name", "host"}, {"value", c_.address()}}}},
                          {"duration_s", 3600},
                          {"created_by", "bob"}});
  ASSERT_EQ(silence.status, 201) << silence.body.dump();
  nlohmann::json rule = {
      {"name", "ApiHighRps"},
      {"scope", "cluster"},
      {"severity", "info"},
      {"condition", {{"kind", "threshold"}, {"metric", "rps"}, {"op", ">"}, {"value", 1e9}}}};
  Answer put = admin(*first, "PUT", "/alerts/rules/ApiHighRps", rule);
  ASSERT_EQ(put.status, 201) << put.body.dump();
  // The webhook's delivery mark is journaled right after its 2xx.
  ASSERT_TRUE(waitFor([&] {
    Answer one = admin(*first, "GET", "/alerts/" + id);
    return one.status == 200 && one.body["notifications"]["hook"]["firing"] == true;
  }));
  const nlohmann::json starts_in_am = amAlert(am, b_.address())["startsAt"];
  first->crash();
  first.reset();

  Meshlb second(cfg);
  ASSERT_TRUE(second.ready()) << second.stderrLog();
  ASSERT_TRUE(waitFor([&] { return admin(second, "GET", "/alerts/" + id).status == 200; }))
      << second.stderrLog();
  Answer restored = admin(second, "GET", "/alerts/" + id);
  EXPECT_EQ(restored.body["state"], "firing");
  EXPECT_EQ(restored.body["fired_unix_ms"], alert["fired_unix_ms"]);
  EXPECT_EQ(restored.body["restored"], true);
  EXPECT_EQ(restored.body["ack"]["by"], "alice");
  EXPECT_EQ(restored.body["ack"]["comment"], "on it");
  Answer silences = admin(second, "GET", "/silences");
  ASSERT_EQ(silences.body["silences"].size(), 1u);
  EXPECT_EQ(silences.body["silences"][0]["id"], silence.body["id"]);
  EXPECT_EQ(silences.body["silences"][0]["created_by"], "bob");
  Answer rule_back = admin(second, "GET", "/alerts/rules/ApiHighRps");
  ASSERT_EQ(rule_back.status, 200);
  EXPECT_EQ(rule_back.body["source"], "api");
  Answer history = admin(second, "GET", "/alerts/history?alert=" + id);
  std::vector<std::string> kinds;
  for (const nlohmann::json& entry : history.body["entries"]) {
    kinds.push_back(entry["type"] == "state" ? entry["to"].get<std::string>()
                                             : entry["type"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"restored", "ack", "firing", "pending"}));

  // The backend is still down: the alert goes on, and nobody is told about it as new.
  std::this_thread::sleep_for(6s);
  EXPECT_EQ(hookCount(hook_, b_.address(), "firing"), 1u);
  nlohmann::json in_am = amAlert(am, b_.address());
  ASSERT_FALSE(in_am.is_null());
  EXPECT_EQ(in_am["startsAt"], starts_in_am);
  EXPECT_EQ(admin(second, "GET", "/alerts/" + id).body["state"], "firing");
}

TEST_F(AlertingE2eTest, AlertmanagerUnreachableThenBack) {
  const int am_port = freePort();
  Meshlb meshlb(config("http://127.0.0.1:" + std::to_string(am_port), tempPath("alerting-state")));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  waitForQuiet(meshlb);

  b_.kill();
  // Traffic goes on while every delivery to Alertmanager fails.
  int ok = 0, total = 0;
  const auto until = Clock::now() + 4s;
  while (Clock::now() < until) {
    auto response = httpGet(meshlb.listenerPort(0), "/");
    ++total;
    ok += response && response->status == 200;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ok, total);
  ASSERT_FALSE(firingAlert(meshlb, b_.address()).is_null());
  Answer status = admin(meshlb, "GET", "/alerts/status");
  const nlohmann::json& target = status.body["notifiers"][0]["targets"][0];
  EXPECT_EQ(target["up"], false);
  EXPECT_GT(target["failed"].get<int>(), 0);
  EXPECT_GT(target["queued"].get<int>(), 0);
  auto metrics = httpGet(meshlb.adminPort(), "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(
      metrics->body.find("meshlb_alerting_notifications_total{notifier=\"am\",result=\"failed\""),
      std::string::npos);
  printf("requests served while Alertmanager was down: %d of %d; failed attempts: %d\n", ok, total,
         target["failed"].get<int>());

  Alertmanager am("http://127.0.0.1:" + std::to_string(am_hook_.port()) + "/", am_port);
  ASSERT_TRUE(am.ready());
  auto delivered = waitFor([&] { return !amAlert(am, b_.address()).is_null(); });
  ASSERT_TRUE(delivered);
  printf("Alertmanager ready -> alert delivered: %lld ms\n",
         static_cast<long long>(delivered->count()));
  EXPECT_TRUE(waitFor([&] {
    return admin(meshlb, "GET", "/alerts/status").body["notifiers"][0]["targets"][0]["up"] == true;
  }));
}

TEST_F(AlertingE2eTest, CorruptStateIsSetAsideNotFatal) {
  const std::string state_dir = tempPath("alerting-state");
  std::filesystem::create_directories(state_dir);
  std::ofstream(state_dir + "/alerting.snapshot")
      << "meshlb-alerting-snapshot 1 len=5 crc32c=00000000\n{}{}x";
  std::ofstream(state_dir + "/alerting.journal") << "garbage, not a journal";
  Meshlb meshlb(config("http://127.0.0.1:1", state_dir));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  Answer status = admin(meshlb, "GET", "/alerts/status");
  ASSERT_EQ(status.status, 200);
  const nlohmann::json& errors = status.body["load"]["errors"];
  ASSERT_EQ(errors.size(), 2u) << errors.dump();
  for (const nlohmann::json& error : errors) {
    ASSERT_TRUE(error["set_aside_as"].is_string()) << error.dump();
    EXPECT_TRUE(std::filesystem::exists(error["set_aside_as"].get<std::string>()) ||
                std::filesystem::exists(state_dir + "/" + error["set_aside_as"].get<std::string>()))
        << error.dump();
  }
  // And the state directory works: a silence is accepted.
  Answer silence = admin(meshlb, "POST", "/silences",
                         {{"matchers", {{{"name", "cluster"}, {"value", "app"}}}},
                          {"duration_s", 60},
                          {"created_by", "test"}});
  EXPECT_EQ(silence.status, 201) << silence.body.dump();
}

}  // namespace
}  // namespace meshlb::testing
