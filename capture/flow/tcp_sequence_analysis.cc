#include "capture/flow/tcp_sequence_analysis.h"

#include "capture/flow/tcp_sequence.h"

namespace meshlb::capture {

namespace {

constexpr uint64_t kFastRetransmissionWindowNs = 20'000'000;   // 20 ms after the last dup ACK
constexpr uint64_t kDefaultOutOfOrderThresholdNs = 3'000'000;  // 3 ms without a known RTT

// Elapsed time as Wireshark computes it: unsigned, so a timestamp that went backwards gives a
// huge value that is never "within" a threshold.
uint64_t elapsed(int64_t now_ns, int64_t then_ns) {
  return static_cast<uint64_t>(now_ns - then_ns);
}

// The checks that come before the retransmission stage. An early return is Wireshark's "goto
// finished_fwd" (a zero window probe, keep-alive ACK or zero window probe ACK is nothing else).
uint32_t classifyAcknowledgement(TcpSequenceState& sender, const TcpSequenceState& receiver,
                                 const DecodedPacket& segment, uint32_t window) {
  const uint32_t seq = segment.seq;
  const uint32_t length = segment.payload_length;
  const bool control = (segment.tcp_flags & (kSyn | kFin | kRst)) != 0;
  const bool at_next = sender.next_seq_known && seq == sender.next_seq;

  if (length == 1 && at_next && receiver.window == 0) {
    return kTcpZeroWindowProbe;
  }
  uint32_t flags = 0;
  if (window == 0 && !control) {
    flags |= kTcpZeroWindow;
  }
  if (sender.next_seq_known && seqGt(seq, sender.next_seq) && (segment.tcp_flags & kRst) == 0) {
    flags |= kTcpLostSegment;
  }
  if (length <= 1 && sender.next_seq_known && seq == sender.next_seq - 1 && !control) {
    flags |= kTcpKeepAlive;
  }
  // The remaining checks are about a bare ACK repeating the sender's previous seq and ack.
  if (length != 0 || control || !at_next || segment.ack != sender.last_ack) {
    return flags;
  }
  if (window != 0 && window != sender.window) {
    flags |= kTcpWindowUpdate;
  }
  if (window != 0 && window == sender.window && (receiver.last_flags & kTcpKeepAlive) != 0) {
    return flags | kTcpKeepAliveAck;
  }
  if (window == 0 && window == sender.window && (receiver.last_flags & kTcpZeroWindowProbe) != 0) {
    return flags | kTcpZeroWindowProbeAck;
  }
  if (window != 0 && window == sender.window) {
    sender.dup_acks = sender.dup_acks == kDupAcksAfterUnseen ? 1 : sender.dup_acks + 1;
    flags |= kTcpDuplicateAck;
  }
  return flags;
}

// Retransmission, fast retransmission, out-of-order or spurious retransmission, for a segment
// that carries data, SYN or FIN and is not a keep-alive.
uint32_t classifyResent(const TcpSequenceState& sender, const TcpSequenceState& receiver,
                        const DecodedPacket& segment, int64_t initial_rtt_ns) {
  const uint32_t seq = segment.seq;
  const uint32_t length = segment.payload_length;
  const int64_t now = segment.timestamp_ns;
  bool not_advanced = sender.next_seq_known && seqLt(seq, sender.next_seq);
  // More than one byte starting one before next_seq adds new data (after a zero window probe).
  if (length > 1 && sender.next_seq_known && sender.next_seq - 1 == seq) {
    not_advanced = false;
  }
  // Data the receiver already ACKed: spurious, whether or not it advances next_seq.
  if (length > 0 && receiver.last_ack_valid && seqLe(seq + length, receiver.last_ack)) {
    return kTcpSpuriousRetransmission | kTcpRetransmission;
  }
  // Fast retransmission before out-of-order: tshark's default tcp.fastrt_supersedes_ooo.
  if (not_advanced && receiver.dup_acks >= 2 && receiver.last_ack == seq &&
      elapsed(now, receiver.last_ack_time_ns) < kFastRetransmissionWindowNs) {
    return kTcpFastRetransmission | kTcpRetransmission;
  }
  const uint64_t threshold =
      initial_rtt_ns > 0 ? static_cast<uint64_t>(initial_rtt_ns) : kDefaultOutOfOrderThresholdNs;
  // A resent SYN or FIN ends one past its data, so it ends at next_seq and is no reordering.
  const uint32_t end = seq + length + ((segment.tcp_flags & (kSyn | kFin)) != 0 ? 1 : 0);
  if (not_advanced && elapsed(now, sender.next_seq_time_ns) < threshold && sender.next_seq != end) {
    return kTcpOutOfOrder;
  }
  return not_advanced ? uint32_t{kTcpRetransmission} : 0u;
}

// An ACK beyond everything the receiver was seen sending without a hole: the capture missed
// some of its segments. As tshark 4.0 does (found by experiment, see tshark_fuzz_test.cc): when
// the receiver has sent more since (max_seq_to_be_acked < next_seq, a plain comparison), the
// mark jumps to next_seq and the ACK is flagged; otherwise the ACK is flagged only if the
// receiver had no duplicate ACKs, and the receiver is marked with kDupAcksAfterUnseen.
uint32_t checkAckedUnseen(TcpSequenceState& receiver, const DecodedPacket& segment) {
  if (!receiver.max_seq_known || !seqGt(segment.ack, receiver.max_seq_to_be_acked) ||
      (segment.tcp_flags & kAck) == 0) {
    return 0;
  }
  if (seqLt(receiver.max_seq_to_be_acked, receiver.next_seq)) {
    receiver.max_seq_to_be_acked = receiver.next_seq;
    return kTcpAckedUnseen;
  }
  const uint32_t flags = receiver.dup_acks == 0 ? uint32_t{kTcpAckedUnseen} : 0u;
  receiver.dup_acks = kDupAcksAfterUnseen;
  return flags;
}

// Remembers what this segment sent and acknowledged, for the analysis of the next ones.
void remember(TcpSequenceState& sender, const DecodedPacket& segment, uint32_t flags) {
  const bool syn_or_fin = (segment.tcp_flags & (kSyn | kFin)) != 0;
  const uint32_t next_seq = segment.seq + segment.payload_length + (syn_or_fin ? 1 : 0);
  const bool probe = (flags & kTcpZeroWindowProbe) != 0;  // probes do not advance next_seq
  if ((!sender.next_seq_known || seqGt(next_seq, sender.next_seq)) && !probe) {
    sender.next_seq = next_seq;
    sender.next_seq_time_ns = segment.timestamp_ns;
    sender.next_seq_known = true;
  }
  if ((!sender.max_seq_known || segment.seq == sender.max_seq_to_be_acked) && !probe &&
      sender.next_seq_known) {
    sender.max_seq_to_be_acked = sender.next_seq;
    sender.max_seq_known = true;
  }
  sender.window = segment.window;
  sender.last_ack = segment.ack;
  sender.last_ack_valid = (segment.tcp_flags & kAck) != 0;
  sender.last_ack_time_ns = segment.timestamp_ns;
  sender.last_flags = static_cast<uint16_t>(flags);
}

}  // namespace

uint32_t analyzeTcpSegment(TcpSequenceState& sender, TcpSequenceState& receiver,
                           const DecodedPacket& segment, int64_t initial_rtt_ns) {
  // Fast path for what connections send most of the time: ACK set, no SYN/FIN/RST, starting
  // exactly at next_seq, carrying data or a new ACK number, both windows open. For such a
  // segment the zero-window, lost, keep-alive, window-update, duplicate-ACK, fast, out-of-order
  // and retransmission checks cannot fire (they need a zero window, another seq, or a repeated
  // ACK without data), so only "ACKed unseen" and "spurious" remain. The tshark fuzz test
  // exercises both paths.
  const uint32_t length = segment.payload_length;
  if ((segment.tcp_flags & (kSyn | kFin | kRst | kAck)) == kAck && sender.next_seq_known &&
      segment.seq == sender.next_seq && (length > 0 || segment.ack != sender.last_ack) &&
      segment.window != 0 && receiver.window != 0) {
    if (segment.ack != sender.last_ack) {
      sender.dup_acks = 0;
    }
    uint32_t flags = checkAckedUnseen(receiver, segment);
    if (length > 0 && receiver.last_ack_valid && seqLe(segment.seq + length, receiver.last_ack)) {
      flags |= kTcpSpuriousRetransmission | kTcpRetransmission;
    }
    remember(sender, segment, flags);
    return flags;
  }

  const bool syn_or_fin = (segment.tcp_flags & (kSyn | kFin)) != 0;
  uint32_t flags = classifyAcknowledgement(sender, receiver, segment, segment.window);
  if (segment.ack != sender.last_ack) {
    sender.dup_acks = 0;
  }
  flags |= checkAckedUnseen(receiver, segment);
  if ((length > 0 || syn_or_fin) && (flags & kTcpKeepAlive) == 0) {
    flags |= classifyResent(sender, receiver, segment, initial_rtt_ns);
  }
  remember(sender, segment, flags);
  return flags;
}

}  // namespace meshlb::capture
