#include "analytics/detect/series_monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analytics/detect/magnitude_gate.h"

namespace meshlb::analytics {

namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
constexpr uint8_t kLevelShiftBit = detectorBit(DetectorKind::kLevelShift);

size_t indexOf(DetectorKind kind) {
  return static_cast<size_t>(kind);
}
size_t indexOf(Direction direction) {
  return static_cast<size_t>(direction);
}

// max() that treats NaN as "nothing yet".
double maxKnown(double a, double b) {
  return std::isnan(a) || b > a ? b : a;
}

// Whether `x` is further out than `peak` in `direction`.
bool moreExtreme(double x, double peak, Direction direction) {
  return direction == Direction::kUp ? x > peak : x < peak;
}

}  // namespace

SeriesMonitor::SeriesMonitor(const Gate& gate, const MonitorParams& params)
    : gate_(gate),
      params_(params),
      thresholds_(thresholdsFor(params.sensitivity)),
      robust_(scaleFloor(gate)),
      ewma_(scaleFloor(gate)),
      warmup_remaining_(params.warmup_ticks) {}

MonitorEvent SeriesMonitor::observe(int64_t tick, double value) {
  const bool valid = std::isfinite(value);
  MonitorEvent event;
  // The ticks after the last valid point that brought nothing: up to this one, or up to the one
  // before when this one is valid.
  if (open_ && tick - last_valid_tick_ - (valid ? 1 : 0) >= kNoDataTicks) {
    event = close(EndReason::kNoData, last_valid_tick_ + 1);
  }
  if (!valid) {
    return event;
  }
  last_valid_tick_ = tick;
  if (warmup_remaining_ > 0) {
    learn(tick, value);
    --warmup_remaining_;
    return event;
  }
  if (open_) {
    return observeOpen(tick, value);
  }
  // After a no_data close this point is judged and learned like any other, but an open it would
  // confirm waits for the next point: one event per call.
  const MonitorEvent normal = observeNormal(tick, value, event.kind == MonitorEvent::Kind::kNone);
  return event.kind == MonitorEvent::Kind::kNone ? normal : event;
}

void SeriesMonitor::judgeScore(PointVerdict& verdict, DetectorKind kind, double z, double threshold,
                               double baseline) const {
  verdict.z[indexOf(kind)] = z;
  const Direction direction = directionOf(verdict.value, baseline);
  if (!(std::fabs(z) >= threshold) || !passesGate(gate_, verdict.value, baseline, direction)) {
    return;
  }
  verdict.hits[indexOf(direction)] |= detectorBit(kind);
  if (std::fabs(z) >= 2 * threshold && passesGate(gate_, verdict.value, baseline, direction, 2)) {
    verdict.strong[indexOf(direction)] = true;
  }
}

PointVerdict SeriesMonitor::judge(int64_t tick, double x) {
  PointVerdict verdict;
  verdict.tick = tick;
  verdict.value = x;
  verdict.z.fill(kUnknown);
  const double spread = noise_.marginal();
  if (enabled(DetectorKind::kRobust) && robust_.ready()) {
    judgeScore(verdict, DetectorKind::kRobust, robust_.score(x, spread), thresholds_.robust_t,
               robust_.median());
  }
  if (enabled(DetectorKind::kEwma) && ewma_.ready()) {
    judgeScore(verdict, DetectorKind::kEwma, ewma_.score(x, spread), thresholds_.ewma_t,
               ewma_.mean());
  }
  if (enabled(DetectorKind::kLevelShift) && level_shift_.ready() && robust_.ready()) {
    const double scale = std::max(robust_.scale(), noise_.longRun());
    level_shift_.accumulate(tick, x, scale);
    const double reference = level_shift_.reference();
    verdict.z[indexOf(DetectorKind::kLevelShift)] = (x - reference) / scale;
    for (Direction direction : {Direction::kUp, Direction::kDown}) {
      if (level_shift_.statistic(direction) >= thresholds_.cusum_h &&
          levelShiftPassesGate(direction, reference)) {
        verdict.hits[indexOf(direction)] |= kLevelShiftBit;
      }
    }
  }
  return verdict;
}

