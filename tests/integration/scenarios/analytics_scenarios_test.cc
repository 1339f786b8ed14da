// The analytics core end to end: the real binary with real backends, steady wrk load with
// natural jitter, capture on, and a fault injected after the detectors have learned. Each test
// asserts the anomaly and its diagnosis arrive within a generous deadline, and logs the real
// delay; the strict figures are the README's. Needs root (capture, network namespaces).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "scenarios/netns_upstream.h"
#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kWarmupS = 30;

nlohmann::json getJson(int port, const std::string& path) {
  auto response = httpGet(port, path);
  if (!response) {
    return nullptr;
  }
  return nlohmann::json::parse(response->body, nullptr, false);
}

nlohmann::json scenarioConfig(const nlohmann::json& cluster, const nlohmann::json& interfaces) {
  nlohmann::json app = cluster;
  app["connect_timeout_ms"] = 3000;
  app["health_check"] = {{"type", "tcp"},
                         {"interval_ms", 500},
                         {"timeout_ms", 400},
                         {"unhealthy_threshold", 2},
                         {"healthy_threshold", 2}};
  return {{"workers", 2},
          {"capture", {{"interfaces", interfaces}}},
          {"analytics", {{"warmup_s", kWarmupS}}},
          {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
          {"clusters", {app}}};
}

// wrk with the analytics load script for `seconds`.
std::unique_ptr<Process> startLoad(const Meshlb& meshlb, int seconds,
                                   const std::string& path = "/") {
  std::string url = "http://127.0.0.1:" + std::to_string(meshlb.listenerPort(0));
  return std::make_unique<Process>(
      "/usr/bin/wrk",
      std::vector<std::string>{
          "-t2", "-c48", "-d" + std::to_string(seconds) + "s", "--timeout", "10s", "-s",
          std::string(MESHLB_SOURCE_DIR) + "/tests/integration/data/analytics_load.lua", url, "--",
          path});
}

// Waits until every detector has learned (plus a few seconds of armed baseline).
bool waitForWarmup(const Meshlb& meshlb) {
  auto deadline = Clock::now() + std::chrono::seconds(kWarmupS + 30);
  while (Clock::now() < deadline) {
    nlohmann::json status = getJson(meshlb.adminPort(), "/analytics/status");
    if (status.is_object() && status["warmup_remaining_s"] == 0) {
      std::this_thread::sleep_for(5s);
      return true;
    }
    std::this_thread::sleep_for(500ms);
  }
  return false;
}

nlohmann::json anomalies(const Meshlb& meshlb, const std::string& query = "state=all") {
  nlohmann::json body = getJson(meshlb.adminPort(), "/analytics/anomalies?" + query);
  return body.is_object() ? body["anomalies"] : nlohmann::json::array();
}

// Polls /analytics/anomalies every 250 ms until `match` accepts one; returns it and logs how
// long it took.
std::optional<nlohmann::json> waitForAnomaly(
    const Meshlb& meshlb, std::chrono::seconds limit,
    const std::function<bool(const nlohmann::json&)>& match, const char* what) {
  auto started = Clock::now();
  while (Clock::now() - started < limit) {
    for (const nlohmann::json& anomaly : anomalies(meshlb)) {
      if (match(anomaly)) {
        double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::cout << what << ": seen after " << seconds << " s (anomaly start "
                  << anomaly["start_unix_ms"] << ")\n";
        return anomaly;
      }
    }
    std::this_thread::sleep_for(250ms);
  }
  std::cout << what << ": not seen within " << limit.count()
            << " s; anomalies: " << anomalies(meshlb).dump(2) << "\n";
  return std::nullopt;
}

bool hasCause(const nlohmann::json& anomaly, const std::string& cause) {
  return anomaly["diagnosis"]["cause"] == cause;
}

bool isLatency(const nlohmann::json& anomaly) {
  return anomaly["metric"] == "latency_p50_ms" || anomaly["metric"] == "latency_p99_ms";
}

bool postFault(const TestUpstream& upstream, const std::string& query) {
  auto response = httpRequest(upstream.port(), "POST", "/_upstream/fault?" + query, "");
  return response && response->status == 200;
}

class AnalyticsScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the scenarios capture on lo and create network namespaces";
    ASSERT_EQ(access("/usr/bin/wrk", X_OK), 0) << "wrk is not installed";
  }
};

