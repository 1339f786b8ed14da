#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace meshlb::health {

// Why a host may not take new requests. A host with no flag set is usable.
enum HostFlag : uint8_t {
  kFailedActiveCheck = 1,  // active health check says unhealthy
  kEjected = 2,            // outlier detection ejected it for a while
  kDraining = 4,           // an operator is taking it out (or it left the config)
};

// The state an operator sees: the most serious reason, in this order.
inline std::string_view hostStateName(uint8_t flags) {
  if ((flags & kDraining) != 0) {
    return "draining";
  }
  if ((flags & kFailedActiveCheck) != 0) {
    return "unhealthy";
  }
  if ((flags & kEjected) != 0) {
    return "ejected";
  }
  return "healthy";
}

// Every host's flags, per cluster, at one moment: built by the main thread, never changed after,
// shared with every worker as shared_ptr<const>. clusters[c][h] follows config order.
struct HealthSnapshot {
  uint64_t version = 0;
  uint64_t generation = 0;  // the config generation whose host order clusters[c][h] follows
  std::vector<std::vector<uint8_t>> clusters;
  std::vector<std::vector<uint32_t>> weights;  // [c][h]: the config's, or an operator's (>= 1)
};
using HealthSnapshotPtr = std::shared_ptr<const HealthSnapshot>;

// What a worker saw that outlier detection cares about.
enum class OutlierEventKind : uint8_t {
  kConsecutive5xx,             // consecutive_5xx reached on this worker
  kConsecutiveGatewayFailure,  // consecutive_gateway_failure reached on this worker
};

// Where workers report outlier events. Implemented on the main thread's side; report() may be
// called from any worker thread (it is rare: only when a threshold is reached).
class OutlierSink {
 public:
  virtual ~OutlierSink() = default;
  // `generation` is the config generation the indices belong to; stale ones are ignored.
  virtual void report(uint64_t generation, uint32_t cluster, uint32_t host,
                      OutlierEventKind kind) = 0;
};

}  // namespace meshlb::health
