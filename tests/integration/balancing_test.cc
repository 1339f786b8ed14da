// The real binary balancing real backends: every request of a round_robin cluster lands on the
// next host, over HTTP and over a TCP listener.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

class BalancingTest : public ::testing::Test {
 protected:
  TestUpstream a_{"backend-a"};
  TestUpstream b_{"backend-b"};
  TestUpstream c_{"backend-c"};

  nlohmann::json config() {
    return {{"workers", 1},
            {"listeners",
             {{{"name", "web"},
               {"protocol", "http"},
               {"routes", {{{"host", "*"}, {"path_prefix", "/"}, {"cluster", "app"}}}}},
              {{"name", "raw"}, {"protocol", "tcp"}, {"cluster", "app"}}}},
            {"clusters", {clusterOf("app", {&a_, &b_, &c_})}}};
  }
};

TEST_F(BalancingTest, RoundRobinSpreadsThirtyHttpRequestsEvenly) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::map<std::string, int> hits;
  for (int i = 0; i < 30; ++i) {
    auto response = httpGet(meshlb.listenerPort(0), "/");
    ASSERT_TRUE(response.has_value()) << "request " << i;
    ASSERT_EQ(response->status, 200);
    ++hits[response->header("x-upstream-name")];
  }
  EXPECT_EQ(hits["backend-a"], 10);
  EXPECT_EQ(hits["backend-b"], 10);
  EXPECT_EQ(hits["backend-c"], 10);
  EXPECT_EQ(a_.requests() + b_.requests() + c_.requests(), 30u);
}

TEST_F(BalancingTest, RoundRobinSpreadsRequestsOfOneKeepAliveConnection) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  std::map<std::string, int> hits;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n"));
    auto response = client.readResponse();
    ASSERT_TRUE(response.has_value()) << "request " << i;
    ++hits[response->header("x-upstream-name")];
  }
  EXPECT_EQ(hits["backend-a"], 10);
  EXPECT_EQ(hits["backend-b"], 10);
  EXPECT_EQ(hits["backend-c"], 10);
  // One client connection, reused upstream connections: far fewer than 30 upstream connects.
  EXPECT_LE(meshlb.stats()["upstream_connections_total"].get<int>(), 3);
}

TEST_F(BalancingTest, RoundRobinSpreadsThirtyTcpConnectionsEvenly) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::map<std::string, int> hits;
  for (int i = 0; i < 30; ++i) {
    // Through the L4 listener the backend sees the client's bytes unchanged.
    auto response = httpGet(meshlb.listenerPort(1), "/");
    ASSERT_TRUE(response.has_value()) << "connection " << i;
    ASSERT_EQ(response->status, 200);
    ++hits[response->header("x-upstream-name")];
  }
  EXPECT_EQ(hits["backend-a"], 10);
  EXPECT_EQ(hits["backend-b"], 10);
  EXPECT_EQ(hits["backend-c"], 10);
  EXPECT_EQ(meshlb.stats()["tcp_sessions_total"].get<int>(), 30);
}

TEST_F(BalancingTest, RingHashKeepsAKeyOnOneHost) {
  nlohmann::json cfg = config();
  cfg["workers"] = 2;
  cfg["clusters"][0]["lb_policy"] = "ring_hash";
  cfg["clusters"][0]["hash_policy"] = {{"header", "x-user"}};
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::map<std::string, std::set<std::string>> hosts_by_user;
  for (int i = 0; i < 60; ++i) {
    std::string user = "user-" + std::to_string(i % 6);
    auto response = httpGet(meshlb.listenerPort(0), "/", "X-User: " + user + "\r\n");
    ASSERT_TRUE(response.has_value());
    hosts_by_user[user].insert(response->header("x-upstream-name"));
  }
  for (const auto& [user, hosts] : hosts_by_user) {
    EXPECT_EQ(hosts.size(), 1u) << user << " was sent to several hosts (both workers agree)";
  }
}

}  // namespace
}  // namespace meshlb::testing
