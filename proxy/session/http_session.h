#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/ip_address.h"
#include "common/stream_writer.h"
#include "common/uv_handle.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/http/message_encoder.h"
#include "proxy/session/downstream_tls.h"
#include "proxy/session/exchange_state.h"
#include "proxy/session/retry_decision.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/upstream/upstream_connection.h"
#include "proxy/worker/cluster_runtime.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {

struct ListenerRuntime;

// One downstream HTTP/1.x connection, from accept to close, on one worker. Requests are handled
// one at a time in arrival order (pipelined ones wait, unparsed, until the previous response
// ended); each is routed, balanced onto a host, and streamed to a pooled upstream connection
// with backpressure both ways. After a 101 the connection becomes a byte tunnel.
// Worker-local; frees itself once its handles have closed.
class HttpSession final : public Session,
                          public http::DecoderCallbacks,
                          public UpstreamCallbacks,
                          public StreamWriterCallbacks {
 public:
  HttpSession(WorkerContext& worker, const ListenerRuntime& listener);

  // Accepts a pending connection from `server`. On failure the session frees itself.
  void start(uv_stream_t* server);

  // The listener's connection gauge this session counts in (released at close), if limited.
  SharedGauge* listener_gauge_ = nullptr;

  // Session
  void drain() override;
  void abort() override;

  // http::DecoderCallbacks (the client's requests)
  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo& info) override;
  void onBody(const char* data, size_t length) override;
  void onMessageComplete() override;

  // UpstreamCallbacks
  void onUpstreamReady() override {}
  void onUpstreamConnectFailed(bool timed_out) override;
  http::HeadAction onResponseHead(http::MessageHead& head, const http::HeadInfo& info) override;
  void onResponseBody(const char* data, size_t length) override;
  void onResponseComplete() override;
  void onUpstreamFailed(bool bad_response, std::string_view reason) override;
  void onUpstreamData(const char* data, size_t length) override;
  void onUpstreamEof() override;
  void onUpstreamDrained() override;

  // StreamWriterCallbacks (towards the client)
  void onWriterDrained() override;
  void onWriteError(int status) override;

 private:
  // Requests up to this size (head and body) are kept for a retry; larger ones are not retried.
  static constexpr size_t kMaxReplayBytes = 64 * 1024;

  enum class State : uint8_t {
    kWaitingRequest,  // between requests, or reading a head
    kForwarding,      // a request was routed; its body and/or response are streaming
    kTunnel,          // after 101 Switching Protocols
    kClosing,         // answer written (or being written); lingering before close
  };
  enum class TimerPurpose : uint8_t { kHeader, kIdle, kRequest, kLinger };

  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void onTimer(void* self);
  static void onClosed(uv_handle_t* handle);

  void handleData(const char* data, size_t length);
  // TLS listeners: decrypts, writes handshake output, hands plaintext to handleData().
  void receiveTls(const char* data, size_t length);
  void handleEof();
  // Parses requests from `data`; returns how many bytes belong to what was parsed. Stops after
  // one complete request, a local answer or an error.
  size_t parse(const char* data, size_t length);
  // Borrows the exchange state from the worker if the connection has none (it was idle).
  ExchangeState& lendExchange();
  // Where the exchange in progress stands. Only while one is lent (exchange_ != nullptr): from
  // a request's first byte to the end of its answer, and until close on the closing paths.
  ExchangeProgress& progress() { return exchange_->progress; }
  const ExchangeProgress& progress() const { return exchange_->progress; }
  // True while a request's bytes have been seen but its head or body is not complete.
  bool inRequestMessage() const { return exchange_ != nullptr && exchange_->decoder.inMessage(); }
  void parseStash();
  bool canParse() const;

  void startReading();
  void stopReading();
  void armTimer(TimerPurpose purpose, uint64_t timeout_ms);

  std::optional<uint64_t> hashKey(const config::ClusterConfig& cluster,
                                  const http::MessageHead& head) const;
  // Request bytes towards the upstream: written, or kept until startUpstream().
  void sendUpstream(std::initializer_list<std::string_view> pieces);
  void startUpstream();
  // Sends a kept replayable request again on a new connection; false when not allowed.
  bool retryOnFreshConnection();
  void localReply(int status, std::string_view body, std::string_view extra_header = {});
  // 503 for a circuit breaker, naming it in x-meshlb-overflow.
  void overflowReply(std::string_view limit);
  // Starts an attempt on `pool`'s host (pooled or, with `fresh`, a new connection) and sends
  // `bytes`; false (after answering 503) when a circuit breaker refuses a connection.
  bool engageUpstream(ConnectionPool& pool, std::string_view bytes, bool fresh);
  // Whether the retry policy wants another attempt (budget aside).
  bool retryWanted(AttemptFailure failure, int status) const;
  // Starts the next attempt on another host if the retry policy and budget allow.
  bool retry(AttemptFailure failure, int status);
  void armTryTimer(uint64_t timeout_ms);
  void stopTryTimer();
  static void onTryTimeout(uv_timer_t* timer);
  void finishExchange();
  // The attempt on the exchange's host ended with `status` (the upstream's, or the 502/504 meshlb
  // answers for it): counts it and its duration in the host's stats, once.
  void endAttempt(int status);
  void countBadRequest(stats::BadRequestReason reason) {
    listener_stats_->bad_requests[static_cast<size_t>(reason)].add();
  }
  void releaseUpstream(bool reusable);
  void writeAccessLog();
  void resetExchange();
  // At a request's start: if a reload retired this session's generation, move to the newest
  // generation's listener for the same address (routes and clusters of the new config), or,
  // when the address left the config, serve this last request and close.
  void followReload();
  void closeAfterFlush();
  void lingerOrClose();
  void close();

  WorkerContext& worker_;
  const ListenerRuntime* listener_;  // moves to the newest generation between requests
  // The accepting listener's block: every stat of this connection goes there, also after a
  // reload moved listener_, so the connection gauge is released where it was taken.
  stats::ListenerStats* listener_stats_;
  UvHandle<uv_tcp_t> tcp_;
  Deadline timer_;  // header, idle, request or linger timeout: see timer_purpose_
  // The per-try timeout's timer: made on first use (only clusters with a per-try timeout need
  // it), so the other connections do not carry its 160 bytes.
  std::unique_ptr<UvHandle<uv_timer_t>> try_timer_;
  StreamWriter writer_;
  // The request decoder, the exchange's buffers and its progress: lent by the worker from a
  // request's first byte to the end of its exchange (see lendExchange()), null while the
  // connection is idle.
  std::unique_ptr<ExchangeState> exchange_;
  std::unique_ptr<DownstreamTls> tls_;  // TLS listeners only
  std::string stash_;  // client bytes received but not parsed yet (pipelined requests)
  // The client's address in binary (17 bytes, where its text took 48): each exchange writes the
  // text into its ExchangeState::client_ip when it is lent.
  IpAddress client_ip_;
  int open_handles_ = 0;

  State state_ = State::kWaitingRequest;
  TimerPurpose timer_purpose_ = TimerPurpose::kHeader;
  bool reading_ = false;
  bool paused_for_upstream_ = false;  // reading stopped because the upstream is slow
  bool client_eof_ = false;
  bool close_when_flushed_ = false;
  bool shut_down_ = false;
  bool closed_ = false;
  bool accepted_ = false;
  // The exchange's (set at its head), and also cleared by drain() between exchanges.
  bool keep_alive_ = true;
};

}  // namespace meshlb
