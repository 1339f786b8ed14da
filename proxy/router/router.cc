#include "proxy/router/router.h"

#include <algorithm>

#include "proxy/http/message_head.h"

namespace meshlb {
namespace {

std::string_view stripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         http::equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

Router::Router(const std::vector<config::RouteConfig>& routes) {
  for (const config::RouteConfig& route : routes) {
    if (route.host == "*") {
      any_.push_back(&route);
    } else if (route.host.starts_with("*.")) {
      suffix_.push_back(&route);
    } else {
      exact_.push_back(&route);
    }
  }
  std::stable_sort(suffix_.begin(), suffix_.end(),
                   [](auto* a, auto* b) { return a->host.size() > b->host.size(); });
}

const config::RouteConfig* Router::match(std::string_view host, std::string_view path) const {
  host = stripPort(host);
  for (const config::RouteConfig* route : exact_) {
    if (http::equalsIgnoreCase(host, route->host) && path.starts_with(route->path_prefix)) {
      return route;
    }
  }
  for (const config::RouteConfig* route : suffix_) {
    // "*.example.com" matches "a.example.com" but not "example.com".
    std::string_view suffix = std::string_view(route->host).substr(1);
    if (host.size() > suffix.size() && endsWithIgnoreCase(host, suffix) &&
        path.starts_with(route->path_prefix)) {
      return route;
    }
  }
  for (const config::RouteConfig* route : any_) {
    if (path.starts_with(route->path_prefix)) {
      return route;
    }
  }
  return nullptr;
}

}  // namespace meshlb
