#include "alerting/notify/http_post.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "tests/alerting/support/test_http_server.h"

namespace meshlb::alerting {
namespace {

using std::chrono::milliseconds;
using testing::TestHttpServer;

HttpUrl urlOf(const TestHttpServer& server, const std::string& path) {
  std::string error;
  std::optional<HttpUrl> url = parseHttpUrl(server.url() + path, &error);
  EXPECT_TRUE(url.has_value()) << error;
  return url.value_or(HttpUrl{});
}

// A port on 127.0.0.1 with nobody listening: bound, then closed.
uint16_t closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(AlertHttpPost, PostsAndReads200) {
  TestHttpServer server;
  ASSERT_NE(server.port(), 0);
  server.setResponseBody("thanks");
  HttpResponse response =
      httpPost(urlOf(server, "/api/v2/alerts?x=1"), {{"Content-Type", "application/json"}},
               "[{\"labels\":{}}]", 5'000);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.body, "thanks");
  ASSERT_TRUE(server.waitForRequests(1, milliseconds(5'000)));
  testing::RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/api/v2/alerts?x=1");
  EXPECT_EQ(request.body, "[{\"labels\":{}}]");
  ASSERT_NE(request.header("host"), nullptr);
  EXPECT_EQ(*request.header("host"), "127.0.0.1:" + std::to_string(server.port()));
  ASSERT_NE(request.header("content-length"), nullptr);
  EXPECT_EQ(*request.header("content-length"), "15");
  ASSERT_NE(request.header("connection"), nullptr);
  EXPECT_EQ(*request.header("connection"), "close");
  ASSERT_NE(request.header("content-type"), nullptr);
  EXPECT_EQ(*request.header("content-type"), "application/json");
}

TEST(AlertHttpPost, Reports500WithItsBody) {
  TestHttpServer server;
  server.setStatus(500);
  server.setResponseBody("boom");
  HttpResponse response = httpPost(urlOf(server, "/"), {}, "x", 5'000);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.body, "boom");
}

TEST(AlertHttpPost, SeveralConnectionsInARow) {
  TestHttpServer server;
  server.setStatusSequence({500, 429, 200});
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i) {
    statuses.push_back(httpPost(urlOf(server, "/"), {}, std::to_string(i), 5'000).status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{500, 429, 200}));
  EXPECT_EQ(server.requestCount(), 3u);
}

TEST(AlertHttpPost, RefusedPort) {
  HttpUrl url{"127.0.0.1", closedPort(), "/"};
  HttpResponse response = httpPost(url, {}, "x", 5'000);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "connect: connection refused");
}

TEST(AlertHttpPost, UnresolvableHost) {
  HttpResponse response = httpPost(HttpUrl{"no-such-host.invalid", 80, "/"}, {}, "x", 5'000);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error.rfind("resolve no-such-host.invalid", 0), 0u) << response.error;
}

TEST(AlertHttpPost, HangTimesOutWithinTheDeadline) {
  TestHttpServer server;
  server.setHang(true);
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response = httpPost(urlOf(server, "/"), {}, "x", 300);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "timeout");
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(300 + 2'000));  // generous for a loaded machine
  EXPECT_EQ(server.requestCount(), 1u);
}

TEST(AlertHttpPost, OversizedResponseIsTruncatedTo64KiB) {
  TestHttpServer server;
  server.setResponseBody(std::string(200 * 1024, 'x'));
  HttpResponse response = httpPost(urlOf(server, "/"), {}, "x", 5'000);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.body.size(), 64u * 1024);
}

TEST(AlertHttpPost, RefusesHeaderInjectionWithoutEchoingTheValue) {
  TestHttpServer server;
  HttpResponse response =
      httpPost(urlOf(server, "/"), {{"Authorization", "Bearer s3cret\r\nX-Evil: 1"}}, "x", 5'000);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error.find("s3cret"), std::string::npos);
  EXPECT_EQ(server.requestCount(), 0u);
}

}  // namespace
}  // namespace meshlb::alerting
