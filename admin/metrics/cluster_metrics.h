#pragma once

#include <array>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/host_metrics.h"
#include "admin/metrics/series_roster.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::admin::metrics {

// The per-cluster metric families (label cluster), registered once. Main thread only.
struct ClusterFamilies {
  explicit ClusterFamilies(FamilyRegistry& registry);

  const FamilyRegistry& registry;  // for `closing`

  prometheus::Family<prometheus::Counter>& no_healthy_upstream;
  prometheus::Family<prometheus::Counter>& lb_panic;
  prometheus::Family<prometheus::Counter>& overflows;  // + breaker
  prometheus::Family<prometheus::Gauge>& hosts;
  prometheus::Family<prometheus::Gauge>& usable_hosts;
};

// The series of one cluster and, through its roster, of each of its hosts: added on
// construction, removed on destruction (the hosts' with it). Main thread only.
class ClusterSeries {
 public:
  ClusterSeries(ClusterFamilies& families, HostFamilies& host_families, const std::string& name);
  ~ClusterSeries();
  ClusterSeries(const ClusterSeries&) = delete;
  ClusterSeries& operator=(const ClusterSeries&) = delete;

  // Brings the cluster's series and its hosts' to `cluster`. A host listed twice (the config
  // may name an address twice; both entries share one stats block) is counted once, in the
  // series and in meshlb_cluster_hosts / meshlb_cluster_usable_hosts, with the health of its
  // first entry.
  void update(const stats::ClusterSnapshot& cluster, std::vector<double>& increments);

 private:
  ClusterFamilies& families_;
  HostFamilies& host_families_;
  std::string name_;
  prometheus::Counter* no_healthy_upstream_;
  prometheus::Counter* lb_panic_;
  std::array<prometheus::Counter*, 4> overflows_{};  // in the order of kBreakers
  prometheus::Gauge* hosts_gauge_;
  prometheus::Gauge* usable_hosts_;
  stats::ClusterStatsValues applied_{};
  SeriesRoster<HostSeries> hosts_;
};

}  // namespace meshlb::admin::metrics
