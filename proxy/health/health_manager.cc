#include "proxy/health/health_manager.h"

#include "common/log.h"

namespace meshlb::health {

HealthManager::HealthManager(uv_loop_t* loop, std::shared_ptr<const config::Config> config,
                             Publish publish)
    : loop_(loop),
      config_(std::move(config)),
      publish_(std::move(publish)),
      random_(static_cast<uint64_t>(uv_hrtime())) {
  buildHosts(nullptr);
  snapshot_ = makeSnapshot(0);
}

std::string HealthManager::hostKey(const std::string& cluster, const std::string& address) {
  std::string key = cluster;
  key.push_back('\n');
  key.append(address);
  return key;
}

HealthSnapshotPtr HealthManager::makeSnapshot(uint64_t version) const {
  auto snapshot = std::make_shared<HealthSnapshot>();
  snapshot->version = version;
  snapshot->generation = generation_;
  snapshot->clusters.resize(hosts_.size());
  snapshot->weights.resize(hosts_.size());
  for (size_t c = 0; c < hosts_.size(); ++c) {
    for (const HostRecord& record : hosts_[c]) {
      snapshot->clusters[c].push_back(record.flags);
      snapshot->weights[c].push_back(record.weight);
    }
  }
  return snapshot;
}

HealthManager::~HealthManager() = default;

void HealthManager::buildHosts(const std::vector<std::vector<HostRecord>>* previous) {
  hosts_.clear();
  hosts_.resize(config_->clusters.size());
  for (size_t c = 0; c < config_->clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config_->clusters[c];
    hosts_[c].resize(cluster.hosts.size());
    for (size_t h = 0; h < hosts_[c].size(); ++h) {
      HostRecord& record = hosts_[c][h];
      record.manager = this;
      record.cluster = static_cast<uint32_t>(c);
      record.host = static_cast<uint32_t>(h);
      record.weight = cluster.hosts[h].weight;
      if (cluster.hosts[h].draining) {
        record.flags |= kDraining;
      }
      auto override = overrides_.find(hostKey(cluster.name, cluster.hosts[h].address_text));
      if (override != overrides_.end()) {
        if (override->second.draining) {
          record.flags =
              *override->second.draining ? (record.flags | kDraining) : (record.flags & ~kDraining);
        }
        record.weight = override->second.weight.value_or(record.weight);
      }
      if (previous == nullptr) {
        continue;
      }
      // The same host (cluster name and address) keeps its ejection count, and keeps failing
      // until its checks pass.
      const config::Config& old = *previous_config_;
      for (size_t oc = 0; oc < previous->size() && oc < old.clusters.size(); ++oc) {
        if (old.clusters[oc].name != cluster.name) {
          continue;
        }
        for (size_t oh = 0; oh < (*previous)[oc].size(); ++oh) {
          if (old.clusters[oc].hosts[oh].address_text == cluster.hosts[h].address_text) {
            record.ejections_total = (*previous)[oc][oh].ejections_total;
            if (cluster.health_check) {
              record.flags |= (*previous)[oc][oh].flags & kFailedActiveCheck;
            }
          }
        }
      }
    }
  }
}

void HealthManager::startCheckers() {
  for (size_t c = 0; c < config_->clusters.size(); ++c) {
    const config::ClusterConfig& cluster = config_->clusters[c];
    if (!cluster.health_check) {
      continue;
    }
    for (size_t h = 0; h < cluster.hosts.size(); ++h) {
      auto on_change = [this, c, h](bool healthy, std::string_view reason) {
        const config::ClusterConfig& changed = config_->clusters[c];
        if (healthy) {
          LOG_INFO("cluster %s host %s: healthy again", changed.name.c_str(),
                   changed.hosts[h].address_text.c_str());
        } else {
          LOG_WARN("cluster %s host %s: unhealthy (%.*s)", changed.name.c_str(),
                   changed.hosts[h].address_text.c_str(), static_cast<int>(reason.size()),
                   reason.data());
        }
        setFlag(static_cast<uint32_t>(c), static_cast<uint32_t>(h), kFailedActiveCheck, !healthy);
      };
      HostRecord& record = hosts_[c][h];
      record.checker = std::make_unique<HostHealthChecker>(
          loop_, *cluster.health_check, cluster.hosts[h], random_, on_change,
          /*start_healthy=*/(record.flags & kFailedActiveCheck) == 0);
      record.checker->start();
    }
  }
}

void HealthManager::start() {
  uv_async_init(loop_, events_async_.get(), &HealthManager::onEvents);
  events_async_.initialized(this);
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    accepting_ = true;
  }
  startCheckers();
  publish_(snapshot_);  // workers start from the config; this makes the generations agree
}

