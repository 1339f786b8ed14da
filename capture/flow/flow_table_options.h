#pragma once

#include <cstdint>

namespace meshlb::capture {

// How a FlowTable is sized and when flows end and report. Durations are in packet time (ns).
// A plain value, read once at construction.
struct FlowTableOptions {
  uint32_t max_flows = 65536;                  // pool size; at most 2^30
  int64_t idle_timeout_ns = 120'000'000'000;   // a flow with no packet for this long ends (idle)
  int64_t report_interval_ns = 1'000'000'000;  // periodic report period; <= 0: final reports only
  int64_t close_linger_ns = 2'000'000'000;     // closed (FINs ACKed) or reset flows end after no
                                               // packet for this long, so late retransmissions of
                                               // the FIN still count in the same flow
  uint64_t hash_seed = 0;  // mixed into the flow hash; a random seed defeats crafted collisions
};

}  // namespace meshlb::capture
