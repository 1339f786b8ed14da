#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace meshlb::analytics {

// The adaptive detector of DESIGN §5.2: an exponentially weighted mean and variance (Finch's
// incremental update, alpha 0.05, a memory of about 20 points) and the score
// z = (x - mean) / max(sd, floor, min_scale) against the state before x; `min_scale` is the
// monitor's slow spread (NoiseScale::marginal()), because a 20-point variance often dips far
// below the real spread of an autocorrelated or heavy-tailed series. While it has seen fewer than
// 1/alpha points it weighs them equally (alpha_eff = max(alpha, 1/n)), so the start is a plain mean
// and variance rather than a mean dragged from zero. Once ready (30 points), a learned point is
// clipped to mean +- 4 sd first, so a point that was accepted (say, a drop on an up-only metric)
// cannot blow up the variance for minutes. Owned by the analytics thread, inside a SeriesMonitor.
class EwmaDetector {
 public:
  static constexpr double kAlpha = 0.05;
  static constexpr uint32_t kMinPoints = 30;
  static constexpr double kClipSd = 4.0;

  // `scale_floor` is the gate's abs_min / 10 (see scaleFloor()).
  explicit EwmaDetector(double scale_floor);

  bool ready() const { return count_ >= kMinPoints; }
  // NaN until ready().
  double mean() const;
  double sd() const;
  double sd(double min_scale) const { return std::max(sd(), min_scale); }
  double score(double x, double min_scale) const { return (x - mean()) / sd(min_scale); }

  void learn(double x);
  void clear();

 private:
  double scale_floor_;
  double mean_ = 0;
  double variance_ = 0;
  uint32_t count_ = 0;  // learned points (stops at UINT32_MAX)
};

}  // namespace meshlb::analytics
