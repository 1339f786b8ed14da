// Black-box tests of meshlb-test-upstream: each test starts the real binary on port 0, reads the
// port from its "listening on" line, talks HTTP over raw sockets and finally checks that SIGTERM
// makes it exit with status 0.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIoTimeoutMs = 5000;

// The binary under test, started with a given argument list. Owned by one test.
class UpstreamProcess {
 public:
  ~UpstreamProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Starts the binary and waits (up to 5 s) for its "listening on IP:PORT" line.
  bool start(const std::vector<std::string>& arguments) {
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0) {
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    std::vector<std::string> storage = arguments;
    storage.insert(storage.begin(), MESHLB_TEST_UPSTREAM_BINARY);
    std::vector<char*> argv;
    for (std::string& argument : storage) {
      argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipeFds[1]);
    if (rc != 0) {
      pid_ = -1;
      close(pipeFds[0]);
      return false;
    }
    std::string line;
    auto deadline = Clock::now() + std::chrono::milliseconds(kIoTimeoutMs);
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{pipeFds[0], POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) {
        continue;
      }
      char chunk[256];
      ssize_t n = read(pipeFds[0], chunk, sizeof(chunk));
      if (n <= 0) {
        break;
      }
      line.append(chunk, static_cast<size_t>(n));
    }
    close(pipeFds[0]);
    line_ = line;
    std::string_view prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) {
      return false;
    }
    size_t colon = line.rfind(':');
    port_ = std::atoi(line.c_str() + colon + 1);
    return port_ > 0;
  }

  int port() const { return port_; }
  const std::string& line() const { return line_; }

  // Sends SIGTERM and returns the exit status (-1 when it did not exit normally within 5 s).
  int terminate() {
    if (pid_ <= 0) {
      return -1;
    }
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(10 * 1000);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string line_;
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool complete = false;

  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (strcasecmp(key.c_str(), std::string(name).c_str()) == 0) {
        return value;
      }
    }
    return "";
  }
  bool hasHeader(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (strcasecmp(key.c_str(), std::string(name).c_str()) == 0) {
        return true;
      }
    }
    return false;
  }
};

