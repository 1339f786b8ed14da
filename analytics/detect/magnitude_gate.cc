#include "analytics/detect/magnitude_gate.h"

#include <algorithm>
#include <cmath>

namespace meshlb::analytics {

double gateWidth(const Gate& gate, double baseline) {
  return std::max(gate.abs_min, gate.rel_min * std::fabs(baseline));
}

bool passesGate(const Gate& gate, double x, double baseline, Direction direction, double times) {
  if (gate.min_baseline > 0 && !(baseline >= gate.min_baseline)) {
    return false;
  }
  const double width = times * gateWidth(gate, baseline);
  if (direction == Direction::kUp) {
    return gate.up && x - baseline >= width;
  }
  return gate.down && baseline - x >= width;
}

double scaleFloor(const Gate& gate) {
  return std::max(gate.abs_min / 10, 1e-12);
}

}  // namespace meshlb::analytics
