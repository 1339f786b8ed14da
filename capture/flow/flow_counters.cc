#include "capture/flow/flow_counters.h"

namespace meshlb::capture {

namespace {

// Applies `op` to every field of a and b; one list of fields for += and -=.
template <typename Op>
void forEachField(DirectionCounters& a, const DirectionCounters& b, Op op) {
  op(a.packets, b.packets);
  op(a.ip_bytes, b.ip_bytes);
  op(a.wire_bytes, b.wire_bytes);
  op(a.payload_bytes, b.payload_bytes);
  op(a.retransmits, b.retransmits);
  op(a.fast_retransmits, b.fast_retransmits);
  op(a.spurious_retransmits, b.spurious_retransmits);
  op(a.out_of_order, b.out_of_order);
  op(a.duplicate_acks, b.duplicate_acks);
  op(a.zero_windows, b.zero_windows);
  op(a.zero_window_probes, b.zero_window_probes);
  op(a.keep_alives, b.keep_alives);
  op(a.lost_segments, b.lost_segments);
  op(a.acked_unseen, b.acked_unseen);
  op(a.window_updates, b.window_updates);
  op(a.resets, b.resets);
  op(a.rtt_samples, b.rtt_samples);
  op(a.rtt_sum_ns, b.rtt_sum_ns);
}

// Every field must be in forEachField(); a new one changes the size and fails here. 96 bytes
// also keeps each direction's per-packet counters in one cache line of a flow entry.
static_assert(sizeof(DirectionCounters) == 96, "update forEachField() for new counters");

}  // namespace

DirectionCounters& DirectionCounters::operator+=(const DirectionCounters& other) {
  forEachField(*this, other, [](auto& x, auto y) { x += y; });
  return *this;
}

DirectionCounters& DirectionCounters::operator-=(const DirectionCounters& other) {
  forEachField(*this, other, [](auto& x, auto y) { x -= y; });
  return *this;
}

}  // namespace meshlb::capture