// A blocking client socket with a receive timeout and its own read buffer (kept across
// responses, so pipelined answers can be read one after another). Owned by one test.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{kIoTimeoutMs / 1000, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void shutdownWrite() { shutdown(fd_, SHUT_WR); }

  // Reads one response: head, then a body delimited by Content-Length, chunked encoding or EOF.
  Response read(bool headRequest = false) {
    Response response;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        return response;
      }
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t lineEnd = head.find("\r\n");
    std::string statusLine = head.substr(0, lineEnd);
    if (statusLine.rfind("HTTP/1.", 0) != 0 || statusLine.size() < 12) {
      return response;
    }
    response.status = std::atoi(statusLine.c_str() + 9);
    while (lineEnd != std::string::npos) {
      size_t start = lineEnd + 2;
      lineEnd = head.find("\r\n", start);
      std::string line =
          head.substr(start, lineEnd == std::string::npos ? std::string::npos : lineEnd - start);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        size_t valueStart = line.find_first_not_of(' ', colon + 1);
        response.headers.emplace_back(
            line.substr(0, colon), valueStart == std::string::npos ? "" : line.substr(valueStart));
      }
    }
    if (headRequest || response.status < 200 || response.status == 204 || response.status == 304) {
      response.complete = true;
      return response;
    }
    if (strcasecmp(response.header("Transfer-Encoding").c_str(), "chunked") == 0) {
      while (true) {
        std::string sizeLine;
        if (!readLine(&sizeLine)) {
          return response;
        }
        size_t size = std::stoul(sizeLine, nullptr, 16);
        if (size == 0) {
          std::string trailer;
          if (!readLine(&trailer)) {
            return response;
          }
          break;
        }
        if (!readInto(&response.body, size + 2)) {
          return response;
        }
        response.body.resize(response.body.size() - 2);  // the CRLF after the chunk data
      }
    } else if (response.hasHeader("Content-Length")) {
      if (!readInto(&response.body, std::stoull(response.header("Content-Length")))) {
        return response;
      }
    } else {
      while (fill()) {
      }
      response.body.swap(buffer_);
      buffer_.clear();
    }
    response.complete = true;
    return response;
  }

  // Reads exactly n bytes (raw, e.g. echoed data after an upgrade).
  std::string readRaw(size_t n) {
    std::string data;
    readInto(&data, n);
    return data;
  }

  // Waits for the end of the stream. Returns 0 on a clean EOF with no further data, the errno of
  // a failed read (ECONNRESET for an RST), or -1 when data arrived or the read timed out.
  int waitForEnd() {
    if (!buffer_.empty()) {
      return -1;
    }
    char byte;
    ssize_t n = recv(fd_, &byte, 1, 0);
    if (n == 0) {
      return 0;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return errno;
    }
    return -1;
  }

 private:
  bool fill() {
    char chunk[64 * 1024];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool readInto(std::string* out, size_t n) {
    while (buffer_.size() < n) {
      // Move what we have to keep the buffer small for large bodies.
      out->append(buffer_);
      n -= buffer_.size();
      buffer_.clear();
      if (!fill()) {
        return false;
      }
    }
    out->append(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool readLine(std::string* line) {
    size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
      if (!fill()) {
        return false;
      }
    }
    *line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string get(std::string_view path, std::string_view extraHeaders = "") {
  std::string request = "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: upstream\r\n";
  request += extraHeaders;
  request += "\r\n";
  return request;
}

std::string post(std::string_view path) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: upstream\r\nContent-Length: 0\r\n\r\n";
}

class UpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override { startUpstream({}); }

  void startUpstream(const std::vector<std::string>& extra) {
    std::vector<std::string> arguments = {"--name", "test-a", "--listen", "127.0.0.1:0"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    ASSERT_TRUE(upstream_.start(arguments)) << "output: " << upstream_.line();
  }

  void TearDown() override { EXPECT_EQ(upstream_.terminate(), 0); }

  int port() const { return upstream_.port(); }

  // One request on a fresh connection.
  Response exchange(const std::string& request) {
    Client client(port());
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(client.send(request));
    return client.read();
  }

  UpstreamProcess upstream_;
};

TEST_F(UpstreamTest, PrintsListeningLine) {
  EXPECT_EQ(upstream_.line(), "listening on 127.0.0.1:" + std::to_string(port()) + "\n");
}

TEST_F(UpstreamTest, DefaultAnswerCarriesName) {
  Response response = exchange(get("/"));
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("X-Upstream-Name"), "test-a");
  EXPECT_EQ(response.header("Content-Type"), "text/plain");
  EXPECT_EQ(response.header("Content-Length"), "7");
  EXPECT_EQ(response.body, "test-a\n");
}

TEST_F(UpstreamTest, KeepAliveServesSeveralRequests) {
  Client client(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(get("/some/path?x=1")));
    Response response = client.read();
    ASSERT_TRUE(response.complete);
    EXPECT_EQ(response.body, "test-a\n");
  }
}

TEST_F(UpstreamTest, DelayHeaderDelaysTheAnswer) {
  auto started = Clock::now();
  Response response = exchange(get("/", "X-Upstream-Delay-Ms: 150\r\n"));
  auto elapsed = Clock::now() - started;
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body, "test-a\n");
  // libuv keeps time in whole milliseconds, so a 150 ms timer can fire up to 1 ms before
  // 150 ms of steady_clock time have passed; allow that and log the real figure.
  EXPECT_GE(elapsed, std::chrono::milliseconds(145))
      << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() << " us";
}

TEST_F(UpstreamTest, StatusHeaderSetsStatus) {
  Response response = exchange(get("/", "X-Upstream-Status: 503\r\n"));
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "test-a\n");
}

TEST_F(UpstreamTest, CloseHeaderClosesWithoutAnswer) {
  Client client(port());
  ASSERT_TRUE(client.send(get("/", "X-Upstream-Close: 1\r\n")));
  EXPECT_EQ(client.waitForEnd(), 0);
}

TEST_F(UpstreamTest, ResetHeaderSendsReset) {
  Client client(port());
  ASSERT_TRUE(client.send(get("/", "X-Upstream-Reset: 1\r\n")));
  EXPECT_EQ(client.waitForEnd(), ECONNRESET);
}

