#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "analytics/detect/series_monitor.h"

// Synthetic series for the detector tests, reproducible on every standard library: only
// std::mt19937_64 (whose output the standard fixes) is used; uniforms, Gaussians (Box-Muller),
// Student-t and Poisson are derived here, never by std::*_distribution.
namespace meshlb::analytics::synthetic {

// A uniform double in [0, 1) from the top 53 bits.
inline double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Standard normal variates by Box-Muller, both of each pair used.
class Gaussian {
 public:
  explicit Gaussian(uint64_t seed) : rng_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform(rng_);  // (0, 1]: log() stays finite
    const double u2 = uniform(rng_);
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2 * M_PI * u2);
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// The baseline of every synthetic case: N(100, 5^2), with a gate of abs_min 10 (2 sigma).
inline constexpr double kMean = 100;
inline constexpr double kSigma = 5;
inline constexpr int64_t kDay = 86'400;

inline Gate testGate() {
  return Gate{10, 0, true, true};
}
// The evaluation's "raw" runs: no magnitude requirement, only the statistics. The scale floor
// comes from abs_min, so keep one tiny enough to never matter.
inline Gate rawGate() {
  return Gate{1e-9, 0, true, true};
}

enum class Noise { kGaussian, kStudentT3, kAr1, kPoisson, kFlat };
inline constexpr Noise kAllNoises[] = {Noise::kGaussian, Noise::kStudentT3, Noise::kAr1,
                                       Noise::kPoisson, Noise::kFlat};
inline const char* noiseName(Noise noise) {
  switch (noise) {
    case Noise::kGaussian:
      return "Gaussian";
    case Noise::kStudentT3:
      return "Student-t(3)";
    case Noise::kAr1:
      return "AR(1) phi=0.8";
    case Noise::kPoisson:
      return "Poisson lambda=2";
    case Noise::kFlat:
      return "flat 100+-0.001";
  }
  return "?";
}

// Noise only, one value per call:
//  Gaussian      100 + 5 N(0,1)
//  Student-t(3)  100 + 5 t3 (heavy tails: sd 8.7, but the bulk looks like sigma 5)
//  AR(1)         100 + 5 a, a_t = 0.8 a_{t-1} + 0.6 N(0,1): marginal sd 5, strongly correlated
//  Poisson       counts with mean 2 (a sparse rate)
//  flat          100 +- 0.001 uniform (a series with almost no variation)
class NoiseSource {
 public:
  NoiseSource(Noise noise, uint64_t seed) : noise_(noise), gaussian_(seed) {
    ar_ = gaussian_.next();
  }
  double next() {
    switch (noise_) {
      case Noise::kGaussian:
        return kMean + kSigma * gaussian_.next();
      case Noise::kStudentT3: {
        double chi2 = 0;
        for (int i = 0; i < 3; ++i) {
          const double g = gaussian_.next();
          chi2 += g * g;
        }
        return kMean + kSigma * gaussian_.next() / std::sqrt(chi2 / 3);
      }
      case Noise::kAr1:
        ar_ = 0.8 * ar_ + 0.6 * gaussian_.next();
        return kMean + kSigma * ar_;
      case Noise::kPoisson: {
        // Knuth: count uniforms until their product drops below e^-lambda.
        const double limit = std::exp(-2.0);
        double product = uniform(gaussian_.rng());
        int k = 0;
        while (product > limit) {
          product *= uniform(gaussian_.rng());
          ++k;
        }
        return k;
      }
      case Noise::kFlat:
        return kMean + 0.002 * (uniform(gaussian_.rng()) - 0.5);
    }
    return NAN;
  }

