#pragma once

#include <uv.h>

#include <memory>
#include <optional>
#include <vector>

#include "common/deadline_queue.h"
#include "common/string_pool.h"
#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/lb/load_balancer.h"
#include "proxy/session/exchange_state.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

class AccessLogWriter;

// A connection that a draining worker must wind down. Worker-local; kept in an intrusive list.
class Session {
 public:
  virtual ~Session() = default;
  // The worker is draining: finish the exchange in flight, then close; close now if idle.
  virtual void drain() = 0;
  // Drain time is over: close now.
  virtual void abort() = 0;

  Session* previous_session = nullptr;
  Session* next_session = nullptr;
};

// Everything a worker's connections share whatever the config generation. Lives on the worker
// thread for its whole life; every session holds a reference to it. What depends on the config
// (clusters, listeners' routes) lives in a Generation.
struct WorkerContext {
  static constexpr size_t kReadBufferSize = 64 * 1024;
  // Bounds of the string pool: at most 512 buffers of up to 16 KiB (heads are a few hundred
  // bytes; a burst of larger ones is freed rather than kept).
  static constexpr size_t kPooledStrings = 512;
  static constexpr size_t kPooledStringCapacity = 16 * 1024;
  // Free exchange states kept: a worker's peak of concurrent requests is usually far below.
  static constexpr size_t kPooledExchanges = 1024;

  explicit WorkerContext(uint32_t worker_index)
      : index(worker_index), random(0x6d6573686c62ULL + worker_index) {}

  uint32_t index;
  uv_loop_t* loop = nullptr;
  WorkerStats* stats = nullptr;
  AccessLogWriter* access_log = nullptr;  // null when access logging is off
  lb::FastRandom random;
  bool draining = false;
  // One read buffer for every connection of the worker: libuv reads into it and the reader
  // consumes (or copies what it must keep) before returning, so idle connections hold none.
  std::unique_ptr<char[]> read_buffer{new char[kReadBufferSize]};
  // Buffers of request and response heads (and kept requests for retries), lent to a
  // connection's exchange and taken back when it ends, so idle connections hold none.
  StringPool strings{kPooledStrings, kPooledStringCapacity};
  // Request decoders and exchange buffers, lent to a client connection while a request is
  // under way. Declared after `strings`, which its states give their buffers back to.
  ExchangeStatePool exchanges{kPooledExchanges, strings};
  // The connections' header, idle, request and linger timeouts, on one loop timer (a uv_timer_t
  // per connection would cost each idle one 152 bytes). Started by the worker's setUp().
  DeadlineQueue deadlines;

  // Live sessions, for draining.
  Session* sessions = nullptr;
  size_t session_count = 0;
  void addSession(Session* session);
  void removeSession(Session* session);
};

// libuv alloc callback that lends the worker's shared read buffer. `handle->loop->data` must be
// the WorkerContext.
void allocFromWorkerBuffer(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);

}  // namespace meshlb
