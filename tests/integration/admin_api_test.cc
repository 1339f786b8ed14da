// The admin API through real HTTP against a running meshlb: every endpoint's answer and its
// errors, the bearer token, and the host commands' effect on real traffic.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "support/instances.h"
#include "support/limits.h"
#include "support/raw_client.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Time for every worker to apply a health snapshot posted by the main thread.
constexpr auto kWorkersApply = std::chrono::milliseconds(200);

nlohmann::json parse(const std::optional<Response>& response) {
  if (!response) {
    return nullptr;
  }
  return nlohmann::json::parse(response->body, nullptr, false);
}

// Every admin error has the same JSON shape.
void expectError(const std::optional<Response>& response, int status, const std::string& error) {
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, status) << response->body;
  EXPECT_EQ(response->header("content-type"), "application/json");
  nlohmann::json body = parse(response);
  ASSERT_TRUE(body.is_object()) << response->body;
  EXPECT_EQ(body["error"], error) << response->body;
  EXPECT_TRUE(body["detail"].is_string() && !body["detail"].get<std::string>().empty())
      << response->body;
}

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meshlb_ = std::make_unique<Meshlb>(
        nlohmann::json{{"workers", 2},
                       {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                       {"clusters", {clusterOf("app", {&a_, &b_})}}});
    ASSERT_TRUE(meshlb_->ready()) << meshlb_->stderrLog();
  }

  int admin() const { return meshlb_->adminPort(); }
  std::optional<Response> post(const std::string& path, const std::string& extra = "") {
    return httpRequest(admin(), "POST", path, extra);
  }
  void traffic(int requests) {
    for (int i = 0; i < requests; ++i) {
      auto response = httpGet(meshlb_->listenerPort(0), "/");
      ASSERT_TRUE(response.has_value());
      ASSERT_EQ(response->status, 200);
    }
    answered_ += requests;
    // A worker counts an answer right after writing its last byte, which the client may have
    // read already (an ASan run saw 4 of 5): wait until all are counted before reading stats.
    for (int i = 0; i < 150 && countedAnswers() < answered_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  int countedAnswers() const {
    nlohmann::json stats = meshlb_->stats();
    return stats.contains("responses_2xx_total") ? stats["responses_2xx_total"].get<int>() : 0;
  }

  TestUpstream a_{"a"};
  TestUpstream b_{"b"};
  std::unique_ptr<Meshlb> meshlb_;
  int answered_ = 0;  // 200s received by traffic() so far
};

TEST_F(AdminApiTest, HelpListsTheEndpoints) {
  auto response = httpGet(admin(), "/help");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  for (const char* endpoint : {"/ready", "/server_info", "/listeners", "/clusters", "/config_dump",
                               "/stats", "/metrics", "/events", "/reload", "/drain_listeners",
                               "/quitquitquit", "/drain", "/undrain", "/weight"}) {
    EXPECT_NE(response->body.find(endpoint), std::string::npos) << endpoint;
  }
}

TEST_F(AdminApiTest, RootServesTheDashboardFromTheBinary) {
  auto page = httpGet(admin(), "/");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<html"), std::string::npos);
  // Every file the page loads is served, with its type, and none comes from elsewhere.
  for (auto [path, type] : {std::pair{"/dashboard/app.js", "text/javascript"},
                            {"/dashboard/style.css", "text/css"},
                            {"/dashboard/uPlot.iife.min.js", "text/javascript"},
                            {"/dashboard/uPlot.min.css", "text/css"}}) {
    EXPECT_NE(page->body.find(path), std::string::npos) << path;
    auto asset = httpGet(admin(), path);
    ASSERT_TRUE(asset.has_value()) << path;
    EXPECT_EQ(asset->status, 200) << path;
    EXPECT_EQ(asset->header("content-type"), std::string(type) + "; charset=utf-8") << path;
    EXPECT_GT(asset->body.size(), 100u) << path;
  }
  EXPECT_EQ(page->body.find("https://"), std::string::npos) << "the page must work offline";
  expectError(httpGet(admin(), "/dashboard/nope.js"), 404, "not_found");
}

// Reads the next "tick" event of an /events stream and returns its data as JSON.
nlohmann::json nextTick(RawClient& client) {
  std::optional<std::string> frame;
  do {
    frame = client.readUntil("\n\n");
    if (!frame) {
      return nullptr;
    }
  } while (frame->find("event: tick\n") == std::string::npos);
  // The data is every "data: " line of the event, joined with "\n" (as EventSource does).
  std::string data;
  size_t line = 0;
  while ((line = frame->find("data: ", line)) != std::string::npos) {
    size_t end = frame->find('\n', line);
    data.append(*frame, line + 6, end - line - 6).append("\n");
    line = end;
  }
  return nlohmann::json::parse(data, nullptr, false);
}

TEST_F(AdminApiTest, EventsStreamATickEverySecondWithWhatTheEndpointsSay) {
  traffic(10);
  RawClient client(admin(), std::chrono::seconds(10 * kSanitizerSlowdown));
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: admin\r\n\r\n"));
  std::optional<std::string> head = client.readUntil("\r\n\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_NE(head->find("HTTP/1.1 200"), std::string::npos) << *head;
  EXPECT_NE(head->find("Content-Type: text/event-stream"), std::string::npos) << *head;
  EXPECT_EQ(head->find("Content-Length"), std::string::npos) << *head;
  std::optional<std::string> hello = client.readUntil("event: hello\n");
  ASSERT_TRUE(hello.has_value());
  auto start = Clock::now();
  nlohmann::json first = nextTick(client);  // sent with the head
  nlohmann::json second = nextTick(client);
  nlohmann::json third = nextTick(client);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("[ figures  ] three ticks in %.2f s\n", seconds);
  for (const nlohmann::json* tick : {&first, &second, &third}) {
    ASSERT_TRUE(tick->is_object());
    for (const char* key :
         {"unix_ms", "server", "clusters", "summary", "anomalies", "alerts", "flows"}) {
      EXPECT_TRUE(tick->contains(key)) << key;
    }
  }
  // One a second; a generous margin for a busy machine, and more for a sanitizer build.
  EXPECT_LT(seconds, 4.0 * kSanitizerSlowdown);
  EXPECT_GT(third["unix_ms"].get<int64_t>(), first["unix_ms"].get<int64_t>());
  // The same bodies as the endpoints: the cluster with its two hosts, the analytics summary.
  ASSERT_TRUE(third["clusters"].is_object()) << third.dump();
  EXPECT_NE(third["clusters"].dump().find("\"app\""), std::string::npos);
  EXPECT_NE(third["clusters"].dump().find(std::to_string(a_.port())), std::string::npos);
  EXPECT_TRUE(third["summary"].is_object()) << third["summary"].dump();
}

TEST_F(AdminApiTest, EventsStreamsAreBoundedAndOnlyForGet) {
  std::vector<std::unique_ptr<RawClient>> streams;
  for (int i = 0; i < 16; ++i) {
    streams.push_back(std::make_unique<RawClient>(admin()));
    ASSERT_TRUE(streams.back()->send("GET /events HTTP/1.1\r\nHost: admin\r\n\r\n"));
    ASSERT_TRUE(streams.back()->readUntil("event: hello\n").has_value()) << i;
  }
  expectError(httpGet(admin(), "/events"), 503, "too_many_streams");
  streams.clear();  // the server notices the closed streams and frees their places
  std::optional<Response> again;
  for (int i = 0; i < 50; ++i) {
    RawClient client(admin());
    ASSERT_TRUE(client.send("GET /events HTTP/1.1\r\nHost: admin\r\n\r\n"));
    std::optional<std::string> head = client.readUntil("\r\n\r\n");
    ASSERT_TRUE(head.has_value());
    if (head->find("HTTP/1.1 200") != std::string::npos) {
      again = Response{};
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(again.has_value()) << "a stream place was not freed after its client left";
  expectError(post("/events"), 405, "method_not_allowed");
}

TEST_F(AdminApiTest, UnknownPathIs404AndWrongMethodIs405) {
  expectError(httpGet(admin(), "/nope"), 404, "not_found");
  auto wrong = post("/clusters");
  expectError(wrong, 405, "method_not_allowed");
  EXPECT_EQ(wrong->header("allow"), "GET, HEAD");
  auto get_command = httpGet(admin(), "/reload");
  expectError(get_command, 405, "method_not_allowed");
  EXPECT_EQ(get_command->header("allow"), "POST");
  expectError(httpGet(admin(), "/clusters/app/hosts/" + a_.address() + "/drain"), 405,
              "method_not_allowed");
}

TEST_F(AdminApiTest, OversizedBodyIs413) {
  expectError(httpRequest(admin(), "POST", "/reload", "", std::string(70 * 1024, 'x')), 413,
              "body_too_large");
}

TEST_F(AdminApiTest, ServerInfo) {
  nlohmann::json info = parse(httpGet(admin(), "/server_info"));
  EXPECT_EQ(info["version"], MESHLB_VERSION);
  EXPECT_EQ(info["workers"], 2);
  EXPECT_EQ(info["config_generation"], 1);
  EXPECT_EQ(info["state"], "serving");
  EXPECT_EQ(info["config_path"], meshlb_->configPath());
  EXPECT_EQ(info["admin_token_required"], false);
  EXPECT_GE(info["uptime_seconds"].get<double>(), 0.0);
}

TEST_F(AdminApiTest, ListenersWithLiveStats) {
  traffic(5);
  nlohmann::json listeners = parse(httpGet(admin(), "/listeners"))["listeners"];
  ASSERT_EQ(listeners.size(), 1u) << listeners.dump(2);
  EXPECT_EQ(listeners[0]["name"], "web");
  EXPECT_EQ(listeners[0]["protocol"], "http");
  EXPECT_EQ(listeners[0]["address"], "127.0.0.1:" + std::to_string(meshlb_->listenerPort(0)));
  EXPECT_EQ(listeners[0]["routes"][0]["cluster"], "app");
  EXPECT_EQ(listeners[0]["stats"]["requests_total"], 5);
  EXPECT_EQ(listeners[0]["stats"]["responses"]["2xx"], 5);
  EXPECT_EQ(listeners[0]["stats"]["connections_total"], 5);
}

TEST_F(AdminApiTest, ClustersWithLiveStats) {
  traffic(6);
  nlohmann::json cluster = parse(httpGet(admin(), "/clusters"))["clusters"][0];
  EXPECT_EQ(cluster["name"], "app");
  ASSERT_EQ(cluster["hosts"].size(), 2u);
  uint64_t total = 0;
  for (const nlohmann::json& host : cluster["hosts"]) {
    EXPECT_EQ(host["state"], "healthy");
    EXPECT_EQ(host["weight"], 1);
    total += host["stats"]["responses"]["2xx"].get<uint64_t>();
    EXPECT_EQ(host["stats"]["requests_active"], 0);
    EXPECT_GT(host["stats"]["request_duration_ms"]["count"].get<uint64_t>(), 0u);
    EXPECT_GT(host["stats"]["connections_total"].get<uint64_t>(), 0u);
  }
  EXPECT_EQ(total, 6u) << cluster.dump(2);
}

TEST_F(AdminApiTest, ConfigDumpShowsTheRunningConfig) {
  nlohmann::json dump = parse(httpGet(admin(), "/config_dump"));
  EXPECT_EQ(dump["config_generation"], 1);
  EXPECT_EQ(dump["config"]["clusters"][0]["name"], "app");
  EXPECT_EQ(dump["config"]["listeners"][0]["name"], "web");
}

TEST_F(AdminApiTest, StatsAsTextFilteredAndJson) {
  traffic(4);
  auto text = httpGet(admin(), "/stats");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->status, 200);
  EXPECT_TRUE(text->header("content-type").starts_with("text/plain"));
  std::regex line(R"(^[a-z_0-9]+(\{[^}]*\})?: -?[0-9.]+(e[-+]?[0-9]+)?$)");
  size_t lines = 0;
  std::istringstream in(text->body);
  for (std::string entry; std::getline(in, entry); ++lines) {
    EXPECT_TRUE(std::regex_match(entry, line)) << entry;
  }
  EXPECT_GT(lines, 20u);
  std::string host_2xx =
      "meshlb_upstream_responses_total{cluster=\"app\",code_class=\"2xx\",host=\"" + a_.address() +
      "\"}: 2";
  EXPECT_NE(text->body.find(host_2xx), std::string::npos) << text->body;

  auto filtered = httpGet(admin(), "/stats?filter=listener_requests");
  ASSERT_TRUE(filtered.has_value());
  EXPECT_EQ(filtered->body, "meshlb_listener_requests_total{listener=\"web\"}: 4\n");

  nlohmann::json json = parse(httpGet(admin(), "/stats?format=json&filter=^meshlb_workers"));
  ASSERT_EQ(json["stats"].size(), 1u) << json.dump();
  EXPECT_EQ(json["stats"][0]["name"], "meshlb_workers");
  EXPECT_EQ(json["stats"][0]["value"], 2);

  expectError(httpGet(admin(), "/stats?filter=(unclosed"), 400, "bad_filter");
  // std::regex backtracked on this for good, and the admin thread with it; matching is linear.
  auto start = Clock::now();
  auto backtracking = httpGet(admin(), "/stats?filter=(.*)*QQQ");
  std::printf("[ figures  ] /stats?filter=(.*)*QQQ answered in %lld ms\n", msSince(start));
  ASSERT_TRUE(backtracking.has_value());
  EXPECT_EQ(backtracking->status, 200);
  EXPECT_EQ(backtracking->body, "");
  expectError(httpGet(admin(), "/stats?format=xml"), 400, "bad_format");
  expectError(httpGet(admin(), "/stats?filter=%zz"), 400, "bad_query");
}

TEST_F(AdminApiTest, MetricsInPrometheusFormat) {
  traffic(2);
  auto metrics = httpGet(admin(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_TRUE(metrics->header("content-type").starts_with("text/plain; version=0.0.4"));
  EXPECT_NE(metrics->body.find("# TYPE meshlb_upstream_responses_total counter"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("meshlb_upstream_request_duration_seconds_bucket{"),
            std::string::npos);
}

TEST_F(AdminApiTest, HostCommandsAndTheirErrors) {
  std::string host = "/clusters/app/hosts/" + b_.address();
  nlohmann::json drained = parse(post(host + "/drain"));
  EXPECT_EQ(drained["state"], "draining");
  EXPECT_EQ(meshlb_->hostState("app", b_.address()), "draining");
  // The answer comes once the main thread has posted the change to the workers; each applies it
  // on its next loop turn. Give a worker that the scheduler kept waiting a moment (the strict
  // "at once" figure is DrainUnderLoadTest's).
  std::this_thread::sleep_for(kWorkersApply);
  uint64_t before = b_.requests();
  traffic(6);
  EXPECT_EQ(b_.requests(), before) << "a drained host got new requests";

  nlohmann::json undrained = parse(post(host + "/undrain"));
  EXPECT_EQ(undrained["state"], "healthy");
  nlohmann::json weighted = parse(post(host + "/weight?value=3"));
  EXPECT_EQ(weighted["weight"], 3);
  nlohmann::json clusters = meshlb_->clusters();
  EXPECT_EQ(clusters["clusters"][0]["hosts"][1]["weight"], 3);
  EXPECT_EQ(clusters["clusters"][0]["hosts"][1]["config_weight"], 1);

  expectError(post("/clusters/nope/hosts/" + b_.address() + "/drain"), 404, "cluster_not_found");
  expectError(post("/clusters/app/hosts/127.0.0.1:1/drain"), 404, "host_not_found");
  for (const char* bad : {"", "?value=0", "?value=-1", "?value=abc", "?value=10001", "?value=2x"}) {
    expectError(post(host + "/weight" + bad), 400, "bad_weight");
  }
}

TEST_F(AdminApiTest, WeightShiftsTraffic) {
  ASSERT_TRUE(parse(post("/clusters/app/hosts/" + b_.address() + "/weight?value=3")).is_object());
  std::this_thread::sleep_for(kWorkersApply);
  uint64_t a_before = a_.requests();
  uint64_t b_before = b_.requests();
  traffic(40);
  uint64_t a_got = a_.requests() - a_before;
  uint64_t b_got = b_.requests() - b_before;
  std::cout << "weights 1:3 gave " << a_got << ":" << b_got << "\n";
  EXPECT_EQ(a_got + b_got, 40u);
  EXPECT_GE(b_got, 2 * a_got) << a_got << ":" << b_got;
}

TEST_F(AdminApiTest, ReloadAppliesAValidConfigAndRejectsABrokenOne) {
  nlohmann::json applied = parse(post("/reload"));
  EXPECT_EQ(applied["result"], "applied") << applied.dump();
  EXPECT_EQ(applied["config_generation"], 2);

  std::ofstream(meshlb_->configPath()) << "{ \"clusters\": [ { \"name\": 7 } ] }";
  auto rejected = post("/reload");
  expectError(rejected, 400, "reload_rejected");
  nlohmann::json body = parse(rejected);
  EXPECT_FALSE(body["errors"].empty()) << body.dump();
  EXPECT_EQ(body["config_generation"], 2);
  traffic(2);  // still serving the running config
}

TEST_F(AdminApiTest, DrainListenersStopsAcceptingAndReadyTurns503) {
  auto answer = post("/drain_listeners");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 202);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  bool refused = false;
  while (Clock::now() < deadline && !refused) {
    refused = !httpGet(meshlb_->listenerPort(0), "/").has_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(refused) << "the listener still answers after /drain_listeners";
  auto ready = httpGet(admin(), "/ready");
  ASSERT_TRUE(ready.has_value()) << "the admin API must stay up";
  EXPECT_EQ(ready->status, 503);
  expectError(post("/reload"), 409, "draining");
}

TEST_F(AdminApiTest, QuitQuitQuitExitsCleanly) {
  auto answer = post("/quitquitquit");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(meshlb_->process().wait(std::chrono::seconds(20)), 0) << meshlb_->stderrLog();
}

class AdminTokenTest : public ::testing::Test {
 protected:
  std::unique_ptr<Meshlb> start(bool protect_reads,
                                const std::vector<std::string>& extra_args = {}) {
    std::string token_file = tempPath("admin-token");
    std::ofstream(token_file) << "s3cret-token\n";
    auto meshlb = std::make_unique<Meshlb>(
        nlohmann::json{{"admin", {{"token_file", token_file}, {"protect_reads", protect_reads}}},
                       {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                       {"clusters", {clusterOf("app", {&a_})}}},
        extra_args);
    return meshlb;
  }
  TestUpstream a_{"a"};
};

TEST_F(AdminTokenTest, MutatingCallsNeedTheToken) {
  auto meshlb = start(false);
  ASSERT_TRUE(meshlb->ready()) << meshlb->stderrLog();
  std::string drain = "/clusters/app/hosts/" + a_.address() + "/drain";
  auto missing = httpRequest(meshlb->adminPort(), "POST", drain);
  expectError(missing, 401, "unauthorized");
  EXPECT_NE(missing->header("www-authenticate").find("Bearer"), std::string::npos);
  expectError(httpRequest(meshlb->adminPort(), "POST", drain, "Authorization: Bearer wrong\r\n"),
              401, "unauthorized");
  EXPECT_EQ(meshlb->hostState("app", a_.address()), "healthy");
  auto ok =
      httpRequest(meshlb->adminPort(), "POST", drain, "Authorization: Bearer s3cret-token\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(meshlb->hostState("app", a_.address()), "draining");
  // Reads stay open, and the token's file path is not shown.
  nlohmann::json dump = parse(httpGet(meshlb->adminPort(), "/config_dump"));
  EXPECT_EQ(dump["config"]["admin"]["token_file"], "[redacted]") << dump.dump();
  EXPECT_EQ(parse(httpGet(meshlb->adminPort(), "/server_info"))["admin_token_required"], true);
}

TEST_F(AdminTokenTest, TheTokenNeverAppearsInLogsOrDumps) {
  // The most talkative log level, and every place an operator or a scraper can read from.
  auto meshlb = start(true, {"--log-level", "trace"});
  ASSERT_TRUE(meshlb->ready()) << meshlb->stderrLog();
  const std::string good = "Authorization: Bearer s3cret-token\r\n";
  const std::string guess = "Authorization: Bearer guessed-t0ken\r\n";
  expectError(httpGet(meshlb->adminPort(), "/stats", guess), 401, "unauthorized");
  std::string drain = "/clusters/app/hosts/" + a_.address() + "/drain";
  expectError(httpRequest(meshlb->adminPort(), "POST", drain, guess), 401, "unauthorized");
  std::vector<std::string> bodies;
  for (const char* path :
       {"/config_dump", "/server_info", "/stats", "/metrics", "/ready", "/clusters"}) {
    auto answer = httpGet(meshlb->adminPort(), path, good);
    ASSERT_TRUE(answer.has_value()) << path;
    EXPECT_EQ(answer->status, 200) << path << ": " << answer->body;
    bodies.push_back(std::string(path) + ": " + answer->body);
  }
  ASSERT_TRUE(httpRequest(meshlb->adminPort(), "POST", drain, good).has_value());
  // A reload logs what it applied: the token must not be in it either.
  auto reload = httpRequest(meshlb->adminPort(), "POST", "/reload", good);
  ASSERT_TRUE(reload.has_value());
  EXPECT_EQ(parse(reload)["config_generation"], 2) << reload->body;
  for (const std::string& body : bodies) {
    EXPECT_EQ(body.find("s3cret-token"), std::string::npos) << body;
  }
  const std::string log = meshlb->stderrLog();
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find("s3cret-token"), std::string::npos) << log;
  EXPECT_EQ(log.find("guessed-t0ken"), std::string::npos) << log;
}

TEST_F(AdminTokenTest, ProtectedReadsNeedTheTokenButReadyStaysOpen) {
  auto meshlb = start(true);
  ASSERT_TRUE(meshlb->ready()) << meshlb->stderrLog();
  expectError(httpGet(meshlb->adminPort(), "/stats"), 401, "unauthorized");
  auto ok = httpGet(meshlb->adminPort(), "/stats", "Authorization: Bearer s3cret-token\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  auto ready = httpGet(meshlb->adminPort(), "/ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
}

TEST(AdminStartup, UnreadableTokenFileIsAStartupError) {
  std::string config = tempPath("bad-token.json");
  std::ofstream(config) << R"({"admin": {"token_file": "/nonexistent/token"},
    "listeners": [{"name": "web", "address": "127.0.0.1:0", "routes": [{"cluster": "app"}]}],
    "clusters": [{"name": "app", "hosts": [{"address": "127.0.0.1:1"}]}]})";
  std::string log = tempPath("bad-token.log");
  Process failing(MESHLB_BINARY, {"--config", config}, log);
  EXPECT_EQ(failing.wait(std::chrono::seconds(10)), 1);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("/nonexistent/token"), std::string::npos) << text;
}

}  // namespace
}  // namespace meshlb::testing
