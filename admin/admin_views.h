#pragma once

#include <nlohmann/json.hpp>

#include "capture/summary/flow_summary.h"
#include "proxy/config/config.h"
#include "proxy/health/health_manager.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::admin {

// The JSON documents of the admin API's read endpoints, built from the running config, the
// health manager and a fresh stats snapshot of the same config generation. Main thread.

// GET /clusters: every cluster with its hosts, their health, weight, ejections and live stats.
nlohmann::json clustersView(const config::Config& config, const health::HealthManager& health,
                            const stats::StatsSnapshot& snapshot);

// GET /listeners: every listener, its address, protocol, routes and live stats.
nlohmann::json listenersView(const config::Config& config, const stats::StatsSnapshot& snapshot);

// GET /flows/summary: capture's health and what the network did to each endpoint.
nlohmann::json flowSummaryView(const capture::FlowSummary& summary);

// What GET /flows may ask for.
struct FlowQuery {
  bool by_rtt = false;  // else by bytes
  size_t limit = 20;
  std::string host;      // an address either side has ("" = any)
  uint32_t port = 0;     // a port either side has (0 = any)
  std::string state;     // a FlowState name ("" = any)
  std::string endpoint;  // an endpoint label ("" = any)
};
// GET /flows: the largest active flows that match.
nlohmann::json flowsView(const capture::FlowSummary& summary, const FlowQuery& query);

// GET /config_dump: the running config as it was written (comments dropped), with the values
// of secret-looking keys (key files, tokens, passwords) replaced by "[redacted]".
nlohmann::json configDumpView(const config::Config& config);

}  // namespace meshlb::admin
