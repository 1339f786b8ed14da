// HTTP/1.1 proxying through the real binary: keep-alive, pipelining, HTTP/1.0, 100-continue,
// chunked bodies both ways, upgrades, forwarding headers, routing, and the errors clients see.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

nlohmann::json webListener(nlohmann::json routes = {{{"cluster", "app"}}}) {
  return {{"name", "web"}, {"protocol", "http"}, {"routes", routes}};
}

class HttpProxyTest : public ::testing::Test {
 protected:
  TestUpstream upstream_{"backend"};

  nlohmann::json config(nlohmann::json listener = webListener()) {
    return {
        {"workers", 1}, {"listeners", {listener}}, {"clusters", {clusterOf("app", {&upstream_})}}};
  }
};

TEST_F(HttpProxyTest, PipelinedRequestsAreAnsweredInOrder) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  // The first is slow: the later ones must still come back after it, in order.
  client.send(
      "GET /echo/1 HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 200\r\n\r\n"
      "GET /echo/2 HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /echo/3 HTTP/1.1\r\nHost: a\r\n\r\n");
  for (int i = 1; i <= 3; ++i) {
    auto response = client.readResponse();
    ASSERT_TRUE(response.has_value()) << "response " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(response->body.starts_with("GET /echo/" + std::to_string(i) + " "))
        << response->body;
  }
}

TEST_F(HttpProxyTest, Http10ClientGetsHttp10AnswerAndClose) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("GET /bytes/1000?chunked=1 HTTP/1.0\r\n\r\n");
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->version, "HTTP/1.0");
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 1000u);  // de-chunked, delimited by close
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpProxyTest, Http10KeepAliveIsHonoured) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  for (int i = 0; i < 2; ++i) {
    client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto response = client.readResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->header("connection"), "keep-alive");
  }
}

TEST_F(HttpProxyTest, ExpectContinueGets100BeforeTheBodyIsSent) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send(
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.readResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  client.send("hello");
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-upstream-received-bytes"), "5");
}

TEST_F(HttpProxyTest, ChunkedBodiesStreamBothWays) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  client.send("4\r\nabcd\r\n");
  client.send("6\r\nefghij\r\n0\r\n\r\n");
  auto upload = client.readResponse();
  ASSERT_TRUE(upload.has_value());
  EXPECT_EQ(upload->header("x-upstream-received-bytes"), "10");

  client.send("GET /bytes/300000?chunked=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  auto download = client.readResponse();
  ASSERT_TRUE(download.has_value());
  EXPECT_EQ(download->header("transfer-encoding"), "chunked");
  EXPECT_EQ(download->body.size(), 300000u);
}

TEST_F(HttpProxyTest, HeadAnswerHasNoBodyAndConnectionStaysUsable) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("HEAD /bytes/5000 HTTP/1.1\r\nHost: a\r\n\r\n");
  auto head = client.readResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "5000");
  client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  auto next = client.readResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "backend\n");
}

TEST_F(HttpProxyTest, UpgradeIsTunnelledAfter101) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send(
      "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly");
  auto switching = client.readResponse();
  ASSERT_TRUE(switching.has_value());
  EXPECT_EQ(switching->status, 101);
  EXPECT_EQ(switching->header("upgrade"), "websocket");
  EXPECT_EQ(client.readBytes(5), "early");  // sent with the request, echoed through the tunnel
  client.send("ping-pong");
  EXPECT_EQ(client.readBytes(9), "ping-pong");
  client.shutdownWrite();
  EXPECT_TRUE(client.waitClosed());
}

