#include "admin/admin_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshlb::admin {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A blocking loopback TCP client with a 2 s receive timeout. Test thread only.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads until the server closes (EOF or reset: `closed` is true) or 2 s pass in silence.
  std::string readAll(bool* closed = nullptr) {
    std::string out;
    char buffer[16 * 1024];
    while (true) {
      ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
      if (got > 0) {
        out.append(buffer, static_cast<size_t>(got));
        continue;
      }
      if (closed != nullptr) {
        *closed = got == 0 || errno == ECONNRESET;
      }
      return out;
    }
  }

  // Reads until `marker` has arrived (or the timeout); returns everything read.
  std::string readUntil(std::string_view marker) {
    std::string out;
    char c;
    while (out.find(marker) == std::string::npos && recv(fd_, &c, 1, 0) == 1) {
      out.push_back(c);
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A response as the client saw it.
struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool closed = false;  // the server closed the connection after it

  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};

std::optional<Reply> parseReply(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    return std::nullopt;
  }
  Reply reply;
  reply.status = std::stoi(raw.substr(9, 3));
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    size_t next = raw.find("\r\n", line);
    std::string field = raw.substr(line, next - line);
    size_t colon = field.find(':');
    std::string name = field.substr(0, colon);
    for (char& c : name) {
      c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
    reply.headers[name] = field.substr(colon + 2);
    line = next + 2;
  }
  reply.body = raw.substr(end + 4);
  return reply;
}

// Sends `request` on a new connection and reads the answer up to the server's close.
std::optional<Reply> ask(uint16_t port, const std::string& request) {
  Client client(port);
  if (!client.connected() || !client.send(request)) {
    return std::nullopt;
  }
  bool closed = false;
  std::optional<Reply> reply = parseReply(client.readAll(&closed));
  if (reply) {
    reply->closed = closed;
  }
  return reply;
}

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: admin\r\n" + extra + "\r\n";
}

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra = "") {
  return "POST " + target +
         " HTTP/1.1\r\nHost: admin\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra + "\r\n" + body;
}

// The endpoint under test: echoes what it was given, plus two ways of failing.
AdminResponse echo(const AdminRequest& request) {
  if (request.path == "/throw") {
    throw std::runtime_error("boom");
  }
  if (request.path == "/stream") {
    AdminResponse stream{200, "text/event-stream", "event: hello\ndata: 1\n\n"};
    stream.event_stream = true;
    return stream;
  }
  if (request.path == "/bad-header") {
    return {200, "text/plain", "x", {{"X-Evil", "a\r\nInjected: 1"}}};
  }
  nlohmann::json query = nlohmann::json::array();
  for (const auto& [name, value] : request.query.entries()) {
    query.push_back({name, value});
  }
  nlohmann::json body = {{"method", request.method},
                         {"path", request.path},
                         {"query", query},
                         {"authorization", request.authorization},
                         {"body", request.body}};
  return {200, "application/json", body.dump(), {{"X-Echo", "yes"}}};
}

AdminToken token(std::string_view text) {
  Result<AdminToken> made = AdminToken::fromText(text, "test");
  EXPECT_TRUE(made.ok());
  return made.ok() ? made.value() : AdminToken();
}

// Runs an AdminServer on 127.0.0.1:0 on a private loop in its own thread, like the main
// thread runs it in meshlb; the test thread talks to it over real sockets.
class AdminServerTest : public ::testing::Test {
 protected:
  void start(AdminAuthPolicy auth = {}, AdminServerLimits limits = {}) {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    server_ = std::make_unique<AdminServer>(&loop_, &echo, std::move(auth), limits);
    Status listening = server_->listen(parseSocketAddress("127.0.0.1:0").value());
    ASSERT_TRUE(listening.ok()) << listening.message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    uv_async_init(&loop_, &stop_, [](uv_async_t* async) {
      auto* self = static_cast<AdminServerTest*>(async->data);
      self->server_->close();
      uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&self->call_), nullptr);
    });
    stop_.data = this;
    uv_async_init(&loop_, &call_, [](uv_async_t* async) {
      auto* self = static_cast<AdminServerTest*>(async->data);
      std::vector<std::function<void()>> calls;
      {
        std::lock_guard lock(self->calls_mutex_);
        calls.swap(self->calls_);
      }
      for (auto& call : calls) {
        call();
      }
    });
    call_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  // Runs `fn` on the server's loop thread (where broadcast() and streamCount() belong) and
  // returns its result.
  template <typename Fn>
  auto onLoop(Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    {
      std::lock_guard lock(calls_mutex_);
      calls_.push_back([&task] { task(); });
    }
    uv_async_send(&call_);
    return result.get();
  }

  // Closes the server on its own thread and waits until every handle has closed.
  void stop() {
    if (!thread_.joinable()) {
      return;
    }
    uv_async_send(&stop_);
    thread_.join();
    server_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle outlived the server";
  }

  void TearDown() override { stop(); }

  uint16_t port_ = 0;
  uv_loop_t loop_{};
  uv_async_t stop_{};
  uv_async_t call_{};
  std::mutex calls_mutex_;
  std::vector<std::function<void()>> calls_;
  std::unique_ptr<AdminServer> server_;
  std::thread thread_;
};

