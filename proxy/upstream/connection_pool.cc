#include "proxy/upstream/connection_pool.h"

#include "common/log.h"

#include "proxy/upstream/upstream_connection.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {

ConnectionPool::ConnectionPool(WorkerContext& worker, const config::ClusterConfig& cluster,
                               const config::HostConfig& host, ClusterLimits& limits,
                               stats::HostStats& stats, uint32_t* live_connections)
    : worker_(worker),
      cluster_(cluster),
      host_(host),
      limits_(limits),
      stats_(stats),
      live_connections_(live_connections) {}

void ConnectionPool::reportTlsError(const std::string& reason) {
  if (!tls_error_logged_) {
    tls_error_logged_ = true;
    LOG_WARN("cluster %s host %s: TLS: %s (further TLS errors with this host are only counted)",
             cluster_.name.c_str(), host_.address_text.c_str(), reason.c_str());
  } else {
    LOG_DEBUG("cluster %s host %s: TLS: %s", cluster_.name.c_str(), host_.address_text.c_str(),
              reason.c_str());
  }
}

void ConnectionPool::connectionFreed() {
  limits_.connections.release();
  --*live_connections_;
}

ConnectionPool::~ConnectionPool() {
  closeIdle();
}

UpstreamConnection* ConnectionPool::acquire(UpstreamCallbacks& owner, Refusal* refusal) {
  if (!idle_.empty()) {
    UpstreamConnection* connection = idle_.back();
    idle_.pop_back();
    connection->adopt(owner);
    return connection;
  }
  return connectNew(owner, refusal);
}

UpstreamConnection* ConnectionPool::connectNew(UpstreamCallbacks& owner, Refusal* refusal) {
  const config::CircuitBreakersConfig& breakers = cluster_.circuit_breakers;
  if (!limits_.connections.tryAcquire(breakers.effective(breakers.max_connections))) {
    *refusal = Refusal::kMaxConnections;
    return nullptr;
  }
  if (!limits_.pending.tryAcquire(breakers.effective(breakers.max_pending_requests))) {
    limits_.connections.release();
    *refusal = Refusal::kMaxPendingRequests;
    return nullptr;
  }
  // The connection now holds one connection slot (until it is freed) and one pending slot
  // (until its connect attempt ends).
  ++*live_connections_;
  auto* connection = new UpstreamConnection(worker_, *this);
  connection->connect(owner);
  return connection;
}

bool ConnectionPool::putIdle(UpstreamConnection* connection) {
  if (idle_.size() >= cluster_.max_idle_connections_per_host) {
    return false;
  }
  connection->pool_slot = idle_.size();
  idle_.push_back(connection);
  return true;
}

void ConnectionPool::removeIdle(UpstreamConnection* connection) {
  size_t slot = connection->pool_slot;
  if (slot >= idle_.size() || idle_[slot] != connection) {
    return;  // already taken out (adopted)
  }
  idle_[slot] = idle_.back();
  idle_[slot]->pool_slot = slot;
  idle_.pop_back();
}

void ConnectionPool::closeIdle() {
  while (!idle_.empty()) {
    idle_.back()->close();  // close() removes it from idle_
  }
}

}  // namespace meshlb
