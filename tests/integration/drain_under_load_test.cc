// Draining a host through the admin API while wrk sends traffic: from the drain on, the host
// gets no new requests (only those already in flight finish), and no request fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

TEST(DrainUnderLoadTest, DrainedHostGetsNoNewRequestsAndNothingFails) {
  if (access("/usr/bin/wrk", X_OK) != 0) {
    GTEST_FAIL() << "wrk is not installed (scripts/install-deps.sh installs it)";
  }
  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb({{"workers", 2},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {clusterOf("app", {&a, &b, &c})}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();

  constexpr int kConnections = 20;
  std::string url = "http://127.0.0.1:" + std::to_string(meshlb.listenerPort(0)) + "/";
  Process wrk("/usr/bin/wrk",
              {"-t2", "-c" + std::to_string(kConnections), "-d5s", "--timeout", "5s", url});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  uint64_t before_drain = b.requests();
  ASSERT_GT(before_drain, 0u) << "b got no traffic before the drain";
  auto drained =
      httpRequest(meshlb.adminPort(), "POST", "/clusters/app/hosts/" + b.address() + "/drain");
  ASSERT_TRUE(drained.has_value());
  ASSERT_EQ(drained->status, 200) << drained->body;
  uint64_t at_drain = b.requests();
  // Requests picked before the workers saw the drain may still arrive: at most one per
  // connection. Give them a moment, then b must see nothing more.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  uint64_t settled = b.requests();

  wrk.waitForLine("Transfer/sec", std::chrono::seconds(30));
  ASSERT_EQ(wrk.wait(std::chrono::seconds(10)), 0);
  const std::string& report = wrk.output();
  std::cout << report;
  uint64_t after = b.requests();
  std::cout << "b: " << before_drain << " before the drain, " << at_drain << " when it answered, "
            << settled << " 300 ms later, " << after << " at the end\n";

  EXPECT_LE(settled - at_drain, static_cast<uint64_t>(kConnections));
  EXPECT_EQ(after, settled) << "the drained host kept getting new requests";
  EXPECT_GT(a.requests() + c.requests(), 2 * before_drain) << "the others took the load";
  std::smatch match;
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"((\d+) requests in)"))) << report;
  EXPECT_GT(std::stol(match[1]), 1000) << report;
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  nlohmann::json stats = meshlb.stats();
  EXPECT_EQ(stats["responses_5xx_total"], 0) << stats.dump(2);
}

}  // namespace
}  // namespace meshlb::testing
