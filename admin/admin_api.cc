#include "admin/admin_api.h"

#include <uv.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "admin/admin_error.h"
#include "admin/admin_views.h"
#include "admin/dashboard/dashboard_assets.h"
#include "admin/events/event_feed.h"
#include "common/linear_regex.h"
#include "common/log.h"
#include "common/wall_clock.h"

namespace meshlb::admin {
namespace {

constexpr uint32_t kMaxWeight = 10'000;

// Splits "/a/b/c" into {"a", "b", "c"}.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

constexpr std::string_view kIndex =
    "meshlb admin API (see the README, \"Admin API\", for details)\n"
    "  GET  /                             the live dashboard (a web page)\n"
    "  GET  /help                         this list\n"
    "  GET  /events                       live feed (Server-Sent Events): a tick a second\n"
    "  GET  /ready                        200 when serving, 503 while draining\n"
    "  GET  /server_info                  version, uptime, workers, config generation\n"
    "  GET  /listeners                    listeners with routes and live stats\n"
    "  GET  /clusters                     clusters and hosts: health, weight, live stats\n"
    "  GET  /config_dump                  the running config, secrets redacted\n"
    "  GET  /stats[?filter=RE][&format=json]  every stat, one 'name: value' per line\n"
    "  GET  /metrics                      Prometheus text format\n"
    "  GET  /flows[?sort=bytes|rtt&limit=N&host=IP&port=P&state=S&endpoint=ADDR]  captured flows\n"
    "  GET  /flows/summary                capture health and per-backend network figures\n"
    "  GET  /analytics/series?metric=M&cluster=C[&host=H&from=&to=&step=&format=csv]  history\n"
    "  GET  /analytics/anomalies[?state=open|recent|all&cluster=&host=&metric=&limit=]\n"
    "  GET  /analytics/summary            health score and open anomalies per cluster and host\n"
    "  GET  /analytics/correlations       latency against RTT and retransmissions per host\n"
    "  GET  /analytics/status             tick lag and duration, series, memory\n"
    "  GET  /alerts[?state=&severity=&cluster=&host=&rule=&silenced=&acked=&limit=]  alerts\n"
    "  GET  /alerts/{id}                  one alert\n"
    "  POST /alerts/{id}/ack              {\"by\", \"comment\"}: acknowledge an alert\n"
    "  GET  /alerts/history[?since=&until=&alert=&rule=&type=&limit=]  audit trail\n"
    "  GET|POST /alerts/rules, GET|PUT|DELETE /alerts/rules/{name}  alert rules\n"
    "  GET  /alerts/status                rules, notifiers, state directory\n"
    "  GET|POST /silences[?state=], DELETE /silences/{id}  silences\n"
    "  POST /clusters/{cluster}/hosts/{host}/drain     no new requests to the host\n"
    "  POST /clusters/{cluster}/hosts/{host}/undrain   back into service\n"
    "  POST /clusters/{cluster}/hosts/{host}/weight?value=N  balancing weight 1..10000\n"
    "  POST /reload                       reload the config file (as SIGHUP)\n"
    "  POST /drain_listeners              stop accepting; finish in-flight requests\n"
    "  POST /quitquitquit                 graceful exit\n";

}  // namespace

AdminApi::AdminApi(ProxyServer& proxy, health::HealthManager& health, ConfigReloader& reloader,
                   StatsCollector& stats, AdminControl control, bool token_required)
    : proxy_(proxy),
      health_(health),
      reloader_(reloader),
      stats_(stats),
      control_(std::move(control)),
      token_required_(token_required),
      started_ms_(uv_hrtime() / 1'000'000) {}

AdminResponse AdminApi::handle(const AdminRequest& request) {
  const std::string& path = request.path;
  bool read = request.method == "GET" || request.method == "HEAD";
  bool post = request.method == "POST";
  struct Read {
    std::string_view path;
    AdminResponse (*answer)(AdminApi&, const AdminRequest&);
  };
  static const Read kReads[] = {
      {"/ready", [](AdminApi& api, const AdminRequest&) { return api.ready(); }},
      {"/server_info", [](AdminApi& api, const AdminRequest&) { return api.serverInfo(); }},
      {"/listeners",
       [](AdminApi& api, const AdminRequest&) {
         return jsonAnswer(200, listenersView(api.proxy_.config(), api.stats_.refresh()));
       }},
      {"/clusters",
       [](AdminApi& api, const AdminRequest&) {
         return jsonAnswer(200,
                           clustersView(api.proxy_.config(), api.health_, api.stats_.refresh()));
       }},
      {"/config_dump",
       [](AdminApi& api, const AdminRequest&) {
         nlohmann::json body = {{"config_generation", api.proxy_.generation()},
                                {"path", api.reloader_.path()},
                                {"config", configDumpView(api.proxy_.config())}};
         return jsonAnswer(200, body);
       }},
      {"/stats",
       [](AdminApi& api, const AdminRequest& request) { return api.statsEndpoint(request); }},
      {"/metrics",
       [](AdminApi& api, const AdminRequest&) {
         api.stats_.refresh();
         return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                              api.stats_.exporter().prometheusText()};
       }},
      {"/flows", [](AdminApi& api, const AdminRequest& request) { return api.flows(request); }},
      {"/flows/summary",
       [](AdminApi& api, const AdminRequest&) {
         api.stats_.refresh();
         return jsonAnswer(200, flowSummaryView(*api.stats_.latestFlows()));
       }},
      {"/help",
       [](AdminApi&, const AdminRequest&) {
         return AdminResponse{200, "text/plain; charset=utf-8", std::string(kIndex)};
       }},
      {"/events", [](AdminApi& api, const AdminRequest&) {
         int64_t now = wallClockUnixMs();
         AdminHandler self = [&api](const AdminRequest& sub) { return api.handle(sub); };
         return EventFeed::openStream(now, EventFeed::tickData(self, now));
       }}};
  if (read && (path == "/" || path.starts_with("/dashboard/"))) {
    if (std::optional<DashboardAsset> asset =
            dashboardAsset(path == "/" ? "index.html" : path.substr(11))) {
      return AdminResponse{200, std::string(asset->content_type), std::string(asset->body)};
    }
    return adminError(404, "not_found", "no dashboard file " + path);
  }
  if (std::optional<AdminResponse> answer = analytics_.handle(request)) {
    return std::move(*answer);
  }
  if (std::optional<AdminResponse> answer = alerting_.handle(request)) {
    return std::move(*answer);
  }
  for (const Read& endpoint : kReads) {
    if (path == endpoint.path) {
      return read ? endpoint.answer(*this, request) : methodNotAllowed("GET, HEAD");
    }
  }

