#pragma once

#include <cstdint>

#include "proxy/http/message_encoder.h"

namespace meshlb {

class ClusterRuntime;
class ConnectionPool;
class UpstreamConnection;

// Where one HTTP exchange (a request and its answer, retries included) stands: the host it went
// to, the attempt under way, what is known of both messages. Part of the ExchangeState a client
// connection borrows from its worker for one exchange, so an idle keep-alive connection does not
// carry it (about 100 bytes). Every lend starts from these initialisers. Owned by the worker
// thread, like the session that borrows it.
struct ExchangeProgress {
  ClusterRuntime* cluster = nullptr;  // set once the request was routed and admitted
  uint32_t host_id = 0;
  uint32_t attempts = 0;
  UpstreamConnection* upstream = nullptr;
  ConnectionPool* pending_pool = nullptr;  // chosen host, not engaged yet
  uint64_t tried_hosts = 0;                // ClusterRuntime::hostBit of every host tried
  uint64_t attempt_started_ns = 0;         // uv_hrtime() when the open attempt began
  uint64_t request_start_ns = 0;
  uint64_t response_body_bytes = 0;
  const http::MessageHead* request_head = nullptr;  // lives in the decoder
  int status = 0;                                   // the answer's status once known
  http::BodyFraming response_framing = http::BodyFraming::kNone;
  bool request_replayable = false;         // idempotent and without a body
  bool keep_request = false;               // ExchangeState::replay holds every byte sent so far
  bool attempt_reused_connection = false;  // the current attempt reused a pooled connection
  bool reuse_retry_done = false;
  bool holds_request_slot = false;  // counted in the cluster's max_requests gauge
  bool retry_counted = false;       // counted in the cluster's retry budget
  bool attempt_open = false;        // an attempt on host_id is under way and not counted yet
  bool client_is_http10 = false;
  bool request_chunked = false;
  bool request_is_head = false;
  bool upgrade_requested = false;
  bool request_complete = false;
  bool response_started = false;
  bool upstream_eof = false;  // the upstream half-closed (tunnels)
};

}  // namespace meshlb
