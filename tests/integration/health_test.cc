// Health in the real binary: active checks take a dead backend out and bring it back, outlier
// detection ejects a backend that answers 500 to everything for the ejection time, and panic
// mode engages when two of three hosts are down.
#include <gtest/gtest.h>

#include <signal.h>

#include <map>
#include <thread>

#include "support/instances.h"
#include "support/limits.h"

namespace meshlb::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Polls until meshlb reports `state` for the host; returns how long it took (or -1 ms).
std::chrono::milliseconds waitForState(const Meshlb& meshlb, const TestUpstream& host,
                                       const std::string& state,
                                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (meshlb.hostState("app", host.address()) == state) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::chrono::milliseconds(-1);
}

std::map<std::string, int> spread(int port, int requests) {
  std::map<std::string, int> hits;
  for (int i = 0; i < requests; ++i) {
    auto response = httpGet(port, "/");
    ++hits[response ? std::to_string(response->status) + ":" + response->header("x-upstream-name")
                    : "none"];
  }
  return hits;
}

class HealthTest : public ::testing::Test {
 protected:
  static constexpr int kIntervalMs = 200;
  static constexpr int kTimeoutMs = 100;

  TestUpstream a_{"a"};
  TestUpstream b_{"b"};
  TestUpstream c_{"c"};

  nlohmann::json config() {
    nlohmann::json cluster = clusterOf("app", {&a_, &b_, &c_});
    cluster["health_check"] = {
        {"type", "http"},           {"path", "/healthz"},       {"interval_ms", kIntervalMs},
        {"timeout_ms", kTimeoutMs}, {"unhealthy_threshold", 2}, {"healthy_threshold", 2}};
    return {{"workers", 2},
            {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
            {"clusters", {cluster}}};
  }
};

TEST_F(HealthTest, ActiveCheckTakesADeadBackendOutAndBringsItBack) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  ASSERT_GE(waitForState(meshlb, b_, "healthy").count(), 0);

  b_.kill();
  auto down = waitForState(meshlb, b_, "unhealthy");
  std::cout << "marked unhealthy after " << down.count() << " ms\n";
  RecordProperty("unhealthy_after_ms", static_cast<int>(down.count()));
  ASSERT_GE(down.count(), 0) << meshlb.stderrLog();
  // Bound: 2 intervals + 1 timeout (500 ms here), with a wide margin for a loaded machine.
  EXPECT_LT(down.count(), 2 * kIntervalMs + kTimeoutMs + 2000);

  auto hits = spread(meshlb.listenerPort(0), 30);
  EXPECT_EQ(hits["200:a"] + hits["200:c"], 30) << ::testing::PrintToString(hits);

  b_.restart();
  auto up = waitForState(meshlb, b_, "healthy");
  std::cout << "healthy again after " << up.count() << " ms\n";
  RecordProperty("healthy_after_ms", static_cast<int>(up.count()));
  ASSERT_GE(up.count(), 0) << meshlb.stderrLog();
  EXPECT_LT(up.count(), 2 * kIntervalMs + 2000);  // healthy_threshold intervals, plus margin
  hits = spread(meshlb.listenerPort(0), 30);
  EXPECT_GT(hits["200:b"], 0) << ::testing::PrintToString(hits);
}

TEST_F(HealthTest, PanicBalancesOverAllHostsWhenTwoOfThreeAreDown) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  b_.kill();
  c_.kill();
  ASSERT_GE(waitForState(meshlb, b_, "unhealthy").count(), 0);
  ASSERT_GE(waitForState(meshlb, c_, "unhealthy").count(), 0);
  nlohmann::json clusters = meshlb.clusters();
  EXPECT_EQ(clusters["clusters"][0]["panic"], true);
  EXPECT_EQ(clusters["clusters"][0]["usable_hosts"], 1);
  // In panic every host takes its share: the dead ones fail fast (502), a keeps serving.
  auto hits = spread(meshlb.listenerPort(0), 30);
  EXPECT_GT(hits["200:a"], 0) << ::testing::PrintToString(hits);
  EXPECT_GT(hits["502:"], 0) << ::testing::PrintToString(hits);
  EXPECT_GT(meshlb.stats()["lb_panic_total"].get<int>(), 0);
}

TEST(DrainingTest, HostMarkedDrainingTakesNoNewRequestsAndFinishesItsOwn) {
  TestUpstream a("a"), b("b");
  nlohmann::json cluster = clusterOf("app", {&a, &b});
  Meshlb meshlb({{"workers", 1},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {cluster}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  // A slow request is in flight when the operator drains both a and b (config change and
  // SIGHUP) and adds a third host (a again, under another entry).
  RawClient slow(meshlb.listenerPort(0));
  slow.send("GET / HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 600\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  nlohmann::json config = meshlb.runningConfig();
  config["clusters"][0]["hosts"][0]["draining"] = true;  // a
  config["clusters"][0]["hosts"][1]["draining"] = true;  // b
  config["clusters"][0]["hosts"].push_back({{"address", a.address()}, {"weight", 1}});
  meshlb.replaceConfig(config);
  kill(meshlb.process().pid(), SIGHUP);
  auto answer = slow.readResponse();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200) << "the request in flight on a draining host finished";
  EXPECT_EQ(waitForState(meshlb, b, "draining").count() >= 0, true);
  auto hits = spread(meshlb.listenerPort(0), 10);
  EXPECT_EQ(hits["200:a"], 10) << ::testing::PrintToString(hits);
}

TEST(OutlierTest, BackendAnswering500IsEjectedThenReturns) {
  TestUpstream a("a"), b("b"), c("c");
  nlohmann::json cluster = clusterOf("app", {&a, &b, &c});
  // The ejection must outlast the 20 requests below; a sanitizer build serves them slower.
  const int ejection_ms = 1500 * kSanitizerSlowdown;
  cluster["outlier_detection"] = {{"consecutive_5xx", 3}, {"base_ejection_ms", ejection_ms}};
  Meshlb meshlb({{"workers", 1},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {cluster}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient control(c.port());
  control.send("POST /_upstream/fault?status=500 HTTP/1.1\r\nHost: c\r\n\r\n");
  ASSERT_TRUE(control.readResponse().has_value());

  // Round robin over 3 hosts: c answers every third request; the third 500 ejects it.
  auto hits = spread(meshlb.listenerPort(0), 9);
  EXPECT_EQ(hits["500:c"], 3) << ::testing::PrintToString(hits);
  ASSERT_GE(
      waitForState(meshlb, c, "ejected", std::chrono::seconds(2 * kSanitizerSlowdown)).count(), 0);
  auto start = Clock::now();
  hits = spread(meshlb.listenerPort(0), 20);
  EXPECT_EQ(hits["500:c"], 0) << "an ejected host got traffic " << ::testing::PrintToString(hits);
  EXPECT_EQ(hits["200:a"] + hits["200:b"], 20);

  // After the ejection time it is back (and, still answering 500, will be ejected again later
  // for twice as long).
  auto back = waitForState(meshlb, c, "healthy", std::chrono::milliseconds(4 * ejection_ms));
  auto ejected_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ASSERT_GE(back.count(), 0);
  std::cout << "ejection lasted about " << ejected_for.count() << " ms (configured " << ejection_ms
            << ")\n";
  EXPECT_GE(ejected_for.count(), ejection_ms * 2 / 3);
  nlohmann::json host = meshlb.clusters()["clusters"][0]["hosts"][2];
  EXPECT_EQ(host["ejections_total"], 1);
}

}  // namespace
}  // namespace meshlb::testing
