#pragma once

#include <cstdint>
#include <string_view>

namespace meshlb::capture {

// Small enums shared by the flow table, its records and its observer. Plain values; any thread.

// Which end of a flow sent a packet. The initiator is the sender of the first SYN (without ACK)
// when the handshake was captured, else the receiver of a first SYN-ACK, else the sender of the
// first packet. Used as an array index (0, 1).
enum class FlowDirection : uint8_t { kInitiator = 0, kResponder = 1 };

inline constexpr FlowDirection opposite(FlowDirection direction) {
  return direction == FlowDirection::kInitiator ? FlowDirection::kResponder
                                                : FlowDirection::kInitiator;
}
inline constexpr int index(FlowDirection direction) {
  return static_cast<int>(direction);
}

// A TCP connection's state as seen from the capture point. kNone: not TCP (UDP flows have no
// state machine).
enum class FlowState : uint8_t {
  kNone,
  kSynSent,      // a SYN, no SYN-ACK yet
  kSynReceived,  // a SYN-ACK, not yet ACKed
  kEstablished,  // handshake completed, or the flow was first seen mid-connection
  kClosing,      // a FIN was seen in at least one direction (fin_wait / closing)
  kClosed,       // both FINs seen and ACKed; lingers for close_linger_ns, then ends
  kReset,        // a RST was seen; lingers for close_linger_ns, then ends
};

// Why a flow's final report was sent.
enum class FlowEndReason : uint8_t {
  kFin,       // closed by FINs (after the linger)
  kReset,     // closed by a RST (after the linger)
  kIdle,      // no packet for idle_timeout_ns
  kEvicted,   // the pool was full and this was the least recently used active flow
  kShutdown,  // flushAll()
};

// What an RTT sample measured.
enum class RttKind : uint8_t {
  kHandshake,      // first SYN to the ACK of the SYN-ACK (Wireshark's tcp.analysis.initial_rtt)
  kInitiatorData,  // the initiator's data segment to the responder's ACK covering it
  kResponderData,  // the responder's data segment to the initiator's ACK covering it
};

// Lower-case names for logs and the admin API ("syn_sent", "evicted", "handshake", ...).
std::string_view toString(FlowState state);
std::string_view toString(FlowEndReason reason);
std::string_view toString(RttKind kind);

}  // namespace meshlb::capture