TEST_F(AnalyticsScenarioTest, SlowBackendIsAnApplicationAnomaly) {
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb(scenarioConfig(clusterOf("app", {&a, &b, &c}), {"lo"}));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto load = startLoad(meshlb, kWarmupS + 60);
  ASSERT_TRUE(waitForWarmup(meshlb));
  ASSERT_TRUE(anomalies(meshlb).empty()) << anomalies(meshlb).dump(2);

  ASSERT_TRUE(postFault(b, "delay_ms=200"));
  auto found = waitForAnomaly(
      meshlb, 15s,
      [&](const nlohmann::json& anomaly) {
        return anomaly["host"] == b.address() && isLatency(anomaly) &&
               hasCause(anomaly, "application");
      },
      "latency anomaly on b, diagnosis application");
  ASSERT_TRUE(found);
  const nlohmann::json& evidence = (*found)["diagnosis"]["evidence"];
  EXPECT_GT(evidence["latency_p50_ms"]["during"].get<double>(), 100) << evidence.dump(2);
  // The kernel answers handshakes: they stayed flat while the answers got slow.
  const nlohmann::json& handshake = evidence["handshake_rtt_ms"];
  ASSERT_FALSE(handshake["during"].is_null()) << evidence.dump(2);
  EXPECT_LT(handshake["during"].get<double>() - handshake["before"].get<double>(), 2.0);
  for (const nlohmann::json& anomaly : anomalies(meshlb)) {
    EXPECT_FALSE(anomaly["host"] != b.address() && isLatency(anomaly)) << anomaly.dump(2);
  }
}

TEST_F(AnalyticsScenarioTest, ShapedBackendLinkIsANetworkAnomaly) {
  TestUpstream a("a"), b("b");
  NetnsUpstream shaped("shaped", static_cast<int>(getpid() % 64));
  ASSERT_TRUE(shaped.ok()) << shaped.error();
  nlohmann::json cluster = clusterOf("app", {&a, &b});
  cluster["hosts"].push_back({{"address", shaped.address()}});
  Meshlb meshlb(scenarioConfig(cluster, {"lo", shaped.hostInterface()}));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto load = startLoad(meshlb, kWarmupS + 60, "/bytes/1500");
  ASSERT_TRUE(waitForWarmup(meshlb));
  ASSERT_TRUE(anomalies(meshlb).empty()) << anomalies(meshlb).dump(2);

  // About 26 requests per second of 1.8 KB to this backend is 1.5 times the shaped rate: its
  // queue stays full, packets wait up to 200 ms and some are dropped.
  ASSERT_TRUE(shaped.shape("rate 256kbit burst 4kb latency 200ms"));
  auto found = waitForAnomaly(
      meshlb, 20s,
      [&](const nlohmann::json& anomaly) {
        return anomaly["host"] == shaped.address() && hasCause(anomaly, "network");
      },
      "anomaly on the shaped backend, diagnosis network");
  ASSERT_TRUE(found);
  const nlohmann::json& evidence = (*found)["diagnosis"]["evidence"];
  const nlohmann::json& handshake = evidence["handshake_rtt_ms"];
  const nlohmann::json& retransmits = evidence["retransmit_ratio"];
  bool rtt_rose = !handshake["during"].is_null() && !handshake["before"].is_null() &&
                  handshake["during"].get<double>() - handshake["before"].get<double>() >= 20;
  bool retransmits_rose =
      !retransmits["during"].is_null() && retransmits["during"].get<double>() >= 0.01;
  EXPECT_TRUE(rtt_rose || retransmits_rose) << evidence.dump(2);
  std::cout << "handshake RTT before/during: " << handshake["before"] << " / "
            << handshake["during"] << " ms; retransmit ratio " << retransmits["during"] << "\n";
}

