// Hot reload through SIGHUP on the real binary: valid changes apply under load without a failed
// request, an invalid file changes nothing, and listeners come and go.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

// Waits up to 15 s (a generous margin on a loaded machine; a reload takes milliseconds) for the
// running generation to reach `generation`.
bool waitGeneration(const Meshlb& meshlb, int generation) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    nlohmann::json stats = meshlb.stats();
    if (stats.contains("config_generation") && stats["config_generation"] == generation) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

nlohmann::json baseConfig(TestUpstream& a) {
  return {{"workers", 2},
          {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
          {"clusters", {clusterOf("app", {&a})}}};
}

TEST(ReloadTest, ChangesEverySecondUnderLoadFailNoRequest) {
  ASSERT_EQ(access("/usr/bin/wrk", X_OK), 0) << "wrk is required";
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb(baseConfig(a));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  nlohmann::json config = meshlb.runningConfig();

  std::string url = "http://127.0.0.1:" + std::to_string(meshlb.listenerPort(0)) + "/";
  Process wrk("/usr/bin/wrk", {"-t2", "-c50", "-d20s", "--timeout", "5s", url});
  // Hosts added, removed and reweighted; routes and policies changed; every second.
  std::vector<nlohmann::json> host_sets = {
      clusterOf("app", {&a, &b})["hosts"],
      clusterOf("app", {&b})["hosts"],
      clusterOf("app", {&b, &c})["hosts"],
      clusterOf("app", {&c, &a})["hosts"],
  };
  int generation = 1;
  for (int second = 1; second < 20; ++second) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    config["clusters"][0]["hosts"] = host_sets[second % host_sets.size()];
    config["clusters"][0]["hosts"][0]["weight"] = 1 + second % 3;
    config["clusters"][0]["lb_policy"] = second % 2 == 0 ? "round_robin" : "least_request";
    config["listeners"][0]["routes"][0]["path_prefix"] = second % 2 == 0 ? "/" : "/";
    meshlb.replaceConfig(config);
    kill(meshlb.process().pid(), SIGHUP);
    ++generation;
    // Two SIGHUPs that arrive before the first is handled are one: wait for each reload before
    // the next, or a stalled machine turns two changes into one reload.
    ASSERT_TRUE(waitGeneration(meshlb, generation)) << meshlb.stats().dump(2);
  }
  wrk.waitForLine("Transfer/sec", std::chrono::seconds(40));
  ASSERT_EQ(wrk.wait(std::chrono::seconds(10)), 0);
  const std::string& report = wrk.output();
  std::cout << report;
  ASSERT_TRUE(waitGeneration(meshlb, generation)) << meshlb.stats().dump(2);
  nlohmann::json stats = meshlb.stats();
  std::cout << "generation " << stats["config_generation"] << ", reloads "
            << stats["config_reloads_total{result=\"success\"}"] << "\n";
  EXPECT_EQ(stats["config_reloads_total{result=\"success\"}"], 19);
  EXPECT_EQ(stats["config_reloads_total{result=\"failure\"}"], 0);
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  EXPECT_EQ(stats["responses_5xx_total"], 0);
  EXPECT_GT(a.requests(), 0u);
  EXPECT_GT(b.requests(), 0u);
  EXPECT_GT(c.requests(), 0u);
}

TEST(ReloadTest, KeepAliveConnectionOutlivesItsGenerationUnderAConnectionLimit) {
  // A connection counted in generation 1's listener gauge follows the reloads; when generation
  // 1 is freed, the connection must count in (and later leave) the newest one instead.
  TestUpstream a("a");
  nlohmann::json config = baseConfig(a);
  config["listeners"][0]["max_connections"] = 2;
  Meshlb meshlb(config);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  nlohmann::json running = meshlb.runningConfig();
  RawClient client(meshlb.listenerPort(0));
  for (int generation = 2; generation <= 4; ++generation) {
    meshlb.replaceConfig(running);
    kill(meshlb.process().pid(), SIGHUP);
    ASSERT_TRUE(waitGeneration(meshlb, generation));
    client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");  // moves to the newest generation
    auto response = client.readResponse();
    ASSERT_TRUE(response.has_value()) << generation;
    EXPECT_EQ(response->status, 200);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // old generations are freed
  // /server_info shows a generation before every worker has applied it: on a loaded machine the
  // last request may have run on generation 3, whose gauge still counts the first connection
  // while generation 4 admits a second and a third. Each round moves the first connection on
  // again with a request, until a third is refused (at most 15 s).
  bool third_refused = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!third_refused && std::chrono::steady_clock::now() < deadline) {
    client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(client.readResponse().has_value());
    RawClient second(meshlb.listenerPort(0));  // 2 of 2: still admitted
    second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(second.readResponse().has_value());
    RawClient third(meshlb.listenerPort(0), std::chrono::seconds(2));
    third_refused = third.waitClosed();
  }
  EXPECT_TRUE(third_refused) << "the first connection is no longer counted";
  EXPECT_EQ(meshlb.stats()["downstream_connections_refused_total"], 1);
}

TEST(ReloadTest, InvalidConfigIsRejectedAndTrafficGoesOn) {
  TestUpstream a("a");
  Meshlb meshlb(baseConfig(a));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  nlohmann::json config = meshlb.runningConfig();
  config["clusters"][0]["hosts"][0]["address"] = "127.0.0.1:99999";
  config["listeners"][0]["tiemout"] = 1;
  meshlb.replaceConfig(config);
  kill(meshlb.process().pid(), SIGHUP);
  nlohmann::json stats;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    stats = meshlb.stats();
    if (stats["config_reloads_total{result=\"failure\"}"] == 1) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(stats["config_reloads_total{result=\"failure\"}"], 1);
  EXPECT_EQ(stats["config_generation"], 1);
  auto ready = httpGet(meshlb.adminPort(), "/ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
  nlohmann::json detail = nlohmann::json::parse(ready->body);
  EXPECT_EQ(detail["last_reload_errors"].size(), 2u) << ready->body;
  auto response = httpGet(meshlb.listenerPort(0), "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(meshlb.stderrLog().find("clusters[0].hosts[0].address: port out of range"),
            std::string::npos);
}

TEST(ReloadTest, ListenersComeAndGoAndInFlightRequestsFinish) {
  TestUpstream a("a");
  Meshlb meshlb(baseConfig(a));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  nlohmann::json config = meshlb.runningConfig();
  int extra_port = freePort();
  config["listeners"].push_back({{"name", "extra"},
                                 {"address", "127.0.0.1:" + std::to_string(extra_port)},
                                 {"protocol", "tcp"},
                                 {"cluster", "app"}});
  meshlb.replaceConfig(config);
  kill(meshlb.process().pid(), SIGHUP);
  ASSERT_TRUE(waitGeneration(meshlb, 2)) << meshlb.stderrLog();
  auto through_new = httpGet(extra_port, "/");
  ASSERT_TRUE(through_new.has_value());
  EXPECT_EQ(through_new->body, "a\n");

  // A slow request in flight on the old generation survives the listener's removal.
  RawClient slow(meshlb.listenerPort(0));
  slow.send("GET / HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 700\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  config["listeners"].erase(config["listeners"].begin() + 1);
  meshlb.replaceConfig(config);
  kill(meshlb.process().pid(), SIGHUP);
  ASSERT_TRUE(waitGeneration(meshlb, 3));
  auto response = slow.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawClient refused(extra_port);
  EXPECT_FALSE(refused.connected()) << "the removed listener still accepts";
}

}  // namespace
}  // namespace meshlb::testing