TEST_F(HttpProxyTest, ForwardingHeadersAreSetAndHopByHopRemoved) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/echo",
                          "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"
                          "X-Request-Id: req-42\r\nKeep-Alive: timeout=5\r\n"
                          "Proxy-Connection: keep-alive\r\nTE: trailers\r\n"
                          "Connection: X-Secret\r\nX-Secret: 1\r\nX-Kept: yes\r\n");
  ASSERT_TRUE(response.has_value());
  const std::string& seen = response->body;  // the head as the backend received it
  EXPECT_NE(seen.find("X-Forwarded-For: 203.0.113.7, 127.0.0.1\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Proto: http\r\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("https"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Request-Id: req-42\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Kept: yes\r\n"), std::string::npos) << seen;
  for (const char* hop : {"Keep-Alive", "Proxy-Connection", "TE:", "X-Secret", "Connection:"}) {
    EXPECT_EQ(seen.find(hop), std::string::npos) << hop << " was forwarded:\n" << seen;
  }
}

TEST_F(HttpProxyTest, RequestIdIsGeneratedWhenAbsent) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/echo");
  ASSERT_TRUE(response.has_value());
  std::regex uuid(
      "X-Request-Id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_search(response->body, uuid)) << response->body;
}

TEST_F(HttpProxyTest, RoutesByHostAndPathPrefix) {
  TestUpstream api("api");
  TestUpstream wild("wild");
  nlohmann::json routes = {
      {{"host", "api.example.com"}, {"path_prefix", "/v1/"}, {"cluster", "api"}},
      {{"host", "*.example.com"}, {"cluster", "wild"}},
      {{"host", "*"}, {"path_prefix", "/"}, {"cluster", "app"}}};
  nlohmann::json cfg = config(webListener(routes));
  cfg["clusters"].push_back(clusterOf("api", {&api}));
  cfg["clusters"].push_back(clusterOf("wild", {&wild}));
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto ask = [&](const std::string& host, const std::string& path) {
    RawClient client(meshlb.listenerPort(0));
    client.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    auto response = client.readResponse();
    return response ? response->header("x-upstream-name") : "none";
  };
  EXPECT_EQ(ask("api.example.com", "/v1/users"), "api");
  EXPECT_EQ(ask("API.Example.com:8080", "/v1/users"), "api");
  EXPECT_EQ(ask("api.example.com", "/v2/users"), "wild");
  EXPECT_EQ(ask("www.example.com", "/"), "wild");
  EXPECT_EQ(ask("example.com", "/"), "backend");
  EXPECT_EQ(ask("other.org", "/x"), "backend");
}

TEST_F(HttpProxyTest, AbsoluteFormTargetIsRoutedByItsAuthorityAndSentInOriginForm) {
  TestUpstream api("api");
  nlohmann::json routes = {{{"host", "api.example.com"}, {"cluster", "api"}},
                           {{"host", "*"}, {"cluster", "app"}}};
  nlohmann::json cfg = config(webListener(routes));
  cfg["clusters"].push_back(clusterOf("api", {&api}));
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("GET http://api.example.com/echo?x=1 HTTP/1.1\r\nHost: other.org\r\n\r\n");
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->header("x-upstream-name"), "api");
  EXPECT_TRUE(response->body.starts_with("GET /echo?x=1 HTTP/1.1\r\n")) << response->body;
  EXPECT_NE(response->body.find("Host: api.example.com\r\n"), std::string::npos) << response->body;
  EXPECT_EQ(response->body.find("other.org"), std::string::npos) << response->body;

  client.send("GET http://api.example.com?q=2 HTTP/1.1\r\nHost: a\r\n\r\n");
  auto no_path = client.readResponse();
  ASSERT_TRUE(no_path.has_value());
  // Sent as "GET /?q=2": the backend answers normally (it refuses "GET ?q=2" with 400).
  EXPECT_EQ(no_path->status, 200);
  EXPECT_EQ(no_path->body, "api\n");

  client.send("GET http://user@api.example.com/ HTTP/1.1\r\nHost: a\r\n\r\n");
  auto refused = client.readResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 400);
}

TEST_F(HttpProxyTest, NoRouteIs404) {
  Meshlb meshlb(config(webListener({{{"host", "only.example.com"}, {"cluster", "app"}}})));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(meshlb.stats()["no_route_total"], 1);
  EXPECT_EQ(upstream_.requests(), 0u);
}