void expectError(const std::optional<Reply>& reply, int status, const std::string& error) {
  ASSERT_TRUE(reply) << "no answer";
  EXPECT_EQ(reply->status, status) << reply->body;
  EXPECT_EQ(reply->header("content-type"), "application/json");
  EXPECT_EQ(reply->header("connection"), "close");
  nlohmann::json body = reply->json();
  ASSERT_TRUE(body.is_object()) << reply->body;
  EXPECT_EQ(body.value("error", ""), error) << reply->body;
  EXPECT_FALSE(body.value("detail", "").empty()) << reply->body;
  EXPECT_EQ(body.size(), 2u) << reply->body;
}

TEST_F(AdminServerTest, AnswersAGetAndCloses) {
  start();
  std::optional<Reply> reply = ask(port_, get("/stats"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(reply->closed);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_EQ(reply->header("cache-control"), "no-store");
  EXPECT_EQ(reply->header("x-echo"), "yes");
  EXPECT_EQ(reply->header("content-length"), std::to_string(reply->body.size()));
  nlohmann::json body = reply->json();
  EXPECT_EQ(body["method"], "GET");
  EXPECT_EQ(body["path"], "/stats");
  EXPECT_EQ(body["query"], nlohmann::json::array());
  EXPECT_EQ(body["authorization"], "");
}

TEST_F(AdminServerTest, PassesPathAndQueryDecoded) {
  start();
  std::optional<Reply> reply = ask(port_, get("/a%20b/c+d?x=1&y=hello+world&z=%41%2F&flag"));
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  nlohmann::json body = reply->json();
  EXPECT_EQ(body["path"], "/a b/c+d");
  EXPECT_EQ(body["query"],
            nlohmann::json::parse(R"([["x","1"],["y","hello world"],["z","A/"],["flag",""]])"));
}

TEST_F(AdminServerTest, PassesTheBody) {
  start();
  std::optional<Reply> reply = ask(port_, post("/x", "{\"a\":1}"));
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(reply->json()["body"], "{\"a\":1}");

  std::string chunked =
      "POST /x HTTP/1.1\r\nHost: admin\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  reply = ask(port_, chunked);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(reply->json()["body"], "abcde");
}

TEST_F(AdminServerTest, AnswersExpectContinueBeforeTheBody) {
  start();
  Client client(port_);
  ASSERT_TRUE(client.send(
      "POST /x HTTP/1.1\r\nHost: admin\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(client.readUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send("hello"));
  std::optional<Reply> reply = parseReply(client.readAll());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->json()["body"], "hello");
}

TEST_F(AdminServerTest, HeadGetsNoBody) {
  start();
  std::optional<Reply> reply = ask(port_, "HEAD /stats HTTP/1.1\r\nHost: admin\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->header("content-length"), "0");
  EXPECT_EQ(reply->body, "");
}

TEST_F(AdminServerTest, GarbageIs400) {
  start();
  expectError(ask(port_, "THIS IS NOT HTTP\r\n\r\n"), 400, "bad_request");
  expectError(ask(port_, "GET /x HTTP/1.1\r\n\r\n"), 400, "bad_request");  // no Host
  expectError(ask(port_, get("http://admin/stats")), 400, "bad_request");
  expectError(ask(port_, get("/a%zzb")), 400, "bad_request");
  expectError(ask(port_, get("/x", "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n")), 400,
              "bad_request");
}

TEST_F(AdminServerTest, BadQueryIs400) {
  start();
  expectError(ask(port_, get("/stats?a=%4")), 400, "bad_query");
}

TEST_F(AdminServerTest, BigContentLengthIs413AtOnce) {
  start();
  // Only the head is sent: the answer must not wait for a body it will never read.
  expectError(ask(port_, "POST /x HTTP/1.1\r\nHost: admin\r\nContent-Length: 65537\r\n\r\n"), 413,
              "body_too_large");
  std::optional<Reply> fits = ask(port_, post("/x", std::string(64 * 1024, 'b')));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST_F(AdminServerTest, BigChunkedBodyIs413) {
  start();
  std::string request = "POST /x HTTP/1.1\r\nHost: admin\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 70; ++i) {
    request += "400\r\n" + std::string(1024, 'c') + "\r\n";
  }
  request += "0\r\n\r\n";
  expectError(ask(port_, request), 413, "body_too_large");
}

TEST_F(AdminServerTest, HugeHeadIs431) {
  start();
  expectError(ask(port_, get("/x", "X-Big: " + std::string(20 * 1024, 'h') + "\r\n")), 431,
              "head_too_large");
  expectError(ask(port_, get("/" + std::string(5000, 'p'))), 431, "head_too_large");
}

TEST_F(AdminServerTest, WritesNeedTheToken) {
  start({token("s3cret"), false});
  std::optional<Reply> missing = ask(port_, post("/drain", ""));
  expectError(missing, 401, "unauthorized");
  EXPECT_EQ(missing->header("www-authenticate"), "Bearer realm=\"meshlb-admin\"");

  std::optional<Reply> wrong = ask(port_, post("/drain", "", "Authorization: Bearer s3cre\r\n"));
  expectError(wrong, 401, "unauthorized");
  EXPECT_EQ(wrong->header("www-authenticate"), "Bearer realm=\"meshlb-admin\"");
  expectError(ask(port_, post("/drain", "", "Authorization: Basic s3cret\r\n")), 401,
              "unauthorized");

  std::optional<Reply> right = ask(port_, post("/drain", "x", "Authorization: Bearer s3cret\r\n"));
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
  EXPECT_EQ(right->json()["authorization"], "Bearer s3cret");
  EXPECT_EQ(right->json()["body"], "x");
}

TEST_F(AdminServerTest, RefusesWithoutTokenBeforeReadingTheBody) {
  start({token("s3cret"), false});
  // A big declared body is not waited for (nor judged by size) when the token is missing.
  expectError(ask(port_, "POST /x HTTP/1.1\r\nHost: admin\r\nContent-Length: 1000000\r\n\r\n"), 401,
              "unauthorized");
}

TEST_F(AdminServerTest, ReadsAreOpenUnlessProtected) {
  start({token("s3cret"), false});
  std::optional<Reply> reply = ask(port_, get("/stats"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(AdminServerTest, ProtectReadsExceptReady) {
  start({token("s3cret"), true});
  expectError(ask(port_, get("/stats")), 401, "unauthorized");
  std::optional<Reply> head = ask(port_, "HEAD / HTTP/1.1\r\nHost: admin\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 401);
  EXPECT_EQ(head->header("www-authenticate"), "Bearer realm=\"meshlb-admin\"");
  EXPECT_EQ(head->body, "") << "an answer to HEAD has no body, errors included";
  std::optional<Reply> with_token = ask(port_, get("/stats", "Authorization: Bearer s3cret\r\n"));
  ASSERT_TRUE(with_token);
  EXPECT_EQ(with_token->status, 200);

  std::optional<Reply> ready = ask(port_, get("/ready?verbose"));
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->json()["path"], "/ready");
  // The same path spelled with an escape is the same endpoint, for auth as for routing.
  std::optional<Reply> escaped = ask(port_, get("/%72eady"));
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->status, 200);
  expectError(ask(port_, post("/ready", "")), 401, "unauthorized");
}

TEST_F(AdminServerTest, WithoutTokenEverythingIsOpen) {
  start();
  std::optional<Reply> reply = ask(port_, post("/drain", ""));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(AdminServerTest, HandlerFailuresBecome500AndTheServerGoesOn) {
  start();
  expectError(ask(port_, get("/throw")), 500, "internal_error");
  std::optional<Reply> injected = ask(port_, get("/bad-header"));
  expectError(injected, 500, "internal_error");
  EXPECT_EQ(injected->header("injected"), "");
  std::optional<Reply> after = ask(port_, get("/stats"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(AdminServerTest, IncompleteRequestIs408AfterTheTimeout) {
  AdminServerLimits limits;
  limits.request_timeout_ms = 200;
  start({}, limits);
  for (std::string partial : {std::string("GET /stats HTTP/1.1\r\nHost: ad"), std::string()}) {
    Client client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(partial));
    Clock::time_point begin = Clock::now();
    bool closed = false;
    std::optional<Reply> reply = parseReply(client.readAll(&closed));
    auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - begin);
    expectError(reply, 408, "request_timeout");
    EXPECT_TRUE(closed);
    EXPECT_GE(elapsed.count(), 150) << "answered before the timeout";
    EXPECT_LT(elapsed.count(), 1500) << "the timeout was not applied";
  }
}

TEST_F(AdminServerTest, SixtyFifthConnectionIsClosed) {
  start();
  std::vector<std::unique_ptr<Client>> open;
  for (int i = 0; i < 64; ++i) {
    open.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(open.back()->connected());
  }
  Client extra(port_);
  bool closed = false;
  EXPECT_EQ(extra.readAll(&closed), "");
  EXPECT_TRUE(closed) << "the 65th connection was kept open";

  // The 64 are still served; once one is gone, a new connection is served again.
  ASSERT_TRUE(open[0]->send(get("/stats")));
  std::optional<Reply> reply = parseReply(open[0]->readAll());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  open.erase(open.begin());
  std::optional<Reply> again;
  for (int attempt = 0; attempt < 100 && !again; ++attempt) {
    again = ask(port_, get("/stats"));
    if (!again) {
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  ASSERT_TRUE(again) << "no slot was freed";
  EXPECT_EQ(again->status, 200);
}

TEST_F(AdminServerTest, AnsweredClientThatStaysConnectedIsClosedAfterTheTimeout) {
  AdminServerLimits limits;
  limits.request_timeout_ms = 200;
  limits.max_connections = 1;
  start({}, limits);
  Client lingering(port_);
  ASSERT_TRUE(lingering.send(get("/stats")));
  std::optional<Reply> reply = parseReply(lingering.readUntil("}"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  // The lingering client holds the only slot until the server gives up on it.
  std::optional<Reply> refused = ask(port_, get("/stats"));
  EXPECT_FALSE(refused) << "a second connection was served beyond the limit";
  std::this_thread::sleep_for(milliseconds(400));
  std::optional<Reply> served = ask(port_, get("/stats"));
  ASSERT_TRUE(served) << "the answered connection was never closed";
  EXPECT_EQ(served->status, 200);
}

TEST_F(AdminServerTest, CloseEndsOpenConnectionsPromptly) {
  start();
  Client idle(port_);
  ASSERT_TRUE(idle.send("GET /stats HTTP/1.1\r\n"));
  std::this_thread::sleep_for(milliseconds(50));  // let the server accept it
  Clock::time_point begin = Clock::now();
  stop();
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(Clock::now() - begin).count(), 1000);
  bool closed = false;
  EXPECT_EQ(idle.readAll(&closed), "");
  EXPECT_TRUE(closed);
}

TEST_F(AdminServerTest, EventStreamStaysOpenAndGetsEveryBroadcast) {
  start();
  Client client(port_);
  ASSERT_TRUE(client.send(get("/stream")));
  std::string head = client.readUntil("data: 1\n\n");
  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_EQ(onLoop([this] { return server_->streamCount(); }), 1u);
  for (int i = 2; i <= 4; ++i) {
    std::string frame = "event: tick\ndata: " + std::to_string(i) + "\n\n";
    onLoop([this, frame] { server_->broadcast(frame); });
    EXPECT_EQ(client.readUntil(frame), frame);
  }
}

TEST_F(AdminServerTest, EventStreamsAreBoundedAndFreedWhenClientsLeave) {
  AdminServerLimits limits;
  limits.max_event_streams = 2;
  start({}, limits);
  auto first = std::make_unique<Client>(port_);
  Client second(port_);
  ASSERT_TRUE(first->send(get("/stream")));
  ASSERT_TRUE(second.send(get("/stream")));
  first->readUntil("data: 1\n\n");
  second.readUntil("data: 1\n\n");
  expectError(ask(port_, get("/stream")), 503, "too_many_streams");
  first.reset();  // the client goes away: its place is freed without a broadcast
  size_t streams = 2;
  for (int i = 0; i < 100 && streams != 1; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    streams = onLoop([this] { return server_->streamCount(); });
  }
  EXPECT_EQ(streams, 1u);
  Client third(port_);
  ASSERT_TRUE(third.send(get("/stream")));
  EXPECT_NE(third.readUntil("data: 1\n\n").find("200 OK"), std::string::npos);
}

TEST_F(AdminServerTest, EventStreamThatFallsBehindIsClosed) {
  AdminServerLimits limits;
  limits.max_stream_backlog = 64 * 1024;
  start({}, limits);
  Client slow(port_);  // never reads after the head
  ASSERT_TRUE(slow.send(get("/stream")));
  slow.readUntil("data: 1\n\n");
  std::string frame = "event: tick\ndata: " + std::string(16 * 1024, 'x') + "\n\n";
  size_t streams = 1;
  // Socket buffers take a few MB first; then the backlog grows past the limit.
  for (int i = 0; i < 2000 && streams != 0; ++i) {
    streams = onLoop([this, &frame] {
      server_->broadcast(frame);
      return server_->streamCount();
    });
  }
  EXPECT_EQ(streams, 0u);
}

TEST_F(AdminServerTest, EventStreamAnswerToHeadIsAnOrdinaryAnswer) {
  start();
  std::optional<Reply> reply = ask(port_, "HEAD /stream HTTP/1.1\r\nHost: admin\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(reply->closed);
  EXPECT_EQ(onLoop([this] { return server_->streamCount(); }), 0u);
}

}  // namespace
}  // namespace meshlb::admin
