#include "proxy/upstream/upstream_connection.h"

#include "common/log.h"
#include "proxy/upstream/connection_pool.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {
namespace {

// Responses are bounded like requests; an upstream with a 64 KiB head is broken, not clever.
const config::HttpLimits kResponseLimits{};

}  // namespace

UpstreamConnection::UpstreamConnection(WorkerContext& worker, ConnectionPool& pool)
    : worker_(worker),
      pool_(pool),
      writer_(*this),
      decoder_(http::Http1Decoder::Kind::kResponse, *this, kResponseLimits) {}

void UpstreamConnection::connect(UpstreamCallbacks& owner) {
  owner_ = &owner;
  state_ = State::kConnecting;
  holds_pending_slot_ = true;  // taken by the pool, with a connection slot
  worker_.stats->upstream_connections_total.add();
  pool_.stats().connections_total.add();
  pool_.stats().connections_active.add();
  connect_started_ns_ = uv_hrtime();
  uv_tcp_init(worker_.loop, tcp_.get());
  tcp_.initialized(this);
  uv_timer_init(worker_.loop, timer_.get());
  timer_.initialized(this);
  open_handles_ = 2;
  uv_tcp_nodelay(tcp_.get(), 1);
  if (pool_.cluster().tls) {
    // Writes made before the handshake ends are kept by the TLS engine, so the owner may queue
    // its request at once.
    tls_ = std::make_unique<tls::TlsConnection>(pool_.cluster().tls, tls::Role::kClient);
    tls_filter_ = std::make_unique<tls::TlsWriteFilter>(*tls_);
    writer_.setFilter(tls_filter_.get());
  }
  connect_request_.data = this;
  int rc = uv_tcp_connect(&connect_request_, tcp_.get(), pool_.address().get(),
                          &UpstreamConnection::onConnect);
  if (rc != 0) {
    // Reported from the loop, not from inside connect(), so the owner is never re-entered.
    LOG_DEBUG("connect to %s failed at once: %s", pool_.label().c_str(), uv_strerror(rc));
    uv_timer_start(timer_.get(), &UpstreamConnection::onTimer, 0, 0);
    state_ = State::kClosed;  // onTimer sees kClosed with an owner: a failed connect
    return;
  }
  uv_timer_start(timer_.get(), &UpstreamConnection::onTimer, pool_.cluster().connect_timeout_ms, 0);
}

void UpstreamConnection::adopt(UpstreamCallbacks& owner) {
  owner_ = &owner;
  state_ = State::kActive;
  reused_ = true;
  response_complete_ = false;
  skip_body_ = false;
  // The idle timer keeps running (see idle_since_ms_): onTimer ignores it while in use.
  worker_.stats->upstream_connections_reused_total.add();
}

void UpstreamConnection::releasePendingSlot() {
  if (holds_pending_slot_) {
    holds_pending_slot_ = false;
    pool_.limits().pending.release();
  }
}

void UpstreamConnection::onConnect(uv_connect_t* request, int status) {
  auto* self = static_cast<UpstreamConnection*>(request->data);
  self->releasePendingSlot();
  if (status == UV_ECANCELED || self->state_ == State::kClosed) {
    return;
  }
  uv_timer_stop(self->timer_.get());
  if (status != 0) {
    LOG_DEBUG("connect to %s failed: %s", self->pool_.label().c_str(), uv_strerror(status));
    self->failConnect(false);
    return;
  }
  self->state_ = State::kActive;
  self->pool_.stats().connect_duration.record((uv_hrtime() - self->connect_started_ns_) / 1000);
  self->writer_.attach(self->tcp_.stream());
  if (self->tls_) {
    if (!self->tls_->startHandshake()) {
      self->failConnect(false);
      return;
    }
    self->writer_.writeRaw(self->tls_->pendingOutput());  // the ClientHello
    self->tls_->pendingOutput().clear();
  }
  self->resumeReading();
  if (self->owner_ != nullptr) {
    self->owner_->onUpstreamReady();
  }
}