 private:
  Noise noise_;
  Gaussian gaussian_;
  double ar_ = 0;
};

// Everything a run reported, in order.
struct Opened {
  int64_t tick;
  MonitorAnomaly anomaly;
};
struct Closed {
  int64_t tick;
  EndReason reason;
  MonitorAnomaly anomaly;
};
struct RunLog {
  std::vector<Opened> opened;
  std::vector<Closed> closed;
  // The first open at or after `tick`, or -1.
  int64_t firstOpenFrom(int64_t tick) const {
    for (const Opened& o : opened) {
      if (o.tick >= tick) {
        return o.tick;
      }
    }
    return -1;
  }
};

// Feeds ticks [0, ticks) with value(tick) and logs the events.
template <typename ValueAt>
RunLog run(SeriesMonitor& monitor, int64_t ticks, ValueAt value_at) {
  RunLog log;
  for (int64_t t = 0; t < ticks; ++t) {
    const MonitorEvent event = monitor.observe(t, value_at(t));
    if (event.kind == MonitorEvent::Kind::kOpened) {
      log.opened.push_back({t, monitor.anomaly()});
    } else if (event.kind == MonitorEvent::Kind::kClosed) {
      log.closed.push_back({t, event.reason, monitor.anomaly()});
    }
  }
  return log;
}

inline MonitorParams onlyDetector(DetectorKind kind) {
  MonitorParams params;
  params.detectors = detectorBit(kind);
  return params;
}

// What one seed of a scenario did: the first anomaly opened at or after `from`, and its close.
struct Outcome {
  int64_t open = -1;  // -1: none
  int64_t start = -1;
  int64_t close = -1;  // -1: still open at the end
  int64_t end = -1;
  EndReason reason = EndReason::kRecovered;
  MonitorAnomaly anomaly{};  // as it opened
  int opens_before = 0;      // opens before `from`: false alarms on the baseline
  int opens_total = 0;
  bool opened() const { return open >= 0; }
};

// Baseline N(100, 5^2) from `seed` plus shape(tick), for `ticks` ticks.
template <typename Shape>
Outcome runScenario(const Gate& gate, const MonitorParams& params, uint64_t seed, int64_t ticks,
                    int64_t from, Shape shape) {
  SeriesMonitor monitor(gate, params);
  Gaussian noise(seed);
  const RunLog log =
      run(monitor, ticks, [&](int64_t t) { return kMean + kSigma * noise.next() + shape(t); });
  Outcome outcome;
  outcome.opens_total = static_cast<int>(log.opened.size());
  for (const Opened& opened : log.opened) {
    if (opened.tick < from) {
      ++outcome.opens_before;
    } else if (outcome.open < 0) {
      outcome.open = opened.tick;
      outcome.start = opened.anomaly.start_tick;
      outcome.anomaly = opened.anomaly;
    }
  }
  for (const Closed& closed : log.closed) {
    if (outcome.open >= 0 && closed.tick > outcome.open) {
      outcome.close = closed.tick;
      outcome.end = closed.anomaly.end_tick;
      outcome.reason = closed.reason;
      break;
    }
  }
  return outcome;
}

// The same scenario over seeds first_seed, first_seed + 1, ...
template <typename Shape>
std::vector<Outcome> runSeeds(const MonitorParams& params, int seeds, int64_t ticks, int64_t from,
                              Shape shape, uint64_t first_seed = 500) {
  std::vector<Outcome> outcomes;
  for (int i = 0; i < seeds; ++i) {
    outcomes.push_back(runScenario(testGate(), params, first_seed + i, ticks, from, shape));
  }
  return outcomes;
}

// The median of the values (the upper one of an even count); -1 when empty.
inline int64_t medianOf(std::vector<int64_t> values) {
  if (values.empty()) {
    return -1;
  }
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

// The configurations every scenario runs: each detector alone, then the monitor with all three.
struct NamedParams {
  const char* name;
  MonitorParams params;
};
inline std::vector<NamedParams> detectorConfigs() {
  return {{"robust", onlyDetector(DetectorKind::kRobust)},
          {"ewma", onlyDetector(DetectorKind::kEwma)},
          {"level_shift", onlyDetector(DetectorKind::kLevelShift)},
          {"monitor (all three)", MonitorParams{}}};
}

// Opens over `days` series-days of `noise` (seeds first_seed...), for the false-alarm rates.
inline int countNoiseOpens(Noise noise, const Gate& gate, const MonitorParams& params, int days,
                           uint64_t first_seed = 1000) {
  int opens = 0;
  for (int day = 0; day < days; ++day) {
    SeriesMonitor monitor(gate, params);
    NoiseSource source(noise, first_seed + day);
    for (int64_t t = 0; t < kDay; ++t) {
      opens += monitor.observe(t, source.next()).kind == MonitorEvent::Kind::kOpened ? 1 : 0;
    }
  }
  return opens;
}

// The cases of DESIGN §11.1 (the step lasts 300 ticks and then ends).
inline constexpr int64_t kChange = 1800;  // 30 minutes: the CUSUM's reference is full
inline constexpr int64_t kStepEnd = 2100;
inline constexpr int64_t kScenarioTicks = 2400;
inline auto stepOf(double sigmas) {
  return [sigmas](int64_t t) { return t >= kChange && t < kStepEnd ? sigmas * kSigma : 0.0; };
}
inline auto spikeOf(int ticks) {
  return [ticks](int64_t t) { return t >= kChange && t < kChange + ticks ? 20 * kSigma : 0.0; };
}
// +0.02 sigma per tick from kChange on.
inline double drift(int64_t t) {
  return t >= kChange ? 0.02 * kSigma * (t - kChange) : 0.0;
}

}  // namespace meshlb::analytics::synthetic
