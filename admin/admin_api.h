#pragma once

#include <string_view>

#include "admin/admin_server.h"
#include "proxy/server/proxy_server.h"

namespace meshlb::admin {

// The admin endpoints: GET /ready, GET /stats, GET /. Reads the proxy's state; main thread.
class AdminApi {
 public:
  explicit AdminApi(const ProxyServer& proxy) : proxy_(proxy) {}

  void setDraining() { draining_ = true; }
  AdminResponse handle(std::string_view method, std::string_view path) const;

 private:
  const ProxyServer& proxy_;
  bool draining_ = false;
};

}  // namespace meshlb::admin