void UpstreamConnection::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<UpstreamConnection*>(timer->data);
  if (self->state_ == State::kConnecting || (self->state_ == State::kClosed && self->owner_)) {
    self->failConnect(/*timed_out=*/self->state_ == State::kConnecting);
  } else if (self->state_ == State::kIdle) {
    const uint64_t timeout_ms = self->pool_.cluster().upstream_idle_timeout_ms;
    const uint64_t idle_ms = uv_now(self->worker_.loop) - self->idle_since_ms_;
    if (idle_ms < timeout_ms) {  // used again since the timer was started
      uv_timer_start(timer, &UpstreamConnection::onTimer, timeout_ms - idle_ms, 0);
      return;
    }
    self->close();  // idle too long in the pool
  }
  // In use (or a tunnel): nothing; release() starts the timer again.
}

void UpstreamConnection::onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer) {
  allocFromWorkerBuffer(handle, suggested, buffer);
}

void UpstreamConnection::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  auto* self = static_cast<UpstreamConnection*>(stream->data);
  if (nread > 0) {
    self->handleData(buffer->base, static_cast<size_t>(nread));
  } else if (nread < 0) {
    self->handleEof();
  }
}

void UpstreamConnection::handleData(const char* data, size_t length) {
  if (!tls_) {
    handlePlaintext(data, length);
    return;
  }
  plaintext_.clear();
  Status status = tls_->receive(data, length, plaintext_);
  writer_.writeRaw(tls_->pendingOutput());  // handshake records, alerts
  tls_->pendingOutput().clear();
  if (!status) {
    bool in_handshake = !tls_->handshakeDone();
    if (in_handshake) {
      worker_.stats->upstream_tls_handshake_errors_total.add();
    }
    pool_.reportTlsError(tls_->lastError());
    if (in_handshake && state_ == State::kActive && owner_ != nullptr) {
      failConnect(false);  // nothing of the request was sent: it waits for the handshake
      return;
    }
    fail(false, "TLS error");
    return;
  }
  if (!plaintext_.empty()) {
    handlePlaintext(plaintext_.data(), plaintext_.size());
  }
  if (tls_->peerClosed() && state_ != State::kClosed) {
    handleEof();
  }
}

void UpstreamConnection::handlePlaintext(const char* data, size_t length) {
  pool_.stats().bytes_received.add(length);
  switch (state_) {
    case State::kIdle:
      close();  // an idle connection must stay silent: whatever this is, it is not ours
      return;
    case State::kTunnel:
      owner_->onUpstreamData(data, length);
      return;
    case State::kActive:
      break;
    default:
      return;
  }
  while (length > 0 && state_ == State::kActive && owner_ != nullptr) {
    http::Http1Decoder::Result result = decoder_.decode(data, length);
    using Status = http::Http1Decoder::Result::Status;
    if (result.status == Status::kError) {
      fail(true, decoder_.errorReason());
      return;
    }
    data += result.consumed;
    length -= result.consumed;
    if (result.status == Status::kStopped) {
      fail(true, "response refused by the session");
      return;
    }
    if (state_ == State::kTunnel && length > 0) {
      owner_->onUpstreamData(data, length);  // bytes after a 101 head belong to the tunnel
      return;
    }
    if (response_complete_ && length > 0) {
      // Bytes after a complete response: the upstream broke framing; never reuse this.
      response_complete_ = false;
      fail(true, "data after the end of a response");
      return;
    }
  }
}

void UpstreamConnection::handleEof() {
  if (state_ == State::kTunnel) {
    pauseReading();
    if (owner_ != nullptr) {
      owner_->onUpstreamEof();
    }
    return;
  }
  if (state_ == State::kActive && owner_ != nullptr && decoder_.finishOnEof()) {
    // A close-delimited response ended with the connection.
    state_ = State::kClosed;
    close();
    return;
  }
  if (state_ == State::kActive && owner_ != nullptr && !response_complete_) {
    fail(false, "upstream closed the connection before the response ended");
    return;
  }
  close();
}

