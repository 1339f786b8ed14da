#include "proxy/worker/cluster_runtime.h"

#include "common/log.h"
#include "proxy/worker/worker_context.h"

namespace meshlb {

ClusterRuntime::ClusterRuntime(WorkerContext& worker, const config::ClusterConfig& config,
                               ClusterLimits& limits, stats::ClusterStats& stats,
                               const std::vector<stats::HostStats*>& host_stats,
                               health::OutlierSink* outlier_sink, uint64_t generation,
                               uint32_t index)
    : worker_(worker),
      config_(&config),
      limits_(limits),
      stats_(stats),
      host_stats_(host_stats),
      outlier_sink_(outlier_sink),
      generation_(generation),
      index_(index) {
  for (size_t h = 0; h < config.hosts.size(); ++h) {
    pools_.push_back(std::make_unique<ConnectionPool>(worker, config, config.hosts[h], limits,
                                                      *host_stats_[h], &live_connections_));
  }
  active_requests_.assign(config.hosts.size(), 0);
  flags_.assign(config.hosts.size(), 0);
  for (size_t h = 0; h < config.hosts.size(); ++h) {
    weights_.push_back(config.hosts[h].weight);
    // Until the first health snapshot arrives, what the config says is all there is.
    flags_[h] = config.hosts[h].draining ? health::kDraining : 0;
  }
  consecutive_5xx_.assign(config.hosts.size(), 0);
  consecutive_gateway_.assign(config.hosts.size(), 0);
  rebuildBalancer();
}

std::optional<uint32_t> ClusterRuntime::pick(std::optional<uint64_t> hash) {
  lb::LbContext context;
  context.hash = hash;
  context.active_requests = active_requests_.data();
  std::optional<uint32_t> host = balancer_->pick(context);
  if (host && panic_) {
    worker_.stats->lb_panic_total.add();
    stats_.lb_panic.add();
  }
  return host;
}

std::optional<uint32_t> ClusterRuntime::pickOther(std::optional<uint64_t> hash, uint64_t tried,
                                                  uint32_t last) {
  // A few picks are enough: with usable hosts left untried one comes up quickly (round robin
  // walks to it, the others draw again), and when every usable host was tried there is nothing
  // better than a host other than the last one. Hash policies pick without the hash after the
  // first draw, since the hashed host is the one that just failed.
  constexpr int kPicks = 8;
  std::optional<uint32_t> host;
  std::optional<uint32_t> not_last;
  for (int attempt = 0; attempt < kPicks; ++attempt) {
    host = pick(attempt == 0 ? hash : std::nullopt);
    if (!host || (tried & hostBit(*host)) == 0) {
      return host;
    }
    if (!not_last && *host != last) {
      not_last = host;
    }
  }
  return not_last ? not_last : host;
}

bool ClusterRuntime::retryBudgetAvailable() const {
  const std::optional<config::RetryPolicyConfig>& policy = config_->retry_policy;
  if (!policy) {
    return false;
  }
  // Envoy's retry budget: retries in flight may be at most budget_percent of the requests in
  // flight, but min_retry_concurrency are always allowed, so that a quiet cluster can retry.
  uint64_t allowed =
      std::max<uint64_t>(policy->min_retry_concurrency,
                         static_cast<uint64_t>(total_active_) * policy->budget_percent / 100);
  return retries_in_flight_ < allowed;
}

bool ClusterRuntime::tryStartRetry() {
  if (!retryBudgetAvailable()) {
    return false;
  }
  ++retries_in_flight_;
  return true;
}

void ClusterRuntime::applyHealth(const std::vector<uint8_t>& flags,
                                 const std::vector<uint32_t>& weights) {
  if (flags.size() != flags_.size() || weights.size() != weights_.size() ||
      (flags == flags_ && weights == weights_)) {
    return;
  }
  flags_ = flags;
  weights_ = weights;
  rebuildBalancer();
}

void ClusterRuntime::rebuildBalancer() {
  std::vector<lb::LbHost> usable;
  std::vector<lb::LbHost> all;
  for (size_t h = 0; h < config_->hosts.size(); ++h) {
    const config::HostConfig& host = config_->hosts[h];
    lb::LbHost entry{static_cast<uint32_t>(h), weights_[h], host.address_text};
    // A draining host takes no new request, not even in panic: an operator took it out.
    if ((flags_[h] & health::kDraining) == 0) {
      all.push_back(entry);
    }
    if (flags_[h] == 0) {
      usable.push_back(entry);
    }
  }
  usable_ = usable.size();
  // Panic (Envoy's term): with too few usable hosts, spreading over all of them beats crushing
  // the survivors; requests to bad hosts fail fast and may be retried elsewhere.
  panic_ = !all.empty() && usable.size() * 100 < all.size() * config_->panic_threshold_percent;
  if (panic_) {
    LOG_WARN("worker %u: cluster %s in panic: %zu of %zu hosts usable", worker_.index,
             config_->name.c_str(), usable.size(), all.size());
  }
  balancer_ = lb::createLoadBalancer(config_->lb_policy, panic_ ? all : usable, worker_.random);
}

void ClusterRuntime::recordOutcome(uint32_t host, int status, bool gateway_failure) {
  const std::optional<config::OutlierDetectionConfig>& outlier = config_->outlier_detection;
  if (!outlier || host >= consecutive_5xx_.size()) {
    return;
  }
  bool is_5xx = gateway_failure || status >= 500;
  gateway_failure = gateway_failure || status == 502 || status == 503 || status == 504;
  consecutive_5xx_[host] = is_5xx ? consecutive_5xx_[host] + 1 : 0;
  consecutive_gateway_[host] = gateway_failure ? consecutive_gateway_[host] + 1 : 0;
  if (outlier_sink_ == nullptr) {
    return;
  }
  if (outlier->consecutive_5xx > 0 && consecutive_5xx_[host] >= outlier->consecutive_5xx) {
    consecutive_5xx_[host] = 0;
    outlier_sink_->report(generation_, index_, host, health::OutlierEventKind::kConsecutive5xx);
  } else if (outlier->consecutive_gateway_failure > 0 &&
             consecutive_gateway_[host] >= outlier->consecutive_gateway_failure) {
    consecutive_gateway_[host] = 0;
    outlier_sink_->report(generation_, index_, host,
                          health::OutlierEventKind::kConsecutiveGatewayFailure);
  }
}

}  // namespace meshlb
