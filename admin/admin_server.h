#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "common/address.h"
#include "common/result.h"
#include "common/uv_handle.h"

namespace meshlb::admin {

// An answer from an admin endpoint.
struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Handles one admin request: method and path in, answer out. Runs on the main thread.
using AdminHandler = std::function<AdminResponse(std::string_view method, std::string_view path)>;

// The admin HTTP listener on the main thread's loop. Small and strict: one request per
// connection, bounded heads, answers with Connection: close. Main thread only.
class AdminServer {
 public:
  AdminServer(uv_loop_t* loop, AdminHandler handler);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  Status listen(const SocketAddress& address);
  void close();

 private:
  static void onConnection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  AdminHandler handler_;
  UvHandle<uv_tcp_t> server_;
};

}  // namespace meshlb::admin
