#pragma once

#include <cstdint>

#include "common/counter.h"

namespace meshlb {

using stats::Counter;

// A worker's own counters. Written only by that worker; the main thread sums all workers' blocks
// when asked (admin /stats). Field names say what they count.
struct WorkerStats {
  Counter downstream_connections_total;
  Counter downstream_connections_active;
  Counter downstream_requests_total;
  Counter responses_1xx;
  Counter responses_2xx;
  Counter responses_3xx;
  Counter responses_4xx;
  Counter responses_5xx;
  Counter bad_requests_total;                       // 400 and 431 answered for malformed requests
  Counter header_timeouts_total;                    // request head not received in time
  Counter no_route_total;                           // 404: no route matched
  Counter no_healthy_upstream_total;                // 503: cluster had no usable host
  Counter overflow_max_connections_total;           // 503: cluster's max_connections reached
  Counter overflow_max_pending_requests_total;      // 503: cluster's max_pending_requests reached
  Counter overflow_max_requests_total;              // 503: cluster's max_requests reached
  Counter downstream_connections_refused_total;     // listener's max_connections reached
  Counter downstream_accept_errors_total;           // accept failed (e.g. EMFILE) on a listener
  Counter upstream_retries_total;                   // attempts after the first (retry_policy)
  Counter upstream_retries_budget_exhausted_total;  // a retry was due but the budget said no
  Counter lb_panic_total;                   // requests balanced over all hosts (too few usable)
  Counter upstream_connect_failures_total;  // 502: connect refused or timed out
  Counter upstream_bad_responses_total;     // 502: upstream answered something unparsable
  Counter upstream_resets_total;            // 502 (or cut response): upstream closed early
  Counter upstream_reuse_retries_total;     // replayed once after a reused connection failed
  Counter upstream_timeouts_total;          // 504: request timeout
  Counter upstream_connections_total;
  Counter upstream_connections_reused_total;
  Counter tcp_sessions_total;
  Counter tls_handshakes_total;        // downstream TLS handshakes completed
  Counter tls_handshake_errors_total;  // downstream handshakes failed (bad hello, version...)
  Counter tls_errors_total;            // downstream TLS errors after the handshake
  Counter upstream_tls_handshake_errors_total;  // upstream handshakes failed (e.g. unknown CA)
  Counter bytes_received_total;                 // from downstream
  Counter bytes_sent_total;                     // to downstream
  Counter access_log_dropped_total;

  void countResponse(int status) {
    switch (status / 100) {
      case 1:
        responses_1xx.add();
        break;
      case 2:
        responses_2xx.add();
        break;
      case 3:
        responses_3xx.add();
        break;
      case 4:
        responses_4xx.add();
        break;
      default:
        responses_5xx.add();
        break;
    }
  }
};

}  // namespace meshlb
