#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/packet/decoded_packet.h"
#include "common/address.h"

namespace meshlb::capture {

// An address meshlb cares about in captured traffic: one of its listeners, or a backend host
// (which may be listed in several clusters).
struct CaptureEndpoint {
  enum class Kind : uint8_t { kListener, kHost };
  Kind kind = Kind::kHost;
  IpAddress ip;
  uint16_t port = 0;
  std::string address;                                     // "IP:port" as written in the config
  std::string listener;                                    // kListener: its name
  std::vector<std::pair<std::string, std::string>> hosts;  // kHost: (cluster, host) pairs
};

// Every endpoint of one config, and the lookup from a flow's responder address to it. Built on
// the main thread (from the config, by the admin side's wiring), then shared read-only with the
// capture thread; the lookup runs once per new flow, never per packet.
class CaptureEndpoints {
 public:
  // Listeners first: an address that is both (meshlb in front of itself) stays a listener.
  void addListener(const SocketAddress& address, const std::string& name);
  // `text` is the host's address as written in the config (its label).
  void addHost(const SocketAddress& address, const std::string& text, const std::string& cluster);

  const std::vector<CaptureEndpoint>& all() const { return endpoints_; }
  size_t size() const { return endpoints_.size(); }
  // Index of the endpoint at ip:port, if any.
  std::optional<uint32_t> find(const IpAddress& ip, uint16_t port) const;
  // "tcp and ((host A and port P) or ...)": every endpoint's traffic, nothing else; "tcp" when
  // there is no endpoint.
  std::string defaultFilter() const;

 private:
  static std::string keyOf(const IpAddress& ip, uint16_t port);
  CaptureEndpoint& add(const SocketAddress& address, const std::string& text);

  std::vector<CaptureEndpoint> endpoints_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace meshlb::capture
