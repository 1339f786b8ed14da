#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_server.h"
#include "admin/alerting_api.h"
#include "admin/analytics_api.h"
#include "admin/stats_collector.h"
#include "proxy/health/health_manager.h"
#include "proxy/server/config_reloader.h"
#include "proxy/server/proxy_server.h"

namespace meshlb::admin {

// What the admin API may ask of the process beyond its state: supplied by main().
struct AdminControl {
  std::function<void()> drain_listeners;  // stop accepting, finish in-flight; admin stays up
  std::function<void()> quit;             // graceful exit, as on SIGTERM
};

// The admin endpoints (see README, "Admin API"): reads of the proxy's state and stats, and the
// operator's commands (drain, weight, reload, drain listeners, quit). Authorization and request
// limits are the AdminServer's; this class routes, validates and answers. Main thread.
class AdminApi {
 public:
  AdminApi(ProxyServer& proxy, health::HealthManager& health, ConfigReloader& reloader,
           StatsCollector& stats, AdminControl control, bool token_required);

  void setDraining() { draining_ = true; }
  // The analytics thread whose view /analytics/* answers from (null: analytics disabled).
  void setAnalytics(const analytics::AnalyticsService* service) {
    analytics_ = AnalyticsApi(service);
  }
  // The alerting service /alerts and /silences answer from (null: alerting does not run).
  void setAlerting(alerting::AlertingService* service) { alerting_ = AlertingApi(service); }
  AdminResponse handle(const AdminRequest& request);

 private:
  AdminResponse ready() const;
  AdminResponse serverInfo() const;
  AdminResponse flows(const AdminRequest& request);
  AdminResponse statsEndpoint(const AdminRequest& request);
  AdminResponse hostCommand(const AdminRequest& request, std::string_view cluster,
                            std::string_view host, std::string_view command);
  AdminResponse reload();
  AdminResponse drainListeners();
  AdminResponse quit();

  ProxyServer& proxy_;
  health::HealthManager& health_;
  ConfigReloader& reloader_;
  StatsCollector& stats_;
  AdminControl control_;
  bool token_required_;
  bool draining_ = false;
  AnalyticsApi analytics_{nullptr};
  AlertingApi alerting_{nullptr};
  uint64_t started_ms_;
};

}  // namespace meshlb::admin
