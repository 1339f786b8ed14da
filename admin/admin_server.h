#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "admin/admin_token.h"
#include "admin/query_string.h"
#include "common/address.h"
#include "common/result.h"
#include "common/uv_handle.h"

namespace meshlb::admin {

// One admin request as an endpoint sees it: completely received, within the limits, and
// authorized under the server's AdminAuthPolicy.
struct AdminRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // without the query, percent-decoded ("/a%20b" is "/a b")
  QueryParams query;          // decoded, in order
  std::string authorization;  // the Authorization header's value, or empty
  std::string body;           // at most AdminServerLimits::max_body_bytes
};

// An answer from an admin endpoint.
struct AdminResponse {
  using Headers = std::vector<std::pair<std::string, std::string>>;

  AdminResponse() = default;
  // {status, content_type, body[, headers]}, as endpoints write their answers.
  AdminResponse(int status, std::string content_type, std::string body, Headers headers = {})
      : status(status),
        content_type(std::move(content_type)),
        body(std::move(body)),
        headers(std::move(headers)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra response header fields (WWW-Authenticate, Allow, ...). The server writes
  // Content-Type, Content-Length, Cache-Control and Connection itself.
  Headers headers;
  // A 200 answer to a GET that opens a Server-Sent Events stream: the server writes the head
  // without Content-Length, then `body` (the first events), keeps the connection open and adds
  // it to the streams that broadcast() writes to, until the client goes away.
  bool event_stream = false;
};

// Handles one admin request. Runs on the loop thread of the AdminServer (the main thread).
// Should not throw; if it does, the client gets a 500 and the process goes on.
using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

// What one admin client may cost. The defaults are for production; tests shorten the timeout.
struct AdminServerLimits {
  size_t max_connections = 64;           // more at once are accepted and closed at once
  size_t max_body_bytes = 64 * 1024;     // larger request bodies get 413
  size_t max_event_streams = 16;         // open /events streams; more get 503
  size_t max_stream_backlog = 1 << 20;   // a stream that falls this far behind is closed
  uint64_t request_timeout_ms = 10'000;  // the whole request must arrive within this (408);
                                         // then the answer must be taken within it again
};

class AdminConnection;

// The admin HTTP listener on one loop (the main thread's in meshlb; a test's private loop in
// tests). Small and strict: one request per connection, bounded heads, bodies, time and
// connection count; every error it produces itself is an adminError() JSON body; answers carry
// Connection: close. A misbehaving client costs at most one connection slot for a bounded time
// and never blocks the loop. Owned and used by its loop's thread only.
class AdminServer {
 public:
  AdminServer(uv_loop_t* loop, AdminHandler handler, AdminAuthPolicy auth,
              AdminServerLimits limits = {});
  // Closes open connections. The listener must have been closed with close() and the loop
  // run until its close callback ran (libuv owns the handle until then).
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens; logs which auth mode is active.
  Status listen(const SocketAddress& address);
  // The bound port after a successful listen() (useful with port 0), else 0.
  uint16_t port() const { return port_; }
  // Stops accepting and closes every open admin connection without answering it.
  void close();
  size_t connectionCount() const { return connections_.size(); }
  // Event streams open now (see AdminResponse::event_stream).
  size_t streamCount() const { return streams_.size(); }
  // Writes `frame` (one or more complete SSE events) to every open event stream; a stream whose
  // client reads slower than the events come is closed rather than buffered without bound.
  void broadcast(std::string_view frame);

 private:
  friend class AdminConnection;

  // At most one log line a second for one kind of trouble; counts what it kept quiet.
  struct LogThrottle {
    std::optional<uint64_t> last_ms;
    uint64_t suppressed = 0;
    bool allow(uint64_t now_ms);
  };

  static void onConnection(uv_stream_t* listener, int status);
  // Accepts a connection over the limit and closes it at once.
  void refuse(uv_stream_t* listener);
  // Called by a connection as it starts closing.
  void forget(AdminConnection* connection) {
    connections_.erase(connection);
    streams_.erase(connection);
  }

  uv_loop_t* loop_;
  AdminHandler handler_;
  AdminAuthPolicy auth_;
  AdminServerLimits limits_;
  UvHandle<uv_tcp_t> server_;
  uint16_t port_ = 0;
  std::unordered_set<AdminConnection*> connections_;  // open, each owning itself
  std::unordered_set<AdminConnection*> streams_;      // those of connections_ that stream events
  LogThrottle refusal_log_;
  LogThrottle accept_error_log_;
};

}  // namespace meshlb::admin