bool SeriesMonitor::levelShiftPassesGate(Direction direction, double reference) const {
  // The shift over the excursion's last half minute must pass the gate. A shift of twice the
  // gate may show in its last 3 points instead (like the fast path), or a big step that came
  // while S was already a little above zero would wait for its points to outnumber the older
  // ones in the half minute.
  constexpr size_t kFastPoints = 3;
  const double half_minute = reference + level_shift_.shiftEstimate(direction);
  const double last_three = reference + level_shift_.shiftEstimate(direction, kFastPoints);
  return passesGate(gate_, half_minute, reference, direction) ||
         passesGate(gate_, last_three, reference, direction, 2);
}

MonitorEvent SeriesMonitor::observeNormal(int64_t tick, double x, bool may_open) {
  const PointVerdict verdict = judge(tick, x);
  const uint8_t hit_bits = verdict.hits[0] | verdict.hits[1];
  for (size_t k = 0; k < kDetectorKinds; ++k) {
    if ((hit_bits & (1u << k)) != 0) {
      ++hits_[k];
    }
  }
  history_.record(verdict);
  if (may_open) {
    const auto confirms = [&](Direction direction) {
      return history_.confirmed(direction) || (verdict.hits[indexOf(direction)] & kLevelShiftBit);
    };
    const bool up = confirms(Direction::kUp);
    const bool down = confirms(Direction::kDown);
    if (up || down) {
      // Both at once needs a wildly swinging series; follow this point's largest score.
      double z_max = 0;
      for (double z : verdict.z) {
        if (std::fabs(z) > std::fabs(z_max)) {
          z_max = z;
        }
      }
      const Direction direction = up && down ? (z_max >= 0 ? Direction::kUp : Direction::kDown)
                                             : (up ? Direction::kUp : Direction::kDown);
      return open(direction, verdict);
    }
  }
  if (hit_bits == 0) {
    learn(tick, x);
  } else {
    learnNoise(tick, x);
  }
  return {};
}

MonitorEvent SeriesMonitor::open(Direction direction, const PointVerdict& verdict) {
  const size_t d = indexOf(direction);
  anomaly_ = MonitorAnomaly{};
  anomaly_.direction = direction;
  anomaly_.start_tick = verdict.tick;
  anomaly_.scores.fill(kUnknown);
  anomaly_.value = verdict.value;
  anomaly_.peak = verdict.value;
  anomaly_.baseline = baseline();
  for (int i = 0; i < history_.size(); ++i) {
    const PointVerdict& point = history_.at(i);
    if (point.hits[d] == 0) {
      continue;
    }
    anomaly_.start_tick = std::min(anomaly_.start_tick, point.tick);
    if (moreExtreme(point.value, anomaly_.peak, direction)) {
      anomaly_.peak = point.value;
    }
    for (size_t k = 0; k < kDetectorKinds; ++k) {
      if ((point.hits[d] & (1u << k)) != 0) {
        anomaly_.detectors |= static_cast<uint8_t>(1u << k);
        anomaly_.scores[k] = maxKnown(anomaly_.scores[k], std::fabs(point.z[k]));
      }
    }
  }
  band_on_reference_ = (verdict.hits[d] & kLevelShiftBit) != 0;
  if (band_on_reference_) {
    // The CUSUM's first "hit" is the first point of its excursion beyond the gate; failing that
    // (a drift that crept up), where the excursion began.
    const double reference = level_shift_.reference();
    int64_t first = level_shift_.firstBeyond(direction, gateWidth(gate_, reference));
    if (first < 0) {
      first = level_shift_.excursionStart(direction);
    }
    if (first >= 0) {
      anomaly_.start_tick = std::min(anomaly_.start_tick, first);
    }
  }
  anomaly_.score = kUnknown;
  for (double score : anomaly_.scores) {
    anomaly_.score = maxKnown(anomaly_.score, score);
  }
  open_ = true;
  opened_tick_ = verdict.tick;
  in_band_run_ = 0;
  return {MonitorEvent::Kind::kOpened};
}

