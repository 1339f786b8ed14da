#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/stream_writer.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/tls/tls_connection.h"
#include "proxy/tls/tls_write_filter.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

// Everything a downstream session (HTTP or TCP) keeps for a TLS client, in one block that the
// session holds by one pointer: sessions of plaintext listeners, most of them, pay 8 bytes for
// it instead of the 56 these members took inline (with padding). Owned by its session (worker
// thread).
struct DownstreamTls {
  explicit DownstreamTls(std::shared_ptr<const tls::TlsContext> context)
      : connection(std::move(context), tls::Role::kServer), filter(connection) {}
  DownstreamTls(const DownstreamTls&) = delete;
  DownstreamTls& operator=(const DownstreamTls&) = delete;

  tls::TlsConnection connection;
  tls::TlsWriteFilter filter;  // encrypts what the session writes to the client
  std::string plaintext;       // decrypted bytes of one read; reused
  bool handshake_counted = false;
};

// One read of a TLS client connection: decrypts into tls.plaintext, writes what the engine
// produced (handshake records, tickets, alerts) past the writer's filter, and counts the first
// completed handshake and any failure. False when the connection must be closed. Worker-local.
bool receiveDownstreamTls(DownstreamTls& tls, StreamWriter& writer, const char* data, size_t length,
                          WorkerStats& stats, stats::ListenerStats& listener_stats);

// Counts a client connection whose handshake failed or did not finish in time. Worker-local.
void countDownstreamHandshakeFailure(WorkerStats& stats, stats::ListenerStats& listener_stats);

}  // namespace meshlb
