#pragma once

#include <uv.h>

#include <memory>

#include "common/address.h"
#include "common/result.h"
#include "common/uv_handle.h"
#include "proxy/config/config.h"
#include "proxy/router/router.h"
#include "proxy/upstream/shared_limits.h"

namespace meshlb {

struct WorkerContext;

// Opens a listening TCP socket with SO_REUSEPORT, so that every worker can own one for the same
// address and the kernel spreads connections between them. Called on the main thread at start-up
// so that "address in use" is reported before any worker starts. Returns the fd.
Result<int> openListenSocket(const SocketAddress& address, int backlog);

// One listener as a worker runs it: its own accepting socket, and the router. Worker-local.
struct ListenerRuntime {
  const config::ListenerConfig* config = nullptr;
  WorkerContext* worker = nullptr;
  std::unique_ptr<Router> router;      // http listeners
  SharedGauge* connections = nullptr;  // downstream connections over all workers
  UvHandle<uv_tcp_t> server;
};

}  // namespace meshlb
