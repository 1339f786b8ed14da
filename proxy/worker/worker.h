#pragma once

#include <uv.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/uv_handle.h"
#include "proxy/access_log/access_log.h"
#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/worker/listener.h"
#include "proxy/worker/worker_context.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

// A worker thread: its own libuv loop, its own accepting socket per listener (SO_REUSEPORT),
// its own connection pools, balancers and stats. A connection stays on the worker that accepted
// it. The main thread talks to it only through drain() (a uv_async wake-up) and reads its stats
// (relaxed atomics); nothing on the data path takes a lock.
class Worker {
 public:
  // `listen_fds[i]` is this worker's socket for config->listeners[i]; the worker owns them.
  Worker(uint32_t index, std::shared_ptr<const config::Config> config, std::vector<int> listen_fds,
         int access_log_fd, health::OutlierSink* outlier_sink, SharedLimits* limits);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Main thread: stop accepting, finish in-flight exchanges (closing idle connections), and end
  // the thread once no connection is left or the drain timeout passed.
  void drain();
  // Main thread: the newest health snapshot; the worker applies it on its own thread.
  void postHealth(health::HealthSnapshotPtr snapshot);
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  void join();
  const WorkerStats& stats() const { return stats_; }

 private:
  void run();
  void setUp();
  void applyPendingHealth();
  void beginDrain();
  void checkDrained();
  void tearDown();
  static void onAsync(uv_async_t* async);
  static void onConnection(uv_stream_t* server, int status);
  static void refuseConnection(uv_stream_t* server, WorkerContext& context);
  static void onDrainTick(uv_timer_t* timer);

  uint32_t index_;
  std::shared_ptr<const config::Config> config_;
  std::vector<int> listen_fds_;
  int access_log_fd_;
  std::thread thread_;
  uv_loop_t loop_{};
  UvHandle<uv_async_t> wakeup_;
  UvHandle<uv_timer_t> drain_timer_;
  std::mutex wakeup_mutex_;   // guards wakeup_open_ and sends against the handle's close
  bool wakeup_open_ = false;  // wakeup_ may be signalled
  health::HealthSnapshotPtr pending_health_;  // guarded by wakeup_mutex_
  health::OutlierSink* outlier_sink_;
  SharedLimits* limits_;
  std::atomic<bool> drain_requested_{false};
  std::atomic<bool> finished_{false};
  WorkerStats stats_;
  std::unique_ptr<WorkerContext> context_;
  std::vector<std::unique_ptr<ListenerRuntime>> listeners_;
  std::unique_ptr<AccessLogWriter> access_log_;
  bool draining_ = false;
  uint64_t drain_deadline_ms_ = 0;
};

}  // namespace meshlb
