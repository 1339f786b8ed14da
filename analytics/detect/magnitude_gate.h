#pragma once

#include "analytics/detect/detection_types.h"
#include "analytics/detect/detector_params.h"

namespace meshlb::analytics {

// The gate's width around `baseline`: max(abs_min, rel_min * |baseline|).
double gateWidth(const Gate& gate, double baseline);

// Whether `x` is far enough from `baseline`, in `direction`, to count as a hit (DESIGN §5.4):
// `times` gate widths or more (2 for the fast paths). False for a direction the gate does not
// allow, for a baseline under min_baseline, and for NaN.
bool passesGate(const Gate& gate, double x, double baseline, Direction direction, double times = 1);

// The floor under every scale (robust s, EWMA sd): abs_min / 10, so a series with no variation
// scores finite z. Never zero, so a gate without abs_min (an evaluation's "raw" run) still works.
double scaleFloor(const Gate& gate);

// The direction of x relative to the baseline (ties count as up; they never pass a gate).
inline Direction directionOf(double x, double baseline) {
  return x >= baseline ? Direction::kUp : Direction::kDown;
}

}  // namespace meshlb::analytics
