// A real Prometheus scrapes meshlb's admin GET /metrics, as an operator would run it: the
// target comes up, and the per-host response counter grows by the requests sent through meshlb.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

std::string urlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      out.append(escaped);
    }
  }
  return out;
}

// The value of an instant query's first sample through Prometheus's HTTP API; nullopt while
// the query has no result (or Prometheus does not answer).
std::optional<double> queryValue(int port, const std::string& promql) {
  auto response = httpGet(port, "/api/v1/query?query=" + urlEncode(promql));
  if (!response || response->status != 200) {
    return std::nullopt;
  }
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || body.value("status", "") != "success") {
    return std::nullopt;
  }
  const nlohmann::json& result = body["data"]["result"];
  if (!result.is_array() || result.empty()) {
    return std::nullopt;
  }
  return std::stod(result[0]["value"][1].get<std::string>());
}

// Polls `done` every 100 ms until it holds or `limit` passes; returns the time it took, or -1 ms.
std::chrono::milliseconds pollUntil(const std::function<bool()>& done,
                                    std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (done()) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::chrono::milliseconds(-1);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A Prometheus server in a scratch directory, scraping one target every second. Stopped (and
// its directory removed) by the destructor. Test thread only.
class PrometheusServer {
 public:
  explicit PrometheusServer(const std::string& target) : dir_(tempPath("prometheus")) {
    std::filesystem::create_directories(dir_ + "/data");
    std::ofstream(dir_ + "/prometheus.yml") << "global:\n"
                                               "  scrape_interval: 1s\n"
                                               "  scrape_timeout: 1s\n"
                                               "scrape_configs:\n"
                                               "  - job_name: meshlb\n"
                                               "    metrics_path: /metrics\n"
                                               "    static_configs:\n"
                                               "      - targets: [\""
                                            << target << "\"]\n";
    port_ = freePort();
    process_ = std::make_unique<Process>(
        kPrometheus,
        std::vector<std::string>{
            "--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/data",
            "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
        dir_ + "/prometheus.log");
  }

  ~PrometheusServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  int port() const { return port_; }
  bool running() { return process_->running(); }
  std::string log() const { return readFile(dir_ + "/prometheus.log"); }
  // Stops the server (SIGTERM, then SIGKILL); returns its exit code like Process::stop().
  int stop() {
    if (!process_ || !process_->running()) {
      return 0;
    }
    return process_->stop(SIGTERM, std::chrono::seconds(10));
  }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

TEST(PrometheusTest, ScrapesMeshlbAndSeesThePerHostCounterGrow) {
  ASSERT_EQ(access(kPrometheus, X_OK), 0)
      << kPrometheus << " is missing: install the Debian package prometheus "
      << "(scripts/install-deps.sh)";
  TestUpstream upstream("a");
  Meshlb meshlb({{"workers", 2},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {clusterOf("app", {&upstream})}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto metrics = httpGet(meshlb.adminPort(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  ASSERT_EQ(metrics->status, 200) << "GET /metrics is not served:\n" << metrics->body;

  PrometheusServer prometheus("127.0.0.1:" + std::to_string(meshlb.adminPort()));
  auto ready = pollUntil([&] {
    auto response = httpGet(prometheus.port(), "/-/ready");
    return response && response->status == 200;
  });
  std::cout << "prometheus ready after " << ready.count() << " ms\n";
  ASSERT_GE(ready.count(), 0) << prometheus.log();

  auto up = pollUntil([&] { return queryValue(prometheus.port(), "up{job=\"meshlb\"}") == 1.0; });
  std::cout << "up == 1 after " << up.count() << " ms\n";
  RecordProperty("up_after_ms", static_cast<int>(up.count()));
  ASSERT_GE(up.count(), 0) << "up{job=\"meshlb\"} never became 1: "
                           << queryValue(prometheus.port(), "up").value_or(-1) << "\n"
                           << prometheus.log();

  const std::string counter = "meshlb_upstream_responses_total{cluster=\"app\",host=\"" +
                              upstream.address() + "\",code_class=\"2xx\"}";
  // The series exists from the first scrape (class series always do), at 0: no traffic yet.
  std::optional<double> before;
  auto seen = pollUntil([&] {
    before = queryValue(prometheus.port(), counter);
    return before.has_value();
  });
  ASSERT_GE(seen.count(), 0) << counter << " never appeared\n" << prometheus.log();
  EXPECT_EQ(*before, 0);

  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) {
    auto response = httpGet(meshlb.listenerPort(0), "/");
    ASSERT_TRUE(response.has_value());
    ASSERT_EQ(response->status, 200);
  }
  std::optional<double> after;
  auto grew = pollUntil([&] {
    after = queryValue(prometheus.port(), counter);
    return after.has_value() && *after >= *before + kRequests;
  });
  std::cout << "counter +" << kRequests << " visible in Prometheus after " << grew.count()
            << " ms\n";
  RecordProperty("counter_visible_after_ms", static_cast<int>(grew.count()));
  ASSERT_GE(grew.count(), 0) << counter << " = " << after.value_or(-1) << "\n" << prometheus.log();
  EXPECT_EQ(*after, *before + kRequests) << "only the test's requests went to this host";

  EXPECT_EQ(prometheus.stop(), 0) << prometheus.log();
}

// promtool's verdict on meshlb's live /metrics; "" when it accepts them.
std::string promtoolComplaints(const std::string& metrics) {
  std::string path = tempPath("metrics.txt");
  std::ofstream(path) << metrics;
  std::string command = "/usr/bin/promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return "cannot run promtool";
  }
  std::string output;
  char chunk[4096];
  while (size_t n = fread(chunk, 1, sizeof(chunk), pipe)) {
    output.append(chunk, n);
  }
  int status = pclose(pipe);
  if (status != 0 && output.empty()) {
    output = "promtool exited with status " + std::to_string(status);
  }
  return output;
}

// The real binary's /metrics passes `promtool check metrics` in every state an operator meets:
// before any traffic, after traffic of every kind, with hosts down, ejected and drained, and
// after a reload removed a host.
TEST(PrometheusTest, LiveMetricsPassPromtoolInEveryState) {
  ASSERT_EQ(access("/usr/bin/promtool", X_OK), 0)
      << "promtool is missing (Debian package prometheus; scripts/install-deps.sh)";
  TestUpstream a("a"), b("b"), c("c");
  nlohmann::json cluster = clusterOf("app", {&a, &b, &c});
  cluster["health_check"] = {{"interval_ms", 100},
                             {"timeout_ms", 100},
                             {"unhealthy_threshold", 1},
                             {"healthy_threshold", 1}};
  // Only c's 500s may eject: b's connect failures (before its health check notices it is gone)
  // must not use up the ejection budget, or c could not be ejected after it.
  cluster["outlier_detection"] = {{"consecutive_5xx", 2},
                                  {"consecutive_gateway_failure", 0},
                                  {"max_ejection_percent", 100},
                                  {"base_ejection_ms", 60000}};
  nlohmann::json config = {
      {"workers", 2},
      {"listeners",
       {{{"name", "web"}, {"routes", {{{"path_prefix", "/app"}, {"cluster", "app"}}}}}}},
      {"clusters", {cluster}}};
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto check = [&](const std::string& state) {
    auto metrics = httpGet(meshlb.adminPort(), "/metrics");
    ASSERT_TRUE(metrics.has_value()) << state;
    ASSERT_EQ(metrics->status, 200) << state;
    EXPECT_EQ(promtoolComplaints(metrics->body), "") << state;
  };
  check("no traffic");

  int port = meshlb.listenerPort(0);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(httpGet(port, "/app").has_value());
  }
  ASSERT_TRUE(httpGet(port, "/nowhere").has_value());                // 404
  ASSERT_TRUE(httpGet(port, "/app", "X-Upstream-Status: 503\r\n"));  // 503 from a host
  RawClient bad(port);
  bad.send("NOT HTTP\r\n\r\n");  // 400
  ASSERT_TRUE(bad.readResponse().has_value());
  check("after traffic");

  // c answers 500 until ejected; b dies (failing checks); a is drained by the operator.
  RawClient control(c.port());
  control.send("POST /_upstream/fault?status=500 HTTP/1.1\r\nHost: c\r\n\r\n");
  ASSERT_TRUE(control.readResponse().has_value());
  b.kill();
  auto drained =
      httpRequest(meshlb.adminPort(), "POST", "/clusters/app/hosts/" + a.address() + "/drain");
  ASSERT_TRUE(drained.has_value());
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && (meshlb.hostState("app", b.address()) != "unhealthy" ||
                                     meshlb.hostState("app", c.address()) != "ejected")) {
    httpGet(port, "/app");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(meshlb.hostState("app", b.address()), "unhealthy");
  EXPECT_EQ(meshlb.hostState("app", c.address()), "ejected");
  EXPECT_EQ(meshlb.hostState("app", a.address()), "draining");
  check("hosts down, ejected and drained");

  config["clusters"][0]["hosts"].erase(1);
  config["listeners"][0]["address"] = "127.0.0.1:" + std::to_string(port);
  config["admin"]["address"] = "127.0.0.1:" + std::to_string(meshlb.adminPort());
  std::ofstream(meshlb.configPath()) << config.dump(2);
  auto reloaded = httpRequest(meshlb.adminPort(), "POST", "/reload");
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_EQ(reloaded->status, 200) << reloaded->body;
  check("after a reload removed a host");
  auto metrics = httpGet(meshlb.adminPort(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->body.find(b.address()), std::string::npos) << "the removed host stays";
}

}  // namespace
}  // namespace meshlb::testing
