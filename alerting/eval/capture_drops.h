#pragma once

#include <cstdint>
#include <optional>

#include "alerting/eval/global_values.h"
#include "capture/summary/flow_summary.h"

namespace meshlb::alerting {

// Turns the capture's cumulative libpcap counters into the global series of the
// capture-drop rules: drop ratio = Δ(kernel + interface drops) / Δ(received + drops) over all
// interfaces, and drops per second. Owned by whoever runs the rule evaluation (analytics
// thread).
class CaptureDropTracker {
 public:
  // This tick's values. Both NaN on the first call, when capture is off or `flows` is null,
  // and when a counter went backwards (a restarted capture; the next call measures from here).
  // A tick in which no packet arrived has ratio 0.
  GlobalValues update(const capture::FlowSummary* flows, int64_t now_ms);

 private:
  struct Totals {
    uint64_t received = 0;
    uint64_t drops = 0;
    int64_t unix_ms = 0;
  };
  std::optional<Totals> previous_;
};

}  // namespace meshlb::alerting
