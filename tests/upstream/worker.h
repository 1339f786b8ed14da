#pragma once

#include <uv.h>

#include <thread>

#include "common/result.h"
#include "tests/upstream/server_context.h"

namespace meshlb::upstream {

class Connection;

// One event-loop thread with its own listening socket (an SO_REUSEPORT twin of the other
// workers' sockets, so the kernel spreads connections) and every connection it accepted.
//
// start() and stop()/join() are called by the owner on the main thread; everything else runs on
// the worker's thread while the loop runs.
class Worker {
 public:
  // listenFd: a bound, listening socket; the worker takes ownership.
  Worker(const ServerContext& context, int index, int listenFd);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Status start();
  // Thread-safe: asks the loop to close the listener and all connections, then to exit.
  void stop();
  void join();

  // For connections, on the worker thread.
  uv_loop_t* loop() { return &loop_; }
  const ServerContext& context() const { return context_; }
  WorkerCounters& counters() { return context_.shared->counters(index_); }
  // One read buffer shared by all connections of this worker: a read is fully processed (or the
  // leftover copied away) before the next read callback, so connections never hold on to it.
  char* readBuffer() { return readBuffer_; }
  size_t readBufferSize() const { return sizeof(readBuffer_); }
  void add(Connection* connection);
  void remove(Connection* connection);

 private:
  static void onConnection(uv_stream_t* server, int status);
  static void onStop(uv_async_t* async);

  const ServerContext& context_;
  int index_;
  int listenFd_;
  bool loopReady_ = false;
  uv_loop_t loop_{};
  uv_tcp_t listener_{};
  uv_async_t stopAsync_{};
  std::thread thread_;
  Connection* connections_ = nullptr;  // intrusive list through Connection::prev_/next_
  char readBuffer_[64 * 1024];
};

}  // namespace meshlb::upstream
