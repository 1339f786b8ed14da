#pragma once

#include <string_view>

#include "admin/admin_server.h"
#include "proxy/health/health_manager.h"
#include "proxy/server/config_reloader.h"
#include "proxy/server/proxy_server.h"

namespace meshlb::admin {

// The admin endpoints: GET /ready, /stats, /clusters, /. Reads the proxy's state; main thread.
class AdminApi {
 public:
  AdminApi(const ProxyServer& proxy, const health::HealthManager& health,
           const ConfigReloader& reloader)
      : proxy_(proxy), health_(health), reloader_(reloader) {}

  void setDraining() { draining_ = true; }
  AdminResponse handle(std::string_view method, std::string_view path) const;

 private:
  AdminResponse clusters() const;

  const ProxyServer& proxy_;
  const health::HealthManager& health_;
  const ConfigReloader& reloader_;
  bool draining_ = false;
};

}  // namespace meshlb::admin
