#pragma once

#include <string_view>
#include <vector>

#include "proxy/config/config.h"

namespace meshlb {

// Chooses a route for a request by Host and path prefix. Host patterns are tried from the most
// to the least specific: exact names, then "*.suffix" (longest first), then "*"; within one
// level the first route (in config order) whose path prefix matches wins. Immutable after
// construction, so workers share nothing mutable; match() does not allocate.
class Router {
 public:
  explicit Router(const std::vector<config::RouteConfig>& routes);

  // `host` is the Host header as received (any case, may carry a port).
  const config::RouteConfig* match(std::string_view host, std::string_view path) const;

 private:
  std::vector<const config::RouteConfig*> exact_;
  std::vector<const config::RouteConfig*> suffix_;  // longest suffix first
  std::vector<const config::RouteConfig*> any_;
};

}  // namespace meshlb
