#include "capture/flow/tcp_connection.h"

#include "capture/flow/tcp_sequence.h"

namespace meshlb::capture {

namespace {

// SYN, SYN-ACK and ACK times; returns the handshake RTT when this segment completed it.
int64_t trackHandshake(FlowRecord& record, TcpConnectionState& connection,
                       const DecodedPacket& segment) {
  const uint8_t flags = segment.tcp_flags;
  const int64_t now = segment.timestamp_ns;
  if ((flags & (kSyn | kAck)) == kSyn) {
    connection.last_syn_ns = now;
    return -1;
  }
  if ((flags & (kSyn | kAck)) == (kSyn | kAck)) {
    if (record.syn_to_synack_ns == kNotSeen && connection.last_syn_ns != kNotSeen) {
      record.syn_to_synack_ns = now - connection.last_syn_ns;
    }
    connection.last_synack_ns = now;
    return -1;
  }
  if ((flags & kAck) == 0 || record.handshake_rtt_ns != kNotSeen ||
      connection.last_syn_ns == kNotSeen) {
    return -1;
  }
  record.handshake_rtt_ns = now - connection.last_syn_ns;
  if (connection.last_synack_ns != kNotSeen) {
    record.synack_to_ack_ns = now - connection.last_synack_ns;
  }
  return record.handshake_rtt_ns;
}

// FIN bookkeeping: a FIN starts closing; a FIN ACKed by the other side counts once both are.
void trackClose(FlowRecord& record, TcpConnectionState& connection, FlowDirection direction,
                const DecodedPacket& segment) {
  const int self = index(direction);
  const int other = index(opposite(direction));
  if ((segment.tcp_flags & kFin) != 0) {
    const uint32_t end = segment.seq + segment.payload_length + 1;
    if (!connection.fin_seen[self] || seqGt(end, connection.fin_end[self])) {
      connection.fin_end[self] = end;
    }
    connection.fin_seen[self] = true;
  }
  if ((segment.tcp_flags & kAck) != 0 && connection.fin_seen[other] &&
      seqGe(segment.ack, connection.fin_end[other])) {
    connection.fin_acked[other] = true;
  }
  if (connection.fin_acked[0] && connection.fin_acked[1]) {
    record.state = FlowState::kClosed;
  } else if (connection.fin_seen[0] || connection.fin_seen[1]) {
    if (record.state != FlowState::kClosed) {
      record.state = FlowState::kClosing;
    }
  }
}

}  // namespace

int64_t trackTcpConnectionChange(FlowRecord& record, TcpConnectionState& connection,
                                 FlowDirection direction, const DecodedPacket& segment) {
  const uint8_t flags = segment.tcp_flags;
  const int64_t handshake_rtt = trackHandshake(record, connection, segment);
  if (record.state == FlowState::kReset) {
    return handshake_rtt;
  }
  if ((flags & kRst) != 0) {
    record.state = FlowState::kReset;
    return handshake_rtt;
  }
  if (record.state == FlowState::kNone) {
    if ((flags & (kSyn | kAck)) == kSyn) {
      record.state = FlowState::kSynSent;
    } else if ((flags & kSyn) != 0) {
      record.state = FlowState::kSynReceived;
    } else {
      record.state = FlowState::kEstablished;
    }
  } else if ((flags & (kSyn | kAck)) == (kSyn | kAck) && record.state == FlowState::kSynSent) {
    record.state = FlowState::kSynReceived;
  } else if ((flags & (kSyn | kAck)) == kAck &&
             (record.state == FlowState::kSynSent || record.state == FlowState::kSynReceived)) {
    record.state = FlowState::kEstablished;
  }
  trackClose(record, connection, direction, segment);
  return handshake_rtt;
}

}  // namespace meshlb::capture
