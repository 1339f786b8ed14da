#pragma once

#include <cstdint>

#include "capture/flow/flow_types.h"

namespace meshlb::capture {

// What one direction of a flow sent: additive counters, so totals of two moments subtract
// field-wise into what happened in between. Plain value; it belongs to whoever holds it (the
// flow table's records live on the capture thread).
//
// The TCP analysis counters classify each segment the way Wireshark's TCP analysis does
// (packet-tcp.c, tcp_analyze_sequence_number) and are attributed to the sender of the segment.
struct DirectionCounters {
  // Updated by every packet; first, so one cache line of a flow entry holds them.
  uint64_t packets = 0;
  uint64_t ip_bytes = 0;       // sum of DecodedPacket::ip_length (IP header included)
  uint64_t wire_bytes = 0;     // sum of DecodedPacket::wire_length (frame bytes, as tshark's
                               // conversation table counts them)
  uint64_t payload_bytes = 0;  // TCP or UDP payload, retransmitted bytes included
  // Frames Wireshark's display filter `tcp.analysis.retransmission` matches. tshark 4.0 sets
  // that field on fast and spurious retransmissions too, so this is retransmissions of every
  // kind; the two below are the subsets (see tcp_sequence_analysis.h).
  uint32_t retransmits = 0;
  uint32_t fast_retransmits = 0;      // tcp.analysis.fast_retransmission
  uint32_t spurious_retransmits = 0;  // tcp.analysis.spurious_retransmission
  uint32_t out_of_order = 0;          // tcp.analysis.out_of_order
  uint32_t duplicate_acks = 0;        // tcp.analysis.duplicate_ack
  uint32_t zero_windows = 0;          // tcp.analysis.zero_window (window 0, no SYN/FIN/RST)
  uint32_t zero_window_probes = 0;    // tcp.analysis.zero_window_probe
  uint32_t keep_alives = 0;           // tcp.analysis.keep_alive
  uint32_t lost_segments = 0;         // tcp.analysis.lost_segment: a gap before it was not captured
  uint32_t acked_unseen = 0;          // tcp.analysis.ack_lost_segment: ACKs data never captured
  uint32_t window_updates = 0;        // tcp.analysis.window_update
  uint32_t resets = 0;                // segments with RST
  uint32_t rtt_samples = 0;           // data RTT samples completed on this direction's data
  int64_t rtt_sum_ns = 0;             // their sum, so a difference gives an interval's mean

  DirectionCounters& operator+=(const DirectionCounters& other);
  DirectionCounters& operator-=(const DirectionCounters& other);
  bool operator==(const DirectionCounters&) const = default;
};

// Both directions of a flow: a record's running totals (reports carry ReportCounters, below).
// A plain value, owned like DirectionCounters.
struct FlowCounters {
  DirectionCounters initiator;  // sent by the initiator
  DirectionCounters responder;  // sent by the responder

  DirectionCounters& of(FlowDirection direction) {
    return direction == FlowDirection::kInitiator ? initiator : responder;
  }
  const DirectionCounters& of(FlowDirection direction) const {
    return direction == FlowDirection::kInitiator ? initiator : responder;
  }

  // Sums over both directions.
  uint64_t packets() const { return initiator.packets + responder.packets; }
  uint64_t ipBytes() const { return initiator.ip_bytes + responder.ip_bytes; }
  uint64_t wireBytes() const { return initiator.wire_bytes + responder.wire_bytes; }
  // Frames matching `tcp.analysis.retransmission` (fast and spurious ones included).
  uint64_t retransmits() const { return uint64_t{initiator.retransmits} + responder.retransmits; }
  uint64_t resets() const { return uint64_t{initiator.resets} + responder.resets; }
  uint64_t zeroWindows() const { return uint64_t{initiator.zero_windows} + responder.zero_windows; }

  FlowCounters& operator+=(const FlowCounters& other) {
    initiator += other.initiator;
    responder += other.responder;
    return *this;
  }
  FlowCounters& operator-=(const FlowCounters& other) {
    initiator -= other.initiator;
    responder -= other.responder;
    return *this;
  }
  bool operator==(const FlowCounters&) const = default;
};

inline FlowCounters operator-(FlowCounters a, const FlowCounters& b) {
  a -= b;
  return a;
}

// What a flow's reports carry: the sums over both directions that per-endpoint totals add up.
// 32 bytes, so that every flow entry can keep the values at its last report (a whole
// FlowCounters there cost 192 bytes per flow). The 32-bit sums wrap like the 32-bit counters
// they add; a difference between two reports is exact while it stays below 2^32. Plain value.
struct ReportCounters {
  uint64_t packets = 0;
  uint64_t ip_bytes = 0;
  uint32_t retransmits = 0;  // every kind, as FlowCounters::retransmits()
  uint32_t out_of_order = 0;
  uint32_t zero_windows = 0;
  uint32_t resets = 0;

  // FlowCounters' own sums, cut to 32 bits where the field is (modulo 2^32, like the counters).
  static ReportCounters of(const FlowCounters& counters) {
    return ReportCounters{
        counters.packets(),
        counters.ipBytes(),
        static_cast<uint32_t>(counters.retransmits()),
        counters.initiator.out_of_order + counters.responder.out_of_order,
        static_cast<uint32_t>(counters.zeroWindows()),
        static_cast<uint32_t>(counters.resets()),
    };
  }
  ReportCounters& operator+=(const ReportCounters& other) {
    packets += other.packets;
    ip_bytes += other.ip_bytes;
    retransmits += other.retransmits;
    out_of_order += other.out_of_order;
    zero_windows += other.zero_windows;
    resets += other.resets;
    return *this;
  }
  ReportCounters operator-(const ReportCounters& earlier) const {
    return ReportCounters{packets - earlier.packets,           ip_bytes - earlier.ip_bytes,
                          retransmits - earlier.retransmits,   out_of_order - earlier.out_of_order,
                          zero_windows - earlier.zero_windows, resets - earlier.resets};
  }
  bool operator==(const ReportCounters&) const = default;
};

}  // namespace meshlb::capture
