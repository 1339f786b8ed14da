#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "capture/flow/flow_entry.h"
#include "capture/flow/flow_index.h"
#include "capture/flow/flow_observer.h"
#include "capture/flow/flow_table_options.h"
#include "capture/flow/index_list.h"
#include "capture/flow/report_wheel.h"
#include "capture/flow/zeroed_array.h"
#include "capture/packet/decoded_packet.h"

namespace meshlb::capture {

// The capture module's table of bidirectional TCP and UDP flows, fed one decoded packet at a
// time. Capture thread only: every method, and every observer call, runs on the thread that
// owns the table; nothing is locked.
//
// Memory: a pool of options.max_flows entries, a hash index (FlowIndex) and a report wheel,
// all allocated once, zero-filled by the kernel, at construction; pages of entries never used
// cost nothing. ingest() never allocates, throws or locks.
//
// Lifetime of a flow: it starts with its first packet (the initiator is the sender of a SYN,
// the receiver of a SYN-ACK, else the sender of that packet) and ends, with one final report,
//  - after close_linger_ns without a packet once both FINs were ACKed (reason fin) or a RST
//    was seen (reason reset); a SYN without ACK on such a flow ends it at once and starts a
//    new flow (port reuse);
//  - after idle_timeout_ns without a packet (reason idle);
//  - when the pool is full and a new flow needs its entry (reason evicted; the least recently
//    active flow, after any lingering closed flows, which end with their own reason);
//  - at flushAll() (reason shutdown).
// Time is packet time: ingest() reads packet timestamps and advance() takes "now" from the
// capture loop, never from the wall clock, so offline replays behave as the live capture did.
class FlowTable {
 public:
  // `observer` may be null (no callbacks) and must outlive the table.
  FlowTable(const FlowTableOptions& options, FlowObserver* observer);
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Adds one packet to its flow, starting one when needed. Packets that are neither TCP nor
  // UDP over IPv4/IPv6 are counted in ignored() and otherwise dropped.
  void ingest(const DecodedPacket& packet);

  // The same as ingest() on each packet in order, faster: it hashes packets a few places ahead
  // and prefetches their index slots, then their entries, so the memory latency of many flows
  // overlaps instead of adding up. For capture loops that decode packets in batches.
  void ingestBatch(std::span<const DecodedPacket> packets);

  // Ends flows whose linger or idle timeout passed and sends due periodic reports. The
  // capture loop calls it at least a few times per second of packet time.
  void advance(int64_t now_ns);

  // Ends every flow with reason shutdown.
  void flushAll();

  uint32_t active() const { return active_list_.size() + closed_list_.size(); }
  uint64_t created() const { return created_; }
  uint64_t evicted() const { return ended(FlowEndReason::kEvicted); }
  uint64_t expired() const { return ended(FlowEndReason::kIdle); }  // idle timeouts
  uint64_t ended(FlowEndReason reason) const { return ended_[static_cast<size_t>(reason)]; }
  uint64_t reused() const { return reused_; }    // flows ended by a new SYN (port reuse)
  uint64_t ignored() const { return ignored_; }  // packets not TCP/UDP over IP
  const FlowTableOptions& options() const { return options_; }

  // TcpAnalysisFlag bits of the last ingested packet (0 for UDP): for tests and tools that
  // annotate packets the way Wireshark does.
  uint32_t lastAnalysisFlags() const { return last_analysis_flags_; }

  // Calls f(const FlowRecord&) for every flow not yet ended, least recently active first
  // (lingering closed flows last). For the admin API's snapshots; f must not touch the table.
  template <typename F>
  void forEachActive(F&& f) const {
    for (const IndexList* list : {&active_list_, &closed_list_}) {
      for (uint32_t i = list->front(); i != kNilIndex; i = IndexList::next(links_.data(), i)) {
        f(static_cast<const FlowRecord&>(entries_[i].record));
      }
    }
  }

 private:
  static bool trackable(const DecodedPacket& packet) {
    return (packet.protocol == 6 || packet.protocol == 17) &&
           (packet.source.family == 4 || packet.source.family == 6);
  }
  void ingestKeyed(const DecodedPacket& packet, const PacketKey& packet_key, uint32_t hash);
  void prefetchEntryOf(uint32_t hash) const;
  uint32_t startFlow(const PacketKey& packet_key, uint32_t hash, const DecodedPacket& packet);
  uint32_t takeEntry(int64_t now_ns);
  void endFlow(uint32_t entry, FlowEndReason reason);
  void report(FlowEntry& entry, std::optional<FlowEndReason> end);
  void account(uint32_t entry, const DecodedPacket& packet, bool source_is_low);
  void accountTcp(FlowEntry& entry, uint32_t i, FlowDirection direction,
                  const DecodedPacket& packet);
  IndexList& listOf(const FlowEntry& entry) {
    return entry.list == FlowEntry::List::kActive ? active_list_ : closed_list_;
  }
  static FlowEndReason closedReason(const FlowEntry& entry) {
    return entry.record.state == FlowState::kReset ? FlowEndReason::kReset : FlowEndReason::kFin;
  }

  FlowTableOptions options_;
  FlowObserver* observer_;
  ZeroedArray<FlowEntry> entries_;
  ZeroedArray<ListLinks> links_;  // expiry list links; free entries chain through .next
  FlowIndex index_;
  ReportWheel wheel_;
  IndexList active_list_;           // not closed, least recently active first
  IndexList closed_list_;           // closed or reset, lingering, least recently active first
  uint32_t never_used_ = 0;         // entries [never_used_, max_flows) were never taken
  uint32_t free_head_ = kNilIndex;  // entries given back, chained through links_[i].next
  uint64_t created_ = 0;
  uint64_t reused_ = 0;
  uint64_t ignored_ = 0;
  std::array<uint64_t, 5> ended_{};  // by FlowEndReason
  uint32_t last_analysis_flags_ = 0;
};

}  // namespace meshlb::capture
