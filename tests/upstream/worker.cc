#include "tests/upstream/worker.h"

#include <unistd.h>

#include <string>

#include "common/log.h"
#include "tests/upstream/connection.h"

namespace meshlb::upstream {

Worker::Worker(const ServerContext& context, int index, int listenFd)
    : context_(context), index_(index), listenFd_(listenFd) {}

Worker::~Worker() {
  join();
  if (loopReady_) {
    uv_loop_close(&loop_);
  } else if (listenFd_ >= 0) {
    ::close(listenFd_);
  }
}

Status Worker::start() {
  // All handles are set up here, on the caller's thread, before the loop thread exists: errors
  // are reported synchronously and stop() may be called as soon as start() returned.
  int rc = uv_loop_init(&loop_);
  if (rc != 0) {
    return Error{std::string("uv_loop_init: ") + uv_strerror(rc)};
  }
  loopReady_ = true;
  uv_async_init(&loop_, &stopAsync_, onStop);
  stopAsync_.data = this;
  uv_tcp_init(&loop_, &listener_);
  listener_.data = this;
  rc = uv_tcp_open(&listener_, listenFd_);
  if (rc == 0) {
    listenFd_ = -1;  // now owned by listener_
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 1024, onConnection);
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&stopAsync_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (listenFd_ >= 0) {
      ::close(listenFd_);
      listenFd_ = -1;
    }
    return Error{std::string("listen: ") + uv_strerror(rc)};
  }
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  return Status();
}

void Worker::stop() {
  if (thread_.joinable()) {
    uv_async_send(&stopAsync_);
  }
}

void Worker::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Worker::add(Connection* connection) {
  connection->next_ = connections_;
  connection->prev_ = nullptr;
  if (connections_ != nullptr) {
    connections_->prev_ = connection;
  }
  connections_ = connection;
}

void Worker::remove(Connection* connection) {
  if (connection->prev_ != nullptr) {
    connection->prev_->next_ = connection->next_;
  } else {
    connections_ = connection->next_;
  }
  if (connection->next_ != nullptr) {
    connection->next_->prev_ = connection->prev_;
  }
  connection->prev_ = nullptr;
  connection->next_ = nullptr;
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<Worker*>(server->data);
  if (status < 0) {
    LOG_WARN("test upstream: accept failed: %s", uv_strerror(status));
    return;
  }
  auto* connection = new Connection(*self);
  if (connection->start(server)) {
    self->counters().connections.fetch_add(1, std::memory_order_relaxed);
  }
}

void Worker::onStop(uv_async_t* async) {
  auto* self = static_cast<Worker*>(async->data);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->listener_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->stopAsync_), nullptr);
  // closeNow() only starts closing (deletion happens in a later close callback), so the list
  // stays valid while we walk it.
  for (Connection* connection = self->connections_; connection != nullptr;
       connection = connection->next_) {
    connection->closeNow();
  }
}

}  // namespace meshlb::upstream
