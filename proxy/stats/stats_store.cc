#include "proxy/stats/stats_store.h"

namespace meshlb::stats {

template <typename Block>
StatsStore::PerWorker<Block>& StatsStore::entry(std::map<std::string, PerWorker<Block>>& map,
                                                const std::string& key, uint32_t workers) {
  PerWorker<Block>& blocks = map[key];
  if (blocks.empty()) {
    for (uint32_t w = 0; w < workers; ++w) {
      blocks.push_back(std::make_unique<Block>());
    }
  }
  return blocks;
}

std::shared_ptr<const ConfigStatsBlocks> StatsStore::resolve(const config::Config& config) {
  auto resolved = std::make_shared<ConfigStatsBlocks>();
  resolved->workers.resize(workers_);
  for (WorkerStatsBlocks& worker : resolved->workers) {
    worker.clusters.reserve(config.clusters.size());
    worker.hosts.resize(config.clusters.size());
    worker.listeners.reserve(config.listeners.size());
  }
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config.clusters[c];
    PerWorker<ClusterStats>& cluster_blocks = entry(clusters_, cluster.name, workers_);
    for (uint32_t w = 0; w < workers_; ++w) {
      resolved->workers[w].clusters.push_back(cluster_blocks[w].get());
    }
    for (const config::HostConfig& host : cluster.hosts) {
      std::string key = cluster.name;
      key.push_back('\n');
      key.append(host.address_text);
      PerWorker<HostStats>& host_blocks = entry(hosts_, key, workers_);
      for (uint32_t w = 0; w < workers_; ++w) {
        resolved->workers[w].hosts[c].push_back(host_blocks[w].get());
      }
    }
  }
  for (const config::ListenerConfig& listener : config.listeners) {
    PerWorker<ListenerStats>& blocks = entry(listeners_, listener.name, workers_);
    for (uint32_t w = 0; w < workers_; ++w) {
      resolved->workers[w].listeners.push_back(blocks[w].get());
    }
  }
  return resolved;
}

StatsSnapshot StatsStore::merge(const config::Config& config, const ConfigStatsBlocks& blocks) {
  StatsSnapshot snapshot;
  snapshot.clusters.resize(config.clusters.size());
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config.clusters[c];
    ClusterSnapshot& out = snapshot.clusters[c];
    out.name = cluster.name;
    out.hosts.resize(cluster.hosts.size());
    for (size_t h = 0; h < cluster.hosts.size(); ++h) {
      out.hosts[h].address = cluster.hosts[h].address_text;
      out.hosts[h].weight = cluster.hosts[h].weight;
    }
    for (const WorkerStatsBlocks& worker : blocks.workers) {
      out.values.mergeFrom(*worker.clusters[c]);
      for (size_t h = 0; h < cluster.hosts.size(); ++h) {
        out.hosts[h].values.mergeFrom(*worker.hosts[c][h]);
      }
    }
  }
  snapshot.listeners.resize(config.listeners.size());
  for (size_t l = 0; l < config.listeners.size(); ++l) {
    snapshot.listeners[l].name = config.listeners[l].name;
    for (const WorkerStatsBlocks& worker : blocks.workers) {
      snapshot.listeners[l].values.mergeFrom(*worker.listeners[l]);
    }
  }
  return snapshot;
}

}  // namespace meshlb::stats