void HealthManager::retireHosts() {
  retired_checkers_.clear();  // stopped a reload ago: their timers have long closed
  for (auto& cluster : hosts_) {
    for (HostRecord& host : cluster) {
      if (host.checker) {
        host.checker->stop();
        retired_checkers_.push_back(std::move(host.checker));
      }
      if (host.ejection_timer) {
        // The handle frees itself once libuv is done with it.
        UvHandle<uv_timer_t>* timer = host.ejection_timer.release();
        timer->get()->data = timer;
        timer->close(
            [](uv_handle_t* handle) { delete static_cast<UvHandle<uv_timer_t>*>(handle->data); });
      }
    }
  }
}

void HealthManager::reconfigure(std::shared_ptr<const config::Config> config, uint64_t generation) {
  retireHosts();
  std::vector<std::vector<HostRecord>> previous = std::move(hosts_);
  previous_config_ = config_;
  config_ = std::move(config);
  generation_ = generation;
  buildHosts(&previous);
  previous_config_.reset();
  startCheckers();
  publish();
}

void HealthManager::stop() {
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    accepting_ = false;
    events_async_.close(nullptr);
  }
  retireHosts();
}

void HealthManager::report(uint64_t generation, uint32_t cluster, uint32_t host,
                           OutlierEventKind kind) {
  std::lock_guard<std::mutex> lock(events_mutex_);
  if (!accepting_) {
    return;
  }
  pending_.push_back({generation, cluster, host, kind});
  uv_async_send(events_async_.get());
}

void HealthManager::onEvents(uv_async_t* async) {
  auto* self = static_cast<HealthManager*>(async->data);
  std::vector<PendingEvent> events;
  {
    std::lock_guard<std::mutex> lock(self->events_mutex_);
    events.swap(self->pending_);
  }
  for (const PendingEvent& event : events) {
    self->handleOutlier(event);
  }
}

void HealthManager::handleOutlier(const PendingEvent& event) {
  if (event.generation != generation_ || event.cluster >= hosts_.size() ||
      event.host >= hosts_[event.cluster].size()) {
    return;
  }
  const config::ClusterConfig& cluster = config_->clusters[event.cluster];
  if (!cluster.outlier_detection) {
    return;
  }
  const config::OutlierDetectionConfig& outlier = *cluster.outlier_detection;
  std::vector<HostRecord>& records = hosts_[event.cluster];
  HostRecord& record = records[event.host];
  if ((record.flags & kEjected) != 0) {
    return;
  }
  size_t ejected = 0;
  for (const HostRecord& other : records) {
    ejected += (other.flags & kEjected) != 0 ? 1 : 0;
  }
  // As in Envoy, one host may always be ejected; beyond that the percentage caps ejections so
  // that outlier detection alone cannot empty a cluster.
  if (ejected > 0 && (ejected + 1) * 100 > outlier.max_ejection_percent * records.size()) {
    LOG_INFO("cluster %s host %s: not ejected, max_ejection_percent reached", cluster.name.c_str(),
             cluster.hosts[event.host].address_text.c_str());
    return;
  }
  ++record.ejections;
  ++record.ejections_total;
  uint64_t duration = std::min<uint64_t>(
      static_cast<uint64_t>(outlier.base_ejection_ms) * record.ejections, outlier.max_ejection_ms);
  record.ejected_until_ms = uv_now(loop_) + duration;
  if (!record.ejection_timer) {
    record.ejection_timer = std::make_unique<UvHandle<uv_timer_t>>();
    uv_timer_init(loop_, record.ejection_timer->get());
    record.ejection_timer->initialized(this);
  }
  record.ejection_timer->get()->data = &record;  // hosts_ never reallocates after construction
  uv_timer_start(
      record.ejection_timer->get(),
      [](uv_timer_t* timer) {
        auto* ended = static_cast<HostRecord*>(timer->data);
        ended->manager->endEjection(ended->cluster, ended->host);
      },
      duration, 0);
  LOG_WARN("cluster %s host %s: ejected for %llu ms (%s, ejection %u)", cluster.name.c_str(),
           cluster.hosts[event.host].address_text.c_str(),
           static_cast<unsigned long long>(duration),
           event.kind == OutlierEventKind::kConsecutive5xx ? "consecutive 5xx"
                                                           : "consecutive gateway failures",
           record.ejections);
  setFlag(event.cluster, event.host, kEjected, true);
}

