#include "admin/metrics/worker_total_metrics.h"

#include <string_view>
#include <unordered_map>

#include <prometheus/check_names.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

namespace {

// What each known total counts, summed over every worker (WorkerStats in
// proxy/worker/worker_stats.h). A total not listed here gets a generic help string.
const std::unordered_map<std::string_view, const char*>& knownHelp() {
  static const std::unordered_map<std::string_view, const char*> help = {
      {"downstream_connections_total", "Client connections accepted, on all listeners."},
      {"downstream_connections_active", "Client connections open now, on all listeners."},
      {"downstream_requests_total", "HTTP request heads received from clients, on all listeners."},
      {"responses_1xx_total",
       "HTTP responses with a 1xx status sent to clients, on all listeners."},
      {"responses_2xx_total",
       "HTTP responses with a 2xx status sent to clients, on all listeners."},
      {"responses_3xx_total",
       "HTTP responses with a 3xx status sent to clients, on all listeners."},
      {"responses_4xx_total",
       "HTTP responses with a 4xx status sent to clients, on all listeners."},
      {"responses_5xx_total",
       "HTTP responses with a 5xx status sent to clients, on all listeners."},
      {"bad_requests_total",
       "Requests refused because the codec rejected them (400, or 431 when too large) or their "
       "target did not parse (400), on all listeners."},
      {"header_timeouts_total",
       "Requests whose head did not arrive within the listener's header timeout."},
      {"no_route_total", "Requests answered 404 because no route matched, on all listeners."},
      {"no_healthy_upstream_total",
       "Requests answered 503 because the cluster had no usable host, over all clusters."},
      {"lb_panic_total",
       "Requests balanced over all hosts of a cluster because too few were usable (panic mode), "
       "over all clusters."},
      {"overflow_max_connections_total",
       "Requests answered 503 because a cluster's max_connections was reached."},
      {"overflow_max_pending_requests_total",
       "Requests answered 503 because a cluster's max_pending_requests was reached."},
      {"overflow_max_requests_total",
       "Requests answered 503 because a cluster's max_requests was reached."},
      {"downstream_connections_refused_total",
       "Client connections closed on accept because a listener's max_connections was reached."},
      {"downstream_accept_errors_total",
       "Failed accepts of client connections as libuv reports them (for example out of file "
       "descriptors once libuv's own shedding failed), on all listeners."},
      {"upstream_retries_budget_exhausted_total",
       "Retries that were due but refused by the cluster's retry budget, over all clusters."},
      {"upstream_bad_responses_total",
       "Upstream answers that could not be parsed (the client got 502), over all clusters."},
      {"upstream_resets_total",
       "Upstream connections closed before the answer was complete (the client got 502 or a cut "
       "response), over all clusters."},
      {"upstream_reuse_retries_total",
       "Requests replayed once because a reused keep-alive upstream connection failed."},
      {"upstream_connections_reused_total",
       "Times an idle keep-alive upstream connection was taken for a request instead of opening "
       "a new one."},
      {"tcp_sessions_total", "Client connections proxied by TCP (L4) listeners."},
      {"tls_handshakes_total", "TLS handshakes with clients completed, on all listeners."},
      {"tls_handshake_errors_total", "TLS handshakes with clients that failed, on all listeners."},
      {"tls_errors_total", "TLS errors on client connections after the handshake."},
      {"upstream_tls_handshake_errors_total",
       "TLS handshakes with upstream hosts that failed (for example an unknown CA)."},
      {"bytes_received_total", "Bytes read from clients, on all listeners."},
      {"bytes_sent_total", "Bytes written to clients, on all listeners."},
      {"access_log_dropped_total",
       "Access log lines dropped because writing to disk fell too far behind."},
  };
  return help;
}

bool isLevel(std::string_view name) {
  return name.ends_with("_active");
}

}  // namespace

// One total: its own family with a single unlabelled series. An inert Total (family null)
// stands for a skipped name, so the roster still maps the name and does not retry every update.
// Main thread only.
class WorkerTotalMetrics::Total {
 public:
  Total(FamilyRegistry& registry, const std::string& total) : registry_(registry) {
    const std::string name = exportedName(total, registry.names);
    if (name.empty()) {
      return;
    }
    auto found = knownHelp().find(total);
    const std::string help = found != knownHelp().end()
                                 ? std::string(found->second)
                                 : "Process-wide total of " + total + ", over all workers.";
    // exportedName() checked the name, so registering cannot throw.
    if (isLevel(total)) {
      gauges_ = &gaugeFamily(registry, name, help);
      gauge_ = &gauges_->Add({});
    } else {
      counters_ = &counterFamily(registry, name, help);
      counter_ = &counters_->Add({});
    }
  }

  ~Total() {
    if (counters_ != nullptr) {
      removeFamily(registry_, *counters_);
    }
    if (gauges_ != nullptr) {
      removeFamily(registry_, *gauges_);
    }
  }

  Total(const Total&) = delete;
  Total& operator=(const Total&) = delete;

  void update(uint64_t value) {
    if (counter_ != nullptr) {
      advanceCounter(*counter_, applied_, value);
    } else if (gauge_ != nullptr) {
      gauge_->Set(levelValue(value));
    }
  }

 private:
  FamilyRegistry& registry_;
  prometheus::Family<prometheus::Counter>* counters_ = nullptr;
  prometheus::Family<prometheus::Gauge>* gauges_ = nullptr;
  prometheus::Counter* counter_ = nullptr;
  prometheus::Gauge* gauge_ = nullptr;
  uint64_t applied_ = 0;
};

WorkerTotalMetrics::WorkerTotalMetrics(FamilyRegistry& registry) : registry_(registry) {}

// Out of line: Total is complete only here.
WorkerTotalMetrics::~WorkerTotalMetrics() = default;

std::string WorkerTotalMetrics::exportedName(const std::string& total,
                                             const std::unordered_set<std::string>& taken) {
  std::string suffix = total;
  if (!isLevel(total) && !std::string_view(total).ends_with("_total")) {
    suffix += "_total";
  }
  for (const char* prefix : {"meshlb_", "meshlb_process_"}) {
    std::string name = prefix + suffix;
    if (!taken.contains(name) && prometheus::CheckMetricName(name)) {
      return name;
    }
  }
  return "";
}

void WorkerTotalMetrics::update(const std::vector<std::pair<std::string, uint64_t>>& totals) {
  totals_.follow(
      totals.size(), [&](size_t i) -> const std::string& { return totals[i].first; },
      [&](std::string_view name) { return std::make_unique<Total>(registry_, std::string(name)); });
  for (size_t i = 0; i < totals.size(); ++i) {
    if (Total* total = totals_.at(i)) {
      total->update(totals[i].second);
    }
  }
}

}  // namespace meshlb::admin::metrics
