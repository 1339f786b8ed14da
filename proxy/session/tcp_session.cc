#include "proxy/session/tcp_session.h"

#include <algorithm>

#include "common/address.h"
#include "common/log.h"
#include "proxy/session/downstream_tls.h"
#include "proxy/worker/generation.h"
#include "proxy/worker/listener.h"

namespace meshlb {

TcpSession::TcpSession(WorkerContext& worker, const ListenerRuntime& listener)
    : worker_(worker),
      listener_(listener),
      client_(*this, true),
      upstream_(*this, false),
      listener_stats_(listener.stats) {}

void TcpSession::start(uv_stream_t* server) {
  uv_tcp_init(worker_.loop, client_.tcp.get());
  client_.tcp.initialized(&client_);
  uv_timer_init(worker_.loop, timer_.get());
  timer_.initialized(this);
  open_handles_ = 2;
  worker_.addSession(this);
  ++listener_.generation->sessions;  // pinned until close()
  if (uv_accept(server, client_.tcp.stream()) != 0) {
    close();
    return;
  }
  accepted_ = true;
  worker_.stats->downstream_connections_total.add();
  worker_.stats->downstream_connections_active.add();
  worker_.stats->tcp_sessions_total.add();
  listener_stats_->connections_total.add();
  listener_stats_->connections_active.add();
  uv_tcp_nodelay(client_.tcp.get(), 1);
  if (listener_.config->tls) {
    tls_ = std::make_unique<DownstreamTls>(listener_.config->tls);
    client_.writer.setFilter(&tls_->filter);
  }
  client_.writer.attach(client_.tcp.stream());

  cluster_ = listener_.generation->clusters[listener_.config->cluster_index].get();
  std::optional<uint64_t> hash;
  if (cluster_->config().lb_policy == lb::LbPolicy::kRingHash ||
      cluster_->config().lb_policy == lb::LbPolicy::kMaglev) {
    sockaddr_storage peer{};
    int length = sizeof(peer);
    if (uv_tcp_getpeername(client_.tcp.get(), reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
      hash = lb::hash64(fromSockaddr(reinterpret_cast<sockaddr*>(&peer)).ipString());
    }
  }
  std::optional<uint32_t> picked = cluster_->pick(hash);
  if (!picked) {
    worker_.stats->no_healthy_upstream_total.add();
    cluster_->stats().no_healthy_upstream.add();
    cluster_ = nullptr;
    close();
    return;
  }
  host_id_ = *picked;
  cluster_->requestStarted(host_id_);
  const config::CircuitBreakersConfig& breakers = cluster_->config().circuit_breakers;
  if (!cluster_->limits().connections.tryAcquire(breakers.effective(breakers.max_connections))) {
    worker_.stats->overflow_max_connections_total.add();
    cluster_->stats().overflow_max_connections.add();
    close();
    return;
  }
  holds_connection_slot_ = true;

  uv_tcp_init(worker_.loop, upstream_.tcp.get());
  upstream_.tcp.initialized(&upstream_);
  ++open_handles_;
  uv_tcp_nodelay(upstream_.tcp.get(), 1);
  worker_.stats->upstream_connections_total.add();
  host_stats_ = &cluster_->hostStats(host_id_);
  host_stats_->connections_total.add();
  host_stats_->connections_active.add();
  connect_started_ns_ = uv_hrtime();
  connect_request_.data = this;
  const SocketAddress& address = cluster_->pool(host_id_).address();
  if (uv_tcp_connect(&connect_request_, upstream_.tcp.get(), address.get(),
                     &TcpSession::onConnect) != 0) {
    worker_.stats->upstream_connect_failures_total.add();
    host_stats_->connect_failures.add();
    close();
    return;
  }
  uv_timer_start(timer_.get(), &TcpSession::onTimer, cluster_->config().connect_timeout_ms, 0);
}

void TcpSession::onConnect(uv_connect_t* request, int status) {
  auto* self = static_cast<TcpSession*>(request->data);
  if (status == UV_ECANCELED || self->closed_) {
    return;
  }
  if (status != 0) {
    self->worker_.stats->upstream_connect_failures_total.add();
    self->host_stats_->connect_failures.add();
    LOG_DEBUG("tcp: connect to %s failed: %s", self->cluster_->pool(self->host_id_).label().c_str(),
              uv_strerror(status));
    self->close();
    return;
  }
  self->connected_ = true;
  self->host_stats_->connect_duration.record((uv_hrtime() - self->connect_started_ns_) / 1000);
  self->upstream_.writer.attach(self->upstream_.tcp.stream());
  self->last_activity_ms_ = uv_now(self->worker_.loop);
  self->armIdleTimer();
  self->startReading(self->client_);
  self->startReading(self->upstream_);
}

void TcpSession::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<TcpSession*>(timer->data);
  if (!self->connected_) {
    self->worker_.stats->upstream_connect_failures_total.add();
    self->host_stats_->connect_failures.add();
    self->close();  // connect timeout
    return;
  }
  if (self->handshakeOverdue()) {
    countDownstreamHandshakeFailure(*self->worker_.stats, *self->listener_stats_);
    self->close();
    return;
  }
  // Idle check without re-arming the timer on every read: compare with the last activity.
  uint64_t idle_ms = self->listener_.config->idle_timeout_ms;
  uint64_t since = uv_now(self->worker_.loop) - self->last_activity_ms_;
  if (since >= idle_ms) {
    self->close();
  } else {
    self->armIdleTimer();
  }
}

uint64_t TcpSession::msSinceAccept() const {
  // connect_started_ns_ is taken right after the accept.
  return (uv_hrtime() - connect_started_ns_) / 1'000'000;
}

bool TcpSession::handshakeOverdue() const {
  return tls_ && !tls_->connection.handshakeDone() &&
         msSinceAccept() >= listener_.config->header_timeout_ms;
}

void TcpSession::armIdleTimer() {
  uint64_t idle_ms = listener_.config->idle_timeout_ms;
  uint64_t since = uv_now(worker_.loop) - last_activity_ms_;
  uint64_t wait_ms = since < idle_ms ? idle_ms - since : 0;
  if (tls_ && !tls_->connection.handshakeDone()) {
    // The listener's header timeout bounds the handshake, as for HTTP listeners.
    uint64_t elapsed = msSinceAccept();
    uint64_t limit = listener_.config->header_timeout_ms;
    wait_ms = std::min(wait_ms, elapsed < limit ? limit - elapsed : 0);
  }
  uv_timer_start(timer_.get(), &TcpSession::onTimer, wait_ms, 0);
}

void TcpSession::startReading(Side& side) {
  if (!side.reading && !side.eof && !closed_) {
    uv_read_start(side.tcp.stream(), &TcpSession::onAlloc, &TcpSession::onRead);
    side.reading = true;
  }
}

void TcpSession::stopReading(Side& side) {
  if (side.reading) {
    uv_read_stop(side.tcp.stream());
    side.reading = false;
  }
}

void TcpSession::onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer) {
  allocFromWorkerBuffer(handle, suggested, buffer);
}

