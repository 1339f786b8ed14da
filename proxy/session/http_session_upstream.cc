// HttpSession's upstream side: engaging a host (pool, circuit breakers), streaming the request,
// retries and per-try timeouts, and the response on its way back. The downstream side (reading
// and parsing requests, local answers, closing) is in http_session.cc.
#include <llhttp.h>

#include <cstdio>

#include "common/log.h"
#include "proxy/session/http_session.h"
#include "proxy/worker/generation.h"

namespace meshlb {

void HttpSession::sendUpstream(std::initializer_list<std::string_view> pieces) {
  if (keep_request_ && upstream_ != nullptr) {
    for (std::string_view piece : pieces) {
      exchange_->replay.append(piece);
    }
    if (exchange_->replay.size() > kMaxReplayBytes) {
      keep_request_ = false;  // too large to keep: this request will not be retried
      exchange_->replay.clear();
    }
  }
  if (upstream_ != nullptr) {
    stats::HostStats& host = cluster_->hostStats(host_id_);
    for (std::string_view piece : pieces) {
      host.bytes_sent.add(piece.size());
    }
    upstream_->writer().write(pieces);
    if (upstream_->writer().aboveHighWatermark()) {
      paused_for_upstream_ = true;
      stopReading();
    }
  } else if (pending_pool_ != nullptr) {
    for (std::string_view piece : pieces) {
      exchange_->upstream_prefix.append(piece);
    }
  }
  // Otherwise the exchange already failed and the body is discarded.
}

void HttpSession::startUpstream() {
  ConnectionPool* pool = pending_pool_;
  pending_pool_ = nullptr;
  if (!engageUpstream(*pool, exchange_->upstream_prefix, /*fresh=*/false)) {
    return;
  }
  exchange_->replay.clear();
  if (keep_request_ && exchange_->upstream_prefix.size() <= kMaxReplayBytes) {
    exchange_->replay.swap(
        exchange_->upstream_prefix);  // no copy: the prefix buffer is not needed any more
  } else {
    keep_request_ = false;
  }
  exchange_->upstream_prefix.clear();
}

bool HttpSession::engageUpstream(ConnectionPool& pool, std::string_view bytes, bool fresh) {
  ConnectionPool::Refusal refusal = ConnectionPool::Refusal::kNone;
  upstream_ = fresh ? pool.connectNew(*this, &refusal) : pool.acquire(*this, &refusal);
  if (upstream_ == nullptr) {
    if (refusal == ConnectionPool::Refusal::kMaxConnections) {
      worker_.stats->overflow_max_connections_total.add();
      cluster_->stats().overflow_max_connections.add();
      overflowReply("max_connections");
    } else {
      worker_.stats->overflow_max_pending_requests_total.add();
      cluster_->stats().overflow_max_pending_requests.add();
      overflowReply("max_pending_requests");
    }
    return false;
  }
  attempt_reused_connection_ = upstream_->reused();
  if (!attempt_open_) {  // a replay on a fresh connection continues the same attempt
    attempt_open_ = true;
    attempt_started_ns_ = uv_hrtime();
  }
  pool.stats().bytes_sent.add(bytes.size());
  if (request_is_head_) {
    upstream_->expectNoResponseBody();
  }
  upstream_->writer().write(bytes);
  const auto& policy = cluster_->config().retry_policy;
  if (policy && policy->per_try_timeout_ms > 0) {
    armTryTimer(policy->per_try_timeout_ms);
  }
  if (upstream_->writer().aboveHighWatermark()) {
    paused_for_upstream_ = true;
    stopReading();
  }
  return true;
}

bool HttpSession::retryWanted(AttemptFailure failure, int status) const {
  const auto& policy = cluster_->config().retry_policy;
  if (!policy || !keep_request_ || exchange_->replay.empty() || response_started_ ||
      attempts_ > policy->max_retries || state_ != State::kForwarding) {
    return false;
  }
  if (failure == AttemptFailure::kStatus5xx && !request_complete_) {
    return false;  // the whole request must be in hand to send it again
  }
  return retryAllowed(*policy, failure, status, request_replayable_);
}

bool HttpSession::retry(AttemptFailure failure, int status) {
  if (!retryWanted(failure, status)) {
    return false;
  }
  // After a connect failure nothing reached a backend, so sending the request elsewhere adds
  // no load: such retries are outside the budget, which exists to stop amplification.
  if (!retry_counted_ && failure != AttemptFailure::kConnectFailure) {
    if (!cluster_->tryStartRetry()) {
      worker_.stats->upstream_retries_budget_exhausted_total.add();
      cluster_->stats().retry_budget_exhausted.add();
      return false;
    }
    retry_counted_ = true;
  }
  ++attempts_;
  worker_.stats->upstream_retries_total.add();
  std::optional<uint32_t> next = cluster_->pickOther(std::nullopt, tried_hosts_, host_id_);
  if (next) {
    cluster_->requestEnded(host_id_);
    host_id_ = *next;
    cluster_->requestStarted(host_id_);
    tried_hosts_ |= ClusterRuntime::hostBit(host_id_);
  }
  cluster_->hostStats(host_id_).retries.add();
  LOG_DEBUG("retry %u to %s", attempts_ - 1, cluster_->pool(host_id_).label().c_str());
  // Handled either way: engageUpstream answers 503 itself when a circuit breaker refuses.
  engageUpstream(cluster_->pool(host_id_), exchange_->replay, /*fresh=*/false);
  return true;
}

void HttpSession::overflowReply(std::string_view limit) {
  exchange_->overflow.clear();
  exchange_->overflow.append("x-meshlb-overflow: ");
  exchange_->overflow.append(limit);
  localReply(503, "upstream overflow (circuit breaker)", exchange_->overflow);
}

void HttpSession::armTryTimer(uint64_t timeout_ms) {
  if (try_timer_ == nullptr) {
    try_timer_ = std::make_unique<UvHandle<uv_timer_t>>();
    uv_timer_init(worker_.loop, try_timer_->get());
    try_timer_->initialized(this);
    ++open_handles_;
  }
  uv_timer_start(try_timer_->get(), &HttpSession::onTryTimeout, timeout_ms, 0);
}

void HttpSession::stopTryTimer() {
  if (try_timer_ != nullptr) {
    uv_timer_stop(try_timer_->get());
  }
}

void HttpSession::onTryTimeout(uv_timer_t* timer) {
  auto* self = static_cast<HttpSession*>(timer->data);
  if (self->upstream_ == nullptr || self->response_started_ || self->closed_) {
    return;
  }
  self->worker_.stats->upstream_timeouts_total.add();
  self->cluster_->recordOutcome(self->host_id_, 0, true);
  self->cluster_->hostStats(self->host_id_).timeouts.add();
  self->endAttempt(504);
  UpstreamConnection* abandoned = self->upstream_;
  self->upstream_ = nullptr;
  abandoned->release(false);
  if (!self->retry(AttemptFailure::kTimeout, 0)) {
    self->localReply(504, "upstream per-try timeout");
  }
}

http::HeadAction HttpSession::onResponseHead(http::MessageHead& head, const http::HeadInfo& info) {
  stopTryTimer();
  if (head.status >= 500 && retryWanted(AttemptFailure::kStatus5xx, head.status) &&
      (retry_counted_ || cluster_->retryBudgetAvailable())) {
    // Not forwarded: this answer is dropped with its connection and the request goes elsewhere.
    cluster_->recordOutcome(host_id_, head.status, false);
    endAttempt(head.status);
    UpstreamConnection* dropped = upstream_;
    upstream_ = nullptr;
    dropped->release(false);
    if (!retry(AttemptFailure::kStatus5xx, head.status)) {
      localReply(head.status, "upstream error");  // budget refused at the last moment
    }
    return http::HeadAction::kStop;
  }
  if (head.status >= 200) {
    exchange_->replay.clear();  // a final answer is coming through: no more retries
    keep_request_ = false;
  }
  if (head.status < 200 && head.status != 101) {
    // 100 Continue was answered by meshlb itself; other interim answers go to 1.1 clients.
    if (head.status != 100 && !client_is_http10_) {
      exchange_->scratch.clear();
      http::encodeDownstreamResponse(head, http::BodyFraming::kNone, true, false,
                                     exchange_->scratch);
      writer_.write(exchange_->scratch);
    }
    return http::HeadAction::kContinue;
  }
  if (head.status == 101 && !upgrade_requested_) {
    return http::HeadAction::kStop;  // handled as a bad response below
  }
  status_ = head.status;
  cluster_->recordOutcome(host_id_, head.status, false);
  if (!request_complete_ || client_eof_) {
    keep_alive_ = false;  // the rest of the request can no longer be framed
  }
  if (head.status == 101) {
    response_framing_ = http::BodyFraming::kNone;
  } else if (request_is_head_ || head.status == 204 || head.status == 304) {
    response_framing_ = http::BodyFraming::kNone;
  } else if (info.has_body_framing && !info.chunked) {
    response_framing_ = http::BodyFraming::kContentLength;
  } else if (client_is_http10_) {
    response_framing_ = http::BodyFraming::kUntilClose;
    keep_alive_ = false;
  } else {
    response_framing_ = http::BodyFraming::kChunked;
  }
  // The head waits to go out with the first body bytes: one write instead of two.
  exchange_->response_head.clear();
  worker_.strings.lend(exchange_->response_head);
  http::encodeDownstreamResponse(head, response_framing_, keep_alive_, client_is_http10_,
                                 exchange_->response_head);
  if (head.status == 101 || response_framing_ == http::BodyFraming::kNone) {
    writer_.write(exchange_->response_head);
    exchange_->response_head.clear();
    response_started_ = true;
  }
  return http::HeadAction::kContinue;
}

void HttpSession::onResponseBody(const char* data, size_t length) {
  response_body_bytes_ += length;
  worker_.stats->bytes_sent_total.add(length);
  listener_stats_->bytes_sent.add(length);
  std::string_view head = exchange_->response_head;
  if (response_framing_ == http::BodyFraming::kChunked) {
    char size_line[20];
    int n = snprintf(size_line, sizeof(size_line), "%zx\r\n", length);
    writer_.write({head, std::string_view(size_line, n), std::string_view(data, length),
                   http::kChunkTrailer});
  } else {
    writer_.write({head, std::string_view(data, length)});
  }
  exchange_->response_head.clear();
  response_started_ = true;  // bytes of the answer are out: errors can only cut it now
  if (writer_.aboveHighWatermark() && upstream_ != nullptr) {
    upstream_->pauseReading();
  }
}

void HttpSession::onResponseComplete() {
  if (status_ == 0) {
    return;  // an interim (1xx) answer ended; the real one follows
  }
  endAttempt(status_);
  if (status_ == 101) {
    state_ = State::kTunnel;
    worker_.deadlines.cancel(timer_);
    armTimer(TimerPurpose::kIdle, listener_->config->idle_timeout_ms);
    upstream_->startTunnel(nullptr, 0);
    if (!stash_.empty()) {
      upstream_->writer().write(stash_);  // bytes the client sent right after its request
      stash_.clear();
    }
    startReading();
    return;
  }
  if (response_framing_ == http::BodyFraming::kChunked) {
    writer_.write({exchange_->response_head, http::kLastChunk});
  } else {
    writer_.write(exchange_->response_head);  // an empty body: the head was still waiting
  }
  exchange_->response_head.clear();
  finishExchange();
}

void HttpSession::onUpstreamConnectFailed(bool timed_out) {
  upstream_ = nullptr;
  stopTryTimer();
  cluster_->recordOutcome(host_id_, 0, /*gateway_failure=*/true);
  worker_.stats->upstream_connect_failures_total.add();
  endAttempt(502);
  LOG_DEBUG("upstream %s: connect %s", cluster_->pool(host_id_).label().c_str(),
            timed_out ? "timed out" : "failed");
  if (retry(AttemptFailure::kConnectFailure, 0)) {
    return;
  }
  localReply(502, timed_out ? "upstream connect timeout" : "upstream connect failed");
}

bool HttpSession::retryOnFreshConnection() {
  // A backend may close a pooled connection just as we reuse it; HAProxy retries that case too.
  // Only for idempotent requests without a body, once, on a new connection to the same host,
  // and not counted as a policy retry.
  if (!attempt_reused_connection_ || reuse_retry_done_ || !request_replayable_ ||
      exchange_->replay.empty() || response_started_ || status_ != 0 ||
      state_ != State::kForwarding) {
    return false;
  }
  reuse_retry_done_ = true;
  worker_.stats->upstream_reuse_retries_total.add();
  engageUpstream(cluster_->pool(host_id_), exchange_->replay,
                 /*fresh=*/true);  // answers 503 if refused
  return true;
}

void HttpSession::onUpstreamFailed(bool bad_response, std::string_view reason) {
  upstream_ = nullptr;
  stopTryTimer();
  LOG_DEBUG("upstream failed: %.*s", static_cast<int>(reason.size()), reason.data());
  if (!bad_response && retryOnFreshConnection()) {
    return;
  }
  if (cluster_ != nullptr) {
    cluster_->recordOutcome(host_id_, 0, /*gateway_failure=*/true);
  }
  endAttempt(response_started_ ? status_ : 502);  // a cut answer keeps the status it began with
  if (bad_response) {
    worker_.stats->upstream_bad_responses_total.add();
  } else {
    worker_.stats->upstream_resets_total.add();
  }
  if (state_ == State::kTunnel) {
    closeAfterFlush();
  } else if (!response_started_) {
    if (retry(AttemptFailure::kReset, 0)) {
      return;
    }
    localReply(502, bad_response ? "bad upstream response" : "upstream reset");
  } else {
    writeAccessLog();
    releaseUpstream(false);
    close();  // the answer was cut: closing is the only honest signal left
  }
}

void HttpSession::onUpstreamData(const char* data, size_t length) {
  writer_.write(std::string_view(data, length));
  worker_.stats->bytes_sent_total.add(length);
  listener_stats_->bytes_sent.add(length);
  if (writer_.aboveHighWatermark() && upstream_ != nullptr) {
    upstream_->pauseReading();
  }
}

void HttpSession::onUpstreamEof() {
  upstream_eof_ = true;
  if (client_eof_) {
    closeAfterFlush();
  } else {
    // Half-close towards the client once our queue is out; keep the other direction open.
    shut_down_ = true;
    writer_.shutdownWhenFlushed();
  }
}

void HttpSession::onUpstreamDrained() {
  if (paused_for_upstream_) {
    paused_for_upstream_ = false;
    if (state_ == State::kTunnel || canParse()) {
      startReading();
    }
  }
}

void HttpSession::endAttempt(int status) {
  if (!attempt_open_ || cluster_ == nullptr) {
    return;
  }
  attempt_open_ = false;
  stats::HostStats& host = cluster_->hostStats(host_id_);
  host.recordStatus(status);
  host.request_duration.record((uv_hrtime() - attempt_started_ns_) / 1000);
}

void HttpSession::releaseUpstream(bool reusable) {
  attempt_open_ = false;  // ended without an answer to count (the client went away)
  pending_pool_ = nullptr;
  stopTryTimer();
  if (cluster_ != nullptr) {
    cluster_->requestEnded(host_id_);
    if (holds_request_slot_) {
      cluster_->limits().requests.release();
    }
    if (retry_counted_) {
      cluster_->retryEnded();
    }
  }
  holds_request_slot_ = false;
  retry_counted_ = false;
  if (upstream_ != nullptr) {
    UpstreamConnection* upstream = upstream_;
    upstream_ = nullptr;
    upstream->release(reusable);
  }
  cluster_ = nullptr;
}

}  // namespace meshlb
