#pragma once

#include <string>
#include <vector>

#include "common/address.h"
#include "proxy/config/config.h"
#include "proxy/stats/stat_blocks.h"
#include "proxy/upstream/shared_limits.h"

namespace meshlb {

class UpstreamConnection;
class UpstreamCallbacks;
struct WorkerContext;

// One worker's keep-alive connections to one backend host. Idle connections are reused newest
// first (warm ones, and old ones age out through the idle timeout). Worker-local.
class ConnectionPool {
 public:
  ConnectionPool(WorkerContext& worker, const config::ClusterConfig& cluster,
                 const config::HostConfig& host, ClusterLimits& limits, stats::HostStats& stats,
                 uint32_t* live_connections);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Why no connection could be had: a circuit breaker of the cluster.
  enum class Refusal { kNone, kMaxConnections, kMaxPendingRequests };

  // An idle connection handed to `owner`, or a new one connecting for it; null when a circuit
  // breaker refuses a new connection (`refusal` says which).
  UpstreamConnection* acquire(UpstreamCallbacks& owner, Refusal* refusal);
  // A new connection for `owner`, never an idle one (a retry after a reused one failed).
  UpstreamConnection* connectNew(UpstreamCallbacks& owner, Refusal* refusal);
  ClusterLimits& limits() { return limits_; }
  // This worker's stats block for the host.
  stats::HostStats& stats() { return stats_; }
  // A TLS failure with this host: logged at warn once per pool (per worker), then counted only.
  void reportTlsError(const std::string& reason);
  // Called by a connection when it is freed: gives back its circuit-breaker slot.
  void connectionFreed();
  // Called by a connection whose exchange ended cleanly. False when the pool is full.
  bool putIdle(UpstreamConnection* connection);
  // Called by an idle connection that is closing (upstream closed it, idle timeout).
  void removeIdle(UpstreamConnection* connection);
  // Closes every idle connection (worker shutdown).
  void closeIdle();

  const SocketAddress& address() const { return host_.address; }
  const std::string& label() const { return host_.address_text; }
  const config::ClusterConfig& cluster() const { return cluster_; }

 private:
  WorkerContext& worker_;
  const config::ClusterConfig& cluster_;
  const config::HostConfig& host_;
  ClusterLimits& limits_;
  stats::HostStats& stats_;
  uint32_t* live_connections_;  // the cluster's count of connections not yet freed
  std::vector<UpstreamConnection*> idle_;
  bool tls_error_logged_ = false;
};

}  // namespace meshlb
