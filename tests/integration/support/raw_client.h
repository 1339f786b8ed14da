#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace meshlb::testing {

// An HTTP response as a test sees it.
struct Response {
  int status = 0;
  std::string version;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const;
};

// A blocking TCP client for tests that must control every byte sent: raw, malformed and
// pipelined requests. Test thread only.
class RawClient {
 public:
  explicit RawClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // errno of the failed socket() or connect(), 0 when connected.
  int connectError() const { return connect_error_; }
  bool send(const std::string& bytes);
  void shutdownWrite();
  // Closes the connection with a reset (SO_LINGER 0): the peer's next write fails.
  void reset();
  // Reads one HTTP response (Content-Length, chunked, or until close). nullopt on timeout or if
  // the connection closed before a complete response.
  std::optional<Response> readResponse(bool head_request = false);
  // True when the peer closed the connection (EOF or reset) within the timeout, after any
  // bytes still unread are drained into `rest`. A connect() the peer reset counts as closed;
  // false at once when never connected for another reason.
  bool waitClosed(std::string* rest = nullptr);
  // Reads exactly n bytes (or fewer on close/timeout).
  std::string readBytes(size_t n);
  // Reads up to and including the first `marker` (a streamed answer's next event, say);
  // nullopt when the connection closes or the timeout passes first.
  std::optional<std::string> readUntil(std::string_view marker);

 private:
  bool fill();  // reads more into buffer_; false on EOF/timeout/error

  int fd_ = -1;
  int connect_error_ = 0;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// One request on a new connection: "GET path" with Host and Connection: close plus `extra`
// header lines (each ending in \r\n).
std::optional<Response> httpGet(int port, const std::string& path, const std::string& extra = "");
// Any method, with Content-Length and `body`, on a new connection.
std::optional<Response> httpRequest(int port, const std::string& method, const std::string& path,
                                    const std::string& extra = "", const std::string& body = "");

}  // namespace meshlb::testing
