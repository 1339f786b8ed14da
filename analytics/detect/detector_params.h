#pragma once

#include <cstdint>

namespace meshlb::analytics {

// How eager the detectors are (`analytics.sensitivity`). One preset for every series: the gates
// differ per metric, the statistics do not.
enum class Sensitivity : uint8_t { kLow, kMedium, kHigh };

// The thresholds a sensitivity stands for (DESIGN §5.4). A robust or EWMA "hit" needs |z| >= its
// threshold; the level-shift detector hits when its CUSUM reaches `cusum_h`.
struct DetectorThresholds {
  double robust_t;
  double ewma_t;
  double cusum_h;
};

constexpr DetectorThresholds thresholdsFor(Sensitivity sensitivity) {
  switch (sensitivity) {
    case Sensitivity::kLow:
      return {6.0, 5.0, 14.0};
    case Sensitivity::kHigh:
      return {3.5, 3.0, 6.0};
    case Sensitivity::kMedium:
      break;
  }
  return {4.5, 4.0, 10.0};
}

// The magnitude a change must have to matter, per metric (DESIGN §5.4): a hit needs
// |x - baseline| >= max(abs_min, rel_min * |baseline|) in an allowed direction, and, when
// min_baseline > 0, baseline >= min_baseline (rps: a host with under 1 request/s is too sparse to
// judge). abs_min / 10 also floors every scale, so a flat series never divides by zero.
struct Gate {
  double abs_min;
  double rel_min;
  bool up;
  bool down;
  double min_baseline = 0;
};

}  // namespace meshlb::analytics