TEST_F(HttpProxyTest, ClusterWithoutUsableHostIs503) {
  nlohmann::json cfg = config();
  cfg["clusters"][0]["hosts"] = nlohmann::json::array();
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "no healthy upstream\n");
  EXPECT_EQ(meshlb.stats()["no_healthy_upstream_total"], 1);
}

TEST_F(HttpProxyTest, ConnectFailureIs502) {
  int closed_port = freePort();
  nlohmann::json cfg = config();
  cfg["clusters"][0]["hosts"] = {{{"address", "127.0.0.1:" + std::to_string(closed_port)}}};
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 502);
  EXPECT_FALSE(response->body.empty());
  EXPECT_EQ(meshlb.stats()["upstream_connect_failures_total"], 1);
}

TEST_F(HttpProxyTest, UpstreamResetBeforeAnswerIs502) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto response = httpGet(meshlb.listenerPort(0), "/", "X-Upstream-Reset: 1\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 502);
  EXPECT_EQ(meshlb.stats()["upstream_resets_total"], 1);
}

TEST_F(HttpProxyTest, IdempotentRequestIsRetriedOnceWhenAReusedConnectionFails) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");  // leaves a pooled connection behind
  ASSERT_TRUE(client.readResponse().has_value());
  // The backend drops the (reused) connection without answering, as a backend closing an idle
  // connection at the wrong moment would: meshlb replays the GET once on a new connection.
  client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Upstream-Close: 1\r\n\r\n");
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 502);  // the backend closed the retry too: that is its answer
  EXPECT_EQ(meshlb.stats()["upstream_reuse_retries_total"], 1);
  EXPECT_EQ(upstream_.requests(), 3u);
}

// A pooled connection closes after upstream_idle_timeout_ms of idleness, and not earlier while
// requests keep using it: the idle timer runs on across reuses (it is not stopped and started
// for every request), so it fires while the connection is busy or only briefly idle, and must
// then wait for the rest of the timeout instead of closing.
TEST_F(HttpProxyTest, PooledConnectionClosesOnlyAfterAWholeIdleTimeout) {
  nlohmann::json cfg = config();
  cfg["clusters"][0]["upstream_idle_timeout_ms"] = 1000;
  Meshlb meshlb(cfg);
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  const auto started = std::chrono::steady_clock::now();
  // One every 150 ms, every fourth answered after 300 ms: about 3.6 s, in which the 1 s timer
  // fires while the connection is in use and while it has been idle for less than 1 s.
  constexpr int kRequests = 16;
  for (int i = 0; i < kRequests; ++i) {
    client.send(i % 4 == 0 ? "GET / HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 300\r\n\r\n"
                           : "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(client.readResponse().has_value()) << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  const double busy_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json stats = meshlb.stats();
  EXPECT_EQ(stats["upstream_connections_total"], 1) << "busy for " << busy_s << " s";
  EXPECT_EQ(stats["upstream_connections_reused_total"], kRequests - 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // idle: closed after 1 s
  client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(client.readResponse().has_value());
  stats = meshlb.stats();
  EXPECT_EQ(stats["upstream_connections_total"], 2);
  EXPECT_EQ(stats["upstream_connections_reused_total"], kRequests - 1);
}

// The client resets its connection while meshlb, which stopped reading because more than 64 KiB
// of pipelined requests were waiting, is still waiting for the first answer. That answer has an
// empty body, so its head goes out when the answer ends; the write fails at once and closes the
// session, and the requests still stashed must not be routed afterwards (they were, on a session
// about to be freed: an upstream connection and a request slot then belonged to freed memory).
TEST_F(HttpProxyTest, AWriteErrorAtTheEndOfAnAnswerRoutesNoPipelinedRequest) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  std::string requests = "GET /bytes/0 HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 500\r\n\r\n";
  for (int i = 0; i < 4000; ++i) {
    requests += "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";  // 108 KB in all
  }
  {
    RawClient client(meshlb.listenerPort(0));
    ASSERT_TRUE(client.send(requests));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // read, stashed, paused
    client.reset();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the answer came at 500 ms
  EXPECT_EQ(upstream_.requests(), 1u);
  nlohmann::json stats = meshlb.stats();
  EXPECT_EQ(stats["downstream_connections_active"], 0);
  auto response = httpGet(meshlb.listenerPort(0), "/");
  ASSERT_TRUE(response.has_value()) << meshlb.stderrLog();
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpProxyTest, PostIsNeverReplayed) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(client.readResponse().has_value());
  client.send("POST / HTTP/1.1\r\nHost: a\r\nX-Upstream-Close: 1\r\n\r\n");
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 502);
  EXPECT_EQ(meshlb.stats()["upstream_reuse_retries_total"], 0);
  EXPECT_EQ(upstream_.requests(), 2u);
}

TEST_F(HttpProxyTest, AccessLogWritesOneJsonLinePerRequest) {
  std::string log_path = tempPath("access.log");
  nlohmann::json cfg = config();
  cfg["access_log"] = {{"path", log_path}};
  {
    Meshlb meshlb(cfg);
    ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
    ASSERT_TRUE(httpGet(meshlb.listenerPort(0), "/first?q=1").has_value());
    ASSERT_TRUE(httpGet(meshlb.listenerPort(0), "/second", "X-Upstream-Status: 503\r\n"));
  }  // stopping meshlb flushes the log
  std::ifstream file(log_path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["path"], "/first?q=1");
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[0]["method"], "GET");
  EXPECT_EQ(lines[0]["client"], "127.0.0.1");
  EXPECT_EQ(lines[0]["upstream"], upstream_.address());
  EXPECT_EQ(lines[0]["bytes"], 8);  // "backend\n"
  EXPECT_GE(lines[0]["duration_ms"].get<double>(), 0.0);
  EXPECT_TRUE(lines[0].contains("time"));
  EXPECT_EQ(lines[1]["status"], 503);
}

