#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "analytics/detect/detection_types.h"
#include "analytics/detect/sorted_window.h"

namespace meshlb::analytics {

// The level-shift detector of DESIGN §5.3: a two-sided CUSUM of z = clip((x - r) / s, +-3) with
// slack k = 0.5, against a slow reference r = the median of the last 30 one-minute means of the
// learned points. A "minute" is 60 learned points (one per tick); it scores once it has 5.
// The caller passes s: the robust scale, or the series' long-run spread when larger (see
// NoiseScale: on autocorrelated noise the CUSUM's sum wanders sqrt((1+rho)/(1-rho)) times
// further than independent points would, and AR(1) noise with rho 0.8 reached h hundreds of
// times a day without it). The clip bounds what one
// outlier adds (2.5), so reaching h takes several bad points, and a heavy tail cannot pile up
// single outliers (at +-4, Student-t(3) noise reached h = 10 three times a day). The slow
// reference is what lets it see drifts that the 2-minute median and the 20-second EWMA follow.
//
// shiftEstimate() sizes the shift for the magnitude gate (see SeriesMonitor): the median
// deviation from r over the last points of the current excursion. A single point's deviation
// (the design's gate) opened on noise whenever a shift smaller than the gate had pushed S past h,
// and then flapped for as long as the reference lagged; half a minute's median does not.
// Owned by the analytics thread, inside a SeriesMonitor.
class LevelShiftDetector {
 public:
  static constexpr size_t kMinuteTicks = 60;
  static constexpr size_t kReferenceMinutes = 30;
  static constexpr size_t kMinMinutes = 5;
  static constexpr double kSlack = 0.5;
  static constexpr double kClipZ = 3.0;
  static constexpr size_t kShiftWindow = 30;

  LevelShiftDetector();

  bool ready() const { return minutes_.size() >= kMinMinutes; }
  // NaN until ready().
  double reference() const;

  // Advances both CUSUMs by the point x at `tick` (needs ready() and scale > 0).
  void accumulate(int64_t tick, double x, double scale);
  // S+ (kUp) or S- (kDown).
  double statistic(Direction direction) const { return side(direction).sum; }
  // The first tick of the current excursion of that statistic above zero: the usual CUSUM
  // estimate of when the shift began. -1 while the statistic is zero.
  int64_t excursionStart(Direction direction) const { return side(direction).start; }
  // The median of x - r over the last min(excursion length, points) points, points <= 30 (NaN
  // with none).
  double shiftEstimate(Direction direction, size_t points = kShiftWindow) const;
  // Where the shift became visible: walking back from the newest of those points, the earliest
  // one `width` or more beyond r in `direction` before two in a row that are not (or -1). A
  // better start for the anomaly than excursionStart(), which noise often moves ticks earlier.
  int64_t firstBeyond(Direction direction, double width) const;
  // Zeroes both statistics (after an anomaly closes, so the next needs fresh evidence).
  void resetStatistics();

  // Adds an accepted point to the minute accumulator; every 60th closes a minute.
  void learn(double x);
  void clear();

 private:
  struct Side {
    double sum = 0;
    int64_t start = -1;
    uint32_t length = 0;  // points in the current excursion
  };
  // One side's step: S = max(0, S + increment), tracking the excursion it belongs to.
  static void advance(Side& side, double increment, int64_t tick);
  const Side& side(Direction direction) const { return direction == Direction::kUp ? up_ : down_; }
  // How many of the last accumulated points belong to the current excursion (at most 30).
  size_t recentInExcursion(Direction direction) const;

  SortedWindow minutes_;  // one-minute means
  double minute_sum_ = 0;
  uint32_t minute_count_ = 0;
  Side up_;
  Side down_;
  std::array<double, kShiftWindow> deviations_{};  // x - r of the last accumulated points
  std::array<int64_t, kShiftWindow> ticks_{};      // and their ticks
  uint64_t accumulated_ = 0;                       // next slot is accumulated_ % kShiftWindow
};

}  // namespace meshlb::analytics
