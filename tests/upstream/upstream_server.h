#pragma once

#include <memory>
#include <vector>

#include "common/address.h"
#include "common/result.h"
#include "tests/upstream/server_context.h"
#include "tests/upstream/shared_state.h"
#include "tests/upstream/upstream_options.h"
#include "tests/upstream/worker.h"

namespace meshlb::upstream {

// The whole test upstream: binds one listening socket per worker thread (SO_REUSEPORT when
// there are several; libuv 1.44 has no UV_TCP_REUSEPORT, so the sockets are made by hand) and
// runs the workers. Owned and driven by the main thread.
class UpstreamServer {
 public:
  explicit UpstreamServer(const Options& options);
  ~UpstreamServer();
  UpstreamServer(const UpstreamServer&) = delete;
  UpstreamServer& operator=(const UpstreamServer&) = delete;

  // Binds and starts the workers. Returns the bound address (the real port when PORT was 0).
  // Connections are accepted (into the backlog) from the moment this returns.
  Result<SocketAddress> start();
  // Closes every connection, stops and joins the workers. Idempotent.
  void stop();

 private:
  Options options_;
  SharedState shared_;
  ServerContext context_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace meshlb::upstream
