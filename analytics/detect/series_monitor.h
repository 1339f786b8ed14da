#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "analytics/detect/detection_types.h"
#include "analytics/detect/detector_params.h"
#include "analytics/detect/ewma_detector.h"
#include "analytics/detect/hit_history.h"
#include "analytics/detect/level_shift_detector.h"
#include "analytics/detect/noise_scale.h"
#include "analytics/detect/robust_detector.h"

namespace meshlb::analytics {

struct MonitorParams {
  Sensitivity sensitivity = Sensitivity::kMedium;
  uint32_t warmup_ticks = 60;  // valid points learned before anything may open
  // The detectors whose hits count (detectorBit()s). All of them in production; an evaluation
  // runs one alone. Every baseline is learned either way (the band and the CUSUM need them).
  uint8_t detectors = kAllDetectors;
};

// The baselines a point is judged against. NaN where a detector is not ready yet.
struct Baseline {
  double median;     // robust: median of the last 120 accepted points
  double scale;      // robust: max(1.4826 * MAD, abs_min / 10, slow spread), as z uses it
  double ewma_mean;  // adaptive mean
  double ewma_std;   // adaptive sd, floored like scale
  double reference;  // level shift: median of the last 30 one-minute means
};

// The open (or just closed) anomaly.
struct MonitorAnomaly {
  Direction direction = Direction::kUp;
  int64_t start_tick = -1;                      // the first hit of the run that opened it
  int64_t end_tick = -1;                        // -1 while open
  uint8_t detectors = 0;                        // detectorBit() per detector that hit during it
  std::array<double, kDetectorKinds> scores{};  // max |z| per detector (NaN = never hit)
  double score = 0;                             // max of scores
  double value = 0;                             // the last valid value
  double peak = 0;                              // the most extreme value in the anomaly's direction
  Baseline baseline{};                          // frozen at open
};

struct MonitorEvent {
  enum class Kind : uint8_t { kNone, kOpened, kClosed } kind = Kind::kNone;
  EndReason reason = EndReason::kRecovered;  // for kClosed
};

// One detected series' state machine (DESIGN §5.6), fed one value per tick.
//  - Warm-up: the first `warmup_ticks` valid points (after construction, reset() or a
//    re-baseline) are learned and nothing opens.
//  - NORMAL: every point is scored by the enabled detectors against the baselines as they were
//    before it. An anomaly opens on 3 hits in the last 4 valid points in one direction, on 2
//    consecutive strong hits (z >= 2T and >= 2x the gate), or when the CUSUM reaches h with the
//    gate passing on its shift estimate (the median of the excursion's last 30 points, or 2x the
//    gate on its last 3). A point that hits is quarantined: no baseline learns it, so a starting
//    anomaly cannot pull its own baseline along (only the slow NoiseScale sees it: the noise the
//    detectors must tolerate includes its outliers). Every scale is floored by that slow spread.
//    The anomaly starts at the first hit of the run; the CUSUM's first "hit" is the first point
//    of its excursion beyond the gate (LevelShiftDetector::firstBeyond()).
//  - OPEN: baselines are frozen; points are still scored against them for the record. It closes
//    after 5 consecutive points within the band |x - b| < max(2 * scale, gate / 2), ending at the
//    first of them ("recovered"). b is the robust median, or the CUSUM's reference when the
//    CUSUM opened it (a drift or slow shift is measured against the level before it, which the
//    2-minute median has already followed). After 600 ticks it closes ("rebaselined") and the
//    monitor starts over, so a lasting change becomes the new normal; after 60 ticks without a
//    valid point it closes ("no_data").
// No allocation after construction. Owned by the analytics thread; not thread-safe.
class SeriesMonitor {
 public:
  static constexpr uint32_t kInBandToClose = 5;
  static constexpr int64_t kMaxOpenTicks = 600;
  static constexpr int64_t kNoDataTicks = 60;

  SeriesMonitor(const Gate& gate, const MonitorParams& params);

  // One tick. `tick` grows by >= 1 per call; NaN (or inf) = no valid point this tick: it neither
  // scores nor learns, it only counts towards no_data. Returns at most one event per call.
  MonitorEvent observe(int64_t tick, double value);

  bool isOpen() const { return open_; }
  // Valid while open, and after a kClosed event until the next open.
  const MonitorAnomaly& anomaly() const { return anomaly_; }
  // Valid points still needed before anything may open; 0 when armed.
  uint32_t warmupRemaining() const { return warmup_remaining_; }
  // Forgets everything, hit counts included (a host removed and re-added).
  void reset();
  // The current baselines (frozen while open).
  Baseline baseline() const;
  // How often each detector hit while the monitor was armed and NORMAL (open anomalies are not
  // counted again on every tick they last).
  uint64_t hits(DetectorKind kind) const { return hits_[static_cast<size_t>(kind)]; }
  // Bytes one monitor holds: itself plus its two windows' arrays (sorted + ring, as floats), all
  // allocated at construction. About 2.4 KB.
  static constexpr size_t memoryBytes() {
    return sizeof(SeriesMonitor) +
           2 * sizeof(float) * (RobustDetector::kWindow + LevelShiftDetector::kReferenceMinutes);
  }

 private:
  PointVerdict judge(int64_t tick, double x);
  void judgeScore(PointVerdict& verdict, DetectorKind kind, double z, double threshold,
                  double baseline) const;
  bool levelShiftPassesGate(Direction direction, double reference) const;
  MonitorEvent observeNormal(int64_t tick, double x, bool may_open);
  MonitorEvent observeOpen(int64_t tick, double x);
  MonitorEvent open(Direction direction, const PointVerdict& verdict);
  MonitorEvent close(EndReason reason, int64_t end_tick);
  void noteDuringAnomaly(const PointVerdict& verdict);
  bool inBand(double x) const;
  // Every baseline learns x (an accepted point) / only the noise scale does (a quarantined one).
  void learn(int64_t tick, double x);
  void learnNoise(int64_t tick, double x);
  void forgetBaselines();
  bool enabled(DetectorKind kind) const { return (params_.detectors & detectorBit(kind)) != 0; }

  Gate gate_;
  MonitorParams params_;
  DetectorThresholds thresholds_;
  RobustDetector robust_;
  EwmaDetector ewma_;
  LevelShiftDetector level_shift_;
  NoiseScale noise_;
  HitHistory history_;
  uint32_t warmup_remaining_;
  bool open_ = false;
  bool band_on_reference_ = false;  // the CUSUM opened it: in band is judged around r
  MonitorAnomaly anomaly_;
  int64_t opened_tick_ = 0;
  int64_t last_valid_tick_ = 0;
  uint32_t in_band_run_ = 0;  // consecutive in-band points while open
  int64_t in_band_start_ = 0;
  std::array<uint64_t, kDetectorKinds> hits_{};
};

}  // namespace meshlb::analytics