TEST_F(AnalyticsScenarioTest, KilledBackendIsBackendDown) {
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb(scenarioConfig(clusterOf("app", {&a, &b, &c}), {"lo"}));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto load = startLoad(meshlb, kWarmupS + 60);
  ASSERT_TRUE(waitForWarmup(meshlb));
  std::string address = a.address();
  a.kill();
  auto found = waitForAnomaly(
      meshlb, 8s,
      [&](const nlohmann::json& anomaly) {
        return anomaly["host"] == address && hasCause(anomaly, "backend_down");
      },
      "backend_down on the killed backend");
  ASSERT_TRUE(found);
  nlohmann::json summary = getJson(meshlb.adminPort(), "/analytics/summary");
  for (const nlohmann::json& host : summary["clusters"][0]["hosts"]) {
    if (host["host"] == address) {
      EXPECT_EQ(host["health_score"], 0) << host.dump(2);
    }
  }
}

TEST_F(AnalyticsScenarioTest, EveryBackendSlowIsClusterWide) {
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb(scenarioConfig(clusterOf("app", {&a, &b, &c}), {"lo"}));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto load = startLoad(meshlb, kWarmupS + 60);
  ASSERT_TRUE(waitForWarmup(meshlb));
  for (TestUpstream* upstream : {&a, &b, &c}) {
    ASSERT_TRUE(postFault(*upstream, "delay_ms=200"));
  }
  auto host_anomaly = waitForAnomaly(
      meshlb, 20s,
      [&](const nlohmann::json& anomaly) {
        return anomaly["scope"] == "host" && isLatency(anomaly) &&
               hasCause(anomaly, "cluster_wide");
      },
      "host latency anomaly, diagnosis cluster_wide");
  ASSERT_TRUE(host_anomaly);
  EXPECT_GE((*host_anomaly)["diagnosis"]["evidence"]["peers"]["hosts_moved"].get<int>(), 2);
  auto cluster_anomaly = waitForAnomaly(
      meshlb, 10s,
      [&](const nlohmann::json& anomaly) {
        return anomaly["scope"] == "cluster" && isLatency(anomaly) &&
               hasCause(anomaly, "cluster_wide");
      },
      "cluster latency anomaly, diagnosis cluster_wide");
  EXPECT_TRUE(cluster_anomaly);
  size_t cluster_wide_hosts = 0;
  for (const nlohmann::json& anomaly : anomalies(meshlb)) {
    cluster_wide_hosts += anomaly["scope"] == "host" && hasCause(anomaly, "cluster_wide") ? 1 : 0;
  }
  EXPECT_GE(cluster_wide_hosts, 2u);
}

TEST_F(AnalyticsScenarioTest, SteadyLoadRaisesNoAnomaly) {
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb(scenarioConfig(clusterOf("app", {&a, &b, &c}), {"lo"}));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto load = startLoad(meshlb, kWarmupS + 100);
  ASSERT_TRUE(waitForWarmup(meshlb));
  double max_lag_ms = 0;
  auto until = Clock::now() + 60s;
  while (Clock::now() < until) {
    nlohmann::json status = getJson(meshlb.adminPort(), "/analytics/status");
    if (status.is_object()) {
      max_lag_ms = std::max(max_lag_ms, status["tick_lag_ms"].get<double>());
    }
    std::this_thread::sleep_for(1s);
  }
  std::cout << "steady load, 60 s armed: " << anomalies(meshlb).size()
            << " anomalies, max tick lag " << max_lag_ms << " ms\n";
  EXPECT_TRUE(anomalies(meshlb).empty()) << anomalies(meshlb).dump(2);
  EXPECT_LT(max_lag_ms, 500);
  // The series endpoint has the history the detectors saw.
  auto series = httpGet(
      meshlb.adminPort(),
      "/analytics/series?metric=latency_p50_ms&cluster=app&host=" + b.address() + "&from=-60s");
  ASSERT_TRUE(series);
  nlohmann::json body = nlohmann::json::parse(series->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << series->body;
  size_t with_value = 0;
  for (const nlohmann::json& point : body["points"]) {
    with_value += point[1].is_null() ? 0 : 1;
  }
  EXPECT_GE(with_value, 50u) << series->body;
}

}  // namespace
}  // namespace meshlb::testing
