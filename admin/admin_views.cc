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

namespace {

nlohmann::json nanosToMs(int64_t ns) {
  if (ns < 0) {
    return nullptr;
  }
  return static_cast<double>(ns) / 1e6;
}

nlohmann::json flowJson(const capture::FlowView& flow) {
  return {{"id", flow.id},
          {"endpoint", flow.endpoint},
          {"initiator", flow.initiator_address.withPort(flow.initiator_port)},
          {"responder", flow.responder_address.withPort(flow.responder_port)},
          {"state", capture::toString(flow.state)},
          {"packets", flow.packets},
          {"bytes", flow.bytes},
          {"retransmits", flow.retransmits},
          {"handshake_rtt_ms", nanosToMs(flow.handshake_rtt_ns)},
          {"data_rtt_last_ms", nanosToMs(flow.data_rtt_last_ns)},
          {"data_rtt_mean_ms", nanosToMs(flow.data_rtt_mean_ns)},
          {"age_ms", (flow.last_seen_ns - flow.first_seen_ns) / 1'000'000}};
}

}  // namespace

nlohmann::json flowSummaryView(const capture::FlowSummary& summary) {
  const capture::CaptureHealth& health = summary.health;
  nlohmann::json interfaces = nlohmann::json::array();
  for (const capture::InterfaceCounters& interface : health.interfaces) {
    interfaces.push_back({{"name", interface.name},
                          {"packets_total", interface.received},
                          {"kernel_drops_total", interface.kernel_drops},
                          {"interface_drops_total", interface.interface_drops}});
  }
  nlohmann::json errors = nlohmann::json::object();
  for (size_t i = 1; i < health.decode_errors.size(); ++i) {
    errors[std::string(capture::decodeStatusName(static_cast<capture::DecodeStatus>(i)))] =
        health.decode_errors[i];
  }
  nlohmann::json endpoints = nlohmann::json::array();
  if (summary.endpoints != nullptr) {
    const auto& all = summary.endpoints->all();
    for (size_t i = 0; i < all.size() && i < summary.totals.size(); ++i) {
      const capture::CaptureEndpoint& endpoint = all[i];
      const capture::EndpointFlowTotals& totals = summary.totals[i];
      nlohmann::json entry = {
          {"address", endpoint.address},
          {"kind",
           endpoint.kind == capture::CaptureEndpoint::Kind::kListener ? "listener" : "host"},
          {"flows_opened_total", totals.flows_opened},
          {"flows_closed_total", totals.flows_closed},
          {"flows_reset_total", totals.flows_reset},
          {"flows_active", totals.flows_active},
          {"packets_total", totals.packets},
          {"bytes_total", totals.bytes},
          {"retransmits_total", totals.retransmits},
          {"retransmit_ratio", totals.packets == 0 ? 0.0
                                                   : static_cast<double>(totals.retransmits) /
                                                         static_cast<double>(totals.packets)},
          {"out_of_order_total", totals.out_of_order},
          {"zero_windows_total", totals.zero_windows},
          {"resets_total", totals.resets},
          {"handshake_rtt_ms", latencyMs(totals.handshake_rtt)},
          {"data_rtt_ms", latencyMs(totals.data_rtt)}};
      if (endpoint.kind == capture::CaptureEndpoint::Kind::kListener) {
        entry["listener"] = endpoint.listener;
      } else {
        nlohmann::json hosts = nlohmann::json::array();
        for (const auto& [cluster, host] : endpoint.hosts) {
          hosts.push_back({{"cluster", cluster}, {"host", host}});
        }
        entry["hosts"] = std::move(hosts);
      }
      endpoints.push_back(std::move(entry));
    }
  }
  return {{"capture",
           {{"enabled", health.enabled},
            {"reason", health.reason},
            {"interfaces", std::move(interfaces)},
            {"decoded_packets_total", health.packets_decoded},
            {"decode_errors_total", std::move(errors)},
            {"flows_active", health.flows_active},
            {"flows_created_total", health.flows_created},
            {"flows_evicted_total", health.flows_evicted},
            {"flows_expired_total", health.flows_expired}}},
          {"updated_unix_ms", summary.unix_ms},
          {"endpoints", std::move(endpoints)}};
}

nlohmann::json flowsView(const capture::FlowSummary& summary, const FlowQuery& query) {
  const std::vector<capture::FlowView>& source =
      query.by_rtt ? summary.top_by_rtt : summary.top_by_bytes;
  nlohmann::json flows = nlohmann::json::array();
  for (const capture::FlowView& flow : source) {
    if (flows.size() >= query.limit) {
      break;
    }
    if (!query.host.empty() && flow.initiator_address.toString() != query.host &&
        flow.responder_address.toString() != query.host) {
      continue;
    }
    if (query.port != 0 && flow.initiator_port != query.port && flow.responder_port != query.port) {
      continue;
    }
    if (!query.state.empty() && capture::toString(flow.state) != query.state) {
      continue;
    }
    if (!query.endpoint.empty() && flow.endpoint != query.endpoint) {
      continue;
    }
    flows.push_back(flowJson(flow));
  }
  return {{"sort", query.by_rtt ? "rtt" : "bytes"},
          {"capture_enabled", summary.health.enabled},
          {"updated_unix_ms", summary.unix_ms},
          {"note", "chosen among the " + std::to_string(capture::FlowSummary::kTopFlows) +
                       " active flows with the most bytes (or the largest RTT), updated every "
                       "second"},
          {"flows", std::move(flows)}};
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
