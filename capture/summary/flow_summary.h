#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/flow/flow_types.h"
#include "capture/packet/decoded_packet.h"
#include "capture/packet/packet_decoder.h"
#include "capture/summary/capture_endpoints.h"
#include "common/latency_histogram.h"

namespace meshlb::capture {

// What the network did to one endpoint (a backend host or a listener) since capture began: the
// flows whose responder is that endpoint. Counters only grow; `flows_active` is a level.
struct EndpointFlowTotals {
  uint64_t flows_opened = 0;
  uint64_t flows_closed = 0;
  uint64_t flows_active = 0;
  uint64_t flows_reset = 0;  // flows that ended with a RST
  uint64_t packets = 0;      // both directions
  uint64_t bytes = 0;        // IP bytes, both directions
  uint64_t retransmits = 0;  // frames tshark's tcp.analysis.retransmission matches
  uint64_t out_of_order = 0;
  uint64_t zero_windows = 0;
  uint64_t resets = 0;                          // RST segments
  stats::LatencyHistogramValues handshake_rtt;  // SYN to the ACK of the SYN-ACK
  stats::LatencyHistogramValues data_rtt;       // data segment to the ACK covering it
  // Only the initiator's (meshlb's, for a backend) data segments to the responder's ACK: the path
  // plus the responder's ACK delay. The other direction times meshlb's own ACKs, not the path.
  stats::LatencyHistogramValues data_rtt_upstream;
};

// One interface's libpcap counters.
struct InterfaceCounters {
  std::string name;
  uint64_t received = 0;
  uint64_t kernel_drops = 0;
  uint64_t interface_drops = 0;
};

// Whether capture runs and how well.
struct CaptureHealth {
  bool enabled = false;
  std::string reason;  // why not, when disabled ("not configured", "no permission ...")
  std::vector<InterfaceCounters> interfaces;
  uint64_t packets_decoded = 0;
  std::array<uint64_t, static_cast<size_t>(DecodeStatus::kCount)> decode_errors{};
  uint64_t flows_active = 0;
  uint64_t flows_created = 0;
  uint64_t flows_evicted = 0;
  uint64_t flows_expired = 0;  // ended by the idle timeout
};

// One flow as the admin API lists it.
struct FlowView {
  uint64_t id = 0;
  std::string endpoint;  // the endpoint's address label, "" when it belongs to none
  IpAddress initiator_address;
  uint16_t initiator_port = 0;
  IpAddress responder_address;
  uint16_t responder_port = 0;
  FlowState state = FlowState::kNone;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t retransmits = 0;
  int64_t handshake_rtt_ns = -1;
  int64_t data_rtt_last_ns = -1;
  int64_t data_rtt_mean_ns = -1;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
};

// Everything the capture thread publishes once a tick: taken by the main thread for the
// metrics, the admin API and the analytics core. A plain value shared as shared_ptr<const>.
struct FlowSummary {
  int64_t unix_ms = 0;
  CaptureHealth health;
  std::shared_ptr<const CaptureEndpoints> endpoints;
  std::vector<EndpointFlowTotals> totals;  // parallel to endpoints->all()
  // Active flows with the most bytes, and with the largest RTT (handshake or data), at most
  // kTopFlows each, largest first.
  static constexpr size_t kTopFlows = 1000;
  std::vector<FlowView> top_by_bytes;
  std::vector<FlowView> top_by_rtt;
};

}  // namespace meshlb::capture
