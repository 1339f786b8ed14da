#include "admin/analytics_api.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "admin/admin_error.h"
#include "admin/time_param.h"
#include "analytics/analytics_json.h"

namespace meshlb::admin {
namespace {

using analytics::AnalyticsView;

constexpr size_t kMaxPoints = 10'000;
constexpr int64_t kDefaultRangeMs = 15 * 60'000;

std::optional<uint32_t> parseCount(std::string_view text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string csvNumber(double value) {
  if (!std::isfinite(value)) {
    return "";
  }
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : std::string();
}

}  // namespace

std::optional<AdminResponse> AnalyticsApi::handle(const AdminRequest& request) const {
  const std::string& path = request.path;
  if (path != "/analytics" && !path.starts_with("/analytics/")) {
    return std::nullopt;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return methodNotAllowed("GET, HEAD");
  }
  if (service_ == nullptr) {
    if (path == "/analytics/status") {
      return jsonAnswer(200, {{"enabled", false}});
    }
    return adminError(503, "analytics_disabled",
                      "the analytics are disabled in the config (analytics.enabled)");
  }
  std::shared_ptr<const AnalyticsView> view = service_->latest();
  if (path == "/analytics/status") {
    return jsonAnswer(200, analytics::statusJson(*view));
  }
  if (view->status.ticks == 0) {
    // Names are known from the first tick on; until then "not found" would be a lie.
    AdminResponse response = adminError(503, "analytics_starting",
                                        "the first analytics tick has not run yet (once a second)");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  if (path == "/analytics/summary") {
    return jsonAnswer(200, analytics::summaryJson(*view));
  }
  if (path == "/analytics/anomalies") {
    return anomalies(request, *view);
  }
  if (path == "/analytics/correlations") {
    return correlations(request, *view);
  }
  if (path == "/analytics/series") {
    return series(request, *view);
  }
  return adminError(404, "not_found",
                    "no endpoint " + path +
                        "; the analytics endpoints are /analytics/series, /analytics/anomalies, "
                        "/analytics/summary, /analytics/correlations and /analytics/status");
}

AdminResponse AnalyticsApi::series(const AdminRequest& request, const AnalyticsView& view) const {
  auto metric_name = request.query.find("metric");
  auto cluster_name = request.query.find("cluster");
  if (!metric_name || metric_name->empty() || !cluster_name || cluster_name->empty()) {
    return adminError(400, "bad_query", "metric and cluster are required (host is optional)");
  }
  std::optional<analytics::Metric> metric = analytics::metricByName(*metric_name);
  if (!metric) {
    return adminError(404, "metric_not_found", "no metric " + std::string(*metric_name));
  }
  const analytics::ClusterView* cluster = view.findCluster(*cluster_name);
  if (cluster == nullptr) {
    return adminError(404, "cluster_not_found", "no cluster " + std::string(*cluster_name));
  }
  const std::array<int32_t, analytics::kMetricCount>* ids = &cluster->series;
  auto host_name = request.query.find("host");
  bool host_scope = host_name && !host_name->empty();
  if (host_scope) {
    const analytics::HostView* host = view.findHost(*cluster_name, *host_name);
    if (host == nullptr) {
      return adminError(
          404, "host_not_found",
          "no host " + std::string(*host_name) + " in cluster " + std::string(*cluster_name));
    }
    ids = &host->series;
  }
  const analytics::MetricSpec& spec = analytics::specOf(*metric);
  if (host_scope ? !spec.per_host : !spec.per_cluster) {
    return adminError(
        404, "metric_not_found",
        std::string(spec.name) + " is not recorded per " + (host_scope ? "host" : "cluster"));
  }
  int32_t id = (*ids)[static_cast<size_t>(*metric)];
  if (id < 0) {
    return adminError(404, "metric_not_found",
                      std::string(spec.name) + " has no series here (max_series was reached)");
  }

  int64_t now = view.status.last_tick_unix_ms > 0 ? view.status.last_tick_unix_ms : nowUnixMs();
  analytics::SeriesQuery query{now - kDefaultRangeMs, now, 0};
  if (auto to = request.query.find("to")) {
    std::optional<int64_t> parsed = parseTimeParam(*to, now);
    if (!parsed) {
      return adminError(400, "bad_query", "to must be unix milliseconds, now, or like -15m");
    }
    query.to_ms = *parsed;
    query.from_ms = *parsed - kDefaultRangeMs;
  }
  if (auto from = request.query.find("from")) {
    std::optional<int64_t> parsed = parseTimeParam(*from, now);
    if (!parsed) {
      return adminError(400, "bad_query", "from must be unix milliseconds, now, or like -15m");
    }
    query.from_ms = *parsed;
  }
  if (query.from_ms > query.to_ms) {
    return adminError(400, "bad_query", "from is after to");
  }
  if (auto step = request.query.find("step")) {
    std::optional<uint32_t> parsed = parseCount(*step);
    if (!parsed || *parsed == 0) {
      return adminError(400, "bad_query", "step must be a whole number of seconds, at least 1");
    }
    query.step_s = *parsed;
  }
  const analytics::SeriesStore& store = service_->store();
  if (store.pointCount(query) > kMaxPoints) {
    return adminError(400, "bad_query",
                      "the range and step give more than 10000 points; use a larger step");
  }
  analytics::SeriesQueryResult result = store.query(static_cast<uint32_t>(id), query);

  auto format = request.query.find("format");
  if (format && *format == "csv") {
    std::string body = "t_ms,avg,min,max,last\n";
    for (const analytics::SeriesPoint& point : result.points) {
      body.append(std::to_string(point.t_ms)).push_back(',');
      body.append(csvNumber(point.avg)).push_back(',');
      body.append(csvNumber(point.min)).push_back(',');
      body.append(csvNumber(point.max)).push_back(',');
      body.append(csvNumber(point.last)).push_back('\n');
    }
    return AdminResponse{200, "text/csv; charset=utf-8", std::move(body)};
  }
  if (format && *format != "json") {
    return adminError(400, "bad_query", "format must be json or csv");
  }
  nlohmann::json points = nlohmann::json::array();
  for (const analytics::SeriesPoint& point : result.points) {
    points.push_back({point.t_ms, analytics::jsonNumber(point.avg),
                      analytics::jsonNumber(point.min), analytics::jsonNumber(point.max),
                      analytics::jsonNumber(point.last)});
  }
  nlohmann::json body = {
      {"metric", spec.name},
      {"unit", spec.unit},
      {"cluster", *cluster_name},
      {"host", host_scope ? nlohmann::json(*host_name) : nlohmann::json(nullptr)},
      {"resolution_s", result.resolution_s},
      {"step_s", result.step_s},
      {"from_ms", result.from_ms},
      {"to_ms", result.to_ms},
      {"columns", {"t_ms", "avg", "min", "max", "last"}},
      {"points", std::move(points)}};
  return jsonAnswer(200, body);
}

AdminResponse AnalyticsApi::anomalies(const AdminRequest& request,
                                      const AnalyticsView& view) const {
  std::string_view state = request.query.find("state").value_or("all");
  if (state != "open" && state != "recent" && state != "all") {
    return adminError(400, "bad_query", "state must be open, recent or all");
  }
  uint32_t limit = 100;
  if (auto text = request.query.find("limit")) {
    std::optional<uint32_t> parsed = parseCount(*text);
    if (!parsed || *parsed == 0 || *parsed > 1000) {
      return adminError(400, "bad_query", "limit must be 1 to 1000");
    }
    limit = *parsed;
  }
  std::string_view cluster = request.query.find("cluster").value_or("");
  std::string_view host = request.query.find("host").value_or("");
  std::optional<analytics::Metric> metric;
  if (auto name = request.query.find("metric"); name && !name->empty()) {
    metric = analytics::metricByName(*name);
    if (!metric) {
      return adminError(404, "metric_not_found", "no metric " + std::string(*name));
    }
  }
  if (!cluster.empty() && view.findCluster(cluster) == nullptr) {
    return adminError(404, "cluster_not_found", "no cluster " + std::string(cluster));
  }
  auto wanted = [&](const analytics::Anomaly& anomaly) {
    return (cluster.empty() || anomaly.cluster == cluster) &&
           (host.empty() || anomaly.host == host) && (!metric || anomaly.metric == *metric);
  };
  // Newest first: open ones by start, then the closed ones by end.
  nlohmann::json list = nlohmann::json::array();
  if (state != "recent") {
    for (auto it = view.open.rbegin(); it != view.open.rend() && list.size() < limit; ++it) {
      if (wanted(*it)) {
        list.push_back(analytics::anomalyJson(*it));
      }
    }
  }
  if (state != "open") {
    const std::vector<analytics::Anomaly>& recent = *view.recent;
    for (auto it = recent.rbegin(); it != recent.rend() && list.size() < limit; ++it) {
      if (wanted(*it)) {
        list.push_back(analytics::anomalyJson(*it));
      }
    }
  }
  return jsonAnswer(200, {{"tick_unix_ms", view.status.last_tick_unix_ms}, {"anomalies", list}});
}

AdminResponse AnalyticsApi::correlations(const AdminRequest& request,
                                         const AnalyticsView& view) const {
  std::string_view cluster = request.query.find("cluster").value_or("");
  std::string_view host = request.query.find("host").value_or("");
  if (!cluster.empty() && view.findCluster(cluster) == nullptr) {
    return adminError(404, "cluster_not_found", "no cluster " + std::string(cluster));
  }
  nlohmann::json hosts = nlohmann::json::array();
  for (const analytics::HostView& view_host : view.hosts) {
    if (view_host.removed || (!cluster.empty() && view_host.cluster != cluster) ||
        (!host.empty() && view_host.host != host)) {
      continue;
    }
    hosts.push_back(
        {{"cluster", view_host.cluster},
         {"host", view_host.host},
         {"latency_rtt", analytics::correlationJson(view_host.latency_rtt)},
         {"latency_retransmits", analytics::correlationJson(view_host.latency_retransmits)}});
  }
  if (!host.empty() && hosts.empty()) {
    return adminError(404, "host_not_found", "no host " + std::string(host));
  }
  return jsonAnswer(200, {{"window_s", view.status.correlation_window}, {"hosts", hosts}});
}

}  // namespace meshlb::admin
