#include "capture/flow/flow_table.h"

#include <algorithm>
#include <cstddef>
#include <new>

namespace meshlb::capture {

namespace {

constexpr uint8_t kTcp = 6;
constexpr uint32_t kMaxFlowsLimit = 1u << 30;

FlowTableOptions sanitized(FlowTableOptions options) {
  options.max_flows = std::clamp<uint32_t>(options.max_flows, 1, kMaxFlowsLimit);
  return options;
}

bool isBareSyn(const DecodedPacket& packet) {
  return packet.protocol == kTcp && (packet.tcp_flags & (kSyn | kAck)) == kSyn;
}

// A packet touches only the first FlowEntry::kHotLines cache lines of its entry (the ones
// ingestBatch() prefetches): up to the end of the counters, since every TCP segment adds to its
// sender's resets and a responder's ACK may add to the initiator's RTT sums. (An ACK that
// completes an RTT sample also writes record.data_rtt, past them: rare enough not to prefetch.)
static_assert(offsetof(FlowEntry, record) + offsetof(FlowRecord, counters) + sizeof(FlowCounters) <=
                  FlowEntry::kHotLines * 64,
              "per-packet fields of a flow entry spread over more cache lines");

}  // namespace

FlowTable::FlowTable(const FlowTableOptions& options, FlowObserver* observer)
    : options_(sanitized(options)),
      observer_(observer),
      // The pool and its links fill from the low end: huge pages per filled 2 MiB block (see
      // takeEntry). The index is probed at random: huge pages from the start.
      entries_(options_.max_flows, ZeroedBuffer::HugePages::kFilledBlocks),
      links_(options_.max_flows, ZeroedBuffer::HugePages::kFilledBlocks),
      index_(options_.max_flows),
      wheel_(options_.max_flows, options_.report_interval_ns) {}

void FlowTable::ingest(const DecodedPacket& packet) {
  if (!trackable(packet)) {
    ++ignored_;
    last_analysis_flags_ = 0;
    return;
  }
  const PacketKey packet_key = makePacketKey(packet);
  ingestKeyed(packet, packet_key, hashFlowKey(packet_key.key, options_.hash_seed));
}

void FlowTable::ingestKeyed(const DecodedPacket& packet, const PacketKey& packet_key,
                            uint32_t hash) {
  const uint32_t found =
      index_.find(hash, [&](uint32_t i) { return entries_[i].key() == packet_key.key; });
  if (found == kNilIndex) {
    startFlow(packet_key, hash, packet);
    return;
  }
  if (isBareSyn(packet) && entries_[found].list == FlowEntry::List::kClosed) [[unlikely]] {
    // Port reuse: a new connection on the key of one that closed or was reset.
    ++reused_;
    endFlow(found, closedReason(entries_[found]));
    startFlow(packet_key, hash, packet);
    return;
  }
  account(found, packet, packet_key.source_is_low);
}

void FlowTable::account(uint32_t i, const DecodedPacket& packet, bool source_is_low) {
  FlowEntry& entry = entries_[i];
  const FlowDirection direction = source_is_low == entry.record.initiator_is_low
                                      ? FlowDirection::kInitiator
                                      : FlowDirection::kResponder;
  DirectionCounters& counters = entry.record.counters.of(direction);
  ++counters.packets;
  counters.ip_bytes += packet.ip_length;
  counters.wire_bytes += packet.wire_length;
  counters.payload_bytes += packet.payload_length;
  entry.record.last_seen_ns = std::max(entry.record.last_seen_ns, packet.timestamp_ns);
  if (packet.protocol == kTcp) {
    accountTcp(entry, i, direction, packet);
  } else {
    last_analysis_flags_ = 0;
  }
  listOf(entry).moveToBack(links_.data(), i);
}

void FlowTable::accountTcp(FlowEntry& entry, uint32_t i, FlowDirection direction,
                           const DecodedPacket& packet) {
  FlowRecord& record = entry.record;
  record.tcpFlags(direction) |= packet.tcp_flags;
  const TcpSegmentOutcome outcome = trackTcpSegment(record, entry.tcp, direction, packet);
  last_analysis_flags_ = outcome.analysis_flags;
  if (observer_ != nullptr) {
    if (outcome.handshake_rtt_ns >= 0) [[unlikely]] {
      observer_->onRttSample(record, RttKind::kHandshake, outcome.handshake_rtt_ns);
    }
    if (outcome.data_rtt_ns >= 0) {
      observer_->onRttSample(record, outcome.data_rtt_kind, outcome.data_rtt_ns);
    }
  }
  if (entry.list == FlowEntry::List::kActive &&
      (record.state == FlowState::kClosed || record.state == FlowState::kReset)) [[unlikely]] {
    active_list_.remove(links_.data(), i);
    closed_list_.pushBack(links_.data(), i);
    entry.list = FlowEntry::List::kClosed;
  }
}

uint32_t FlowTable::startFlow(const PacketKey& packet_key, uint32_t hash,
                              const DecodedPacket& packet) {
  const uint32_t i = takeEntry(packet.timestamp_ns);
  FlowEntry& entry = *new (&entries_[i]) FlowEntry{};
  entry.hash = hash;
  // A first SYN-ACK was sent by the responder; anything else by the initiator.
  const bool source_is_initiator =
      !(packet.protocol == kTcp && (packet.tcp_flags & (kSyn | kAck)) == (kSyn | kAck));

  FlowRecord& record = entry.record;
  record.key = packet_key.key;
  record.initiator_is_low = source_is_initiator == packet_key.source_is_low;
  record.id = ++created_;
  record.handshake_seen = packet.protocol == kTcp && (packet.tcp_flags & kSyn) != 0;
  record.first_seen_ns = packet.timestamp_ns;
  record.last_seen_ns = packet.timestamp_ns;

  index_.insert(hash, i);
  entry.list = FlowEntry::List::kActive;
  active_list_.pushBack(links_.data(), i);
  wheel_.schedule(i, packet.timestamp_ns + options_.report_interval_ns);
  // The first packet cannot complete an RTT, so no callback precedes onFlowStart.
  account(i, packet, packet_key.source_is_low);
  if (observer_ != nullptr) {
    record.tag = observer_->onFlowStart(record);
  }
  return i;
}

uint32_t FlowTable::takeEntry(int64_t now_ns) {
  if (free_head_ == kNilIndex) {
    if (never_used_ < options_.max_flows) {
      const uint32_t i = never_used_++;
      // Entry i is written before its next packet: counting it in already only moves a block's
      // huge page one entry earlier.
      entries_.useUpTo(never_used_);
      links_.useUpTo(never_used_);
      wheel_.useUpTo(never_used_);
      return i;
    }
    // Full: a lingering closed flow goes first (it is over anyway), else the least recently
    // active flow (idle if its timeout already passed and advance() has not run yet).
    if (!closed_list_.empty()) {
      const uint32_t oldest = closed_list_.front();
      endFlow(oldest, closedReason(entries_[oldest]));
    } else {
      const uint32_t oldest = active_list_.front();
      const bool idle = now_ns - entries_[oldest].record.last_seen_ns >= options_.idle_timeout_ns;
      endFlow(oldest, idle ? FlowEndReason::kIdle : FlowEndReason::kEvicted);
    }
  }
  const uint32_t i = free_head_;
  free_head_ = links_[i].next;
  return i;
}

void FlowTable::endFlow(uint32_t i, FlowEndReason reason) {
  FlowEntry& entry = entries_[i];
  report(entry, reason);
  listOf(entry).remove(links_.data(), i);
  wheel_.cancel(i);
  index_.erase(entry.hash, i);
  ++ended_[static_cast<size_t>(reason)];
  links_[i].next = free_head_;
  free_head_ = i;
}

void FlowTable::report(FlowEntry& entry, std::optional<FlowEndReason> end) {
  const ReportCounters now = ReportCounters::of(entry.record.counters);
  const ReportCounters delta = now - entry.reported;
  if (!end.has_value() && delta.packets == 0) {
    return;
  }
  entry.reported = now;
  if (observer_ != nullptr) {
    observer_->onFlowReport(entry.record, delta, end);
  }
}

void FlowTable::advance(int64_t now_ns) {
  while (!closed_list_.empty()) {
    const uint32_t oldest = closed_list_.front();
    if (now_ns - entries_[oldest].record.last_seen_ns < options_.close_linger_ns) {
      break;
    }
    endFlow(oldest, closedReason(entries_[oldest]));
  }
  while (!active_list_.empty()) {
    const uint32_t oldest = active_list_.front();
    if (now_ns - entries_[oldest].record.last_seen_ns < options_.idle_timeout_ns) {
      break;
    }
    endFlow(oldest, FlowEndReason::kIdle);
  }
  wheel_.advance(now_ns, [this](uint32_t i, int64_t) { report(entries_[i], std::nullopt); });
}

void FlowTable::flushAll() {
  while (!closed_list_.empty()) {
    endFlow(closed_list_.front(), FlowEndReason::kShutdown);
  }
  while (!active_list_.empty()) {
    endFlow(active_list_.front(), FlowEndReason::kShutdown);
  }
}

}  // namespace meshlb::capture
