#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/flow/flow_observer.h"
#include "capture/summary/flow_summary.h"

namespace meshlb::capture {

// Sums what the flow table reports into per-endpoint totals: a flow belongs to the endpoint its
// responder is (or, for a flow first seen mid-stream whose direction was guessed, its
// initiator). Endpoints keep their totals across endpoint-set changes (reloads) by address, so
// counters never go backwards. Capture thread only.
class EndpointAggregator final : public FlowObserver {
 public:
  void setEndpoints(std::shared_ptr<const CaptureEndpoints> endpoints);
  const std::shared_ptr<const CaptureEndpoints>& endpoints() const { return endpoints_; }
  // The totals parallel to endpoints()->all().
  std::vector<EndpointFlowTotals> totals() const;
  // The endpoint label of a flow's tag ("" for none).
  const std::string& labelOf(uint32_t tag) const;

  uint32_t onFlowStart(const FlowRecord& flow) override;
  void onRttSample(const FlowRecord& flow, RttKind kind, int64_t rtt_ns) override;
  void onFlowReport(const FlowRecord& flow, const ReportCounters& since_last_report,
                    std::optional<FlowEndReason> end) override;

 private:
  struct Slot {
    std::string address;
    EndpointFlowTotals totals;
  };
  Slot* slotOf(uint32_t tag) {
    return tag == 0 || tag > slots_.size() ? nullptr : &slots_[tag - 1];
  }

  std::shared_ptr<const CaptureEndpoints> endpoints_;
  std::vector<uint32_t> tag_of_endpoint_;  // endpoints_ index -> tag
  std::vector<Slot> slots_;                // tag - 1 -> slot; never shrinks
  std::unordered_map<std::string, uint32_t> tag_of_address_;
  std::string none_;
};

}  // namespace meshlb::capture
