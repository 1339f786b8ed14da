#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "analytics/ingest/tick_sample.h"
#include "capture/summary/flow_summary.h"
#include "proxy/stats/stats_snapshot.h"

namespace meshlb::analytics {

// Turns the cumulative counters of a stats snapshot and a capture summary into one tick of
// rates, ratios and per-tick quantiles, by keeping the previous cumulative values of every host.
// A counter that went down (a restart of its source) gives NaN for one tick; so does an
// interval outside [0.2 s, 10 s]. Owned by the analytics thread.
//
// These are the only analytics files that read the proxy's and the capture's types.
class TickBuilder {
 public:
  TickSample build(const stats::StatsSnapshot& stats, const capture::FlowSummary& flows);

 private:
  struct PreviousHost {
    stats::HostStatsValues values;
    capture::EndpointFlowTotals capture;
    bool has_capture = false;
    uint64_t seen_build = 0;
  };
  struct PreviousCluster {
    stats::ClusterStatsValues values;
    uint64_t seen_build = 0;
  };

  void mapEndpoints(const capture::FlowSummary& flows);

  uint64_t builds_ = 0;
  int64_t last_monotonic_ms_ = -1;
  std::unordered_map<std::string, PreviousHost> hosts_;  // key: cluster '\x1f' host
  std::unordered_map<std::string, PreviousCluster> clusters_;
  // Capture endpoint of each (cluster, host), rebuilt when the endpoints change.
  const capture::CaptureEndpoints* mapped_endpoints_ = nullptr;
  std::shared_ptr<const capture::CaptureEndpoints> endpoints_hold_;
  std::unordered_map<std::string, uint32_t> endpoint_of_host_;
};

}  // namespace meshlb::analytics
