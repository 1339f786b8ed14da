#pragma once

#include <algorithm>
#include <cstddef>

#include "analytics/detect/sorted_window.h"

namespace meshlb::analytics {

// The robust detector of DESIGN §5.1: the median m and the scale s = max(1.4826 * MAD, floor) of
// the last 120 accepted points, and the score z = (x - m) / max(s, min_scale). It scores against
// the window as it was before x (the caller learns x afterwards, unless x is quarantined), and
// only once it holds 30 points, so a median of a handful of points never raises an alarm. m and s
// are recomputed once per learned point, so scoring is O(1). `min_scale` is the monitor's slow
// spread (NoiseScale::marginal()), which keeps a dip of the 120-point MAD from inflating z.
// Owned by the analytics thread, inside a SeriesMonitor.
class RobustDetector {
 public:
  static constexpr size_t kWindow = 120;
  static constexpr size_t kMinPoints = 30;
  static constexpr double kMadToSigma = 1.4826;  // MAD of a Gaussian is 0.6745 sigma

  // `scale_floor` is the gate's abs_min / 10 (see scaleFloor()).
  explicit RobustDetector(double scale_floor);

  bool ready() const { return window_.size() >= kMinPoints; }
  // NaN until ready().
  double median() const { return median_; }
  double scale() const { return scale_; }
  double scale(double min_scale) const { return std::max(scale_, min_scale); }
  double score(double x, double min_scale) const { return (x - median_) / scale(min_scale); }

  void learn(double x);
  void clear();

 private:
  SortedWindow window_;
  double scale_floor_;
  double median_;
  double scale_;
};

}  // namespace meshlb::analytics