TEST_F(UpstreamTest, EchoReturnsTheRequestHead) {
  std::string request =
      "GET /echo/x?y=1 HTTP/1.1\r\nHost: upstream\r\nX-Forwarded-For: 10.0.0.1\r\n"
      "x-lower-case: Some Value\r\n\r\n";
  Response response = exchange(request);
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "text/plain");
  EXPECT_EQ(response.body, request);
}

TEST_F(UpstreamTest, BytesWithContentLength) {
  Response response = exchange(get("/bytes/100000"));
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Length"), "100000");
  EXPECT_EQ(response.body, std::string(100000, 'x'));
}

TEST_F(UpstreamTest, BytesChunked) {
  Response response = exchange(get("/bytes/200001?chunked=1"));
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(response.hasHeader("Content-Length"));
  EXPECT_EQ(response.body, std::string(200001, 'x'));
}

TEST_F(UpstreamTest, LargeDownloadThenKeepAlive) {
  // Many pump rounds of the back-pressured stream, then the connection is still usable.
  Client client(port());
  ASSERT_TRUE(client.send(get("/bytes/33554432")));
  Response response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body.size(), 33554432u);
  ASSERT_TRUE(client.send(get("/bytes/0?chunked=1")));
  response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body, "");
  ASSERT_TRUE(client.send(get("/")));
  EXPECT_EQ(client.read().body, "test-a\n");
}

TEST_F(UpstreamTest, UploadIsCountedAfter100Continue) {
  constexpr size_t kSize = 3 * 1024 * 1024 + 17;
  Client client(port());
  ASSERT_TRUE(client.send("PUT /upload HTTP/1.1\r\nHost: upstream\r\nContent-Length: " +
                          std::to_string(kSize) + "\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(client.readRaw(25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send(std::string(kSize, 'u')));
  Response response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("X-Upstream-Received-Bytes"), std::to_string(kSize));
  EXPECT_EQ(response.body, "test-a received " + std::to_string(kSize) + " bytes\n");
}

TEST_F(UpstreamTest, ChunkedUploadIsCounted) {
  Client client(port());
  ASSERT_TRUE(
      client.send("POST /upload HTTP/1.1\r\nHost: upstream\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n"
                  "6\r\n world\r\n"
                  "0\r\n\r\n"));
  Response response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.header("X-Upstream-Received-Bytes"), "11");
  EXPECT_EQ(response.body, "test-a received 11 bytes\n");
}

TEST_F(UpstreamTest, UpgradeTurnsIntoEcho) {
  Client client(port());
  // The first echo bytes travel in the same segment as the request head.
  ASSERT_TRUE(client.send(
      "GET /ws HTTP/1.1\r\nHost: upstream\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
      "hello"));
  Response response = client.read(/*headRequest=*/true);
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 101);
  EXPECT_EQ(response.header("Upgrade"), "websocket");
  EXPECT_EQ(response.header("Connection"), "Upgrade");
  EXPECT_EQ(client.readRaw(5), "hello");
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\n\r\n and more"));
  EXPECT_EQ(client.readRaw(27), "GET / HTTP/1.1\r\n\r\n and more");
}

TEST_F(UpstreamTest, PipelinedRequestsAreAnsweredInOrder) {
  Client client(port());
  // The first answer is delayed: the later ones must still come after it.
  ASSERT_TRUE(client.send(get("/first", "X-Upstream-Delay-Ms: 100\r\n") + get("/echo/second") +
                          get("/third", "X-Upstream-Status: 404\r\n")));
  Response first = client.read();
  Response second = client.read();
  Response third = client.read();
  ASSERT_TRUE(first.complete && second.complete && third.complete);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "test-a\n");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body.rfind("GET /echo/second HTTP/1.1\r\n", 0), 0u) << second.body;
  EXPECT_EQ(third.status, 404);
}

TEST_F(UpstreamTest, StatsCountRequestsConnectionsAndBodyBytes) {
  Response reset = exchange(post("/_upstream/stats/reset"));
  ASSERT_TRUE(reset.complete);
  EXPECT_EQ(reset.body,
            "{\"name\":\"test-a\",\"connections\":0,\"requests\":0,\"bytes_received\":0}\n");
  Client client(port());
  ASSERT_TRUE(client.send(get("/") + get("/echo") +
                          "POST /x HTTP/1.1\r\nHost: u\r\nContent-Length: 10\r\n\r\n0123456789"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.read().complete);
  }
  ASSERT_TRUE(client.send(get("/_upstream/stats")));
  Response stats = client.read();
  ASSERT_TRUE(stats.complete);
  EXPECT_EQ(stats.status, 200);
  EXPECT_EQ(stats.header("Content-Type"), "application/json");
  EXPECT_EQ(stats.body,
            "{\"name\":\"test-a\",\"connections\":1,\"requests\":3,\"bytes_received\":10}\n");
}

