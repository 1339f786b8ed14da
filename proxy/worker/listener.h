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

class Worker;

// A worker's accepting socket for one address. It outlives generations: a reload that keeps the
// address only points `current` at the new generation's listener, so no connection is refused
// while the config changes. Worker-local.
//
// Out of file descriptors, accepting pauses: libuv retries a failing accept in a loop that only
// a free descriptor or closing the handle ends, so the handle is closed and later opened again
// on `spare_fd`, a duplicate of the socket kept for that. Meanwhile the socket stays open and
// in its SO_REUSEPORT group, so waiting clients stay queued (or go to other workers).
struct ListenerSocket {
  std::string address;  // SocketAddress::toString(), the key across generations
  ListenerRuntime* current = nullptr;
  Worker* worker = nullptr;
  UvHandle<uv_tcp_t> server;
  int spare_fd = -1;             // dup of the listening socket; -1: pausing is not possible
  bool paused = false;           // `server` was closed after running out of descriptors
  bool pause_closed = false;     // ... and its close callback has run: it may be opened again
  bool retired = false;          // let go while paused: the pause's close callback frees it
  uint64_t last_warning_ms = 0;  // accept errors are logged at most once a second
  uint64_t errors_unlogged = 0;  // accept errors since the last warning
};

}  // namespace meshlb
