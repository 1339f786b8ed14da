#pragma once

#include <cstddef>
#include <string>

#include "common/stream_writer.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/tls/tls_connection.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

// One read of a TLS client connection, for any downstream session (HTTP or TCP): decrypts into
// `plaintext`, writes what the engine produced (handshake records, tickets, alerts) past the
// writer's filter, and counts the first completed handshake and any failure. False when the
// connection must be closed. Worker-local.
bool receiveDownstreamTls(tls::TlsConnection& tls, StreamWriter& writer, const char* data,
                          size_t length, std::string& plaintext, WorkerStats& stats,
                          stats::ListenerStats& listener_stats, bool& handshake_counted);

// Counts a client connection whose handshake failed or did not finish in time. Worker-local.
void countDownstreamHandshakeFailure(WorkerStats& stats, stats::ListenerStats& listener_stats);

}  // namespace meshlb
