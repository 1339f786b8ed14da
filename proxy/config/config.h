#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "proxy/lb/load_balancer.h"
#include "proxy/tls/tls_context.h"

namespace meshlb::config {

// The validated, immutable configuration. Built once by the loader on the main thread and then
// shared read-only (shared_ptr<const Config>) with every worker. Indices (cluster_index) are
// resolved at load time so the data path never looks anything up by name.

struct AdminConfig {
  SocketAddress address;  // default 127.0.0.1:9901
  // File holding the admin bearer token; empty: $MESHLB_ADMIN_TOKEN, or no token at all.
  std::string token_file;
  bool protect_reads = false;  // with a token, GET and HEAD need it too (except GET /ready)
};

struct RouteConfig {
  std::string host = "*";  // "*", "exact.example.com" or "*.suffix.example.com"
  std::string path_prefix = "/";
  std::string cluster;
  uint32_t cluster_index = 0;  // resolved
};

enum class Protocol { kHttp, kTcp };

struct HttpLimits {
  uint32_t max_request_line_bytes = 8 * 1024;
  uint32_t max_header_bytes = 64 * 1024;
  uint32_t max_headers = 100;
};

struct ListenerConfig {
  std::string name;
  SocketAddress address;
  Protocol protocol = Protocol::kHttp;
  std::vector<RouteConfig> routes;  // http
  std::string cluster;              // tcp
  uint32_t cluster_index = 0;       // tcp, resolved
  HttpLimits limits;
  uint32_t header_timeout_ms = 10'000;   // whole request head must arrive within this
  uint32_t idle_timeout_ms = 60'000;     // downstream connection with nothing in flight
  uint32_t request_timeout_ms = 15'000;  // whole exchange once the head is in; 0 = none
  uint32_t max_connections = 0;          // downstream connections over all workers; 0 = no limit
  // TLS termination; null for plain TCP. Built (files read, keys checked) when the config loads.
  std::shared_ptr<const tls::TlsContext> tls;
};

// Where a hash-based policy takes its key from.
struct HashPolicy {
  enum class Source { kSourceIp, kHeader } source = Source::kSourceIp;
  std::string header;  // lower-case, for kHeader
};

struct HostConfig {
  SocketAddress address;
  std::string address_text;  // as written, used as the host's label and hash identity
  uint32_t weight = 1;
  // Set by an operator: no new requests; those in flight finish. Shown as "draining".
  bool draining = false;
};

// Active health checking of every host of a cluster, from the main thread.
struct HealthCheckConfig {
  enum class Type { kTcp, kHttp } type = Type::kTcp;
  std::string method = "GET";  // http: GET, HEAD or OPTIONS
  std::string path = "/";      // http
  std::string host;            // http Host header; empty: the host's address
  uint32_t interval_ms = 1'000;
  uint32_t jitter_ms = 0;  // each interval is lengthened by a random 0..jitter_ms
  uint32_t timeout_ms = 500;
  uint32_t unhealthy_threshold = 2;  // consecutive failures that mark a host unhealthy
  uint32_t healthy_threshold = 2;    // consecutive successes that mark it healthy again
  std::vector<std::pair<uint32_t, uint32_t>> expected_statuses{{200, 399}};  // inclusive ranges
};

// Passive outlier detection: hosts whose answers go bad are ejected for a while.
struct OutlierDetectionConfig {
  uint32_t consecutive_5xx = 5;              // 0 = off
  uint32_t consecutive_gateway_failure = 5;  // connect failures, resets, 502/503/504; 0 = off
  uint32_t base_ejection_ms = 30'000;        // times the number of ejections so far
  uint32_t max_ejection_ms = 300'000;
  uint32_t max_ejection_percent = 50;
};

// When and how often a failed attempt is tried again, on another host if there is one.
struct RetryPolicyConfig {
  bool on_connect_failure = false;  // "connect-failure": nothing was sent; any method
  bool on_reset = false;            // "reset": closed/reset/timed out before an answer
  bool on_5xx = false;              // "5xx": any 5xx answer
  bool on_gateway_error = false;    // "gateway-error": connect failure, 502, 503, 504
  uint32_t max_retries = 1;
  uint32_t per_try_timeout_ms = 0;     // 0: only the listener's request timeout applies
  uint32_t budget_percent = 20;        // retries in flight at most this share of active requests,
  uint32_t min_retry_concurrency = 3;  // ... but always at least this many (per worker)
};

// Limits per cluster, over all workers; beyond them requests get 503 at once (there is no
// queue). 0 means no limit, the default: a limit should be a decision, not a surprise.
struct CircuitBreakersConfig {
  uint32_t max_connections = 0;       // upstream connections open
  uint32_t max_pending_requests = 0;  // requests waiting for a new connection to open
  uint32_t max_requests = 0;          // requests in flight

