#include "admin/admin_api.h"

#include <nlohmann/json.hpp>

namespace meshlb::admin {
namespace {

AdminResponse jsonError(int status, std::string_view message) {
  nlohmann::json body = {{"error", message}};
  return {status, "application/json", body.dump() + "\n"};
}

}  // namespace

AdminResponse AdminApi::handle(std::string_view method, std::string_view path) const {
  if (method != "GET" && method != "HEAD") {
    return jsonError(405, "method not allowed");
  }
  if (path == "/ready") {
    nlohmann::json body = {{"ready", !draining_},
                           {"state", draining_ ? "draining" : "serving"},
                           {"workers", proxy_.workerCount()},
                           {"config_generation", proxy_.generation()},
                           {"last_reload_errors", reloader_.lastErrors()}};
    return {draining_ ? 503 : 200, "application/json", body.dump() + "\n"};
  }
  if (path == "/stats") {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [name, value] : proxy_.stats().counters) {
      body[name] = value;
    }
    body["config_generation"] = proxy_.generation();
    body["config_reloads_total"] = reloader_.reloadsTotal();
    body["config_reload_failures_total"] = reloader_.failuresTotal();
    return {200, "application/json", body.dump(2) + "\n"};
  }
  if (path == "/clusters") {
    return clusters();
  }
  if (path == "/") {
    return {200, "text/plain",
            "meshlb admin\n  GET /ready  readiness (503 while draining)\n"
            "  GET /stats  counters summed over workers (JSON)\n"
            "  GET /clusters  clusters and hosts with their health (JSON)\n"};
  }
  return jsonError(404, "no such endpoint");
}

AdminResponse AdminApi::clusters() const {
  const config::Config& config = proxy_.config();
  nlohmann::json clusters = nlohmann::json::array();
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config.clusters[c];
    nlohmann::json hosts = nlohmann::json::array();
    size_t usable = 0;
    for (size_t h = 0; h < cluster.hosts.size(); ++h) {
      health::HealthManager::HostView view =
          health_.host(static_cast<uint32_t>(c), static_cast<uint32_t>(h));
      usable += view.flags == 0 ? 1 : 0;
      nlohmann::json host = {
          {"address", cluster.hosts[h].address_text},
          {"weight", cluster.hosts[h].weight},
          {"state", health::hostStateName(view.flags)},
          {"failed_active_check", (view.flags & health::kFailedActiveCheck) != 0},
          {"ejected", (view.flags & health::kEjected) != 0},
          {"ejections_total", view.ejections},
          {"ejection_remaining_ms", view.ejected_for_ms}};
      if (view.checker != nullptr) {
        host["health_check"] = {{"checks_total", view.checker->checksTotal()},
                                {"failures_total", view.checker->failuresTotal()},
                                {"consecutive_failures", view.checker->consecutiveFailures()},
                                {"last_failure", view.checker->lastFailure()}};
      }
      hosts.push_back(std::move(host));
    }
    size_t in_service = 0;  // all but draining hosts, as the workers count them for panic
    for (size_t h = 0; h < cluster.hosts.size(); ++h) {
      in_service += (health_.host(static_cast<uint32_t>(c), static_cast<uint32_t>(h)).flags &
                     health::kDraining) == 0
                        ? 1
                        : 0;
    }
    bool panic = in_service > 0 && usable * 100 < in_service * cluster.panic_threshold_percent;
    clusters.push_back({{"name", cluster.name},
                        {"lb_policy", lb::lbPolicyName(cluster.lb_policy)},
                        {"usable_hosts", usable},
                        {"panic", panic},
                        {"hosts", std::move(hosts)}});
  }
  nlohmann::json body = {{"clusters", std::move(clusters)}};
  return {200, "application/json", body.dump(2) + "\n"};
}

}  // namespace meshlb::admin
