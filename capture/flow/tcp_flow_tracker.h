#pragma once

#include <cstdint>

#include "capture/flow/flow_record.h"
#include "capture/flow/flow_types.h"
#include "capture/flow/rtt_sampler.h"
#include "capture/flow/tcp_connection.h"
#include "capture/flow/tcp_sequence_analysis.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// Everything kept per TCP flow besides its public record: per-direction sequence analysis and
// RTT samplers (indexed by FlowDirection) and the connection's state machine. Capture thread.
struct TcpFlowState {
  TcpSequenceState sequence[2];
  RttSampler rtt[2];
  TcpConnectionState connection;
};

// What one segment produced that the flow table must pass on. A plain value; capture thread.
struct TcpSegmentOutcome {
  uint32_t analysis_flags = 0;    // TcpAnalysisFlag bits
  int64_t handshake_rtt_ns = -1;  // >= 0: this segment completed the handshake RTT
  int64_t data_rtt_ns = -1;       // >= 0: this segment completed a data RTT sample...
  RttKind data_rtt_kind = RttKind::kInitiatorData;  // ...measured on this side's data
};

namespace tcp_flow_tracker_detail {

// Adds one segment's analysis flags to its sender's counters.
inline void countAnalysis(DirectionCounters& counters, uint32_t flags) {
  if (flags == 0) {
    return;
  }
  counters.retransmits += (flags & kTcpRetransmission) != 0;
  counters.fast_retransmits += (flags & kTcpFastRetransmission) != 0;
  counters.spurious_retransmits += (flags & kTcpSpuriousRetransmission) != 0;
  counters.out_of_order += (flags & kTcpOutOfOrder) != 0;
  counters.duplicate_acks += (flags & kTcpDuplicateAck) != 0;
  counters.zero_windows += (flags & kTcpZeroWindow) != 0;
  counters.zero_window_probes += (flags & kTcpZeroWindowProbe) != 0;
  counters.keep_alives += (flags & kTcpKeepAlive) != 0;
  counters.lost_segments += (flags & kTcpLostSegment) != 0;
  counters.acked_unseen += (flags & kTcpAckedUnseen) != 0;
  counters.window_updates += (flags & kTcpWindowUpdate) != 0;
}

}  // namespace tcp_flow_tracker_detail

// Runs one TCP segment sent in `direction` through the sequence analysis, the connection state
// machine and the RTT samplers, and adds the results to the record: analysis counters and
// resets of the sending direction, the record's data RTT statistics and the measured
// direction's rtt_samples/rtt_sum_ns. Packet and byte counts are the caller's. The analysis
// sees the handshake RTT known before this segment, as Wireshark's does. Inline, with its
// small helpers, because it runs for every TCP packet.
inline TcpSegmentOutcome trackTcpSegment(FlowRecord& record, TcpFlowState& state,
                                         FlowDirection direction, const DecodedPacket& segment) {
  const int self = index(direction);
  const FlowDirection other_direction = opposite(direction);
  const int other = index(other_direction);
  TcpSegmentOutcome outcome;

  outcome.analysis_flags = analyzeTcpSegment(state.sequence[self], state.sequence[other], segment,
                                             record.handshake_rtt_ns);
  DirectionCounters& sent = record.counters.of(direction);
  tcp_flow_tracker_detail::countAnalysis(sent, outcome.analysis_flags);
  sent.resets += (segment.tcp_flags & kRst) != 0;

  outcome.handshake_rtt_ns = trackTcpConnection(record, state.connection, direction, segment);

  // This segment's ACK may complete the other direction's sample; then its own data may start
  // (or, when resent, discard) this direction's sample.
  const int64_t data_rtt = rttOnAckReceived(state.rtt[other], segment);
  if (data_rtt >= 0) {
    record.data_rtt.add(data_rtt);
    DirectionCounters& measured = record.counters.of(other_direction);
    ++measured.rtt_samples;
    measured.rtt_sum_ns += data_rtt;
    outcome.data_rtt_ns = data_rtt;
    outcome.data_rtt_kind = other_direction == FlowDirection::kInitiator ? RttKind::kInitiatorData
                                                                         : RttKind::kResponderData;
  }
  rttOnSegmentSent(state.rtt[self], segment, outcome.analysis_flags);
  return outcome;
}

}  // namespace meshlb::capture
