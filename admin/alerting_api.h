#pragma once

#include <optional>

#include "admin/admin_server.h"
#include "alerting/alerting_service.h"

namespace meshlb::admin {

// The /alerts and /silences endpoints: alerts with filters, acks, silences, the audit history,
// rules (read, create, replace, delete) and the alerting status. Writes need the admin token
// like every admin write (the AdminServer checks it before this class sees the request).
// Main thread.
class AlertingApi {
 public:
  // `service` is null when alerting does not run (analytics disabled).
  explicit AlertingApi(alerting::AlertingService* service) : service_(service) {}

  // The answer for a path under /alerts or /silences, or nullopt for any other path.
  std::optional<AdminResponse> handle(const AdminRequest& request) const;

 private:
  AdminResponse alerts(const AdminRequest& request) const;
  AdminResponse history(const AdminRequest& request) const;
  AdminResponse rules(const AdminRequest& request, std::string_view name) const;
  AdminResponse silences(const AdminRequest& request, std::string_view id) const;

  alerting::AlertingService* service_;
};

}  // namespace meshlb::admin
