#pragma once

#include <cstdint>

#include "capture/flow/flow_counters.h"
#include "capture/flow/flow_key.h"
#include "capture/flow/flow_types.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// The smallest, largest and last of a flow's data RTT samples (both directions together).
// Their count and sum are the per-direction counters' (DirectionCounters::rtt_samples and
// rtt_sum_ns), which every sample adds to as well: see FlowRecord::dataRttSamples(). Part of a
// FlowRecord; capture thread.
struct RttStats {
  int64_t min_ns = -1;  // -1 until the first sample
  int64_t max_ns = -1;
  int64_t last_ns = -1;

  void add(int64_t rtt_ns);  // rtt_ns >= 0
};

// Marks a time or duration that was not (yet) observed.
inline constexpr int64_t kNotSeen = -1;

// Everything meshlb knows about one bidirectional flow. Owned by the FlowTable (capture
// thread); observers and forEachActive() get const references that are valid only during the
// call. Times are packet timestamps (ns since the epoch), never the wall clock.
//
// The endpoints are kept once, in the table's canonical key (the flow table finds the flow by
// it); initiatorAddress() and the like read them from there. Field order is for speed: the key
// and what every packet reads or writes come first, so that with the table's TCP state they
// span few cache lines (see flow_entry.h).
struct FlowRecord {
  FlowKey key;  // both endpoints, the protocol and the family, in canonical order

  // Touched by every packet.
  int64_t last_seen_ns = 0;
  // Wireshark's tcp.analysis.initial_rtt: from the most recent SYN (the last one when the SYN
  // was retransmitted) to the first segment with ACK and without SYN. When the SYN-ACK was
  // captured it equals syn_to_synack_ns + synack_to_ack_ns. kNotSeen until measured.
  int64_t handshake_rtt_ns = kNotSeen;
  uint32_t tag = 0;  // what FlowObserver::onFlowStart returned (e.g. a backend index)
  FlowState state = FlowState::kNone;
  bool handshake_seen = false;  // the flow started with a SYN or SYN-ACK (not mid-stream)
  // OR of the TCP flags each direction sent.
  uint8_t initiator_tcp_flags = 0;
  uint8_t responder_tcp_flags = 0;
  bool initiator_is_low = true;  // the initiator is the key's low endpoint
  FlowCounters counters;         // totals since the flow started

  // Set when the flow starts or on rare events.
  uint64_t id = 0;  // 1, 2, ... in creation order, unique within a table
  int64_t first_seen_ns = 0;
  // Handshake timing as seen from the capture point; kNotSeen until measured.
  int64_t syn_to_synack_ns = kNotSeen;  // most recent SYN -> first SYN-ACK
  int64_t synack_to_ack_ns = kNotSeen;  // most recent SYN-ACK -> first ACK without SYN
  RttStats data_rtt;                    // data RTT samples of both directions (see rtt_sampler.h)

  // Sets the key and initiator_is_low from the two endpoints (the flow table does the same from
  // a packet's key).
  void setEndpoints(const IpAddress& initiator, uint16_t initiator_port, const IpAddress& responder,
                    uint16_t responder_port, uint8_t protocol) {
    const PacketKey endpoints =
        makeEndpointKey(initiator, initiator_port, responder, responder_port, protocol);
    key = endpoints.key;
    initiator_is_low = endpoints.source_is_low;
  }
  IpAddress initiatorAddress() const {
    return initiator_is_low ? lowAddressOf(key) : highAddressOf(key);
  }
  IpAddress responderAddress() const {
    return initiator_is_low ? highAddressOf(key) : lowAddressOf(key);
  }
  uint16_t initiatorPort() const { return initiator_is_low ? key.low_port : key.high_port; }
  uint16_t responderPort() const { return initiator_is_low ? key.high_port : key.low_port; }
  uint8_t protocol() const { return key.protocol; }  // 6 TCP, 17 UDP
  bool isTcp() const { return key.protocol == 6; }

  uint64_t dataRttSamples() const {
    return uint64_t{counters.initiator.rtt_samples} + counters.responder.rtt_samples;
  }
  // The mean of the data RTT samples, -1 without any.
  int64_t dataRttMeanNs() const {
    const uint64_t samples = dataRttSamples();
    return samples == 0 ? -1
                        : (counters.initiator.rtt_sum_ns + counters.responder.rtt_sum_ns) /
                              static_cast<int64_t>(samples);
  }

  uint8_t& tcpFlags(FlowDirection direction) {
    return direction == FlowDirection::kInitiator ? initiator_tcp_flags : responder_tcp_flags;
  }
};

}  // namespace meshlb::capture
