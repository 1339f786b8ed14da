#pragma once

#include <cstdint>

#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// What Wireshark's TCP analysis would say about one segment, as bits. Names follow the
// Wireshark fields (tcp.analysis.*).
enum TcpAnalysisFlag : uint32_t {
  // tcp.analysis.retransmission. tshark 4.0 also sets that field on fast and spurious
  // retransmissions, so analyzeTcpSegment() sets this bit together with either of the next
  // two: counting it counts exactly the frames the display filter matches.
  kTcpRetransmission = 1u << 0,
  kTcpFastRetransmission = 1u << 1,      // tcp.analysis.fast_retransmission
  kTcpSpuriousRetransmission = 1u << 2,  // tcp.analysis.spurious_retransmission
  kTcpOutOfOrder = 1u << 3,              // tcp.analysis.out_of_order
  kTcpLostSegment = 1u << 4,             // tcp.analysis.lost_segment
  kTcpKeepAlive = 1u << 5,               // tcp.analysis.keep_alive
  kTcpKeepAliveAck = 1u << 6,            // tcp.analysis.keep_alive_ack
  kTcpWindowUpdate = 1u << 7,            // tcp.analysis.window_update
  kTcpDuplicateAck = 1u << 8,            // tcp.analysis.duplicate_ack
  kTcpZeroWindow = 1u << 9,              // tcp.analysis.zero_window
  kTcpZeroWindowProbe = 1u << 10,        // tcp.analysis.zero_window_probe
  kTcpZeroWindowProbeAck = 1u << 11,     // tcp.analysis.zero_window_probe_ack
  kTcpAckedUnseen = 1u << 12,            // tcp.analysis.ack_lost_segment
};

// What the analysis remembers about one direction of a connection (Wireshark's tcp_flow_t and
// tcp_analyze_seq_flow_info_t, minus the per-segment lists it keeps for display only). Part of
// a flow's record; capture thread.
struct TcpSequenceState {
  uint32_t next_seq = 0;             // highest seq + len (+1 for SYN/FIN) sent so far
  uint32_t max_seq_to_be_acked = 0;  // end of the data sent without a hole (for "ACKed unseen")
  uint32_t last_ack = 0;             // ack field of the last segment sent
  uint32_t window = 0xFFFFFFFFu;     // last window field sent; all ones before any segment
  int64_t next_seq_time_ns = 0;      // when next_seq last advanced
  int64_t last_ack_time_ns = 0;      // when the last segment was sent
  // Duplicate ACKs sent since the ACK number last changed. Wireshark sets it to "-1" in its
  // unsigned field when the other side ACKs data this side was never seen sending; that value
  // (kDupAcksAfterUnseen) then passes the ">= 2 duplicate ACKs" test of fast retransmissions,
  // and we keep that so the classifications agree.
  uint32_t dup_acks = 0;
  uint16_t last_flags = 0;  // TcpAnalysisFlag bits of the last segment sent
  // One-bit flags: with them the state is 40 bytes, and a flow entry keeps two.
  bool next_seq_known : 1 = false;  // a segment of this direction was seen
  bool max_seq_known : 1 = false;   // max_seq_to_be_acked was set
  bool last_ack_valid : 1 = false;  // the last segment sent had ACK set
};

static_assert(sizeof(TcpSequenceState) == 40, "keep the per-direction TCP state compact");

inline constexpr uint32_t kDupAcksAfterUnseen = 0xFFFFFFFFu;

// Classifies one TCP segment sent in the direction whose state is `sender` (`receiver` is the
// other direction) and updates both states, with the rules and in the order of Wireshark's
// tcp_analyze_sequence_number (epan/dissectors/packet-tcp.c) as tshark 4.0.17 applies them.
// Where the source we could read differs from that version, the tshark tests decided
// (tests/capture/flow/tshark_*_test.cc, including a differential fuzz test):
//  1. zero window probe (1 byte at next_seq while the receiver's window is 0; nothing else
//     below the ACK checks), zero window (window 0, no SYN/FIN/RST), lost segment (seq beyond
//     next_seq), keep-alive (0 or 1 byte at next_seq - 1, no SYN/FIN/RST), then for a bare ACK
//     repeating the sender's previous seq and ack: window update (new non-zero window),
//     keep-alive ACK, zero window probe ACK, duplicate ACK (same non-zero window);
//  2. ACKed unseen segment: an ACK beyond the receiver's max_seq_to_be_acked. If the receiver
//     sent more since (max < next_seq, sequence order) the mark moves to next_seq and the ACK
//     is flagged; else it is flagged only when the receiver has no duplicate ACKs, and the
//     receiver's duplicate-ACK count becomes kDupAcksAfterUnseen;
//  3. for data, SYN or FIN that is not a keep-alive: spurious retransmission (data all at or
//     below the receiver's last ACK, even if it advances next_seq); then, if it does not
//     advance next_seq (and is not more than one byte starting at next_seq - 1): fast
//     retransmission (>= 2 duplicate ACKs from the receiver, seq equal to its last ACK, within
//     20 ms of it; tshark's default tcp.fastrt_supersedes_ooo puts this before out-of-order),
//     else out-of-order (less than the initial RTT, or 3 ms when none is known, after the
//     segment that last advanced next_seq, and not ending exactly at next_seq, SYN or FIN
//     counting one byte), else retransmission.
// `initial_rtt_ns` is the flow's handshake RTT, <= 0 when not known. Sequence numbers compare
// in serial-number arithmetic; unlike Wireshark, "not seen yet" is a flag and not the value 0,
// so a direction whose next_seq wraps to exactly 0 keeps being analysed. Windows are compared
// as sent (unscaled), as tshark 4.0's analysis does. Returns the segment's TcpAnalysisFlag
// bits. Capture thread (it changes the flow's state).
uint32_t analyzeTcpSegment(TcpSequenceState& sender, TcpSequenceState& receiver,
                           const DecodedPacket& segment, int64_t initial_rtt_ns);

}  // namespace meshlb::capture
