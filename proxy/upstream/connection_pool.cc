#include "proxy/upstream/connection_pool.h"

#include "proxy/upstream/upstream_connection.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {

ConnectionPool::ConnectionPool(WorkerContext& worker, const config::ClusterConfig& cluster,
                               const config::HostConfig& host)
    : worker_(worker), cluster_(cluster), host_(host) {}

ConnectionPool::~ConnectionPool() {
  closeIdle();
}

UpstreamConnection* ConnectionPool::acquire(UpstreamCallbacks& owner) {
  if (!idle_.empty()) {
    UpstreamConnection* connection = idle_.back();
    idle_.pop_back();
    connection->adopt(owner);
    return connection;
  }
  return connectNew(owner);
}

UpstreamConnection* ConnectionPool::connectNew(UpstreamCallbacks& owner) {
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