void HealthManager::endEjection(uint32_t cluster, uint32_t host) {
  HostRecord& record = hosts_[cluster][host];
  record.ejected_until_ms = 0;
  LOG_INFO("cluster %s host %s: ejection over", config_->clusters[cluster].name.c_str(),
           config_->clusters[cluster].hosts[host].address_text.c_str());
  setFlag(cluster, host, kEjected, false);
}

void HealthManager::setFlag(uint32_t cluster, uint32_t host, HostFlag flag, bool on) {
  HostRecord& record = hosts_[cluster][host];
  uint8_t before = record.flags;
  record.flags = on ? (record.flags | flag) : (record.flags & ~flag);
  if (record.flags != before) {
    publish();
  }
}

void HealthManager::publish() {
  snapshot_ = makeSnapshot(snapshot_->version + 1);
  publish_(snapshot_);
}

void HealthManager::setOperatorDrain(uint32_t cluster, uint32_t host, bool draining) {
  const config::ClusterConfig& config = config_->clusters.at(cluster);
  overrides_[hostKey(config.name, config.hosts.at(host).address_text)].draining = draining;
  LOG_INFO("cluster %s host %s: %s by the admin API", config.name.c_str(),
           config.hosts[host].address_text.c_str(), draining ? "draining" : "undrained");
  setFlag(cluster, host, kDraining, draining);
}

void HealthManager::setOperatorWeight(uint32_t cluster, uint32_t host, uint32_t weight) {
  const config::ClusterConfig& config = config_->clusters.at(cluster);
  overrides_[hostKey(config.name, config.hosts.at(host).address_text)].weight = weight;
  HostRecord& record = hosts_[cluster][host];
  LOG_INFO("cluster %s host %s: weight %u -> %u by the admin API", config.name.c_str(),
           config.hosts[host].address_text.c_str(), record.weight, weight);
  if (record.weight != weight) {
    record.weight = weight;
    publish();
  }
}

void HealthManager::annotate(stats::StatsSnapshot& snapshot) const {
  if (snapshot.config_generation != generation_ || snapshot.clusters.size() != hosts_.size()) {
    return;
  }
  for (size_t c = 0; c < hosts_.size(); ++c) {
    if (snapshot.clusters[c].hosts.size() != hosts_[c].size()) {
      return;
    }
  }
  for (size_t c = 0; c < hosts_.size(); ++c) {
    for (size_t h = 0; h < hosts_[c].size(); ++h) {
      stats::HostSnapshot& out = snapshot.clusters[c].hosts[h];
      out.health_flags = hosts_[c][h].flags;
      out.weight = hosts_[c][h].weight;
      out.ejections_total = hosts_[c][h].ejections_total;
    }
  }
}

HealthManager::HostView HealthManager::host(uint32_t cluster, uint32_t host) const {
  HostView view;
  const HostRecord& record = hosts_.at(cluster).at(host);
  view.flags = record.flags;
  view.weight = record.weight;
  view.ejections = record.ejections_total;
  uint64_t now = uv_now(loop_);
  view.ejected_for_ms = record.ejected_until_ms > now ? record.ejected_until_ms - now : 0;
  view.checker = record.checker.get();
  return view;
}

}  // namespace meshlb::health
