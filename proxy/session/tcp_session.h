#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "common/stream_writer.h"
#include "common/uv_handle.h"
#include "proxy/session/downstream_tls.h"
#include "proxy/upstream/shared_limits.h"
#include "proxy/worker/cluster_runtime.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {

struct ListenerRuntime;

// One L4 connection: a client spliced to one backend host, bytes copied both ways with
// backpressure (a side stops reading while the other side's queue is over the high watermark)
// and half-close (one side's FIN is passed on once its bytes are written; the session ends when
// both directions have ended). Worker-local; frees itself once its handles have closed.
class TcpSession final : public Session {
 public:
  TcpSession(WorkerContext& worker, const ListenerRuntime& listener);
  void start(uv_stream_t* server);

  void drain() override {}  // an L4 stream has no request boundary; the drain timeout ends it
  void abort() override { close(); }

 private:
  // One direction's destination: the writer towards a peer and what to do when it drains.
  struct Side final : StreamWriterCallbacks {
    Side(TcpSession& owner, bool client) : session(owner), is_client(client), writer(*this) {}
    void onWriterDrained() override;
    void onWriteError(int status) override;

    TcpSession& session;
    bool is_client;
    UvHandle<uv_tcp_t> tcp;
    StreamWriter writer;  // bytes going to this side
    bool reading = false;
    bool eof = false;  // this side sent FIN
  };

  static void onConnect(uv_connect_t* request, int status);
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buffer);
  static void onTimer(uv_timer_t* timer);
  // Arms the timer for the idle timeout or, while a TLS handshake is unfinished, for the
  // listener's header timeout if that comes first.
  void armIdleTimer();
  uint64_t msSinceAccept() const;
  bool handshakeOverdue() const;
  static void onClosed(uv_handle_t* handle);

  Side& peerOf(Side& side) { return side.is_client ? upstream_ : client_; }
  void startReading(Side& side);
  void stopReading(Side& side);
  void handleData(Side& from, const char* data, size_t length);
  // TLS listeners: decrypts the client's bytes and passes the plaintext on.
  void receiveTls(const char* data, size_t length);
  void handleEof(Side& from);
  void close();

  WorkerContext& worker_;
  const ListenerRuntime& listener_;
  Side client_;
  Side upstream_;
  std::unique_ptr<DownstreamTls> tls_;  // TLS listeners only
  UvHandle<uv_timer_t> timer_;
  uv_connect_t connect_request_{};
  ClusterRuntime* cluster_ = nullptr;
  uint32_t host_id_ = 0;
  stats::ListenerStats* listener_stats_;    // the block of the listener that accepted
  stats::HostStats* host_stats_ = nullptr;  // set once an upstream connect began
  uint64_t connect_started_ns_ = 0;
  uint64_t last_activity_ms_ = 0;
  int open_handles_ = 0;
  bool connected_ = false;
  bool closed_ = false;
  bool accepted_ = false;
  bool holds_connection_slot_ = false;

 public:
  // The listener's connection gauge this session counts in (released at close), if limited.
  SharedGauge* listener_gauge_ = nullptr;
};

}  // namespace meshlb
