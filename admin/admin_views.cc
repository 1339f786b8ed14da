#include "admin/admin_views.h"

#include <array>
#include <string_view>

#include "proxy/health/host_state.h"
#include "proxy/stats/status_codes.h"

namespace meshlb::admin {
namespace {

constexpr std::array<const char*, 5> kClassNames = {"1xx", "2xx", "3xx", "4xx", "5xx"};

nlohmann::json byClass(const std::array<uint64_t, 5>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < counts.size(); ++i) {
    out[kClassNames[i]] = counts[i];
  }
  return out;
}

nlohmann::json latencyMs(const stats::LatencyHistogramValues& histogram) {
  uint64_t count = histogram.count();
  return {{"count", count},
          {"mean", count == 0 ? 0.0 : static_cast<double>(histogram.sum_us) / count / 1000.0},
          {"p50", histogram.quantileUs(0.5) / 1000.0},
          {"p90", histogram.quantileUs(0.9) / 1000.0},
          {"p99", histogram.quantileUs(0.99) / 1000.0}};
}

nlohmann::json hostStatsView(const stats::HostStatsValues& values) {
  uint64_t responses = 0;
  for (uint64_t count : values.responses_by_class) {
    responses += count;
  }
  nlohmann::json codes = nlohmann::json::object();
  for (size_t i = 0; i < stats::kTrackedStatusCodes.size(); ++i) {
    if (values.responses_by_code[i] > 0) {
      codes[std::to_string(stats::kTrackedStatusCodes[i])] = values.responses_by_code[i];
    }
  }
  return {{"requests_active", values.requests_active},
          {"responses_total", responses},
          {"responses", byClass(values.responses_by_class)},
          {"responses_by_code", std::move(codes)},
          {"retries_total", values.retries},
          {"timeouts_total", values.timeouts},
          {"connections_active", values.connections_active},
          {"connections_total", values.connections_total},
          {"connect_failures_total", values.connect_failures},
          {"sent_bytes_total", values.bytes_sent},
          {"received_bytes_total", values.bytes_received},
          {"request_duration_ms", latencyMs(values.request_duration)},
          {"connect_duration_ms", latencyMs(values.connect_duration)}};
}

bool isSecretKey(std::string_view key) {
  for (std::string_view word : {"key", "token", "secret", "password", "credential"}) {
    if (key.find(word) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

void redact(nlohmann::json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (isSecretKey(it.key()) && !it.value().is_object() && !it.value().is_array()) {
        it.value() = "[redacted]";
      } else {
        redact(it.value());
      }
    }
  } else if (node.is_array()) {
    for (nlohmann::json& element : node) {
      redact(element);
    }
  }
}

}  // namespace

nlohmann::json clustersView(const config::Config& config, const health::HealthManager& health,
                            const stats::StatsSnapshot& snapshot) {
  bool have_stats = snapshot.clusters.size() == config.clusters.size();
  nlohmann::json clusters = nlohmann::json::array();
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config.clusters[c];
    nlohmann::json hosts = nlohmann::json::array();
    size_t usable = 0;
    size_t in_service = 0;  // all but draining hosts, as the workers count them for panic
    for (size_t h = 0; h < cluster.hosts.size(); ++h) {
      health::HealthManager::HostView view =
          health.host(static_cast<uint32_t>(c), static_cast<uint32_t>(h));
      usable += view.flags == 0 ? 1 : 0;
      in_service += (view.flags & health::kDraining) == 0 ? 1 : 0;
      nlohmann::json host = {
          {"address", cluster.hosts[h].address_text},
          {"weight", view.weight},
          {"config_weight", cluster.hosts[h].weight},
          {"state", health::hostStateName(view.flags)},
          {"failed_active_check", (view.flags & health::kFailedActiveCheck) != 0},
          {"ejected", (view.flags & health::kEjected) != 0},
          {"draining", (view.flags & health::kDraining) != 0},
          {"ejections_total", view.ejections},
          {"ejection_remaining_ms", view.ejected_for_ms}};
      if (view.checker != nullptr) {
        host["health_check"] = {{"checks_total", view.checker->checksTotal()},
                                {"failures_total", view.checker->failuresTotal()},
                                {"consecutive_failures", view.checker->consecutiveFailures()},
                                {"last_failure", view.checker->lastFailure()}};
      }
      if (have_stats && h < snapshot.clusters[c].hosts.size()) {
        host["stats"] = hostStatsView(snapshot.clusters[c].hosts[h].values);
      }
      hosts.push_back(std::move(host));
    }
    bool panic = in_service > 0 && usable * 100 < in_service * cluster.panic_threshold_percent;
    nlohmann::json entry = {{"name", cluster.name},
                            {"lb_policy", lb::lbPolicyName(cluster.lb_policy)},
                            {"usable_hosts", usable},
                            {"panic", panic},
                            {"hosts", std::move(hosts)}};
    if (have_stats) {
      const stats::ClusterStatsValues& values = snapshot.clusters[c].values;
      entry["stats"] = {{"no_healthy_upstream_total", values.no_healthy_upstream},
                        {"lb_panic_total", values.lb_panic},
                        {"overflows_total",
                         {{"max_connections", values.overflow_max_connections},
                          {"max_pending_requests", values.overflow_max_pending_requests},
                          {"max_requests", values.overflow_max_requests},
                          {"retry_budget", values.retry_budget_exhausted}}}};
    }
    clusters.push_back(std::move(entry));
  }
  return {{"clusters", std::move(clusters)}};
}

