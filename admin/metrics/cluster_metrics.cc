#include "admin/metrics/cluster_metrics.h"

#include <memory>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_delta.h"

namespace meshlb::admin::metrics {

namespace {

// The `breaker` label values, in the order of ClusterSeries::overflows_.
constexpr std::array<const char*, 4> kBreakers = {"max_connections", "max_pending_requests",
                                                  "max_requests", "retry_budget"};

}  // namespace

ClusterFamilies::ClusterFamilies(FamilyRegistry& registry)
    : registry(registry),
      no_healthy_upstream(
          counterFamily(registry, "meshlb_cluster_no_healthy_upstream_total",
                        "Requests to this cluster answered 503 because it had no usable host.")),
      lb_panic(counterFamily(
          registry, "meshlb_cluster_lb_panic_total",
          "Requests to this cluster balanced over all its hosts, usable or not, because too few "
          "were usable (panic mode).")),
      overflows(counterFamily(
          registry, "meshlb_cluster_overflows_total",
          "Times a circuit breaker of this cluster said no, by breaker: max_connections, "
          "max_pending_requests and max_requests refuse a request (503); retry_budget refuses a "
          "retry that was due.")),
      hosts(gaugeFamily(registry, "meshlb_cluster_hosts",
                        "Distinct hosts in this cluster's config.")),
      usable_hosts(gaugeFamily(
          registry, "meshlb_cluster_usable_hosts",
          "Distinct hosts of this cluster that may take new requests (healthy, not ejected, not "
          "draining).")) {}

ClusterSeries::ClusterSeries(ClusterFamilies& families, HostFamilies& host_families,
                             const std::string& name)
    : families_(families), host_families_(host_families), name_(name) {
  const prometheus::Labels labels{{"cluster", name}};
  no_healthy_upstream_ = &families.no_healthy_upstream.Add(labels);
  lb_panic_ = &families.lb_panic.Add(labels);
  for (size_t i = 0; i < overflows_.size(); ++i) {
    overflows_[i] = &families.overflows.Add(withLabel(labels, "breaker", kBreakers[i]));
  }
  hosts_gauge_ = &families.hosts.Add(labels);
  usable_hosts_ = &families.usable_hosts.Add(labels);
}

ClusterSeries::~ClusterSeries() {
  if (families_.registry.closing) {
    return;
  }
  families_.no_healthy_upstream.Remove(no_healthy_upstream_);
  families_.lb_panic.Remove(lb_panic_);
  for (prometheus::Counter* series : overflows_) {
    families_.overflows.Remove(series);
  }
  families_.hosts.Remove(hosts_gauge_);
  families_.usable_hosts.Remove(usable_hosts_);
}

void ClusterSeries::update(const stats::ClusterSnapshot& cluster, std::vector<double>& increments) {
  const stats::ClusterStatsValues& values = cluster.values;
  advanceCounter(*no_healthy_upstream_, applied_.no_healthy_upstream, values.no_healthy_upstream);
  advanceCounter(*lb_panic_, applied_.lb_panic, values.lb_panic);
  advanceCounter(*overflows_[0], applied_.overflow_max_connections,
                 values.overflow_max_connections);
  advanceCounter(*overflows_[1], applied_.overflow_max_pending_requests,
                 values.overflow_max_pending_requests);
  advanceCounter(*overflows_[2], applied_.overflow_max_requests, values.overflow_max_requests);
  advanceCounter(*overflows_[3], applied_.retry_budget_exhausted, values.retry_budget_exhausted);

  hosts_.follow(
      cluster.hosts.size(),
      [&](size_t i) -> const std::string& { return cluster.hosts[i].address; },
      [&](std::string_view address) {
        return std::make_unique<HostSeries>(host_families_, name_, std::string(address));
      });
  size_t usable = 0;
  for (size_t i = 0; i < cluster.hosts.size(); ++i) {
    HostSeries* series = hosts_.at(i);
    if (series == nullptr) {
      continue;  // a repeat of an earlier entry
    }
    series->update(cluster.hosts[i], increments);
    usable += cluster.hosts[i].health_flags == 0 ? 1 : 0;
  }
  hosts_gauge_->Set(static_cast<double>(hosts_.distinct()));
  usable_hosts_->Set(static_cast<double>(usable));
}

}  // namespace meshlb::admin::metrics
