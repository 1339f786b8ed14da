#pragma once

#include <nlohmann/json.hpp>

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

// GET /config_dump: the running config as it was written (comments dropped), with the values
// of secret-looking keys (key files, tokens, passwords) replaced by "[redacted]".
nlohmann::json configDumpView(const config::Config& config);

}  // namespace meshlb::admin
