#pragma once

#include <array>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "admin/metrics/family_registry.h"
#include "admin/metrics/series_roster.h"
#include "capture/summary/flow_summary.h"

namespace meshlb::admin::metrics {

// The meshlb_flow_* families: what passive capture saw of the flows to each backend host
// (labels cluster, host) and to each listener (label listener). Main thread only.
struct FlowFamilies {
  explicit FlowFamilies(FamilyRegistry& registry);

  const FamilyRegistry& registry;
  prometheus::Family<prometheus::Counter>& opened;
  prometheus::Family<prometheus::Counter>& closed;
  prometheus::Family<prometheus::Counter>& reset_flows;
  prometheus::Family<prometheus::Gauge>& active;
  prometheus::Family<prometheus::Counter>& packets;
  prometheus::Family<prometheus::Counter>& bytes;
  prometheus::Family<prometheus::Counter>& retransmits;
  prometheus::Family<prometheus::Counter>& out_of_order;
  prometheus::Family<prometheus::Counter>& zero_windows;
  prometheus::Family<prometheus::Counter>& resets;
  prometheus::Family<prometheus::Histogram>& handshake_rtt;
  prometheus::Family<prometheus::Histogram>& data_rtt;
};

// The flow series of one endpoint label set: added on construction, removed on destruction.
class FlowSeries {
 public:
  FlowSeries(FlowFamilies& families, prometheus::Labels labels);
  ~FlowSeries();
  FlowSeries(const FlowSeries&) = delete;
  FlowSeries& operator=(const FlowSeries&) = delete;

  void update(const capture::EndpointFlowTotals& totals, std::vector<double>& increments);

 private:
  FlowFamilies& families_;
  prometheus::Counter* opened_;
  prometheus::Counter* closed_;
  prometheus::Counter* reset_flows_;
  prometheus::Gauge* active_;
  prometheus::Counter* packets_;
  prometheus::Counter* bytes_;
  prometheus::Counter* retransmits_;
  prometheus::Counter* out_of_order_;
  prometheus::Counter* zero_windows_;
  prometheus::Counter* resets_;
  prometheus::Histogram* handshake_rtt_;
  prometheus::Histogram* data_rtt_;
  capture::EndpointFlowTotals applied_{};
};

// Capture's own health (meshlb_capture_*): whether it runs, libpcap's packet and drop counts
// per interface, decode errors by reason, the flow table's occupancy. Main thread only.
class CaptureHealthMetrics {
 public:
  explicit CaptureHealthMetrics(FamilyRegistry& registry);
  void update(const capture::CaptureHealth& health);

 private:
  struct Interface {
    prometheus::Counter* received;
    prometheus::Counter* kernel_drops;
    prometheus::Counter* interface_drops;
    uint64_t applied_received = 0;
    uint64_t applied_kernel_drops = 0;
    uint64_t applied_interface_drops = 0;
  };

  prometheus::Gauge& enabled_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& kernel_drops_;
  prometheus::Family<prometheus::Counter>& interface_drops_;
  prometheus::Counter& decoded_;
  prometheus::Family<prometheus::Counter>& decode_errors_;
  prometheus::Gauge& flows_active_;
  prometheus::Counter& flows_created_;
  prometheus::Counter& flows_evicted_;
  prometheus::Counter& flows_expired_;
  std::vector<std::pair<std::string, Interface>> interfaces_;
  std::array<prometheus::Counter*, static_cast<size_t>(capture::DecodeStatus::kCount)> errors_{};
  std::array<uint64_t, static_cast<size_t>(capture::DecodeStatus::kCount)> applied_errors_{};
  uint64_t applied_decoded_ = 0;
  uint64_t applied_created_ = 0;
  uint64_t applied_evicted_ = 0;
  uint64_t applied_expired_ = 0;
};

// Everything capture exports: the health metrics and a FlowSeries per endpoint label set,
// following the endpoints of each summary. Main thread only.
class CaptureMetrics {
 public:
  explicit CaptureMetrics(FamilyRegistry& registry) : flow_families_(registry), health_(registry) {}
  void update(const capture::FlowSummary& summary, std::vector<double>& increments);

 private:
  FlowFamilies flow_families_;
  CaptureHealthMetrics health_;
  SeriesRoster<FlowSeries> series_;
  std::vector<std::string> keys_;  // scratch: one key per label set
  std::vector<prometheus::Labels> labels_;
  std::vector<const capture::EndpointFlowTotals*> totals_;
};

}  // namespace meshlb::admin::metrics
