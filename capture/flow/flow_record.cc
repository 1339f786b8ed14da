#include "capture/flow/flow_record.h"

namespace meshlb::capture {

void RttStats::add(int64_t rtt_ns) {
  if (count == 0 || rtt_ns < min_ns) {
    min_ns = rtt_ns;
  }
  if (count == 0 || rtt_ns > max_ns) {
    max_ns = rtt_ns;
  }
  last_ns = rtt_ns;
  sum_ns += rtt_ns;
  ++count;
}

}  // namespace meshlb::capture
