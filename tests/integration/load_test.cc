// wrk with 1000 connections for 10 s through meshlb: every request answered 2xx, no socket
// errors. A correctness test under load; speed figures belong to bench/, this only logs them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

TEST(LoadTest, ThousandConnectionsForTenSecondsWithoutErrors) {
  if (access("/usr/bin/wrk", X_OK) != 0) {
    GTEST_FAIL() << "wrk is not installed (scripts/install-deps.sh installs it)";
  }
  // 1000 client connections plus as many upstream ones: raise the soft fd limit to the hard one;
  // meshlb and wrk inherit it.
  ASSERT_GE(raiseFdLimitToHard(), 4096u) << "need at least 4096 file descriptors";

  TestUpstream a("a"), b("b"), c("c");
  Meshlb meshlb({{"workers", 2},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {clusterOf("app", {&a, &b, &c})}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();

  std::string url = "http://127.0.0.1:" + std::to_string(meshlb.listenerPort(0)) + "/";
  Process wrk("/usr/bin/wrk", {"-t2", "-c1000", "-d10s", "--timeout", "5s", url});
  wrk.waitForLine("Transfer/sec", std::chrono::seconds(60));
  ASSERT_EQ(wrk.wait(std::chrono::seconds(10)), 0);
  const std::string& report = wrk.output();
  std::cout << report;

  std::smatch match;
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"((\d+) requests in)"))) << report;
  long requests = std::stol(match[1]);
  EXPECT_GT(requests, 1000) << report;
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  nlohmann::json stats = meshlb.stats();
  EXPECT_EQ(stats["responses_5xx_total"], 0) << stats.dump(2);
  EXPECT_EQ(stats["upstream_resets_total"], 0) << stats.dump(2);
  RecordProperty("requests", static_cast<int>(requests));
}

}  // namespace
}  // namespace meshlb::testing
