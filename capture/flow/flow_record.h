#pragma once

#include <cstdint>

#include "capture/flow/flow_counters.h"
#include "capture/flow/flow_types.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// Running statistics of a flow's data RTT samples (both directions together). Part of a
// FlowRecord; capture thread.
struct RttStats {
  int64_t min_ns = -1;  // -1 until the first sample
  int64_t max_ns = -1;
  int64_t last_ns = -1;
  int64_t sum_ns = 0;
  uint32_t count = 0;

  void add(int64_t rtt_ns);
  int64_t meanNs() const { return count == 0 ? -1 : sum_ns / count; }
};

// Marks a time or duration that was not (yet) observed.
inline constexpr int64_t kNotSeen = -1;

// Everything meshlb knows about one bidirectional flow. Owned by the FlowTable (capture
// thread); observers and forEachActive() get const references that are valid only during the
// call. Times are packet timestamps (ns since the epoch), never the wall clock.
//
// Field order is for speed: what every packet reads or writes comes first, so that with the
// table's key and TCP state it spans few cache lines (see flow_entry.h).
struct FlowRecord {
  // Touched by every packet.
  int64_t last_seen_ns = 0;
  // Wireshark's tcp.analysis.initial_rtt: from the most recent SYN (the last one when the SYN
  // was retransmitted) to the first segment with ACK and without SYN. When the SYN-ACK was
  // captured it equals syn_to_synack_ns + synack_to_ack_ns. kNotSeen until measured.
  int64_t handshake_rtt_ns = kNotSeen;
  uint32_t tag = 0;      // what FlowObserver::onFlowStart returned (e.g. a backend index)
  uint8_t protocol = 0;  // 6 TCP, 17 UDP
  FlowState state = FlowState::kNone;
  bool handshake_seen = false;  // the flow started with a SYN or SYN-ACK (not mid-stream)
  // OR of the TCP flags each direction sent.
  uint8_t initiator_tcp_flags = 0;
  uint8_t responder_tcp_flags = 0;
  FlowCounters counters;  // totals since the flow started

  // Set when the flow starts or on rare events.
  uint64_t id = 0;  // 1, 2, ... in creation order, unique within a table
  int64_t first_seen_ns = 0;
  uint16_t initiator_port = 0;
  uint16_t responder_port = 0;
  IpAddress initiator_address;
  IpAddress responder_address;
  // Handshake timing as seen from the capture point; kNotSeen until measured.
  int64_t syn_to_synack_ns = kNotSeen;  // most recent SYN -> first SYN-ACK
  int64_t synack_to_ack_ns = kNotSeen;  // most recent SYN-ACK -> first ACK without SYN
  RttStats data_rtt;                    // data RTT samples of both directions (see rtt_sampler.h)

  uint8_t& tcpFlags(FlowDirection direction) {
    return direction == FlowDirection::kInitiator ? initiator_tcp_flags : responder_tcp_flags;
  }
  bool isTcp() const { return protocol == 6; }
};

}  // namespace meshlb::capture
