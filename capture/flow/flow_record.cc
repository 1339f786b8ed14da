#include "capture/flow/flow_record.h"

namespace meshlb::capture {

void RttStats::add(int64_t rtt_ns) {
  if (min_ns < 0 || rtt_ns < min_ns) {
    min_ns = rtt_ns;
  }
  if (rtt_ns > max_ns) {
    max_ns = rtt_ns;
  }
  last_ns = rtt_ns;
}

}  // namespace meshlb::capture
