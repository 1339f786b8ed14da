#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace meshlb {

// A count shared by every worker (connections open, requests in flight) with an admission test.
// Lock-free: one atomic add per admission and one per release, so the data path takes no lock
// and limits hold exactly across workers.
class SharedGauge {
 public:
  // Counts one more unless that would pass `limit`; false (and no change) when it would.
  bool tryAcquire(uint64_t limit) {
    if (value_.fetch_add(1, std::memory_order_relaxed) >= limit) {
      value_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release() { value_.fetch_sub(1, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// One cluster's circuit-breaker gauges, shared by all workers.
struct ClusterLimits {
  SharedGauge connections;  // upstream connections open (HTTP pools and TCP sessions)
  SharedGauge pending;      // requests waiting for a new connection to open
  SharedGauge requests;     // HTTP requests in flight
};

// Everything workers share that is not immutable config: limit gauges by cluster and listener.
// Created by the main thread before the workers start and outliving them.
struct SharedLimits {
  explicit SharedLimits(size_t clusters, size_t listeners)
      : cluster(clusters), listener_connections(listeners) {}
  std::vector<ClusterLimits> cluster;
  std::vector<SharedGauge> listener_connections;
};

}  // namespace meshlb
