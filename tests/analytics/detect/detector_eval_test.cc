// The detectors' evaluation for the README: prints two Markdown tables (a row per detector, then
// the monitor that runs all three) and asserts the properties the design promises. Same cases as
// synthetic_scenarios_test (20 seeds) and noise_false_alarm_test (3 series-days per noise type).
#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analytics/detect/series_monitor.h"
#include "tests/analytics/detect/synthetic_series.h"

namespace meshlb::analytics {
namespace {

using namespace synthetic;

constexpr int kSeeds = 20;
constexpr int kNoiseDays = 3;

// "median (min-max)" of the delays of the seeds that opened during the change, and how many did.
struct DelayStats {
  int detected = 0;
  int64_t median = -1;
  int64_t min = -1;
  int64_t max = -1;
};

DelayStats delayStats(const std::vector<Outcome>& outcomes, int64_t until) {
  std::vector<int64_t> delays;
  for (const Outcome& o : outcomes) {
    if (o.opened() && o.open < until) {
      delays.push_back(o.open - kChange);
    }
  }
  DelayStats stats;
  stats.detected = static_cast<int>(delays.size());
  if (!delays.empty()) {
    stats.median = medianOf(delays);
    stats.min = *std::min_element(delays.begin(), delays.end());
    stats.max = *std::max_element(delays.begin(), delays.end());
  }
  return stats;
}

std::string formatDelay(const DelayStats& stats) {
  if (stats.detected == 0) {
    return "never (0/" + std::to_string(kSeeds) + ")";
  }
  std::string text = std::to_string(stats.median);
  text.append(" (").append(std::to_string(stats.min)).append("-");
  text.append(std::to_string(stats.max)).append(")");
  if (stats.detected < kSeeds) {
    text.append(", ").append(std::to_string(stats.detected)).append("/");
    text.append(std::to_string(kSeeds));
  }
  return text;
}

int countOpened(const std::vector<Outcome>& outcomes) {
  int opened = 0;
  for (const Outcome& o : outcomes) {
    opened += o.opens_total;
  }
  return opened;
}

std::string perDay(int opens) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", static_cast<double>(opens) / kNoiseDays);
  return text;
}

TEST(DetectorEvalTest, PrintsTheTableAndHoldsTheDesignsPromises) {
  std::ostringstream detection;
  detection << "Detection (baseline N(100, 5^2), gate 10 = 2 sigma, medium; delay in ticks after "
               "the change: median (min-max) over "
            << kSeeds << " seeds, and how many saw it if not all)\n\n"
            << "| detector | step +10σ | step +5σ | step +3σ | 1-tick spike +20σ: opens | "
               "3-tick spike +20σ: opens | drift +0.02σ/tick |\n"
            << "|---|---|---|---|---|---|---|\n";
  std::ostringstream noise;
  noise << "False alarms per series-day, raw (no gate) / gated (" << kNoiseDays
        << " days x 86,400 ticks per noise type)\n\n| detector |";
  for (Noise n : kAllNoises) {
    noise << " " << noiseName(n) << " |";
  }
  noise << "\n|---|---|---|---|---|---|\n";

  for (const NamedParams& config : detectorConfigs()) {
    const auto run = [&](auto shape) {
      return runSeeds(config.params, kSeeds, kScenarioTicks, kChange, shape);
    };
    const DelayStats ten = delayStats(run(stepOf(10)), kStepEnd);
    const DelayStats five = delayStats(run(stepOf(5)), kStepEnd);
    const DelayStats three = delayStats(run(stepOf(3)), kStepEnd);
    const int spike1 = countOpened(run(spikeOf(1)));
    const int spike3 = countOpened(run(spikeOf(3)));
    const DelayStats drifted = delayStats(run(drift), kChange + 600);
    detection << "| " << config.name << " | " << formatDelay(ten) << " | " << formatDelay(five)
              << " | " << formatDelay(three) << " | " << spike1 << "/" << kSeeds << " | " << spike3
              << "/" << kSeeds << " | " << formatDelay(drifted) << " |\n";

    // Every detector sees a 10-sigma step within 3 ticks, every time.
    EXPECT_EQ(ten.detected, kSeeds) << config.name;
    EXPECT_LE(ten.max, 3) << config.name;
    // A single spike is never an anomaly.
    EXPECT_EQ(spike1, 0) << config.name;

    noise << "| " << config.name << " |";
    for (Noise n : kAllNoises) {
      const int raw = countNoiseOpens(n, rawGate(), config.params, kNoiseDays);
      const int gated = countNoiseOpens(n, testGate(), config.params, kNoiseDays);
      noise << " " << perDay(raw) << " / " << perDay(gated) << " |";
      EXPECT_LE(gated, kNoiseDays) << config.name << ", " << noiseName(n);
    }
    noise << "\n";
  }
  std::cout << "\n" << detection.str() << "\n" << noise.str() << std::endl;
}

}  // namespace
}  // namespace meshlb::analytics
