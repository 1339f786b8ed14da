#include "proxy/worker/worker.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/log.h"
#include "common/thread_name.h"
#include "proxy/session/http_session.h"
#include "proxy/session/tcp_session.h"

namespace meshlb {
namespace {

constexpr uint64_t kDrainTickMs = 50;
constexpr uint64_t kReapTickMs = 500;
// How often a listener paused out of file descriptors tries to accept again.
constexpr uint64_t kAcceptResumeMs = 250;
constexpr int kListenBacklog = 4096;

void closeFds(std::map<std::string, int>& fds) {
  for (auto& [address, fd] : fds) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  fds.clear();
}

}  // namespace

Worker::Worker(uint32_t index, GenerationSpec first, int access_log_fd,
               health::OutlierSink* outlier_sink)
    : index_(index), access_log_fd_(access_log_fd), outlier_sink_(outlier_sink) {
  pending_generations_.push_back(std::move(first));
}

Worker::~Worker() {
  join();
  for (GenerationSpec& spec : pending_generations_) {
    closeFds(spec.new_socket_fds);
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
  // The control path, not the data path: the mutex keeps the wake-up handle from being closed
  // between our check and the send. The worker looks at drain_requested_ after opening the
  // handle, so a drain asked before the handle existed is not lost either.
  std::lock_guard<std::mutex> lock(wakeup_mutex_);
  if (wakeup_open_) {
    uv_async_send(wakeup_.get());
  }
}

void Worker::postGeneration(GenerationSpec spec) {
  std::lock_guard<std::mutex> lock(wakeup_mutex_);
  pending_generations_.push_back(std::move(spec));
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

void Worker::applyPendingMessages() {
  std::vector<GenerationSpec> generations;
  health::HealthSnapshotPtr health;
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    generations.swap(pending_generations_);
    health.swap(pending_health_);
  }
  for (GenerationSpec& spec : generations) {
    if (draining_) {
      closeFds(spec.new_socket_fds);
      continue;
    }
    applyGeneration(std::move(spec));
  }
  if (health) {
    applyHealth(*health);
  }
}

void Worker::applyHealth(const health::HealthSnapshot& snapshot) {
  for (auto& generation : generations_) {
    if (generation->number != snapshot.generation) {
      continue;
    }
    for (size_t c = 0; c < generation->clusters.size() && c < snapshot.clusters.size() &&
                       c < snapshot.weights.size();
         ++c) {
      generation->clusters[c]->applyHealth(snapshot.clusters[c], snapshot.weights[c]);
    }
  }
}

std::unique_ptr<Generation> Worker::buildGeneration(const GenerationSpec& spec) {
  auto generation = std::make_unique<Generation>();
  generation->number = spec.number;
  generation->config = spec.config;
  generation->limits = spec.limits;
  generation->stats = spec.stats;
  const config::Config& config = *spec.config;
  const stats::WorkerStatsBlocks& blocks = spec.stats->workers[index_];
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    generation->clusters.push_back(std::make_unique<ClusterRuntime>(
        *context_, config.clusters[c], spec.limits->cluster[c], *blocks.clusters[c],
        blocks.hosts[c], outlier_sink_, spec.number, static_cast<uint32_t>(c)));
  }
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    auto listener = std::make_unique<ListenerRuntime>();
    listener->config = &config.listeners[i];
    listener->worker = context_.get();
    listener->generation = generation.get();
    listener->connections = &spec.limits->listener_connections[i];
    listener->stats = blocks.listeners[i];
    if (listener->config->protocol == config::Protocol::kHttp) {
      listener->router = std::make_unique<Router>(listener->config->routes);
    }
    generation->listeners.push_back(std::move(listener));
  }
  return generation;
}

void Worker::bindSockets(Generation& generation, std::map<std::string, int>& new_fds) {
  std::set<std::string> wanted;
  for (auto& listener : generation.listeners) {
    std::string address = listener->config->address.toString();
    wanted.insert(address);
    ListenerSocket* socket = nullptr;
    for (auto& existing : sockets_) {
      if (existing->address == address) {
        socket = existing.get();
      }
    }
    if (socket == nullptr) {
      auto fd = new_fds.find(address);
      if (fd == new_fds.end() || fd->second < 0) {
        LOG_ERROR("worker %u: no socket for listener %s (%s)", index_,
                  listener->config->name.c_str(), address.c_str());
        continue;
      }
      auto created = std::make_unique<ListenerSocket>();
      created->address = address;
      created->worker = this;
      uv_tcp_init(&loop_, created->server.get());
      created->server.initialized(created.get());
      created->spare_fd = dup(fd->second);
      if (created->spare_fd < 0) {
        LOG_WARN(
            "worker %u: listener %s: no spare descriptor (%s); accepting cannot pause when "
            "descriptors run out",
            index_, listener->config->name.c_str(), strerror(errno));
      }
      const int listen_fd = fd->second;
      fd->second = -1;  // the handle owns it now (or it was closed)
      if (!listenOn(*created, listen_fd)) {
        LOG_ERROR("worker %u: listener %s: cannot accept", index_, listener->config->name.c_str());
      }
      socket = created.get();
      sockets_.push_back(std::move(created));
    }
    socket->current = listener.get();
  }
  closeFds(new_fds);  // fds for addresses already served (should not happen) are not needed
  // Addresses the new config no longer has: stop accepting there. Connections accepted there
  // go on, pinned to their generation.
  for (auto it = sockets_.begin(); it != sockets_.end();) {
    if (wanted.count((*it)->address) != 0) {
      ++it;
      continue;
    }
    ListenerSocket* closing = it->release();
    it = sockets_.erase(it);
    closeListenerSocket(closing);
  }
}

