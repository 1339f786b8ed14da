#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/flow/flow_key.h"
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
  // An endpoint's binary identity: the lookup runs once per new flow, so it hashes two words and
  // allocates nothing (it used to build a string key).
  struct Key {
    uint64_t address[2] = {0, 0};  // IpAddress::bytes (IPv4 in the first 4, the rest zero)
    uint32_t port_and_family = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      // The flow index's mixer (flow_key.h). Endpoint sets are small and chosen by the operator,
      // not by senders of traffic, so no seed is needed.
      using flow_key_detail::mum;
      return static_cast<size_t>(mum(key.address[0] ^ 0xa0761d6478bd642fULL,
                                     key.address[1] ^ key.port_and_family ^ 0xe7037ed1a0b428dbULL));
    }
  };
  static Key keyOf(const IpAddress& ip, uint16_t port) {
    Key key;
    std::memcpy(key.address, ip.bytes.data(), sizeof(key.address));
    key.port_and_family = uint32_t{port} | (uint32_t{ip.family} << 16);
    return key;
  }
  CaptureEndpoint& add(const SocketAddress& address, const std::string& text);

  std::vector<CaptureEndpoint> endpoints_;
  std::unordered_map<Key, uint32_t, KeyHash> index_;
};

}  // namespace meshlb::capture