nlohmann::json listenersView(const config::Config& config, const stats::StatsSnapshot& snapshot) {
  bool have_stats = snapshot.listeners.size() == config.listeners.size();
  nlohmann::json listeners = nlohmann::json::array();
  for (size_t l = 0; l < config.listeners.size(); ++l) {
    const config::ListenerConfig& listener = config.listeners[l];
    bool http = listener.protocol == config::Protocol::kHttp;
    nlohmann::json entry = {{"name", listener.name},
                            {"address", listener.address.toString()},
                            {"protocol", http ? "http" : "tcp"},
                            {"tls", listener.tls != nullptr},
                            {"max_connections", listener.max_connections}};
    if (http) {
      nlohmann::json routes = nlohmann::json::array();
      for (const config::RouteConfig& route : listener.routes) {
        routes.push_back(
            {{"host", route.host}, {"path_prefix", route.path_prefix}, {"cluster", route.cluster}});
      }
      entry["routes"] = std::move(routes);
    } else {
      entry["cluster"] = listener.cluster;
    }
    if (have_stats) {
      const stats::ListenerStatsValues& values = snapshot.listeners[l].values;
      nlohmann::json bad = nlohmann::json::object();
      for (size_t i = 0; i < stats::kBadRequestReasons; ++i) {
        bad[stats::kBadRequestReasonNames[i]] = values.bad_requests[i];
      }
      entry["stats"] = {{"connections_active", values.connections_active},
                        {"connections_total", values.connections_total},
                        {"connections_refused_total", values.connections_refused},
                        {"requests_total", values.requests},
                        {"responses", byClass(values.responses_by_class)},
                        {"bad_requests_total", std::move(bad)},
                        {"no_route_total", values.no_route},
                        {"tls_handshakes_total", values.tls_handshakes},
                        {"tls_handshake_errors_total", values.tls_handshake_errors},
                        {"tls_errors_total", values.tls_errors},
                        {"received_bytes_total", values.bytes_received},
                        {"sent_bytes_total", values.bytes_sent}};
    }
    listeners.push_back(std::move(entry));
  }
  return {{"listeners", std::move(listeners)}};
}

nlohmann::json configDumpView(const config::Config& config) {
  nlohmann::json source =
      nlohmann::json::parse(config.source_text, nullptr, /*allow_exceptions=*/false,
                            /*ignore_comments=*/true);
  if (source.is_discarded()) {
    source = nullptr;  // cannot happen: the text parsed when the config was loaded
  }
  redact(source);
  return source;
}

}  // namespace meshlb::admin