bool Worker::listenOn(ListenerSocket& socket, int fd) {
  int rc = uv_tcp_open(socket.server.get(), fd);
  if (rc != 0) {
    ::close(fd);
  } else {
    rc = uv_listen(socket.server.stream(), kListenBacklog, &Worker::onConnection);
  }
  if (rc != 0) {
    LOG_ERROR("worker %u: listen on %s: %s", index_, socket.address.c_str(), uv_strerror(rc));
    return false;
  }
  return true;
}

void Worker::closeListenerSocket(ListenerSocket* socket) {
  socket->current = nullptr;
  if (socket->spare_fd >= 0) {
    ::close(socket->spare_fd);
    socket->spare_fd = -1;
  }
  if (socket->server.close(
          [](uv_handle_t* handle) { delete static_cast<ListenerSocket*>(handle->data); })) {
    return;
  }
  // Paused: the handle is closed already, or closing.
  if (socket->pause_closed) {
    delete socket;
  } else {
    socket->retired = true;
  }
}

void Worker::pauseAccepting(ListenerSocket& socket) {
  socket.paused = true;
  socket.pause_closed = false;
  // Closing sets the handle's fd to -1, which is what ends libuv's accept loop.
  socket.server.close([](uv_handle_t* handle) {
    auto* closed = static_cast<ListenerSocket*>(handle->data);
    closed->pause_closed = true;
    if (closed->retired) {
      delete closed;
    }
  });
  if (!uv_is_active(resume_timer_.handle())) {
    uv_timer_start(resume_timer_.get(), &Worker::onResumeTick, kAcceptResumeMs, kAcceptResumeMs);
  }
}

void Worker::onResumeTick(uv_timer_t* timer) {
  auto* self = static_cast<Worker*>(timer->data);
  bool still_paused = false;
  for (auto& socket : self->sockets_) {
    if (!socket->paused) {
      continue;
    }
    // A new spare first: without a free descriptor for it, it is too early to accept anyway.
    const int next_spare = socket->pause_closed ? dup(socket->spare_fd) : -1;
    if (next_spare < 0) {
      still_paused = true;
      continue;
    }
    const int listen_fd = socket->spare_fd;
    socket->spare_fd = next_spare;
    socket->paused = false;
    socket->pause_closed = false;
    uv_tcp_init(&self->loop_, socket->server.get());
    socket->server.initialized(socket.get());
    if (self->listenOn(*socket, listen_fd)) {
      LOG_INFO("worker %u: accepting on %s again", self->index_, socket->address.c_str());
    }
  }
  if (!still_paused) {
    uv_timer_stop(timer);
  }
}

void Worker::applyGeneration(GenerationSpec spec) {
  std::unique_ptr<Generation> generation = buildGeneration(spec);
  bindSockets(*generation, spec.new_socket_fds);
  if (!generations_.empty()) {
    Generation& previous = current();
    previous.retired = true;
    for (auto& cluster : previous.clusters) {
      cluster->closeIdle();  // new requests use the new generation's pools
    }
    uv_timer_start(reap_timer_.get(), &Worker::onReapTick, kReapTickMs, kReapTickMs);
    LOG_DEBUG("worker %u: generation %llu replaces %llu", index_,
              static_cast<unsigned long long>(spec.number),
              static_cast<unsigned long long>(previous.number));
  }
  // Every retired listener now leads to the new generation (see ListenerRuntime::successor).
  for (auto& retired : generations_) {
    for (auto& listener : retired->listeners) {
      listener->successor = nullptr;
      for (auto& next : generation->listeners) {
        if (next->config->address.toString() == listener->config->address.toString()) {
          listener->successor = next.get();
        }
      }
    }
  }
  generations_.push_back(std::move(generation));
}

void Worker::onReapTick(uv_timer_t* timer) {
  static_cast<Worker*>(timer->data)->reapGenerations();
}

