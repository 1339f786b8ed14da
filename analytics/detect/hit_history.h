#pragma once

#include <array>
#include <cstdint>

#include "analytics/detect/detection_types.h"

namespace meshlb::analytics {

// What the detectors said about one valid point.
struct PointVerdict {
  int64_t tick = 0;
  double value = 0;
  std::array<double, kDetectorKinds> z{};  // signed score per detector (NaN = not scored)
  std::array<uint8_t, 2> hits{};           // per Direction: detectorBit()s that hit
  std::array<bool, 2> strong{};  // per Direction: some detector hit with z >= 2T and 2x gate
};

// The last 4 valid points' verdicts, to confirm an anomaly (DESIGN §5.6): 3 hits in the last 4
// valid points, or 2 consecutive strong hits (the fast path), in one direction. Requiring one
// direction keeps a noisy series that hits up, then down, from confirming anything.
// Owned by the analytics thread, inside a SeriesMonitor.
class HitHistory {
 public:
  static constexpr int kSpan = 4;
  static constexpr int kNeeded = 3;

  void record(const PointVerdict& verdict);
  void clear() { count_ = 0; }

  bool confirmed(Direction direction) const;
  // The verdicts of the current window, oldest first (at most kSpan), for the anomaly record.
  int size() const { return count_; }
  const PointVerdict& at(int i) const { return points_[(next_ + kSpan - count_ + i) % kSpan]; }

 private:
  std::array<PointVerdict, kSpan> points_{};
  int next_ = 0;   // slot the next record() writes
  int count_ = 0;  // valid entries, up to kSpan
};

}  // namespace meshlb::analytics
