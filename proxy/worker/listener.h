#pragma once

#include <uv.h>

#include <memory>

#include "common/address.h"
#include "common/result.h"
#include "common/uv_handle.h"
#include "proxy/config/config.h"
#include "proxy/router/router.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/upstream/shared_limits.h"

namespace meshlb {

struct WorkerContext;

// Opens a listening TCP socket with SO_REUSEPORT, so that every worker can own one for the same
// address and the kernel spreads connections between them. Called on the main thread at start-up
// so that "address in use" is reported before any worker starts. Returns the fd.
Result<int> openListenSocket(const SocketAddress& address, int backlog);

struct Generation;

// One listener of one config generation as a worker runs it: its config and router. Sessions
// keep pointing at it (and so at their generation) after a reload moved the socket on.
// Worker-local.
struct ListenerRuntime {
  const config::ListenerConfig* config = nullptr;
  WorkerContext* worker = nullptr;
  Generation* generation = nullptr;
  std::unique_ptr<Router> router;         // http listeners
  SharedGauge* connections = nullptr;     // downstream connections over all workers
  stats::ListenerStats* stats = nullptr;  // this worker's block for this listener
  // Once retired: the current generation's listener on the same address, or null if the
  // address left the config. Always points into the current generation, which is never freed.
  ListenerRuntime* successor = nullptr;
};

// A worker's accepting socket for one address. It outlives generations: a reload that keeps the
// address only points `current` at the new generation's listener, so no connection is refused
// while the config changes. Worker-local.
struct ListenerSocket {
  std::string address;  // SocketAddress::toString(), the key across generations
  ListenerRuntime* current = nullptr;
  UvHandle<uv_tcp_t> server;
};

}  // namespace meshlb
