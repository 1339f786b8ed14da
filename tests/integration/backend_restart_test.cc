// The acceptance scenario of the resilience work: three backends under load for 20 s; one is
// killed at 5 s and restarted at 12 s. With health checks and retries on connect-failure and
// reset, no client request fails, and the host's state follows its life within the bounds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(BackendRestartTest, NoClientRequestFailsWhileABackendDiesAndReturns) {
  ASSERT_EQ(access("/usr/bin/wrk", X_OK), 0) << "wrk is required (scripts/install-deps.sh)";
  constexpr int kIntervalMs = 500;
  constexpr int kTimeoutMs = 250;
  TestUpstream a("a"), b("b"), c("c");
  nlohmann::json cluster = clusterOf("app", {&a, &b, &c});
  cluster["health_check"] = {
      {"type", "http"},           {"path", "/healthz"},       {"interval_ms", kIntervalMs},
      {"timeout_ms", kTimeoutMs}, {"unhealthy_threshold", 2}, {"healthy_threshold", 2}};
  // When the backend dies, every request in flight on its connections is reset at once: up to
  // a third of the 50 client connections. The retry budget must let all of them retry, or a
  // request fails by design (budget refusals are counted; a CI run once saw one with the
  // default of 3 per worker).
  cluster["retry_policy"] = {{"retry_on", {"connect-failure", "reset"}},
                             {"max_retries", 2},
                             {"min_retry_concurrency", 50}};
  Meshlb meshlb({{"workers", 2},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {cluster}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();

  std::string url = "http://127.0.0.1:" + std::to_string(meshlb.listenerPort(0)) + "/";
  Process wrk("/usr/bin/wrk", {"-t2", "-c50", "-d20s", "--timeout", "5s", url});
  auto start = Clock::now();
  auto since = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  };
  auto waitState = [&](const std::string& state) {
    while (since() < 19000) {
      if (meshlb.hostState("app", b.address()) == state) {
        return since();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return static_cast<long>(-1);
  };

  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
  b.kill();
  long killed_at = since();
  long unhealthy_at = waitState("unhealthy");
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max(0L, 12000 - since())));
  b.restart();
  long restarted_at = since();
  long healthy_at = waitState("healthy");

  wrk.waitForLine("Transfer/sec", std::chrono::seconds(40));
  ASSERT_EQ(wrk.wait(std::chrono::seconds(10)), 0);
  const std::string& report = wrk.output();
  std::cout << report;
  std::cout << "killed at " << killed_at << " ms, unhealthy after " << unhealthy_at - killed_at
            << " ms; restarted at " << restarted_at << " ms, healthy after "
            << healthy_at - restarted_at << " ms\n";
  nlohmann::json stats = meshlb.stats();
  std::cout << "retries " << stats["upstream_retries_total"] << ", reuse retries "
            << stats["upstream_reuse_retries_total"] << "\n";

  std::smatch match;
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"((\d+) requests in)"))) << report;
  EXPECT_GT(std::stol(match[1]), 10000);
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  EXPECT_EQ(stats["responses_5xx_total"], 0) << stats.dump(2);

  ASSERT_GE(unhealthy_at, 0) << "never marked unhealthy";
  ASSERT_GE(healthy_at, 0) << "never healthy again";
  // 2 intervals + 1 timeout, and healthy_threshold intervals; the margin absorbs a loaded
  // machine (the real figures are printed above).
  EXPECT_LT(unhealthy_at - killed_at, 2 * kIntervalMs + kTimeoutMs + 1500);
  EXPECT_LT(healthy_at - restarted_at, 2 * kIntervalMs + 1500);
  EXPECT_GT(b.requests(), 0u) << "the restarted backend got no traffic back";
}

}  // namespace
}  // namespace meshlb::testing