void UpstreamConnection::failConnect(bool timed_out) {
  pool_.stats().connect_failures.add();
  UpstreamCallbacks* owner = owner_;
  owner_ = nullptr;
  close();
  if (owner != nullptr) {
    owner->onUpstreamConnectFailed(timed_out);
  }
}

void UpstreamConnection::fail(bool bad_response, std::string_view reason) {
  UpstreamCallbacks* owner = owner_;
  owner_ = nullptr;
  close();
  if (owner != nullptr) {
    owner->onUpstreamFailed(bad_response, reason);
  }
}

http::HeadAction UpstreamConnection::onHead(http::MessageHead& head, const http::HeadInfo& info) {
  if (owner_ == nullptr) {
    return http::HeadAction::kStop;
  }
  status_ = head.status;
  http::HeadAction action = owner_->onResponseHead(head, info);
  if (action == http::HeadAction::kContinue && skip_body_ && head.status >= 200) {
    return http::HeadAction::kSkipBody;
  }
  return action;
}

void UpstreamConnection::onBody(const char* data, size_t length) {
  if (owner_ != nullptr) {
    owner_->onResponseBody(data, length);
  }
}

void UpstreamConnection::onMessageComplete() {
  // 1xx answers (but 101) are followed by the real response on the same connection.
  response_complete_ = status_ >= 200 || status_ == 101;
  if (owner_ != nullptr) {
    owner_->onResponseComplete();
  }
}

void UpstreamConnection::onWriterDrained() {
  if (owner_ != nullptr) {
    owner_->onUpstreamDrained();
  }
}

void UpstreamConnection::onWriteError(int status) {
  LOG_DEBUG("write to %s failed: %s", pool_.label().c_str(), uv_strerror(status));
  fail(false, "write to upstream failed");
}

void UpstreamConnection::pauseReading() {
  if (reading_) {
    uv_read_stop(tcp_.stream());
    reading_ = false;
  }
}

void UpstreamConnection::resumeReading() {
  if (!reading_ && state_ != State::kClosed && state_ != State::kConnecting) {
    uv_read_start(tcp_.stream(), &UpstreamConnection::onAlloc, &UpstreamConnection::onRead);
    reading_ = true;
  }
}

void UpstreamConnection::startTunnel(const char* leftover, size_t length) {
  state_ = State::kTunnel;
  if (length > 0 && owner_ != nullptr) {
    owner_->onUpstreamData(leftover, length);
  }
}

void UpstreamConnection::shutdownAfterFlush() {
  if (state_ != State::kClosed) {
    writer_.shutdownWhenFlushed();
  }
}

void UpstreamConnection::release(bool reusable) {
  owner_ = nullptr;
  if (!reusable || state_ != State::kActive || !response_complete_ || !writer_.flushed() ||
      decoder_.inMessage() || worker_.draining) {
    close();
    return;
  }
  state_ = State::kIdle;
  resumeReading();  // notice when the upstream closes an idle connection
  if (!pool_.putIdle(this)) {
    close();
    return;
  }
  idle_since_ms_ = uv_now(worker_.loop);
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(timer_.get())) == 0) {
    uv_timer_start(timer_.get(), &UpstreamConnection::onTimer,
                   pool_.cluster().upstream_idle_timeout_ms, 0);
  }
}

void UpstreamConnection::close() {
  if (state_ == State::kIdle) {
    pool_.removeIdle(this);
  }
  state_ = State::kClosed;
  owner_ = nullptr;
  releasePendingSlot();
  writer_.detach();
  tcp_.close(&UpstreamConnection::onClosed);
  timer_.close(&UpstreamConnection::onClosed);
}

void UpstreamConnection::onClosed(uv_handle_t* handle) {
  auto* self = static_cast<UpstreamConnection*>(handle->data);
  if (--self->open_handles_ == 0) {
    self->pool_.stats().connections_active.sub();
    self->pool_.connectionFreed();
    delete self;
  }
}

}  // namespace meshlb
