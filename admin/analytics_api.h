#pragma once

#include <optional>

#include "admin/admin_server.h"
#include "analytics/analytics_service.h"

namespace meshlb::admin {

// The /analytics endpoints: series, anomalies, summary, correlations and status, answered from
// the analytics thread's published view and the series store. Main thread.
class AnalyticsApi {
 public:
  // `service` is null when the analytics are disabled in the config.
  explicit AnalyticsApi(const analytics::AnalyticsService* service) : service_(service) {}

  // The answer for a path under /analytics, or nullopt for any other path.
  std::optional<AdminResponse> handle(const AdminRequest& request) const;

 private:
  AdminResponse series(const AdminRequest& request, const analytics::AnalyticsView& view) const;
  AdminResponse anomalies(const AdminRequest& request, const analytics::AnalyticsView& view) const;
  AdminResponse correlations(const AdminRequest& request,
                             const analytics::AnalyticsView& view) const;

  const analytics::AnalyticsService* service_;
};

}  // namespace meshlb::admin
