#pragma once

#include <array>
#include <cstdint>

#include "common/counter.h"
#include "common/latency_histogram.h"
#include "proxy/stats/status_codes.h"

namespace meshlb::stats {

// The stats blocks of the data path. Each comes in two forms: with Cell = Counter it is one
// worker's live block, written only by that worker on its hot path (an array index and a
// relaxed store, no lock, no lookup, no allocation) and read by the main thread; with
// Cell = uint64_t it is the sum over workers that the main thread merges (StatsStore::merge).
// Blocks are found by integer index at config time (Generation), never by name per request.

// Why a request was refused before it reached a cluster.
enum class BadRequestReason : uint8_t {
  kMalformed,        // 400: the codec rejected the head or body framing
  kHeadTooLarge,     // 431: request line or headers over the listener's limits
  kHeadTimeout,      // 408: the head did not arrive within header_timeout_ms
  kInvalidTarget,    // 400: an absolute-form target that does not parse
  kMethodNotAllowed  // 405: CONNECT
};
inline constexpr size_t kBadRequestReasons = 5;
inline constexpr std::array<const char*, kBadRequestReasons> kBadRequestReasonNames = {
    "malformed", "head_too_large", "head_timeout", "invalid_target", "method_not_allowed"};

// One host of one cluster. An attempt is one try of a request on this host (a retried request
// makes several attempts, on several hosts); its status is the upstream's answer, or the 502 or
// 504 meshlb answered when the host failed (connect failure, reset, bad answer, timeout).
template <typename Cell>
struct alignas(64) HostStatsT {
  std::array<Cell, 5> responses_by_class{};                          // 1xx..5xx
  std::array<Cell, kTrackedStatusCodes.size()> responses_by_code{};  // kTrackedStatusCodes
  Cell requests_active{};  // a level: attempts in flight on this host
  Cell retries{};          // attempts on this host that were retries
  Cell timeouts{};         // attempts that ended in a request or per-try timeout
  Cell connections_total{};
  Cell connections_active{};                 // a level
  Cell connect_failures{};                   // refused, unreachable or timed out
  Cell bytes_sent{};                         // request bytes written towards the host
  Cell bytes_received{};                     // response bytes read from the host
  LatencyHistogramT<Cell> request_duration;  // attempt start to last byte of the answer
  LatencyHistogramT<Cell> connect_duration;  // connect start to established (TCP, and TLS)

  void recordStatus(int status) requires std::is_same_v<Cell, Counter> {
    responses_by_class[statusClassIndex(status)].add();
    if (size_t slot = statusSlot(status); slot != kUntrackedStatus) {
      responses_by_code[slot].add();
    }
  }

  template <typename Other>
  void mergeFrom(const HostStatsT<Other>& o) {
    for (size_t i = 0; i < responses_by_class.size(); ++i) {
      mergeCell(responses_by_class[i], o.responses_by_class[i]);
    }
    for (size_t i = 0; i < responses_by_code.size(); ++i) {
      mergeCell(responses_by_code[i], o.responses_by_code[i]);
    }
    mergeCell(requests_active, o.requests_active);
    mergeCell(retries, o.retries);
    mergeCell(timeouts, o.timeouts);
    mergeCell(connections_total, o.connections_total);
    mergeCell(connections_active, o.connections_active);
    mergeCell(connect_failures, o.connect_failures);
    mergeCell(bytes_sent, o.bytes_sent);
    mergeCell(bytes_received, o.bytes_received);
    request_duration.mergeFrom(o.request_duration);
    connect_duration.mergeFrom(o.connect_duration);
  }
};

// What happens to a cluster as a whole rather than to one of its hosts.
template <typename Cell>
struct alignas(64) ClusterStatsT {
  Cell no_healthy_upstream{};  // 503: no usable host
  Cell lb_panic{};             // requests balanced over all hosts (too few usable)
  Cell overflow_max_connections{};
  Cell overflow_max_pending_requests{};
  Cell overflow_max_requests{};
  Cell retry_budget_exhausted{};  // a retry was due but the budget said no

  template <typename Other>
  void mergeFrom(const ClusterStatsT<Other>& o) {
    mergeCell(no_healthy_upstream, o.no_healthy_upstream);
    mergeCell(lb_panic, o.lb_panic);
    mergeCell(overflow_max_connections, o.overflow_max_connections);
    mergeCell(overflow_max_pending_requests, o.overflow_max_pending_requests);
    mergeCell(overflow_max_requests, o.overflow_max_requests);
    mergeCell(retry_budget_exhausted, o.retry_budget_exhausted);
  }
};

// One listener: the downstream side.
template <typename Cell>
struct alignas(64) ListenerStatsT {
  Cell connections_total{};
  Cell connections_active{};                 // a level
  Cell connections_refused{};                // the listener's max_connections was reached
  Cell requests{};                           // HTTP request heads received (TCP listeners: none)
  std::array<Cell, 5> responses_by_class{};  // what the client got, 1xx..5xx
  std::array<Cell, kBadRequestReasons> bad_requests{};
  Cell no_route{};  // 404: no route matched
  Cell tls_handshakes{};
  Cell tls_handshake_errors{};
  Cell tls_errors{};      // after the handshake
  Cell bytes_received{};  // from clients
  Cell bytes_sent{};      // to clients

  template <typename Other>
  void mergeFrom(const ListenerStatsT<Other>& o) {
    mergeCell(connections_total, o.connections_total);
    mergeCell(connections_active, o.connections_active);
    mergeCell(connections_refused, o.connections_refused);
    mergeCell(requests, o.requests);
    for (size_t i = 0; i < responses_by_class.size(); ++i) {
      mergeCell(responses_by_class[i], o.responses_by_class[i]);
    }
    for (size_t i = 0; i < bad_requests.size(); ++i) {
      mergeCell(bad_requests[i], o.bad_requests[i]);
    }
    mergeCell(no_route, o.no_route);
    mergeCell(tls_handshakes, o.tls_handshakes);
    mergeCell(tls_handshake_errors, o.tls_handshake_errors);
    mergeCell(tls_errors, o.tls_errors);
    mergeCell(bytes_received, o.bytes_received);
    mergeCell(bytes_sent, o.bytes_sent);
  }
};

using HostStats = HostStatsT<Counter>;
using ClusterStats = ClusterStatsT<Counter>;
using ListenerStats = ListenerStatsT<Counter>;
using HostStatsValues = HostStatsT<uint64_t>;
using ClusterStatsValues = ClusterStatsT<uint64_t>;
using ListenerStatsValues = ListenerStatsT<uint64_t>;

}  // namespace meshlb::stats