void TcpSession::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  auto* side = static_cast<Side*>(stream->data);
  if (nread > 0 && side->is_client && side->session.tls_) {
    side->session.receiveTls(buffer->base, static_cast<size_t>(nread));
  } else if (nread > 0) {
    side->session.handleData(*side, buffer->base, static_cast<size_t>(nread));
  } else if (nread < 0) {
    side->session.handleEof(*side);
  }
}

void TcpSession::receiveTls(const char* data, size_t length) {
  if (!receiveDownstreamTls(*tls_, client_.writer, data, length, *worker_.stats,
                            *listener_stats_)) {
    close();
    return;
  }
  if (!tls_->plaintext.empty()) {
    handleData(client_, tls_->plaintext.data(), tls_->plaintext.size());
  }
  if (tls_->connection.peerClosed() && !closed_ && !client_.eof) {
    handleEof(client_);
  }
}

void TcpSession::handleData(Side& from, const char* data, size_t length) {
  last_activity_ms_ = uv_now(worker_.loop);
  if (from.is_client) {
    worker_.stats->bytes_received_total.add(length);
    listener_stats_->bytes_received.add(length);
    host_stats_->bytes_sent.add(length);
  } else {
    worker_.stats->bytes_sent_total.add(length);
    listener_stats_->bytes_sent.add(length);
    host_stats_->bytes_received.add(length);
  }
  Side& to = peerOf(from);
  to.writer.write(std::string_view(data, length));
  if (to.writer.aboveHighWatermark()) {
    stopReading(from);  // resumed by to's onWriterDrained
  }
}

void TcpSession::handleEof(Side& from) {
  stopReading(from);
  from.eof = true;
  Side& to = peerOf(from);
  if (to.eof) {
    // Both directions ended; close once the last bytes are out (or at once).
    if (to.writer.flushed() && from.writer.flushed()) {
      close();
    } else {
      to.writer.shutdownWhenFlushed();
    }
    return;
  }
  to.writer.shutdownWhenFlushed();  // pass the FIN on after the bytes before it
}

void TcpSession::Side::onWriterDrained() {
  Side& source = session.peerOf(*this);
  session.startReading(source);
  if (eof && source.eof && writer.flushed() && source.writer.flushed()) {
    session.close();
  }
}

void TcpSession::Side::onWriteError(int /*status*/) {
  session.close();
}

void TcpSession::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  worker_.removeSession(this);
  --listener_.generation->sessions;
  if (accepted_) {
    worker_.stats->downstream_connections_active.sub();
    listener_stats_->connections_active.sub();
  }
  if (host_stats_ != nullptr) {
    host_stats_->connections_active.sub();
    host_stats_ = nullptr;
  }
  if (cluster_ != nullptr) {
    cluster_->requestEnded(host_id_);
    if (holds_connection_slot_) {
      cluster_->limits().connections.release();
    }
    cluster_ = nullptr;
  }
  if (listener_gauge_ != nullptr) {
    listener_gauge_->release();
  }
  client_.writer.detach();
  upstream_.writer.detach();
  client_.tcp.close(&TcpSession::onClosed);
  upstream_.tcp.close(&TcpSession::onClosed);
  timer_.close(&TcpSession::onClosed);
}

void TcpSession::onClosed(uv_handle_t* handle) {
  // Each handle's data points at its Side or at the session; find the session either way.
  TcpSession* self = nullptr;
  if (handle->type == UV_TIMER) {
    self = static_cast<TcpSession*>(handle->data);
  } else {
    self = &static_cast<Side*>(handle->data)->session;
  }
  if (--self->open_handles_ == 0) {
    delete self;
  }
}

}  // namespace meshlb
