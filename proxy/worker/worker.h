#pragma once

#include <uv.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/uv_handle.h"
#include "proxy/access_log/access_log.h"
#include "proxy/config/config.h"
#include "proxy/health/host_state.h"
#include "proxy/stats/stats_store.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/worker/generation.h"
#include "proxy/worker/listener.h"
#include "proxy/worker/worker_context.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

// What the main thread hands a worker to run a config: the config, the circuit-breaker gauges
// shared by all workers for it, and this worker's new listening sockets (by address) for the
// addresses it does not listen on yet. The worker owns the fds once posted.
struct GenerationSpec {
  uint64_t number = 0;
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<SharedLimits> limits;
  // Every worker's stats blocks for this config; this worker uses its own index's.
  std::shared_ptr<const stats::ConfigStatsBlocks> stats;
  std::map<std::string, int> new_socket_fds;
};

// A worker thread: its own libuv loop, its own accepting socket per listener address
// (SO_REUSEPORT), its own connection pools, balancers and stats. A connection stays on the
// worker that accepted it, and on the config generation it was accepted under. The main thread
// talks to it only through messages (a mutex-guarded mailbox plus a uv_async wake-up: drain, new
// generation, health snapshot) and reads its stats (relaxed atomics); the data path takes no
// lock.
class Worker {
 public:
  Worker(uint32_t index, GenerationSpec first, int access_log_fd,
         health::OutlierSink* outlier_sink);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Main thread: stop accepting, finish in-flight exchanges (closing idle connections), and end
  // the thread once no connection is left or the drain timeout passed.
  void drain();
  // Main thread: run a new config from now on; connections in flight finish on the old one.
  void postGeneration(GenerationSpec spec);
  // Main thread: the newest health snapshot; the worker applies it on its own thread.
  void postHealth(health::HealthSnapshotPtr snapshot);
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  void join();
  const WorkerStats& stats() const { return stats_; }

 private:
  void run();
  void setUp();
  void applyGeneration(GenerationSpec spec);
  std::unique_ptr<Generation> buildGeneration(const GenerationSpec& spec);
  void bindSockets(Generation& generation, std::map<std::string, int>& new_fds);
  void applyPendingMessages();
  void applyHealth(const health::HealthSnapshot& snapshot);
  void reapGenerations();
  void beginDrain();
  void checkDrained();
  void tearDown();
  Generation& current() { return *generations_.back(); }
  static void onAsync(uv_async_t* async);
  static void onConnection(uv_stream_t* server, int status);
  // Accept failed: count, warn at most once a second, and pause on EMFILE/ENFILE.
  static void onAcceptError(ListenerSocket& socket, int status);
  // Starts accepting on `socket` (its server handle initialised, not yet listening on `fd`).
  bool listenOn(ListenerSocket& socket, int fd);
  void pauseAccepting(ListenerSocket& socket);
  static void onResumeTick(uv_timer_t* timer);
  // Takes `socket` out of service and frees it once libuv is done with it.
  static void closeListenerSocket(ListenerSocket* socket);
  static void refuseConnection(uv_stream_t* server, WorkerContext& context);
  static void onDrainTick(uv_timer_t* timer);
  static void onReapTick(uv_timer_t* timer);

  uint32_t index_;
  int access_log_fd_;
  health::OutlierSink* outlier_sink_;
  std::thread thread_;
  uv_loop_t loop_{};
  UvHandle<uv_async_t> wakeup_;
  UvHandle<uv_timer_t> drain_timer_;
  UvHandle<uv_timer_t> reap_timer_;
  UvHandle<uv_timer_t> resume_timer_;  // re-opens listener sockets paused out of descriptors

  // Mailbox from the main thread, guarded by wakeup_mutex_.
  std::mutex wakeup_mutex_;   // also keeps sends away from the wake-up handle's close
  bool wakeup_open_ = false;  // wakeup_ may be signalled
  std::vector<GenerationSpec> pending_generations_;
  health::HealthSnapshotPtr pending_health_;
  std::atomic<bool> drain_requested_{false};
  std::atomic<bool> finished_{false};

  WorkerStats stats_;
  std::unique_ptr<WorkerContext> context_;
  std::vector<std::unique_ptr<Generation>> generations_;  // oldest first; back() is current
  std::vector<std::unique_ptr<ListenerSocket>> sockets_;
  std::unique_ptr<AccessLogWriter> access_log_;
  bool draining_ = false;
  uint64_t drain_deadline_ms_ = 0;
};

}  // namespace meshlb
