#pragma once

#include <cstdint>

#include "capture/flow/flow_record.h"
#include "capture/flow/flow_types.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// What a TCP flow's state machine and handshake timing remember besides the record. Part of a
// flow's entry; capture thread.
struct TcpConnectionState {
  int64_t last_syn_ns = kNotSeen;     // the most recent SYN without ACK
  int64_t last_synack_ns = kNotSeen;  // the most recent SYN-ACK
  uint32_t fin_end[2] = {0, 0};       // per direction: sequence number just after its FIN
  bool fin_seen[2] = {false, false};
  bool fin_acked[2] = {false, false};  // the other direction ACKed that FIN
};

// Advances record.state and the record's handshake times for one TCP segment sent in
// `direction`:
//   kNone -> kSynSent (SYN), kSynReceived (SYN-ACK) or kEstablished (first seen mid-stream);
//   kSynSent/kSynReceived -> kEstablished on an ACK without SYN; a FIN -> kClosing; both FINs
//   ACKed -> kClosed; any RST -> kReset (final; later segments change nothing).
// The handshake RTT follows Wireshark's tcp.analysis.initial_rtt: the first segment with ACK and
// without SYN (RST-ACK included) after a SYN sets it to the time since the most recent SYN.
// Returns that RTT when this segment set it, else -1. This is the out-of-line part;
// trackTcpConnection() below skips it for the segments that cannot change anything.
int64_t trackTcpConnectionChange(FlowRecord& record, TcpConnectionState& connection,
                                 FlowDirection direction, const DecodedPacket& segment);

// trackTcpConnectionChange(), with the common case inline: a segment without SYN, FIN or RST
// on an established connection with no FIN yet and no handshake RTT pending changes nothing.
inline int64_t trackTcpConnection(FlowRecord& record, TcpConnectionState& connection,
                                  FlowDirection direction, const DecodedPacket& segment) {
  const bool quiet = (segment.tcp_flags & (kSyn | kFin | kRst)) == 0 &&
                     record.state == FlowState::kEstablished &&
                     !(connection.fin_seen[0] || connection.fin_seen[1]) &&
                     (record.handshake_rtt_ns != kNotSeen || connection.last_syn_ns == kNotSeen);
  if (quiet) {
    return -1;
  }
  return trackTcpConnectionChange(record, connection, direction, segment);
}

}  // namespace meshlb::capture