TEST_F(HttpProxyTest, SlowUpstreamIs504AfterTheRequestTimeout) {
  nlohmann::json listener = webListener();
  listener["request_timeout_ms"] = 300;
  Meshlb meshlb(config(listener));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  auto start = std::chrono::steady_clock::now();
  auto response = httpGet(meshlb.listenerPort(0), "/", "X-Upstream-Delay-Ms: 5000\r\n");
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 504);
  EXPECT_GE(took.count(), 250);
  EXPECT_LT(took.count(), 4000) << "504 should come at the 300 ms request timeout";
  RecordProperty("timeout_answer_ms", static_cast<int>(took.count()));
  EXPECT_EQ(meshlb.stats()["upstream_timeouts_total"], 1);
}

TEST_F(HttpProxyTest, SlowClientIsClosedAtTheHeaderTimeout) {
  nlohmann::json listener = webListener();
  listener["header_timeout_ms"] = 300;
  Meshlb meshlb(config(listener));
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  auto start = std::chrono::steady_clock::now();
  client.send("GET / HTTP/1.1\r\nHost: a\r\n");  // never finishes its head
  auto response = client.readResponse();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.waitClosed());
  EXPECT_LT(took.count(), 4000);
  EXPECT_EQ(meshlb.stats()["header_timeouts_total"], 1);
  EXPECT_EQ(upstream_.requests(), 0u);
}

TEST_F(HttpProxyTest, SigtermLetsInFlightRequestsFinishAndExitsZero) {
  Meshlb meshlb(config());
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient slow(meshlb.listenerPort(0));
  slow.send("GET / HTTP/1.1\r\nHost: a\r\nX-Upstream-Delay-Ms: 500\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the request is in flight
  RawClient idle(meshlb.listenerPort(0));                       // keep-alive, nothing in flight
  kill(meshlb.process().pid(), SIGTERM);
  auto response = slow.readResponse();
  ASSERT_TRUE(response.has_value()) << "the in-flight request was cut";
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(idle.waitClosed());
  EXPECT_EQ(meshlb.process().stop(SIGTERM, std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace meshlb::testing
