#include "alerting/eval/capture_drops.h"

namespace meshlb::alerting {

GlobalValues CaptureDropTracker::update(const capture::FlowSummary* flows, int64_t now_ms) {
  if (flows == nullptr || !flows->health.enabled) {
    previous_.reset();
    return {};
  }
  Totals now{0, 0, now_ms};
  for (const capture::InterfaceCounters& counters : flows->health.interfaces) {
    now.received += counters.received;
    now.drops += counters.kernel_drops + counters.interface_drops;
  }
  const std::optional<Totals> before = previous_;
  previous_ = now;
  if (!before.has_value() || now.received < before->received || now.drops < before->drops) {
    return {};
  }
  GlobalValues values;
  const uint64_t drops = now.drops - before->drops;
  const uint64_t seen = (now.received - before->received) + drops;
  values.capture_drop_ratio =
      seen == 0 ? 0.0 : static_cast<double>(drops) / static_cast<double>(seen);
  if (now.unix_ms > before->unix_ms) {
    values.capture_drops_per_s =
        static_cast<double>(drops) / (static_cast<double>(now.unix_ms - before->unix_ms) / 1000.0);
  }
  return values;
}

}  // namespace meshlb::alerting
