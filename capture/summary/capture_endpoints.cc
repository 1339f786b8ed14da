#include "capture/summary/capture_endpoints.h"

namespace meshlb::capture {

CaptureEndpoint& CaptureEndpoints::add(const SocketAddress& address, const std::string& text) {
  IpAddress ip = IpAddress::of(address.get());
  const auto port = static_cast<uint16_t>(address.port());
  const Key key = keyOf(ip, port);
  auto found = index_.find(key);
  if (found != index_.end()) {
    return endpoints_[found->second];
  }
  index_.emplace(key, static_cast<uint32_t>(endpoints_.size()));
  CaptureEndpoint& endpoint = endpoints_.emplace_back();
  endpoint.ip = ip;
  endpoint.port = port;
  endpoint.address = text;
  return endpoint;
}

void CaptureEndpoints::addListener(const SocketAddress& address, const std::string& name) {
  CaptureEndpoint& endpoint = add(address, address.toString());
  if (endpoint.kind == CaptureEndpoint::Kind::kHost && endpoint.hosts.empty()) {
    endpoint.kind = CaptureEndpoint::Kind::kListener;
    endpoint.listener = name;
  }
}

void CaptureEndpoints::addHost(const SocketAddress& address, const std::string& text,
                               const std::string& cluster) {
  CaptureEndpoint& endpoint = add(address, text);
  if (endpoint.kind == CaptureEndpoint::Kind::kListener) {
    return;  // meshlb in front of itself: the listener view wins
  }
  std::pair<std::string, std::string> label{cluster, text};
  for (const auto& existing : endpoint.hosts) {
    if (existing == label) {
      return;
    }
  }
  endpoint.hosts.push_back(std::move(label));
}

std::optional<uint32_t> CaptureEndpoints::find(const IpAddress& ip, uint16_t port) const {
  auto found = index_.find(keyOf(ip, port));
  if (found == index_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::string CaptureEndpoints::defaultFilter() const {
  if (endpoints_.empty()) {
    return "tcp";
  }
  std::string filter = "tcp and (";
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (i > 0) {
      filter.append(" or ");
    }
    filter.append("(host ");
    filter.append(endpoints_[i].ip.toString());
    filter.append(" and port ");
    filter.append(std::to_string(endpoints_[i].port));
    filter.push_back(')');
  }
  filter.push_back(')');
  return filter;
}

}  // namespace meshlb::capture
