#pragma once

#include <cstdint>

#include "capture/flow/tcp_sequence.h"
#include "capture/flow/tcp_sequence_analysis.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// Data RTT of one direction, measured from the capture point: at most one outstanding sample,
// the first new data segment's end sequence number and time, completed by the first ACK from
// the other direction at or beyond that end. Karn's rule: a retransmission of anything before
// the end (of the sampled range or of a hole before it, which would delay the cumulative ACK)
// discards the sample, and the next new segment starts another. Part of a flow's record;
// capture thread.
struct RttSampler {
  int64_t sent_ns = 0;   // when the sampled segment was captured
  uint32_t end_seq = 0;  // sequence number the ACK must reach
  bool active = false;
};

static_assert(sizeof(RttSampler) == 16, "a flow entry keeps two: no padding between fields");

// After the analysis of a segment sent in the sampler's direction; `analysis_flags` are its
// TcpAnalysisFlag bits. Starts a sample on new data, discards one on resent data. Inline: it
// runs for every segment.
inline void rttOnSegmentSent(RttSampler& sampler, const DecodedPacket& segment,
                             uint32_t analysis_flags) {
  if (segment.payload_length == 0) {
    return;
  }
  if ((analysis_flags & kTcpRetransmission) != 0) {
    if (sampler.active && seqLt(segment.seq, sampler.end_seq)) {
      sampler.active = false;
    }
    return;
  }
  // New data only: not reordered, not a keep-alive's or a zero window probe's single byte.
  constexpr uint32_t kNotNewData = kTcpOutOfOrder | kTcpKeepAlive | kTcpZeroWindowProbe;
  if (sampler.active || (analysis_flags & kNotNewData) != 0) {
    return;
  }
  sampler.end_seq = segment.seq + segment.payload_length;
  sampler.sent_ns = segment.timestamp_ns;
  sampler.active = true;
}

// For a segment of the other direction. Returns the completed RTT in ns, or -1 when this
// segment completes no sample (no ACK bit, RST, ACK below the end, time went backwards).
inline int64_t rttOnAckReceived(RttSampler& sampler, const DecodedPacket& segment) {
  if (!sampler.active || (segment.tcp_flags & kAck) == 0 || (segment.tcp_flags & kRst) != 0 ||
      !seqGe(segment.ack, sampler.end_seq)) {
    return -1;
  }
  sampler.active = false;
  const int64_t rtt = segment.timestamp_ns - sampler.sent_ns;
  return rtt >= 0 ? rtt : -1;
}

}  // namespace meshlb::capture
