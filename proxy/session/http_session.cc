#include "proxy/session/http_session.h"

#include <llhttp.h>

#include "common/log.h"
#include "proxy/access_log/access_log.h"
#include "proxy/http/request_id.h"
#include "proxy/session/downstream_tls.h"
#include "proxy/worker/generation.h"
#include "proxy/worker/listener.h"

namespace meshlb {
namespace {

// Pipelined bytes kept while a response is in progress; beyond this the client waits (TCP
// backpressure) instead of growing our memory.
constexpr size_t kMaxStash = 64 * 1024;
// How long a closing connection keeps reading (and discarding) after its last answer, so that
// unread request bytes do not turn the close into a reset that destroys the answer in flight.
constexpr uint64_t kLingerMs = 2000;
constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

HttpSession::HttpSession(WorkerContext& worker, const ListenerRuntime& listener)
    : worker_(worker), listener_(&listener), listener_stats_(listener.stats), writer_(*this) {}

void HttpSession::start(uv_stream_t* server) {
  uv_tcp_init(worker_.loop, tcp_.get());
  tcp_.initialized(this);
  open_handles_ = 1;
  worker_.addSession(this);
  ++listener_->generation->sessions;  // pinned until close()
  if (uv_accept(server, tcp_.stream()) != 0) {
    close();
    return;
  }
  accepted_ = true;
  worker_.stats->downstream_connections_total.add();
  worker_.stats->downstream_connections_active.add();
  listener_stats_->connections_total.add();
  listener_stats_->connections_active.add();
  uv_tcp_nodelay(tcp_.get(), 1);
  sockaddr_storage peer{};
  int length = sizeof(peer);
  if (uv_tcp_getpeername(tcp_.get(), reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    client_ip_ = IpAddress::of(reinterpret_cast<sockaddr*>(&peer));
  }
  if (listener_->config->tls) {
    // The header timeout below also bounds the handshake.
    tls_ = std::make_unique<DownstreamTls>(listener_->config->tls);
    writer_.setFilter(&tls_->filter);
  }
  writer_.attach(tcp_.stream());
  armTimer(TimerPurpose::kHeader, listener_->config->header_timeout_ms);
  startReading();
}

// ---- reading from the client --------------------------------------------------------------

void HttpSession::onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer) {
  allocFromWorkerBuffer(handle, suggested, buffer);
}

void HttpSession::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer) {
  auto* self = static_cast<HttpSession*>(stream->data);
  if (nread > 0) {
    self->worker_.stats->bytes_received_total.add(nread);
    self->listener_stats_->bytes_received.add(nread);
    if (self->tls_) {
      self->receiveTls(buffer->base, static_cast<size_t>(nread));
    } else {
      self->handleData(buffer->base, static_cast<size_t>(nread));
    }
  } else if (nread < 0) {
    self->handleEof();
  }
}

void HttpSession::receiveTls(const char* data, size_t length) {
  if (!receiveDownstreamTls(*tls_, writer_, data, length, *worker_.stats, *listener_stats_)) {
    close();
    return;
  }
  if (!tls_->plaintext.empty()) {
    handleData(tls_->plaintext.data(), tls_->plaintext.size());
  }
  if (tls_->connection.peerClosed() && !closed_ && !client_eof_) {
    handleEof();  // close_notify: the client sends nothing more
  }
}

void HttpSession::startReading() {
  if (!reading_ && !closed_ && !client_eof_) {
    uv_read_start(tcp_.stream(), &HttpSession::onAlloc, &HttpSession::onRead);
    reading_ = true;
  }
}

void HttpSession::stopReading() {
  if (reading_) {
    uv_read_stop(tcp_.stream());
    reading_ = false;
  }
}

bool HttpSession::canParse() const {
  // While a routed request waits for its response, the next pipelined one waits too. (Forwarding
  // means an exchange is lent.)
  return state_ == State::kWaitingRequest ||
         (state_ == State::kForwarding && !progress().request_complete);
}

void HttpSession::handleData(const char* data, size_t length) {
  switch (state_) {
    case State::kClosing:
      return;  // lingering: discard
    case State::kTunnel:
      if (progress().upstream != nullptr) {
        progress().upstream->writer().write(std::string_view(data, length));
        if (progress().upstream->writer().aboveHighWatermark()) {
          paused_for_upstream_ = true;
          stopReading();
        }
      }
      return;
    default:
      break;
  }
  if (state_ == State::kWaitingRequest && !inRequestMessage() &&
      timer_purpose_ == TimerPurpose::kIdle) {
    armTimer(TimerPurpose::kHeader, listener_->config->header_timeout_ms);
  }
  if (!stash_.empty() || !canParse()) {
    stash_.append(data, length);
    if (stash_.size() > kMaxStash) {
      stopReading();
    }
    if (canParse()) {
      parseStash();
    }
    return;
  }
  size_t used = parse(data, length);
  if (used < length && state_ != State::kClosing) {
    stash_.append(data + used, length - used);
    if (stash_.size() > kMaxStash) {
      stopReading();
    }
  }
}

void HttpSession::parseStash() {
  // parse() may stash nothing itself: leftovers simply stay at the front of stash_.
  std::string pending;
  pending.swap(stash_);
  size_t used = parse(pending.data(), pending.size());
  if (state_ != State::kClosing && used < pending.size()) {
    pending.erase(0, used);
    pending.append(stash_);  // anything stashed meanwhile comes after
    stash_.swap(pending);
  }
  if (stash_.size() <= kMaxStash && state_ != State::kClosing && !paused_for_upstream_) {
    startReading();
  }
}

ExchangeState& HttpSession::lendExchange() {
  if (exchange_ == nullptr) {
    // The listener's limits as of this request: a reload's new limits apply from the next one.
    exchange_ = worker_.exchanges.lend(*this, listener_->config->limits);
    client_ip_.writeText(exchange_->client_ip, sizeof(exchange_->client_ip));
  }
  return *exchange_;
}

size_t HttpSession::parse(const char* data, size_t length) {
  size_t used = 0;
  while (used < length && canParse()) {
    // The state stays lent until resetExchange() or onClosed(), neither of which runs inside
    // decode(): the reference is good for this iteration.
    http::Http1Decoder& decoder = lendExchange().decoder;
    http::Http1Decoder::Result result = decoder.decode(data + used, length - used);
    using Status = http::Http1Decoder::Result::Status;
    if (result.status == Status::kError) {
      worker_.stats->bad_requests_total.add();
      countBadRequest(decoder.errorStatus() == 431 ? stats::BadRequestReason::kHeadTooLarge
                                                   : stats::BadRequestReason::kMalformed);
      LOG_DEBUG("bad request from %s: %.*s", exchange_->client_ip,
                static_cast<int>(decoder.errorReason().size()), decoder.errorReason().data());
      localReply(decoder.errorStatus(), decoder.errorReason());
      return length;
    }
    used += result.consumed;
    if (progress().pending_pool != nullptr) {
      startUpstream();
    }
    if (result.status == Status::kStopped || result.status == Status::kMessageComplete) {
      break;
    }
  }
  return used;
}

void HttpSession::handleEof() {
  stopReading();
  client_eof_ = true;
  switch (state_) {
    case State::kClosing:
      close();
      return;
    case State::kTunnel:
      if (progress().upstream != nullptr) {
        progress().upstream->shutdownAfterFlush();
      }
      if (progress().upstream_eof) {
        closeAfterFlush();
      }
      return;
    case State::kForwarding:
      if (!progress().request_complete) {
        close();  // the client gave up mid-request: nothing to answer
      }
      return;  // else answer, then close
    case State::kWaitingRequest:
      close();
      return;
  }
}

// ---- requests -------------------------------------------------------------------------------

std::optional<uint64_t> HttpSession::hashKey(const config::ClusterConfig& cluster,
                                             const http::MessageHead& head) const {
  if (cluster.lb_policy != lb::LbPolicy::kRingHash && cluster.lb_policy != lb::LbPolicy::kMaglev) {
    return std::nullopt;
  }
  if (cluster.hash_policy.source == config::HashPolicy::Source::kHeader) {
    if (auto value = head.find(cluster.hash_policy.header)) {
      return lb::hash64(*value);
    }
    return std::nullopt;  // no key: the balancer picks at random
  }
  return lb::hash64(std::string_view(exchange_->client_ip));
}

http::HeadAction HttpSession::onHead(http::MessageHead& head, const http::HeadInfo& info) {
  worker_.stats->downstream_requests_total.add();
  listener_stats_->requests.add();
  ExchangeProgress& current = progress();  // lent: decode() runs in it
  current.request_start_ns = uv_hrtime();
  current.request_head = &head;
  current.client_is_http10 = head.version_minor == 0;
  keep_alive_ = info.keep_alive && !worker_.draining;
  followReload();
  current.request_chunked = info.chunked;
  current.request_is_head = head.method == HTTP_HEAD;
  current.upgrade_requested = info.upgrade;
  // RFC 9110 §9.2.2: only idempotent requests may be sent twice, and only without a body.
  current.request_replayable =
      !info.has_body_framing && !info.upgrade &&
      (head.method == HTTP_GET || head.method == HTTP_HEAD || head.method == HTTP_OPTIONS ||
       head.method == HTTP_PUT || head.method == HTTP_DELETE || head.method == HTTP_TRACE);
  current.request_complete = false;
  current.response_started = false;
  state_ = State::kForwarding;

  if (head.method == HTTP_CONNECT) {
    countBadRequest(stats::BadRequestReason::kMethodNotAllowed);
    localReply(405, "CONNECT is not supported");
    return http::HeadAction::kStop;
  }
  http::RequestTarget target = http::splitRequestTarget(head.url());
  if (!target.valid) {
    worker_.stats->bad_requests_total.add();
    countBadRequest(stats::BadRequestReason::kInvalidTarget);
    localReply(400, "invalid absolute-form request target");
    return http::HeadAction::kStop;
  }
  if (target.path.starts_with('?')) {
    // "http://a.example?q" means "/?q" (RFC 3986 §6.2.3); rare enough to build a string.
    exchange_->normalized_target.clear();
    exchange_->normalized_target.push_back('/');  // not `= "/"`: GCC 12 -Wrestrict false positive
    exchange_->normalized_target.append(target.path);
    target.path = exchange_->normalized_target;
  }
  std::string_view host =
      target.authority.empty() ? head.find("host").value_or("") : target.authority;
  const config::RouteConfig* route = listener_->router->match(host, target.path);
  if (route == nullptr) {
    worker_.stats->no_route_total.add();
    listener_stats_->no_route.add();
    localReply(404, "no route for this host and path");
    return http::HeadAction::kStop;
  }
  ClusterRuntime& cluster = *listener_->generation->clusters[route->cluster_index];
  std::optional<uint32_t> picked = cluster.pick(hashKey(cluster.config(), head));
  if (!picked) {
    worker_.stats->no_healthy_upstream_total.add();
    cluster.stats().no_healthy_upstream.add();
    localReply(503, "no healthy upstream");
    return http::HeadAction::kStop;
  }
  const config::CircuitBreakersConfig& breakers = cluster.config().circuit_breakers;
  if (!cluster.limits().requests.tryAcquire(breakers.effective(breakers.max_requests))) {
    worker_.stats->overflow_max_requests_total.add();
    cluster.stats().overflow_max_requests.add();
    overflowReply("max_requests");
    return http::HeadAction::kStop;
  }
  current.holds_request_slot = true;
  current.cluster = &cluster;
  current.host_id = *picked;
  cluster.requestStarted(current.host_id);
  current.attempts = 1;
  current.tried_hosts = ClusterRuntime::hostBit(current.host_id);
  current.reuse_retry_done = false;
  // Keep what is sent, for a retry: always the head (a buffer swap), the body only under a
  // retry policy and up to kMaxReplayBytes.
  current.keep_request = current.request_replayable || cluster.config().retry_policy.has_value();

  std::string_view request_id;
  std::optional<http::GeneratedRequestId> generated_id;  // encoded below; not kept
  if (auto existing = head.find("x-request-id"); existing && !existing->empty()) {
    request_id = *existing;
  } else {
    const uint64_t high = worker_.random.next();
    const uint64_t low = worker_.random.next();
    request_id = generated_id.emplace(high, low).view();
  }
  http::ForwardingInfo forwarding;
  forwarding.client_ip = exchange_->client_ip;
  forwarding.proto = tls_ ? "https" : "http";
  forwarding.request_id = request_id;
  ConnectionPool& pool = cluster.pool(current.host_id);
  forwarding.default_host = pool.label();
  if (!target.authority.empty()) {
    forwarding.target = target.path;
    forwarding.authority = target.authority;
  }
  exchange_->scratch.clear();
  exchange_->upstream_prefix.clear();
  worker_.strings.lend(exchange_->scratch);
  http::encodeUpstreamRequest(head, info, forwarding, exchange_->scratch);

  // The upstream is engaged only once the bytes read so far parsed cleanly (see parse()), so a
  // request refused for a bad body in the same read never reaches a backend.
  exchange_->upstream_prefix.swap(exchange_->scratch);
  current.pending_pool = &pool;
  if (info.expect_continue && !current.client_is_http10) {
    writer_.write(k100Continue);
  }
  if (listener_->config->request_timeout_ms > 0) {
    armTimer(TimerPurpose::kRequest, listener_->config->request_timeout_ms);
  } else {
    worker_.deadlines.cancel(timer_);
  }
  return http::HeadAction::kContinue;
}

void HttpSession::onBody(const char* data, size_t length) {
  if (progress().request_chunked) {
    const http::ChunkSizeLine size_line(length);
    sendUpstream({size_line.view(), std::string_view(data, length), http::kChunkTrailer});
  } else {
    sendUpstream({std::string_view(data, length)});
  }
}

void HttpSession::onMessageComplete() {
  progress().request_complete = true;
  if (progress().request_chunked) {
    sendUpstream({http::kLastChunk});
  }
}

void HttpSession::onWriterDrained() {
  if (exchange_ != nullptr && progress().upstream != nullptr) {
    progress().upstream->resumeReading();
  }
  if (close_when_flushed_ && writer_.flushed()) {
    close_when_flushed_ = false;
    lingerOrClose();
  }
}

void HttpSession::onWriteError(int /*status*/) {
  close();
}

// ---- ending exchanges -----------------------------------------------------------------------

void HttpSession::writeAccessLog() {
  const ExchangeProgress& current = progress();
  worker_.stats->countResponse(current.status);
  listener_stats_->responses_by_class[stats::statusClassIndex(current.status)].add();
  if (worker_.access_log == nullptr || current.request_head == nullptr) {
    return;
  }
  AccessLogRecord record;
  record.client = exchange_->client_ip;
  record.method = current.request_head->methodName();
  record.path = current.request_head->url();
  record.status = current.status;
  record.bytes = current.response_body_bytes;
  record.upstream = current.cluster != nullptr
                        ? std::string_view(current.cluster->pool(current.host_id).label())
                        : "";
  record.duration_ns = uv_hrtime() - current.request_start_ns;
  worker_.access_log->append(record);
}

void HttpSession::finishExchange() {
  writeAccessLog();
  releaseUpstream(progress().request_complete);
  if (closed_) {
    // The answer's last write failed at once and closed the session: nothing more is read or
    // routed on it (a pipelined request routed now would outlive the session).
    return;
  }
  if (!keep_alive_ || client_eof_ || !progress().request_complete || worker_.draining) {
    closeAfterFlush();
    return;
  }
  resetExchange();
  armTimer(TimerPurpose::kIdle, listener_->config->idle_timeout_ms);
  if (!stash_.empty()) {
    parseStash();
  } else {
    startReading();
  }
}

void HttpSession::followReload() {
  if (!listener_->generation->retired) {
    return;
  }
  const ListenerRuntime* successor = listener_->successor;
  if (successor == nullptr) {
    keep_alive_ = false;  // the listener is gone from the config: this is the last request
    return;
  }
  --listener_->generation->sessions;
  ++successor->generation->sessions;
  // The old generation's gauges die with it: count this connection in the new one instead
  // (without refusing it: it was admitted already).
  if (listener_gauge_ != nullptr) {
    listener_gauge_->release();
  }
  listener_gauge_ = successor->config->max_connections > 0 ? successor->connections : nullptr;
  if (listener_gauge_ != nullptr) {
    listener_gauge_->tryAcquire(UINT64_MAX);
  }
  listener_ = successor;
}

void HttpSession::resetExchange() {
  state_ = State::kWaitingRequest;
  // The decoder and the exchange's buffers go back to the worker: an idle connection holds
  // none of them, nor the exchange's progress.
  worker_.exchanges.recycle(std::move(exchange_));
}

void HttpSession::localReply(int status, std::string_view body, std::string_view extra_header) {
  std::string& reply = lendExchange().scratch;  // a reply answers a request: lent already
  progress().status = status;
  keep_alive_ = false;
  reply.clear();
  http::encodeLocalReply(status, body, reply, extra_header);
  writer_.write(reply);
  writeAccessLog();
  releaseUpstream(false);
  closeAfterFlush();
}

void HttpSession::closeAfterFlush() {
  if (closed_) {
    return;
  }
  state_ = State::kClosing;
  stash_.clear();
  if (writer_.flushed()) {
    lingerOrClose();
  } else {
    close_when_flushed_ = true;
    armTimer(TimerPurpose::kLinger, listener_->config->idle_timeout_ms);
  }
}

void HttpSession::lingerOrClose() {
  if (client_eof_ || shut_down_) {
    close();
    return;
  }
  // Send our FIN (after close_notify on TLS), then read and discard until the client's FIN or
  // the linger time.
  shut_down_ = true;
  writer_.shutdownWhenFlushed();
  armTimer(TimerPurpose::kLinger, kLingerMs);
  startReading();
}

void HttpSession::drain() {
  keep_alive_ = false;
  if (state_ == State::kWaitingRequest && !inRequestMessage() && stash_.empty()) {
    close();
  }
}

void HttpSession::abort() {
  close();
}

void HttpSession::armTimer(TimerPurpose purpose, uint64_t timeout_ms) {
  if (closed_) {
    return;  // the deadline must not outlive the session
  }
  timer_purpose_ = purpose;
  worker_.deadlines.arm(timer_, timeout_ms, &HttpSession::onTimer, this);
}

void HttpSession::onTimer(void* session) {
  auto* self = static_cast<HttpSession*>(session);
  switch (self->timer_purpose_) {
    case TimerPurpose::kHeader:
      if (self->tls_ && !self->tls_->connection.handshakeDone()) {
        // The header timeout bounds the handshake too: a client stalled in it is a failed one.
        countDownstreamHandshakeFailure(*self->worker_.stats, *self->listener_stats_);
        self->close();
      } else if (self->inRequestMessage()) {
        self->worker_.stats->header_timeouts_total.add();
        self->countBadRequest(stats::BadRequestReason::kHeadTimeout);
        self->localReply(408, "request head not received in time");
      } else {
        self->close();
      }
      return;
    case TimerPurpose::kIdle:
    case TimerPurpose::kLinger:
      self->close();
      return;
    case TimerPurpose::kRequest:
      if (self->exchange_ == nullptr) {  // cannot happen: finishExchange re-arms it as kIdle
        self->close();
        return;
      }
      self->worker_.stats->upstream_timeouts_total.add();
      if (self->progress().cluster != nullptr) {
        self->progress().cluster->recordOutcome(self->progress().host_id, 0, true);
        self->progress().cluster->hostStats(self->progress().host_id).timeouts.add();
      }
      self->endAttempt(504);
      if (!self->progress().response_started) {
        self->localReply(504, "upstream request timeout");
      } else {
        self->writeAccessLog();
        self->releaseUpstream(false);
        self->close();
      }
      return;
  }
}

void HttpSession::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  state_ = State::kClosing;
  if (exchange_ != nullptr) {
    releaseUpstream(false);
  }
  stopReading();
  writer_.detach();
  worker_.removeSession(this);
  --listener_->generation->sessions;
  if (accepted_) {
    worker_.stats->downstream_connections_active.sub();
    listener_stats_->connections_active.sub();
  }
  if (listener_gauge_ != nullptr) {
    listener_gauge_->release();
  }
  worker_.deadlines.cancel(timer_);
  tcp_.close(&HttpSession::onClosed);
  if (try_timer_ != nullptr) {
    try_timer_->close(&HttpSession::onClosed);
  }
}

void HttpSession::onClosed(uv_handle_t* handle) {
  auto* self = static_cast<HttpSession*>(handle->data);
  if (--self->open_handles_ == 0) {
    self->worker_.exchanges.recycle(std::move(self->exchange_));
    delete self;
  }
}

}  // namespace meshlb