void SeriesMonitor::noteDuringAnomaly(const PointVerdict& verdict) {
  const size_t d = indexOf(anomaly_.direction);
  for (size_t k = 0; k < kDetectorKinds; ++k) {
    if ((verdict.hits[d] & (1u << k)) != 0) {
      anomaly_.detectors |= static_cast<uint8_t>(1u << k);
      anomaly_.scores[k] = maxKnown(anomaly_.scores[k], std::fabs(verdict.z[k]));
      anomaly_.score = maxKnown(anomaly_.score, anomaly_.scores[k]);
    }
  }
  anomaly_.value = verdict.value;
  if (moreExtreme(verdict.value, anomaly_.peak, anomaly_.direction)) {
    anomaly_.peak = verdict.value;
  }
}

bool SeriesMonitor::inBand(double x) const {
  // The EWMA stands in for the robust baseline only while the robust window is short (a warm-up
  // shorter than its 30 points).
  const bool robust = robust_.ready();
  const double scale = robust ? robust_.scale(noise_.marginal()) : ewma_.sd(noise_.marginal());
  double center = robust ? robust_.median() : ewma_.mean();
  if (band_on_reference_) {
    center = level_shift_.reference();
  }
  return std::fabs(x - center) < std::max(2 * scale, 0.5 * gateWidth(gate_, center));
}

MonitorEvent SeriesMonitor::observeOpen(int64_t tick, double x) {
  if (tick - opened_tick_ >= kMaxOpenTicks) {
    const MonitorEvent event = close(EndReason::kRebaselined, tick);
    forgetBaselines();
    // This point is the first of the new warm-up.
    learn(tick, x);
    if (warmup_remaining_ > 0) {
      --warmup_remaining_;
    }
    return event;
  }
  noteDuringAnomaly(judge(tick, x));
  if (!inBand(x)) {
    in_band_run_ = 0;
    return {};
  }
  if (in_band_run_++ == 0) {
    in_band_start_ = tick;
  }
  if (in_band_run_ >= kInBandToClose) {
    return close(EndReason::kRecovered, in_band_start_);
  }
  return {};
}

MonitorEvent SeriesMonitor::close(EndReason reason, int64_t end_tick) {
  anomaly_.end_tick = end_tick;
  open_ = false;
  in_band_run_ = 0;
  // The next anomaly needs evidence of its own, not hits from before this one.
  history_.clear();
  level_shift_.resetStatistics();
  return {MonitorEvent::Kind::kClosed, reason};
}

void SeriesMonitor::learnNoise(int64_t tick, double x) {
  if (robust_.ready()) {
    noise_.learn(tick, x, robust_.median(), robust_.scale());
  }
}

void SeriesMonitor::learn(int64_t tick, double x) {
  learnNoise(tick, x);
  robust_.learn(x);
  ewma_.learn(x);
  level_shift_.learn(x);
}

void SeriesMonitor::forgetBaselines() {
  robust_.clear();
  ewma_.clear();
  level_shift_.clear();
  noise_.clear();
  history_.clear();
  warmup_remaining_ = params_.warmup_ticks;
}

void SeriesMonitor::reset() {
  forgetBaselines();
  open_ = false;
  band_on_reference_ = false;
  anomaly_ = MonitorAnomaly{};
  opened_tick_ = 0;
  last_valid_tick_ = 0;
  in_band_run_ = 0;
  in_band_start_ = 0;
  hits_.fill(0);
}

Baseline SeriesMonitor::baseline() const {
  const double spread = noise_.marginal();
  return {robust_.median(), robust_.scale(spread), ewma_.mean(), ewma_.sd(spread),
          level_shift_.reference()};
}

}  // namespace meshlb::analytics