void Worker::reapGenerations() {
  // Only from a timer: never while a session or connection of the generation is on the stack.
  for (auto it = generations_.begin(); it != generations_.end();) {
    if ((*it)->retired && (*it)->unused()) {
      it = generations_.erase(it);
    } else {
      ++it;
    }
  }
  if (generations_.size() <= 1) {
    uv_timer_stop(reap_timer_.get());
  }
}

void Worker::setUp() {
  context_ = std::make_unique<WorkerContext>(index_);
  context_->loop = &loop_;
  context_->stats = &stats_;
  loop_.data = context_.get();
  context_->deadlines.start(&loop_);
  if (access_log_fd_ >= 0) {
    access_log_ =
        std::make_unique<AccessLogWriter>(&loop_, access_log_fd_, stats_.access_log_dropped_total);
    context_->access_log = access_log_.get();
  }
  uv_async_init(&loop_, wakeup_.get(), &Worker::onAsync);
  wakeup_.initialized(this);
  uv_timer_init(&loop_, drain_timer_.get());
  drain_timer_.initialized(this);
  uv_timer_init(&loop_, reap_timer_.get());
  reap_timer_.initialized(this);
  uv_timer_init(&loop_, resume_timer_.get());
  resume_timer_.initialized(this);
}

void Worker::run() {
  nameThisThread(("worker-" + std::to_string(index_)).c_str());
  uv_loop_init(&loop_);
  setUp();
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    wakeup_open_ = true;
  }
  applyPendingMessages();  // the first generation, and anything posted before we were up
  if (drain_requested_.load()) {
    beginDrain();  // drain() came before the wake-up handle existed
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  generations_.clear();
  access_log_.reset();
  int rc = uv_loop_close(&loop_);
  if (rc != 0) {
    LOG_WARN("worker %u: loop closed with handles open: %s", index_, uv_strerror(rc));
  }
  finished_.store(true, std::memory_order_release);
}

void Worker::onAsync(uv_async_t* async) {
  auto* self = static_cast<Worker*>(async->data);
  self->applyPendingMessages();
  if (self->drain_requested_.load() && !self->draining_) {
    self->beginDrain();
  }
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* socket = static_cast<ListenerSocket*>(server->data);
  ListenerRuntime* listener = socket->current;
  if (listener == nullptr) {
    return;
  }
  WorkerContext& context = *listener->worker;
  if (status != 0) {
    onAcceptError(*socket, status);
    return;
  }
  if (context.draining) {
    return;
  }
  SharedGauge* gauge = nullptr;
  if (listener->config->max_connections > 0) {
    gauge = listener->connections;
    if (!gauge->tryAcquire(listener->config->max_connections)) {
      listener->stats->connections_refused.add();
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

void Worker::onAcceptError(ListenerSocket& socket, int status) {
  WorkerContext& context = *socket.current->worker;
  context.stats->downstream_accept_errors_total.add();
  const bool out_of_descriptors = status == UV_EMFILE || status == UV_ENFILE;
  const bool pausing = out_of_descriptors && socket.spare_fd >= 0 && !socket.paused;
  // uv_now() stands still inside libuv's accept loop: read the clock.
  const uint64_t now_ms = uv_hrtime() / 1'000'000;
  if (socket.last_warning_ms != 0 && now_ms - socket.last_warning_ms < 1000) {
    ++socket.errors_unlogged;
  } else {
    LOG_WARN("accept on %s: %s%s (%llu more since the last warning)",
             socket.current->config->name.c_str(), uv_strerror(status),
             pausing ? "; accepting pauses" : "",
             static_cast<unsigned long long>(socket.errors_unlogged));
    socket.last_warning_ms = now_ms;
    socket.errors_unlogged = 0;
  }
  if (pausing) {
    socket.worker->pauseAccepting(socket);
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
  for (auto& socket : sockets_) {
    closeListenerSocket(socket.release());
  }
  sockets_.clear();
  resume_timer_.close(nullptr);
  // drain() may close sessions, which unlinks them: walk with the next pointer saved.
  for (Session* session = context_->sessions; session != nullptr;) {
    Session* next = session->next_session;
    session->drain();
    session = next;
  }
  uint64_t drain_timeout_ms = generations_.empty() ? 0 : current().config->drain_timeout_ms;
  drain_deadline_ms_ = uv_now(&loop_) + drain_timeout_ms;
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
  for (auto& generation : generations_) {
    for (auto& cluster : generation->clusters) {
      cluster->closeIdle();
    }
  }
  if (access_log_) {
    access_log_->close();
  }
  drain_timer_.close(nullptr);
  context_->deadlines.close();
  reap_timer_.close(nullptr);
  resume_timer_.close(nullptr);
  {
    std::lock_guard<std::mutex> lock(wakeup_mutex_);
    wakeup_open_ = false;
    wakeup_.close(nullptr);
  }
  // uv_run returns once the closing handles and the last log write are done.
}

}  // namespace meshlb
