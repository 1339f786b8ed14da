#pragma once

#include <cstdint>

namespace meshlb::analytics {

// The slow spread of a series around its local level, which floors the detectors' scales.
//
// Why: the 120-point MAD and the 20-point EWMA variance are noisy estimates of the spread. On a
// heavy-tailed (Student-t) or autocorrelated (AR(1)) series they often dip well below the true
// spread, and false alarms gather in those dips: without this floor the robust and EWMA
// detectors each raised 1-1.4 false alarms per series-day on Student-t(3) and AR(1) noise, and
// the monitor 2-5 (detector_eval_test prints the rates with it).
//
// It keeps 30-minute exponentially weighted means (each of the first 1,800 points weighs 1/n) of
// the squared deviation from the robust median as it was before the point, clipped to +-8 robust
// scales so one wild point moves it little, and of the product of consecutive deviations:
//  - marginal(): the RMS deviation, the floor of the robust and EWMA scales;
//  - longRun(): the RMS times sqrt((1 + rho) / (1 - rho)), rho the lag-1 autocorrelation clamped to
//    [0, 0.9]: the spread of an AR(1) series' running sum, which is what a CUSUM adds up.
// Both are 0 (no floor) before 30 points. Owned by the analytics thread, inside a SeriesMonitor.
class NoiseScale {
 public:
  static constexpr double kMinWeight = 1.0 / 1800;
  static constexpr double kClipScales = 8;
  static constexpr uint64_t kMinPoints = 30;
  static constexpr double kMaxRho = 0.9;

  // A valid point at `tick`, with the robust median and scale from before it.
  void learn(int64_t tick, double x, double center, double scale);
  void clear();

  double marginal() const;
  double longRun() const;

 private:
  double square_ = 0;       // weighted mean of d^2
  double lag_product_ = 0;  // weighted mean of d_t * d_{t-1}, over ticks that follow each other
  double previous_ = 0;
  int64_t previous_tick_ = -2;
  uint64_t count_ = 0;
  uint64_t pairs_ = 0;
};

}  // namespace meshlb::analytics