TEST_F(UpstreamTest, FaultAppliesToLaterRequestsUntilCleared) {
  Response set = exchange(post("/_upstream/fault?delay_ms=60&status=502"));
  ASSERT_TRUE(set.complete);
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(set.body, "{\"delay_ms\":60,\"status\":502,\"close\":false,\"reset\":false}\n");

  auto started = Clock::now();
  Response faulted = exchange(get("/"));
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(55));  // libuv's 1 ms clock
  EXPECT_EQ(faulted.status, 502);
  // A request header still wins over the fault; control requests are never faulted.
  EXPECT_EQ(exchange(get("/", "X-Upstream-Status: 201\r\n")).status, 201);
  EXPECT_EQ(exchange(get("/_upstream/stats")).status, 200);

  Response cleared = exchange(post("/_upstream/fault"));
  EXPECT_EQ(cleared.body, "{\"delay_ms\":0,\"status\":0,\"close\":false,\"reset\":false}\n");
  EXPECT_EQ(exchange(get("/")).status, 200);

  ASSERT_TRUE(exchange(post("/_upstream/fault?close=1")).complete);
  Client client(port());
  ASSERT_TRUE(client.send(get("/")));
  EXPECT_EQ(client.waitForEnd(), 0);
  EXPECT_EQ(exchange(post("/_upstream/fault?bogus=1")).status, 400);
}

TEST_F(UpstreamTest, Http10ClosesUnlessKeepAlive) {
  Client client(port());
  ASSERT_TRUE(client.send("GET / HTTP/1.0\r\n\r\n"));
  Response response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body, "test-a\n");
  EXPECT_EQ(response.header("Connection"), "close");
  EXPECT_EQ(client.waitForEnd(), 0);

  Client keepAlive(port());
  ASSERT_TRUE(keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  response = keepAlive.read();
  EXPECT_EQ(response.header("Connection"), "keep-alive");
  ASSERT_TRUE(keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(keepAlive.read().body, "test-a\n");
}

TEST_F(UpstreamTest, MalformedRequestGets400AndClose) {
  Client client(port());
  ASSERT_TRUE(client.send("NOT HTTP AT ALL\r\n\r\n"));
  Response response = client.read();
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(client.waitForEnd(), 0);
  // The server survives and keeps serving.
  EXPECT_EQ(exchange(get("/")).status, 200);
}

TEST_F(UpstreamTest, HalfClosedClientStillGetsItsAnswers) {
  Client client(port());
  ASSERT_TRUE(client.send(get("/", "X-Upstream-Delay-Ms: 30\r\n") + get("/")));
  client.shutdownWrite();
  EXPECT_EQ(client.read().body, "test-a\n");
  EXPECT_EQ(client.read().body, "test-a\n");
  EXPECT_EQ(client.waitForEnd(), 0);
}

class UpstreamThreadsTest : public UpstreamTest {
 protected:
  void SetUp() override { startUpstream({"--threads", "3"}); }
};

TEST_F(UpstreamThreadsTest, ServesAndCountsAcrossThreads) {
  ASSERT_TRUE(exchange(post("/_upstream/stats/reset")).complete);
  for (int i = 0; i < 12; ++i) {
    Response response = exchange(get("/"));
    ASSERT_EQ(response.body, "test-a\n");
  }
  Response stats = exchange(get("/_upstream/stats"));
  EXPECT_EQ(stats.body,
            "{\"name\":\"test-a\",\"connections\":13,\"requests\":12,\"bytes_received\":0}\n");
}

TEST(UpstreamCommandLine, HelpAndBadArguments) {
  std::string binary = MESHLB_TEST_UPSTREAM_BINARY;
  EXPECT_EQ(system((binary + " --help > /dev/null").c_str()), 0);
  int status = system((binary + " --name x > /dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

}  // namespace
