#pragma once

#include <cstddef>
#include <cstdint>

#include "capture/flow/flow_counters.h"
#include "capture/flow/flow_record.h"
#include "capture/flow/tcp_flow_tracker.h"

namespace meshlb::capture {

// One slot of the flow table's pool: the hash the index finds it by, the TCP analysis state, the
// public record (which holds the key) and the counters at its last report. Laid out so that a
// packet touches only the first kHotLines cache lines: hash, the TCP state of both directions,
// the record's key, its per-packet fields and its sender's counters (FlowRecord puts those
// first). 512 bytes: it is what every tracked flow, idle or not, costs. All-zero bytes are the
// "free" state; a slot is placement-new'd when a flow starts. Internal to FlowTable (capture
// thread).
struct alignas(64) FlowEntry {
  enum class List : uint8_t { kActive, kClosed };

  uint32_t hash = 0;
  List list = List::kActive;  // which expiry list holds the entry
  TcpFlowState tcp;
  FlowRecord record;
  ReportCounters reported;  // ReportCounters::of(record.counters) at the last report

  const FlowKey& key() const { return record.key; }

  // Cache lines a packet may touch, from the start of the entry (for prefetching).
  static constexpr size_t kHotLines = 7;
};

static_assert(sizeof(FlowEntry) <= 512, "a flow entry's size is what an idle flow costs");

}  // namespace meshlb::capture