  using Command = AdminResponse (AdminApi::*)();
  static const std::pair<std::string_view, Command> kCommands[] = {
      {"/reload", &AdminApi::reload},
      {"/drain_listeners", &AdminApi::drainListeners},
      {"/quitquitquit", &AdminApi::quit}};
  for (const auto& [command_path, command] : kCommands) {
    if (path == command_path) {
      return post ? (this->*command)() : methodNotAllowed("POST");
    }
  }

  // /clusters/{cluster}/hosts/{host}/{command}
  std::vector<std::string_view> parts = segments(path);
  if (parts.size() == 5 && parts[0] == "clusters" && parts[2] == "hosts" &&
      (parts[4] == "drain" || parts[4] == "undrain" || parts[4] == "weight")) {
    if (!post) {
      return methodNotAllowed("POST");
    }
    return hostCommand(request, parts[1], parts[3], parts[4]);
  }
  return adminError(404, "not_found",
                    "no endpoint " + path + "; GET / lists the endpoints of the admin API");
}

AdminResponse AdminApi::flows(const AdminRequest& request) {
  FlowQuery query;
  if (auto sort = request.query.find("sort")) {
    if (*sort != "bytes" && *sort != "rtt") {
      return adminError(400, "bad_sort", "sort must be bytes or rtt");
    }
    query.by_rtt = *sort == "rtt";
  }
  auto number = [&](const char* name, uint32_t max, uint32_t& out) -> bool {
    auto text = request.query.find(name);
    if (!text) {
      return true;
    }
    const char* end = text->data() + text->size();
    return !text->empty() && std::from_chars(text->data(), end, out).ptr == end && out <= max;
  };
  uint32_t limit = static_cast<uint32_t>(query.limit);
  if (!number("limit", capture::FlowSummary::kTopFlows, limit) || limit == 0) {
    return adminError(400, "bad_limit",
                      "limit must be 1 to " + std::to_string(capture::FlowSummary::kTopFlows));
  }
  query.limit = limit;
  if (!number("port", 65535, query.port)) {
    return adminError(400, "bad_port", "port must be 1 to 65535");
  }
  query.host = std::string(request.query.find("host").value_or(""));
  query.state = std::string(request.query.find("state").value_or(""));
  query.endpoint = std::string(request.query.find("endpoint").value_or(""));
  stats_.refresh();
  return jsonAnswer(200, flowsView(*stats_.latestFlows(), query));
}

AdminResponse AdminApi::ready() const {
  const capture::FlowSummary* flows = stats_.latestFlows().get();
  nlohmann::json body = {{"ready", !draining_},
                         {"state", draining_ ? "draining" : "serving"},
                         {"workers", proxy_.workerCount()},
                         {"config_generation", proxy_.generation()},
                         {"last_reload_errors", reloader_.lastErrors()}};
  if (flows != nullptr) {
    body["capture"] = {{"enabled", flows->health.enabled}, {"detail", flows->health.reason}};
  }
  return jsonAnswer(draining_ ? 503 : 200, body);
}

