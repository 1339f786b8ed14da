// HttpSession's upstream side: engaging a host (pool, circuit breakers), streaming the request,
// retries and per-try timeouts, and the response on its way back. The downstream side (reading
// and parsing requests, local answers, closing) is in http_session.cc.
#include <llhttp.h>

#include "common/log.h"
#include "proxy/session/http_session.h"
#include "proxy/worker/generation.h"

namespace meshlb {

void HttpSession::sendUpstream(std::initializer_list<std::string_view> pieces) {
  ExchangeProgress& current = progress();
  if (current.keep_request && current.upstream != nullptr) {
    for (std::string_view piece : pieces) {
      exchange_->replay.append(piece);
    }
    if (exchange_->replay.size() > kMaxReplayBytes) {
      current.keep_request = false;  // too large to keep: this request will not be retried
      exchange_->replay.clear();
    }
  }
  if (current.upstream != nullptr) {
    stats::HostStats& host = current.cluster->hostStats(current.host_id);
    for (std::string_view piece : pieces) {
      host.bytes_sent.add(piece.size());
    }
    current.upstream->writer().write(pieces);
    if (current.upstream->writer().aboveHighWatermark()) {
      paused_for_upstream_ = true;
      stopReading();
    }
  } else if (current.pending_pool != nullptr) {
    for (std::string_view piece : pieces) {
      exchange_->upstream_prefix.append(piece);
    }
  }
  // Otherwise the exchange already failed and the body is discarded.
}

void HttpSession::startUpstream() {
  ConnectionPool* pool = progress().pending_pool;
  progress().pending_pool = nullptr;
  if (!engageUpstream(*pool, exchange_->upstream_prefix, /*fresh=*/false)) {
    return;
  }
  exchange_->replay.clear();
  if (progress().keep_request && exchange_->upstream_prefix.size() <= kMaxReplayBytes) {
    exchange_->replay.swap(
        exchange_->upstream_prefix);  // no copy: the prefix buffer is not needed any more
  } else {
    progress().keep_request = false;
  }
  exchange_->upstream_prefix.clear();
}

bool HttpSession::engageUpstream(ConnectionPool& pool, std::string_view bytes, bool fresh) {
  ExchangeProgress& current = progress();
  ConnectionPool::Refusal refusal = ConnectionPool::Refusal::kNone;
  current.upstream = fresh ? pool.connectNew(*this, &refusal) : pool.acquire(*this, &refusal);
  if (current.upstream == nullptr) {
    if (refusal == ConnectionPool::Refusal::kMaxConnections) {
      worker_.stats->overflow_max_connections_total.add();
      current.cluster->stats().overflow_max_connections.add();
      overflowReply("max_connections");
    } else {
      worker_.stats->overflow_max_pending_requests_total.add();
      current.cluster->stats().overflow_max_pending_requests.add();
      overflowReply("max_pending_requests");
    }
    return false;
  }
  current.attempt_reused_connection = current.upstream->reused();
  if (!current.attempt_open) {  // a replay on a fresh connection continues the same attempt
    current.attempt_open = true;
    current.attempt_started_ns = uv_hrtime();
  }
  pool.stats().bytes_sent.add(bytes.size());
  if (current.request_is_head) {
    current.upstream->expectNoResponseBody();
  }
  current.upstream->writer().write(bytes);
  const auto& policy = current.cluster->config().retry_policy;
  if (policy && policy->per_try_timeout_ms > 0) {
    armTryTimer(policy->per_try_timeout_ms);
  }
  if (current.upstream->writer().aboveHighWatermark()) {
    paused_for_upstream_ = true;
    stopReading();
  }
  return true;
}

bool HttpSession::retryWanted(AttemptFailure failure, int status) const {
  const ExchangeProgress& current = progress();
  const auto& policy = current.cluster->config().retry_policy;
  if (!policy || !current.keep_request || exchange_->replay.empty() || current.response_started ||
      current.attempts > policy->max_retries || state_ != State::kForwarding) {
    return false;
  }
  if (failure == AttemptFailure::kStatus5xx && !current.request_complete) {
    return false;  // the whole request must be in hand to send it again
  }
  return retryAllowed(*policy, failure, status, current.request_replayable);
}

bool HttpSession::retry(AttemptFailure failure, int status) {
  ExchangeProgress& current = progress();
  if (!retryWanted(failure, status)) {
    return false;
  }
  // After a connect failure nothing reached a backend, so sending the request elsewhere adds
  // no load: such retries are outside the budget, which exists to stop amplification.
  if (!current.retry_counted && failure != AttemptFailure::kConnectFailure) {
    if (!current.cluster->tryStartRetry()) {
      worker_.stats->upstream_retries_budget_exhausted_total.add();
      current.cluster->stats().retry_budget_exhausted.add();
      return false;
    }
    current.retry_counted = true;
  }
  ++current.attempts;
  worker_.stats->upstream_retries_total.add();
  std::optional<uint32_t> next =
      current.cluster->pickOther(std::nullopt, current.tried_hosts, current.host_id);
  if (next) {
    current.cluster->requestEnded(current.host_id);
    current.host_id = *next;
    current.cluster->requestStarted(current.host_id);
    current.tried_hosts |= ClusterRuntime::hostBit(current.host_id);
  }
  current.cluster->hostStats(current.host_id).retries.add();
  LOG_DEBUG("retry %u to %s", current.attempts - 1,
            current.cluster->pool(current.host_id).label().c_str());
  // Handled either way: engageUpstream answers 503 itself when a circuit breaker refuses.
  engageUpstream(current.cluster->pool(current.host_id), exchange_->replay, /*fresh=*/false);
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
  if (self->closed_ || self->exchange_ == nullptr) {
    return;
  }
  ExchangeProgress& current = self->progress();
  if (current.upstream == nullptr || current.response_started) {
    return;
  }
  self->worker_.stats->upstream_timeouts_total.add();
  current.cluster->recordOutcome(current.host_id, 0, true);
  current.cluster->hostStats(current.host_id).timeouts.add();
  self->endAttempt(504);
  UpstreamConnection* abandoned = current.upstream;
  current.upstream = nullptr;
  abandoned->release(false);
  if (!self->retry(AttemptFailure::kTimeout, 0)) {
    self->localReply(504, "upstream per-try timeout");
  }
}

http::HeadAction HttpSession::onResponseHead(http::MessageHead& head, const http::HeadInfo& info) {
  ExchangeProgress& current = progress();
  stopTryTimer();
  if (head.status >= 500 && retryWanted(AttemptFailure::kStatus5xx, head.status) &&
      (current.retry_counted || current.cluster->retryBudgetAvailable())) {
    // Not forwarded: this answer is dropped with its connection and the request goes elsewhere.
    current.cluster->recordOutcome(current.host_id, head.status, false);
    endAttempt(head.status);
    UpstreamConnection* dropped = current.upstream;
    current.upstream = nullptr;
    dropped->release(false);
    if (!retry(AttemptFailure::kStatus5xx, head.status)) {
      localReply(head.status, "upstream error");  // budget refused at the last moment
    }
    return http::HeadAction::kStop;
  }
  if (head.status >= 200) {
    exchange_->replay.clear();  // a final answer is coming through: no more retries
    current.keep_request = false;
  }
  if (head.status < 200 && head.status != 101) {
    // 100 Continue was answered by meshlb itself; other interim answers go to 1.1 clients.
    if (head.status != 100 && !current.client_is_http10) {
      exchange_->scratch.clear();
      http::encodeDownstreamResponse(head, http::BodyFraming::kNone, true, false,
                                     exchange_->scratch);
      writer_.write(exchange_->scratch);
    }
    return http::HeadAction::kContinue;
  }
  if (head.status == 101 && !current.upgrade_requested) {
    return http::HeadAction::kStop;  // handled as a bad response below
  }
  current.status = head.status;
  current.cluster->recordOutcome(current.host_id, head.status, false);
  if (!current.request_complete || client_eof_) {
    keep_alive_ = false;  // the rest of the request can no longer be framed
  }
  if (head.status == 101) {
    current.response_framing = http::BodyFraming::kNone;
  } else if (current.request_is_head || head.status == 204 || head.status == 304) {
    current.response_framing = http::BodyFraming::kNone;
  } else if (info.has_body_framing && !info.chunked) {
    current.response_framing = http::BodyFraming::kContentLength;
  } else if (current.client_is_http10) {
    current.response_framing = http::BodyFraming::kUntilClose;
    keep_alive_ = false;
  } else {
    current.response_framing = http::BodyFraming::kChunked;
  }
  // The head waits to go out with the first body bytes: one write instead of two.
  exchange_->response_head.clear();
  worker_.strings.lend(exchange_->response_head);
  http::encodeDownstreamResponse(head, current.response_framing, keep_alive_,
                                 current.client_is_http10, exchange_->response_head);
  if (head.status == 101 || current.response_framing == http::BodyFraming::kNone) {
    writer_.write(exchange_->response_head);
    exchange_->response_head.clear();
    current.response_started = true;
  }
  return http::HeadAction::kContinue;
}

void HttpSession::onResponseBody(const char* data, size_t length) {
  ExchangeProgress& current = progress();
  current.response_body_bytes += length;
  worker_.stats->bytes_sent_total.add(length);
  listener_stats_->bytes_sent.add(length);
  std::string_view head = exchange_->response_head;
  if (current.response_framing == http::BodyFraming::kChunked) {
    const http::ChunkSizeLine size_line(length);
    writer_.write({head, size_line.view(), std::string_view(data, length), http::kChunkTrailer});
  } else {
    writer_.write({head, std::string_view(data, length)});
  }
  exchange_->response_head.clear();
  current.response_started = true;  // bytes of the answer are out: errors can only cut it now
  if (writer_.aboveHighWatermark() && current.upstream != nullptr) {
    current.upstream->pauseReading();
  }
}

void HttpSession::onResponseComplete() {
  ExchangeProgress& current = progress();
  if (current.status == 0) {
    return;  // an interim (1xx) answer ended; the real one follows
  }
  endAttempt(current.status);
  if (current.status == 101) {
    state_ = State::kTunnel;
    worker_.deadlines.cancel(timer_);
    armTimer(TimerPurpose::kIdle, listener_->config->idle_timeout_ms);
    current.upstream->startTunnel(nullptr, 0);
    if (!stash_.empty()) {
      current.upstream->writer().write(stash_);  // bytes the client sent right after its request
      stash_.clear();
    }
    startReading();
    return;
  }
  if (current.response_framing == http::BodyFraming::kChunked) {
    writer_.write({exchange_->response_head, http::kLastChunk});
  } else {
    writer_.write(exchange_->response_head);  // an empty body: the head was still waiting
  }
  exchange_->response_head.clear();
  finishExchange();
}

void HttpSession::onUpstreamConnectFailed(bool timed_out) {
  ExchangeProgress& current = progress();
  current.upstream = nullptr;
  stopTryTimer();
  current.cluster->recordOutcome(current.host_id, 0, /*gateway_failure=*/true);
  worker_.stats->upstream_connect_failures_total.add();
  endAttempt(502);
  LOG_DEBUG("upstream %s: connect %s", current.cluster->pool(current.host_id).label().c_str(),
            timed_out ? "timed out" : "failed");
  if (retry(AttemptFailure::kConnectFailure, 0)) {
    return;
  }
  localReply(502, timed_out ? "upstream connect timeout" : "upstream connect failed");
}

bool HttpSession::retryOnFreshConnection() {
  ExchangeProgress& current = progress();
  // A backend may close a pooled connection just as we reuse it; HAProxy retries that case too.
  // Only for idempotent requests without a body, once, on a new connection to the same host,
  // and not counted as a policy retry.
  if (!current.attempt_reused_connection || current.reuse_retry_done ||
      !current.request_replayable || exchange_->replay.empty() || current.response_started ||
      current.status != 0 || state_ != State::kForwarding) {
    return false;
  }
  current.reuse_retry_done = true;
  worker_.stats->upstream_reuse_retries_total.add();
  engageUpstream(current.cluster->pool(current.host_id), exchange_->replay,
                 /*fresh=*/true);  // answers 503 if refused
  return true;
}

void HttpSession::onUpstreamFailed(bool bad_response, std::string_view reason) {
  ExchangeProgress& current = progress();
  current.upstream = nullptr;
  stopTryTimer();
  LOG_DEBUG("upstream failed: %.*s", static_cast<int>(reason.size()), reason.data());
  if (!bad_response && retryOnFreshConnection()) {
    return;
  }
  if (current.cluster != nullptr) {
    current.cluster->recordOutcome(current.host_id, 0, /*gateway_failure=*/true);
  }
  endAttempt(current.response_started ? current.status
                                      : 502);  // a cut answer keeps the status it began with
  if (bad_response) {
    worker_.stats->upstream_bad_responses_total.add();
  } else {
    worker_.stats->upstream_resets_total.add();
  }
  if (state_ == State::kTunnel) {
    closeAfterFlush();
  } else if (!current.response_started) {
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
  if (writer_.aboveHighWatermark() && progress().upstream != nullptr) {
    progress().upstream->pauseReading();
  }
}

void HttpSession::onUpstreamEof() {
  progress().upstream_eof = true;
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
  ExchangeProgress& current = progress();
  if (!current.attempt_open || current.cluster == nullptr) {
    return;
  }
  current.attempt_open = false;
  stats::HostStats& host = current.cluster->hostStats(current.host_id);
  host.recordStatus(status);
  host.request_duration.record((uv_hrtime() - current.attempt_started_ns) / 1000);
}

void HttpSession::releaseUpstream(bool reusable) {
  stopTryTimer();
  if (exchange_ == nullptr) {
    return;  // between exchanges: nothing is held
  }
  ExchangeProgress& current = progress();
  current.attempt_open = false;  // ended without an answer to count (the client went away)
  current.pending_pool = nullptr;
  if (current.cluster != nullptr) {
    current.cluster->requestEnded(current.host_id);
    if (current.holds_request_slot) {
      current.cluster->limits().requests.release();
    }
    if (current.retry_counted) {
      current.cluster->retryEnded();
    }
  }
  current.holds_request_slot = false;
  current.retry_counted = false;
  if (current.upstream != nullptr) {
    UpstreamConnection* upstream = current.upstream;
    current.upstream = nullptr;
    upstream->release(reusable);
  }
  current.cluster = nullptr;
}

}  // namespace meshlb
