#include "proxy/session/downstream_tls.h"

#include "common/log.h"

namespace meshlb {

bool receiveDownstreamTls(DownstreamTls& downstream, StreamWriter& writer, const char* data,
                          size_t length, WorkerStats& stats, stats::ListenerStats& listener_stats) {
  tls::TlsConnection& tls = downstream.connection;
  downstream.plaintext.clear();
  Status status = tls.receive(data, length, downstream.plaintext);
  writer.writeRaw(tls.pendingOutput());
  tls.pendingOutput().clear();
  if (!status) {
    if (tls.handshakeDone()) {
      stats.tls_errors_total.add();
      listener_stats.tls_errors.add();
    } else {
      countDownstreamHandshakeFailure(stats, listener_stats);
    }
    LOG_DEBUG("downstream TLS: %s", tls.lastError().c_str());
    return false;
  }
  if (!downstream.handshake_counted && tls.handshakeDone()) {
    downstream.handshake_counted = true;
    stats.tls_handshakes_total.add();
    listener_stats.tls_handshakes.add();
  }
  return true;
}

void countDownstreamHandshakeFailure(WorkerStats& stats, stats::ListenerStats& listener_stats) {
  stats.tls_handshake_errors_total.add();
  listener_stats.tls_handshake_errors.add();
}

}  // namespace meshlb