AdminResponse AdminApi::serverInfo() const {
  const config::Config& config = proxy_.config();
  nlohmann::json body = {
      {"version", MESHLB_VERSION},
      {"state", draining_ ? "draining" : "serving"},
      {"pid", uv_os_getpid()},
      {"uptime_seconds", static_cast<double>(uv_hrtime() / 1'000'000 - started_ms_) / 1000.0},
      {"workers", proxy_.workerCount()},
      {"config_path", reloader_.path()},
      {"config_generation", proxy_.generation()},
      {"config_reloads_total", reloader_.reloadsTotal()},
      {"config_reload_failures_total", reloader_.failuresTotal()},
      {"last_reload_errors", reloader_.lastErrors()},
      {"listeners", config.listeners.size()},
      {"clusters", config.clusters.size()},
      {"admin_address", config.admin.address.toString()},
      {"admin_token_required", token_required_}};
  return jsonAnswer(200, body);
}

AdminResponse AdminApi::statsEndpoint(const AdminRequest& request) {
  std::optional<LinearRegex> filter;
  if (auto pattern = request.query.find("filter"); pattern && !pattern->empty()) {
    // Linear-time matching: a pattern such as (.*)*x must not hold the admin thread.
    std::string error;
    filter = LinearRegex::compileSearch(*pattern, &error);
    if (!filter) {
      return adminError(400, "bad_filter", "filter is not a valid regular expression: " + error);
    }
  }
  std::optional<std::string_view> format = request.query.find("format");
  if (format && *format != "json" && *format != "text") {
    return adminError(400, "bad_format", "format must be text or json");
  }
  stats_.refresh();
  const LinearRegex* pattern = filter ? &*filter : nullptr;
  if (format && *format == "json") {
    return {200, "application/json", stats_.exporter().statsJson(pattern).dump(1) + "\n"};
  }
  return {200, "text/plain; charset=utf-8", stats_.exporter().statsText(pattern)};
}

AdminResponse AdminApi::hostCommand(const AdminRequest& request, std::string_view cluster_name,
                                    std::string_view host_name, std::string_view command) {
  const config::Config& config = proxy_.config();
  std::optional<uint32_t> cluster;
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    if (config.clusters[c].name == cluster_name) {
      cluster = static_cast<uint32_t>(c);
    }
  }
  if (!cluster) {
    return adminError(404, "cluster_not_found", "no cluster named " + std::string(cluster_name));
  }
  const config::ClusterConfig& cluster_config = config.clusters[*cluster];
  std::optional<uint32_t> host;
  for (size_t h = 0; h < cluster_config.hosts.size(); ++h) {
    if (cluster_config.hosts[h].address_text == host_name) {
      host = static_cast<uint32_t>(h);
    }
  }
  if (!host) {
    return adminError(404, "host_not_found",
                      "cluster " + cluster_config.name + " has no host " + std::string(host_name) +
                          " (hosts are named by their address as written in the config)");
  }
  if (command == "weight") {
    std::optional<std::string_view> text = request.query.find("value");
    uint32_t weight = 0;
    const char* end = text ? text->data() + text->size() : nullptr;
    if (!text || text->empty() || std::from_chars(text->data(), end, weight).ptr != end ||
        weight < 1 || weight > kMaxWeight) {
      return adminError(400, "bad_weight",
                        "weight?value=N needs a whole number from 1 to " +
                            std::to_string(kMaxWeight) + " (to stop traffic, use /drain)");
    }
    health_.setOperatorWeight(*cluster, *host, weight);
  } else {
    health_.setOperatorDrain(*cluster, *host, command == "drain");
  }
  health::HealthManager::HostView view = health_.host(*cluster, *host);
  nlohmann::json body = {{"cluster", cluster_config.name},
                         {"host", cluster_config.hosts[*host].address_text},
                         {"state", health::hostStateName(view.flags)},
                         {"draining", (view.flags & health::kDraining) != 0},
                         {"weight", view.weight}};
  return jsonAnswer(200, body);
}

AdminResponse AdminApi::reload() {
  if (draining_) {
    return adminError(409, "draining", "the listeners are draining; a reload would be lost");
  }
  if (!reloader_.reload()) {
    AdminResponse response = adminError(
        400, "reload_rejected", "the config file was not applied; the running config is unchanged");
    nlohmann::json body = nlohmann::json::parse(response.body);
    body["errors"] = reloader_.lastErrors();
    body["config_generation"] = proxy_.generation();
    return jsonAnswer(400, body);
  }
  nlohmann::json body = {{"result", "applied"},
                         {"config_generation", proxy_.generation()},
                         {"warnings", reloader_.lastWarnings()}};
  return jsonAnswer(200, body);
}

AdminResponse AdminApi::drainListeners() {
  bool already = draining_;
  if (!already && control_.drain_listeners) {
    LOG_INFO("admin: draining the listeners");
    control_.drain_listeners();
  }
  draining_ = true;
  return jsonAnswer(202, {{"result", already ? "already draining" : "draining"}});
}

AdminResponse AdminApi::quit() {
  LOG_INFO("admin: /quitquitquit");
  if (control_.quit) {
    control_.quit();
  }
  draining_ = true;
  return jsonAnswer(202, {{"result", "exiting"}});
}

}  // namespace meshlb::admin
