#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/stream_writer.h"
#include "common/uv_handle.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/tls/tls_connection.h"
#include "proxy/tls/tls_write_filter.h"

namespace meshlb {

class ConnectionPool;
class UpstreamConnection;
struct WorkerContext;

// Receives what happens on an upstream connection while a session holds it. Worker-local.
class UpstreamCallbacks {
 public:
  virtual ~UpstreamCallbacks() = default;
  virtual void onUpstreamReady() = 0;
  // Connect refused, unreachable or timed out (`timed_out`). The connection is closing.
  virtual void onUpstreamConnectFailed(bool timed_out) = 0;
  virtual http::HeadAction onResponseHead(http::MessageHead& head, const http::HeadInfo& info) = 0;
  virtual void onResponseBody(const char* data, size_t length) = 0;
  // A response ended. For 1xx (but 101) another response follows on the same connection.
  virtual void onResponseComplete() = 0;
  // The upstream sent something unparsable (`bad_response`) or closed/reset before the response
  // ended. The connection is closing and no more callbacks follow.
  virtual void onUpstreamFailed(bool bad_response, std::string_view reason) = 0;
  // Tunnel mode (after 101): raw bytes, and the upstream's end of stream.
  virtual void onUpstreamData(const char* data, size_t length) = 0;
  virtual void onUpstreamEof() = 0;
  // The request bytes queued to the upstream fell below the low watermark.
  virtual void onUpstreamDrained() = 0;
};

// One TCP connection to a backend, carrying one HTTP/1.1 exchange at a time and reused through
// its host's ConnectionPool when an exchange ended cleanly. Worker-local. It frees itself after
// its handles close, never synchronously, so a callee may close it from inside a callback.
class UpstreamConnection final : public http::DecoderCallbacks, public StreamWriterCallbacks {
 public:
  UpstreamConnection(WorkerContext& worker, ConnectionPool& pool);

  // Starts connecting; the owner hears onUpstreamReady or onUpstreamConnectFailed.
  void connect(UpstreamCallbacks& owner);
  // Hands an idle pooled connection to a new owner (no callback: it is ready).
  void adopt(UpstreamCallbacks& owner);
  // The owner is done. A connection whose exchange ended cleanly goes back to the pool.
  void release(bool reusable);
  // Closes without returning to the pool; no more callbacks.
  void close();

  // Body framing of the response in progress: HEAD answers have none.
  void expectNoResponseBody() { skip_body_ = true; }
  StreamWriter& writer() { return writer_; }
  void pauseReading();
  void resumeReading();
  // After a 101: bytes pass through unparsed from now on.
  void startTunnel(const char* leftover, size_t length);
  // Half-close towards the upstream once everything queued was written (tunnel end).
  void shutdownAfterFlush();
  bool connected() const { return state_ != State::kConnecting; }
  bool reused() const { return reused_; }

  // Pool bookkeeping.
  size_t pool_slot = 0;

  // http::DecoderCallbacks
  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo& info) override;
  void onBody(const char* data, size_t length) override;
  void onMessageComplete() override;
  // StreamWriterCallbacks
  void onWriterDrained() override;
  void onWriteError(int status) override;

 private:
  enum class State { kConnecting, kActive, kIdle, kTunnel, kClosed };

  static void onConnect(uv_connect_t* request, int status);
  static void onTimer(uv_timer_t* timer);
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void onClosed(uv_handle_t* handle);
  // Decrypts (TLS clusters) and hands the plaintext to handlePlaintext().
  void handleData(const char* data, size_t length);
  void handlePlaintext(const char* data, size_t length);
  void handleEof();
  void fail(bool bad_response, std::string_view reason);
  // The connection could not be set up (TCP or TLS): close and tell the owner, once.
  void failConnect(bool timed_out);
  void releasePendingSlot();

  WorkerContext& worker_;
  ConnectionPool& pool_;
  UpstreamCallbacks* owner_ = nullptr;
  UvHandle<uv_tcp_t> tcp_;
  UvHandle<uv_timer_t> timer_;
  uv_connect_t connect_request_{};
  StreamWriter writer_;
  std::unique_ptr<tls::TlsConnection> tls_;  // TLS clusters only
  std::unique_ptr<tls::TlsWriteFilter> tls_filter_;
  std::string plaintext_;  // decrypted bytes of one read; reused
  http::Http1Decoder decoder_;
  State state_ = State::kConnecting;
  int open_handles_ = 0;
  // uv_now() when the connection last went back to the pool. The idle timer is not stopped when
  // the connection is taken again: when it fires, it closes the connection only if it has been
  // idle for the whole timeout, and otherwise waits for the rest (or, in use, stops). A busy
  // connection so costs no timer operation per request instead of a stop and a start.
  uint64_t idle_since_ms_ = 0;
  int status_ = 0;  // of the response being decoded
  bool reading_ = false;
  bool skip_body_ = false;
  bool response_complete_ = false;
  bool reused_ = false;
  uint64_t connect_started_ns_ = 0;  // uv_hrtime() when connect() began
  bool holds_pending_slot_ = false;
};

}  // namespace meshlb
