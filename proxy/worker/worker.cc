#include "proxy/worker/worker.h"

#include <unistd.h>

#include "common/log.h"
#include "proxy/session/http_session.h"
#include "proxy/session/tcp_session.h"

namespace meshlb {
namespace {

constexpr uint64_t kDrainTickMs = 50;

}  // namespace

Worker::Worker(uint32_t index, std::shared_ptr<const config::Config> config,
               std::vector<int> listen_fds, int access_log_fd, health::OutlierSink* outlier_sink,
               SharedLimits* limits)
    : index_(index),
      config_(std::move(config)),
      listen_fds_(std::move(listen_fds)),
      access_log_fd_(access_log_fd),
      outlier_sink_(outlier_sink),
      limits_(limits) {}

Worker::~Worker() {
  join();
  for (int fd : listen_fds_) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Worker::drain() {
  drain_requested_.store(true);
  // The control path, not the data path: a mutex keeps the wake-up handle from being closed
  // between our check and the send. The worker looks at drain_requested_ after opening the handle,
  // so a drain asked before the handle existed is not lost either.
  std::lock_guard<std::mutex> lock(wakeup_mutex_);
  if (wakeup_open_) {
    uv_async_send(wakeup_.get());
  }
}

void Worker::postHealth(health::HealthSnapshotPtr snapshot) {
  std::lock_guard<std::mutex> lock(wakeup_mutex_);
  pending_health_ = std::move(snapshot);  // only the newest matters
  if (wakeup_open_) {
    uv_async_send(wakeup_.get());
  }
}

void Worker::applyPendingHealth() {
  health::HealthSnapshotPtr snapshot;
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    snapshot.swap(pending_health_);
  }
  if (!snapshot) {
    return;
  }
  for (size_t c = 0; c < context_->clusters.size() && c < snapshot->clusters.size(); ++c) {
    context_->clusters[c]->applyHealth(snapshot->clusters[c]);
  }
}

void Worker::setUp() {
  context_ = std::make_unique<WorkerContext>(index_, config_);
  context_->loop = &loop_;
  context_->stats = &stats_;
  context_->outlier_sink = outlier_sink_;
  context_->limits = limits_;
  loop_.data = context_.get();
  if (access_log_fd_ >= 0) {
    access_log_ =
        std::make_unique<AccessLogWriter>(&loop_, access_log_fd_, stats_.access_log_dropped_total);
    context_->access_log = access_log_.get();
  }

  // Clusters: one connection pool per host and a balancer over the usable hosts.
  for (size_t c = 0; c < config_->clusters.size(); ++c) {
    context_->clusters.push_back(
        std::make_unique<ClusterRuntime>(*context_, config_->clusters[c], limits_->cluster[c]));
  }

  for (size_t i = 0; i < config_->listeners.size(); ++i) {
    auto listener = std::make_unique<ListenerRuntime>();
    listener->config = &config_->listeners[i];
    listener->worker = context_.get();
    listener->connections = &limits_->listener_connections[i];
    if (listener->config->protocol == config::Protocol::kHttp) {
      listener->router = std::make_unique<Router>(listener->config->routes);
    }
    uv_tcp_init(&loop_, listener->server.get());
    listener->server.initialized(listener.get());
    int rc = uv_tcp_open(listener->server.get(), listen_fds_[i]);
    if (rc == 0) {
      listen_fds_[i] = -1;  // the handle owns it now
      rc = uv_listen(listener->server.stream(), 4096, &Worker::onConnection);
    }
    if (rc != 0) {
      LOG_ERROR("worker %u: listener %s: %s", index_, listener->config->name.c_str(),
                uv_strerror(rc));
    }
    listeners_.push_back(std::move(listener));
  }

  uv_async_init(&loop_, wakeup_.get(), &Worker::onAsync);
  wakeup_.initialized(this);
  uv_timer_init(&loop_, drain_timer_.get());
  drain_timer_.initialized(this);
}

void Worker::run() {
  uv_loop_init(&loop_);
  setUp();
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    wakeup_open_ = true;
  }
  applyPendingHealth();  // a snapshot posted before the worker was up
  if (drain_requested_.load()) {
    beginDrain();  // drain() came before the wake-up handle existed
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  context_->clusters.clear();
  access_log_.reset();
  listeners_.clear();
  int rc = uv_loop_close(&loop_);
  if (rc != 0) {
    LOG_WARN("worker %u: loop closed with handles open: %s", index_, uv_strerror(rc));
  }
  finished_.store(true, std::memory_order_release);
}

void Worker::onAsync(uv_async_t* async) {
  auto* self = static_cast<Worker*>(async->data);
  self->applyPendingHealth();
  if (self->drain_requested_.load() && !self->draining_) {
    self->beginDrain();
  }
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* listener = static_cast<ListenerRuntime*>(server->data);
  WorkerContext& context = *listener->worker;
  if (status != 0) {
    LOG_WARN("accept on %s: %s", listener->config->name.c_str(), uv_strerror(status));
    return;
  }
  if (context.draining) {
    return;
  }
  SharedGauge* gauge = nullptr;
  if (listener->config->max_connections > 0) {
    gauge = listener->connections;
    if (!gauge->tryAcquire(listener->config->max_connections)) {
      refuseConnection(server, context);
      return;
    }
  }
  if (listener->config->protocol == config::Protocol::kHttp) {
    auto* session = new HttpSession(context, *listener);
    session->listener_gauge_ = gauge;
    session->start(server);
  } else {
    auto* session = new TcpSession(context, *listener);
    session->listener_gauge_ = gauge;
    session->start(server);
  }
}

void Worker::refuseConnection(uv_stream_t* server, WorkerContext& context) {
  // Over max_connections: accept and reset at once, so the client learns now rather than after
  // the kernel's backlog has filled and its connect has timed out.
  context.stats->downstream_connections_refused_total.add();
  auto* refused = new uv_tcp_t;
  uv_tcp_init(server->loop, refused);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(refused)) == 0 &&
      uv_tcp_close_reset(
          refused, [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }) == 0) {
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(refused),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
}

void Worker::beginDrain() {
  draining_ = true;
  context_->draining = true;
  for (auto& listener : listeners_) {
    listener->server.close(nullptr);
  }
  // drain() may close sessions, which unlinks them: walk with the next pointer saved.
  for (Session* session = context_->sessions; session != nullptr;) {
    Session* next = session->next_session;
    session->drain();
    session = next;
  }
  drain_deadline_ms_ = uv_now(&loop_) + config_->drain_timeout_ms;
  uv_timer_start(drain_timer_.get(), &Worker::onDrainTick, 0, kDrainTickMs);
}

void Worker::onDrainTick(uv_timer_t* timer) {
  static_cast<Worker*>(timer->data)->checkDrained();
}

void Worker::checkDrained() {
  if (context_->session_count > 0 && uv_now(&loop_) < drain_deadline_ms_) {
    return;
  }
  if (context_->session_count > 0) {
    LOG_WARN("worker %u: drain timeout, closing %zu connections", index_, context_->session_count);
    for (Session* session = context_->sessions; session != nullptr;) {
      Session* next = session->next_session;
      session->abort();
      session = next;
    }
  }
  tearDown();
}

void Worker::tearDown() {
  for (auto& cluster : context_->clusters) {
    cluster->closeIdle();
  }
  if (access_log_) {
    access_log_->close();
  }
  drain_timer_.close(nullptr);
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    wakeup_open_ = false;
    wakeup_.close(nullptr);
  }
  // uv_run returns once the closing handles and the last log write are done.
}

}  // namespace meshlb