  static uint64_t effective(uint32_t limit) { return limit == 0 ? UINT64_MAX : limit; }
};

struct ClusterConfig {
  std::string name;
  lb::LbPolicy lb_policy = lb::LbPolicy::kRoundRobin;
  HashPolicy hash_policy;
  uint32_t connect_timeout_ms = 1'000;
  uint32_t upstream_idle_timeout_ms = 60'000;     // pooled keep-alive connection lifetime idle
  uint32_t max_idle_connections_per_host = 1024;  // per worker
  // Below this share of usable hosts, balance over all hosts rather than overload the few.
  uint32_t panic_threshold_percent = 50;
  std::optional<HealthCheckConfig> health_check;
  std::optional<OutlierDetectionConfig> outlier_detection;
  std::optional<RetryPolicyConfig> retry_policy;
  CircuitBreakersConfig circuit_breakers;
  // TLS towards the hosts; null for plain TCP. Built when the config loads.
  std::shared_ptr<const tls::TlsContext> tls;
  std::vector<HostConfig> hosts;
};

struct AccessLogConfig {
  // Empty: no access log. "stdout" or "-": standard output. Anything else: a file (appended).
  std::string path;
};

// Passive packet capture (libpcap) on the capture thread. Absent from the file: no capture.
struct CaptureConfig {
  std::vector<std::string> interfaces;  // e.g. {"lo"}; at least one
  // BPF filter; empty: TCP to or from every listener and host address of the config (rebuilt
  // on reload).
  std::string filter;
  uint32_t snaplen = 128;          // bytes kept per packet: headers only
  uint32_t buffer_mb = 16;         // kernel ring buffer per interface
  uint32_t max_flows = 1'000'000;  // flow table size, allocated once (untouched pages are free)
  bool immediate = false;  // deliver each packet at once (a wake-up each) rather than in batches
  uint32_t idle_timeout_ms = 60'000;    // a flow without packets for this long ends
  uint32_t report_interval_ms = 1'000;  // long flows report what they did this often
};

// The analytics core (series, detectors, diagnosis) on its own thread. Absent from the file: on,
// with these defaults. A change needs a restart.
struct AnalyticsConfig {
  enum class Sensitivity : uint8_t { kLow, kMedium, kHigh };
  bool enabled = true;
  Sensitivity sensitivity = Sensitivity::kMedium;
  uint32_t warmup_s = 60;        // a series' baselines learn this long before detecting
  uint32_t max_series = 20'000;  // hard cap on stored series (about 18 KiB each)
  uint32_t retention_after_removal_s = 3'600;  // a removed host's series stay queryable this long
  uint32_t correlation_window_s = 60;
  uint32_t recent_anomalies = 1'000;  // closed anomalies kept for /analytics/anomalies
};

struct Config {
  std::string source_text;  // the JSON as loaded, for the admin API's /config_dump
  AdminConfig admin;
  uint32_t workers = 0;  // 0 = number of cores
  uint32_t drain_timeout_ms = 10'000;
  std::vector<ListenerConfig> listeners;
  std::vector<ClusterConfig> clusters;
  AccessLogConfig access_log;
  std::optional<CaptureConfig> capture;
  AnalyticsConfig analytics;
  // Top-level sections owned by modules above the proxy (e.g. "alerting"), validated by the
  // validator each module registered (config_sections.h), kept as JSON for that module.
  std::map<std::string, nlohmann::json> module_sections;
};

}  // namespace meshlb::config
