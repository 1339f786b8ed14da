#include "capture/summary/endpoint_aggregator.h"

#include "capture/flow/flow_record.h"

namespace meshlb::capture {

void EndpointAggregator::setEndpoints(std::shared_ptr<const CaptureEndpoints> endpoints) {
  endpoints_ = std::move(endpoints);
  tag_of_endpoint_.clear();
  for (const CaptureEndpoint& endpoint : endpoints_->all()) {
    std::string key = endpoint.ip.toString() + "|" + std::to_string(endpoint.port);
    auto [found, added] = tag_of_address_.emplace(key, static_cast<uint32_t>(slots_.size() + 1));
    if (added) {
      slots_.push_back({endpoint.address, {}});
    }
    tag_of_endpoint_.push_back(found->second);
  }
}

std::vector<EndpointFlowTotals> EndpointAggregator::totals() const {
  std::vector<EndpointFlowTotals> out;
  out.reserve(tag_of_endpoint_.size());
  for (uint32_t tag : tag_of_endpoint_) {
    out.push_back(slots_[tag - 1].totals);
  }
  return out;
}

const std::string& EndpointAggregator::labelOf(uint32_t tag) const {
  return tag == 0 || tag > slots_.size() ? none_ : slots_[tag - 1].address;
}

uint32_t EndpointAggregator::onFlowStart(const FlowRecord& flow) {
  if (endpoints_ == nullptr) {
    return 0;
  }
  std::optional<uint32_t> endpoint =
      endpoints_->find(flow.responderAddress(), flow.responderPort());
  if (!endpoint && !flow.handshake_seen) {
    endpoint = endpoints_->find(flow.initiatorAddress(), flow.initiatorPort());
  }
  if (!endpoint) {
    return 0;
  }
  uint32_t tag = tag_of_endpoint_[*endpoint];
  Slot& slot = slots_[tag - 1];
  ++slot.totals.flows_opened;
  ++slot.totals.flows_active;
  return tag;
}

void EndpointAggregator::onRttSample(const FlowRecord& flow, RttKind kind, int64_t rtt_ns) {
  Slot* slot = slotOf(flow.tag);
  if (slot == nullptr || rtt_ns < 0) {
    return;
  }
  uint64_t micros = static_cast<uint64_t>(rtt_ns) / 1000;
  stats::LatencyHistogramValues& histogram =
      kind == RttKind::kHandshake ? slot->totals.handshake_rtt : slot->totals.data_rtt;
  size_t bucket = stats::latencyBucket(micros);
  ++histogram.buckets[bucket];
  histogram.sum_us += micros;
  if (kind == RttKind::kInitiatorData) {
    ++slot->totals.data_rtt_upstream.buckets[bucket];
    slot->totals.data_rtt_upstream.sum_us += micros;
  }
}

void EndpointAggregator::onFlowReport(const FlowRecord& flow, const ReportCounters& delta,
                                      std::optional<FlowEndReason> end) {
  Slot* slot = slotOf(flow.tag);
  if (slot == nullptr) {
    return;
  }
  EndpointFlowTotals& totals = slot->totals;
  totals.packets += delta.packets;
  totals.bytes += delta.ip_bytes;
  totals.retransmits += delta.retransmits;
  totals.out_of_order += delta.out_of_order;
  totals.zero_windows += delta.zero_windows;
  totals.resets += delta.resets;
  if (end) {
    ++totals.flows_closed;
    --totals.flows_active;
    if (*end == FlowEndReason::kReset) {
      ++totals.flows_reset;
    }
  }
}

}  // namespace meshlb::capture
