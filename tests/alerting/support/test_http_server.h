#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace meshlb::alerting::testing {

// One request as the server received it.
struct RecordedRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  int64_t unix_ms = 0;  // when it was complete

  // The first value of header `name` (give it lower-case), or nullptr.
  const std::string* header(std::string_view name) const;
};

// A small blocking HTTP/1.1 server on 127.0.0.1, port 0, for notifier tests and as a webhook
// receiver in integration tests. One thread accepts and serves connections one after another:
// it reads a request (body by Content-Length), records it, and answers with the next scripted
// status (setStatusSequence, then the default) and Connection: close. In hang mode it records
// the request and keeps the connection open without answering until stop(), for timeout tests.
//
// Threads: constructed and destroyed by the test's thread; every method may be called from any
// thread (one mutex); the server's own thread does the I/O.
class TestHttpServer {
 public:
  TestHttpServer();   // listens and starts; port() is 0 if that failed
  ~TestHttpServer();  // stop()
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>"

  void setStatus(int status);                         // the default answer (200 initially)
  void setStatusSequence(std::vector<int> statuses);  // the next answers, in order
  void setResponseBody(std::string body);             // "" initially
  void setHang(bool hang);                            // record, never answer

  std::vector<RecordedRequest> requests() const;
  size_t requestCount() const;
  // True once at least `count` requests were recorded; false at the deadline.
  bool waitForRequests(size_t count, std::chrono::milliseconds timeout) const;

  void stop();  // closes everything and joins; idempotent

 private:
  void run();
  // Reads one request from `fd`; false if the peer went away, sent garbage, or stop() came.
  bool readRequest(int fd, RecordedRequest* request);
  void answer(int fd);

  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // stop() writes to [1]; blocking waits also poll [0]
  uint16_t port_ = 0;

  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::vector<RecordedRequest> requests_;
  std::deque<int> statuses_;
  int default_status_ = 200;
  std::string response_body_;
  bool hang_ = false;
  std::vector<int> hung_fds_;  // connections held open in hang mode (server thread only)
  std::thread thread_;
};

}  // namespace meshlb::alerting::testing
