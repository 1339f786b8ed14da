#include "analytics/detect/series_monitor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace meshlb::analytics {
namespace {

using Kind = MonitorEvent::Kind;

const Gate kGate{10, 0, true, true};
const Gate kUpOnly{10, 0, true, false};

// A deterministic quiet series around 100: median 100.5, robust scale 1.4826 * 2.5 = 3.7,
// always inside the band. A robust hit needs about 117, a strong one about 134.
constexpr double kQuiet[] = {0, 3, -2, 5, -4, 1, -5, 2};

// Feeds one tick at a time and remembers the tick.
class Feeder {
 public:
  explicit Feeder(SeriesMonitor& monitor) : monitor_(monitor) {}
  MonitorEvent feed(double value) { return monitor_.observe(tick_++, value); }
  // `n` quiet ticks; fails the test on any event.
  void quiet(int n) {
    for (int i = 0; i < n; ++i) {
      const MonitorEvent event = feed(100 + kQuiet[tick_ % 8]);
      ASSERT_EQ(event.kind, Kind::kNone) << "at tick " << tick_ - 1;
    }
  }
  // Feeds `value` until an event or `limit` ticks; returns the event (kNone if none).
  MonitorEvent feedUntilEvent(double value, int limit) {
    for (int i = 0; i < limit; ++i) {
      const MonitorEvent event = feed(value);
      if (event.kind != Kind::kNone) {
        return event;
      }
    }
    return {};
  }
  int64_t tick() const { return tick_; }        // the next tick to feed
  int64_t last() const { return tick_ - 1; }    // the tick just fed
  void skip(int64_t ticks) { tick_ += ticks; }  // ticks that never reach the monitor

 private:
  SeriesMonitor& monitor_;
  int64_t tick_ = 0;
};

TEST(SeriesMonitorTest, WarmUpCountsValidPointsAndNeverOpens) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  EXPECT_EQ(monitor.warmupRemaining(), 60u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(feeder.feed(NAN).kind, Kind::kNone);
  }
  EXPECT_EQ(monitor.warmupRemaining(), 60u);  // NaN is not a point
  for (int i = 0; i < 59; ++i) {
    // Wild values: nothing may open while the baselines learn.
    EXPECT_EQ(feeder.feed(i % 10 == 9 ? 1000 : 100 + kQuiet[i % 8]).kind, Kind::kNone);
  }
  EXPECT_EQ(monitor.warmupRemaining(), 1u);
  EXPECT_FALSE(monitor.isOpen());
  feeder.feed(100);
  EXPECT_EQ(monitor.warmupRemaining(), 0u);
}

TEST(SeriesMonitorTest, TwoStrongHitsOpenAtTheSecondWithTheFirstAsStart) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  const Baseline before = monitor.baseline();
  EXPECT_EQ(feeder.feed(200).kind, Kind::kNone);
  const int64_t first = feeder.last();
  EXPECT_EQ(feeder.feed(210).kind, Kind::kOpened);
  ASSERT_TRUE(monitor.isOpen());
  const MonitorAnomaly& anomaly = monitor.anomaly();
  EXPECT_EQ(anomaly.direction, Direction::kUp);
  EXPECT_EQ(anomaly.start_tick, first);
  EXPECT_EQ(anomaly.end_tick, -1);
  EXPECT_EQ(anomaly.detectors,
            detectorBit(DetectorKind::kRobust) | detectorBit(DetectorKind::kEwma));
  EXPECT_GE(anomaly.scores[0], 9);
  EXPECT_GE(anomaly.scores[1], 8);
  EXPECT_TRUE(std::isnan(anomaly.scores[2]));  // the CUSUM had no reference yet
  EXPECT_EQ(anomaly.score, std::max(anomaly.scores[0], anomaly.scores[1]));
  EXPECT_EQ(anomaly.value, 210);
  EXPECT_EQ(anomaly.peak, 210);
  // Frozen at open, and the two hits were never learned.
  EXPECT_EQ(anomaly.baseline.median, before.median);
  EXPECT_EQ(anomaly.baseline.ewma_mean, before.ewma_mean);
  EXPECT_EQ(anomaly.baseline.median, 100.5);
  EXPECT_TRUE(std::isnan(anomaly.baseline.reference));
}

TEST(SeriesMonitorTest, ThreeHitsInFourOpenAndStartAtTheFirstHit) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  EXPECT_EQ(feeder.feed(122).kind, Kind::kNone);  // z about 5.8: a hit, not strong
  const int64_t first = feeder.last();
  EXPECT_EQ(feeder.feed(101).kind, Kind::kNone);
  EXPECT_EQ(feeder.feed(121).kind, Kind::kNone);
  EXPECT_EQ(feeder.feed(123).kind, Kind::kOpened);
  EXPECT_EQ(monitor.anomaly().start_tick, first);
  EXPECT_EQ(monitor.anomaly().peak, 123);
  EXPECT_EQ(monitor.anomaly().value, 123);
}

TEST(SeriesMonitorTest, AHitThatDoesNotConfirmIsQuarantined) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  const Baseline before = monitor.baseline();
  EXPECT_EQ(feeder.feed(1000).kind, Kind::kNone);
  const Baseline after = monitor.baseline();
  EXPECT_EQ(after.median, before.median);
  EXPECT_EQ(after.ewma_mean, before.ewma_mean);
  // Only the slow spread saw it (clipped to 8 scales; early on each point still weighs 1/n).
  EXPECT_GE(after.scale, before.scale);
  EXPECT_LT(after.scale, before.scale * 1.25);
  EXPECT_EQ(monitor.hits(DetectorKind::kRobust), 1u);
  EXPECT_EQ(monitor.hits(DetectorKind::kEwma), 1u);
  feeder.quiet(100);  // and it confirms nothing later
}

TEST(SeriesMonitorTest, ClosesAfterFiveInBandPointsEndingAtTheFirst) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  ASSERT_EQ(feeder.feed(200).kind, Kind::kOpened);
  const Baseline frozen = monitor.baseline();
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(feeder.feed(200 + i).kind, Kind::kNone);
  }
  EXPECT_EQ(monitor.baseline().median, frozen.median);
  EXPECT_EQ(monitor.baseline().ewma_mean, frozen.ewma_mean);
  EXPECT_EQ(monitor.anomaly().peak, 249);
  const int64_t back = feeder.tick();
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(feeder.feed(101).kind, Kind::kNone);
  }
  const MonitorEvent closed = feeder.feed(99);
  ASSERT_EQ(closed.kind, Kind::kClosed);
  EXPECT_EQ(closed.reason, EndReason::kRecovered);
  EXPECT_FALSE(monitor.isOpen());
  EXPECT_EQ(monitor.anomaly().end_tick, back);
  EXPECT_EQ(monitor.anomaly().value, 99);
  EXPECT_EQ(monitor.anomaly().peak, 249);
  feeder.quiet(200);  // and it stays closed on normal data
}

TEST(SeriesMonitorTest, AnOutOfBandPointRestartsTheRecoveryCount) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  ASSERT_EQ(feeder.feed(200).kind, Kind::kOpened);
  // Four in band, one out, for a while: hysteresis keeps it open, no flapping.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 4; ++i) {
      ASSERT_EQ(feeder.feed(100).kind, Kind::kNone);
    }
    ASSERT_EQ(feeder.feed(112).kind, Kind::kNone);  // 11.5 from the median: out of band
  }
  EXPECT_TRUE(monitor.isOpen());
  const int64_t back = feeder.tick();
  EXPECT_EQ(feeder.feedUntilEvent(100, 10).kind, Kind::kClosed);
  EXPECT_EQ(monitor.anomaly().end_tick, back);
}

TEST(SeriesMonitorTest, SixHundredTicksOpenRebaselines) {
  MonitorParams params;
  params.warmup_ticks = 20;
  SeriesMonitor monitor(kGate, params);
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(300);
  ASSERT_EQ(feeder.feed(300).kind, Kind::kOpened);
  const int64_t opened = feeder.last();
  for (int64_t t = opened + 1; t < opened + 600; ++t) {
    ASSERT_EQ(feeder.feed(300 + kQuiet[t % 8]).kind, Kind::kNone);
  }
  const MonitorEvent event = feeder.feed(300);
  ASSERT_EQ(event.kind, Kind::kClosed);
  EXPECT_EQ(event.reason, EndReason::kRebaselined);
  EXPECT_EQ(monitor.anomaly().end_tick, opened + 600);
  // Everything starts over, with this point as the first of the new warm-up.
  EXPECT_EQ(monitor.warmupRemaining(), 19u);
  EXPECT_TRUE(std::isnan(monitor.baseline().median));
  // The new level is the new normal.
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(feeder.feed(300 + kQuiet[i % 8]).kind, Kind::kNone);
  }
  EXPECT_NEAR(monitor.baseline().median, 300.5, 1e-9);
}

TEST(SeriesMonitorTest, SixtyTicksWithoutDataCloseWithNoData) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  ASSERT_EQ(feeder.feed(200).kind, Kind::kOpened);
  const int64_t last_valid = feeder.last();
  for (int i = 0; i < 59; ++i) {
    ASSERT_EQ(feeder.feed(NAN).kind, Kind::kNone);
  }
  const MonitorEvent event = feeder.feed(NAN);  // the 60th tick without a valid point
  ASSERT_EQ(event.kind, Kind::kClosed);
  EXPECT_EQ(event.reason, EndReason::kNoData);
  EXPECT_EQ(monitor.anomaly().end_tick, last_valid + 1);
  EXPECT_FALSE(monitor.isOpen());
}

TEST(SeriesMonitorTest, SkippedTicksCountAsTicksWithoutData) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  ASSERT_EQ(feeder.feed(200).kind, Kind::kOpened);
  const int64_t last_valid = feeder.last();
  feeder.skip(59);  // 59 ticks without data, then a valid one: still open
  EXPECT_EQ(feeder.feed(200).kind, Kind::kNone);
  EXPECT_TRUE(monitor.isOpen());
  feeder.skip(60);  // 60 without data: closes, and the valid point that follows is judged
  const MonitorEvent event = feeder.feed(101);
  ASSERT_EQ(event.kind, Kind::kClosed);
  EXPECT_EQ(event.reason, EndReason::kNoData);
  EXPECT_EQ(monitor.anomaly().end_tick, last_valid + 61);
  EXPECT_FALSE(monitor.isOpen());
}

TEST(SeriesMonitorTest, DirectionsTheGateDoesNotAllowNeverOpen) {
  SeriesMonitor up_only(kUpOnly, MonitorParams{});
  Feeder feeder(up_only);
  feeder.quiet(200);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(feeder.feed(20).kind, Kind::kNone);
  }

  SeriesMonitor both(kGate, MonitorParams{});
  Feeder both_feeder(both);
  both_feeder.quiet(200);
  both_feeder.feed(20);
  ASSERT_EQ(both_feeder.feed(10).kind, Kind::kOpened);
  EXPECT_EQ(both.anomaly().direction, Direction::kDown);
  EXPECT_EQ(both.anomaly().peak, 10);  // the lowest, for a drop
}

TEST(SeriesMonitorTest, ASparseBaselineUnderTheMinimumIsNotJudged) {
  // rps needs a baseline of 1/s. A host at about 0.5 rps with a 5-tick burst to 50 is not judged;
  // the same series without the minimum opens.
  for (double min_baseline : {1.0, 0.0}) {
    SeriesMonitor monitor(Gate{5, 0.5, true, true, min_baseline}, MonitorParams{});
    int64_t tick = 0;
    for (int i = 0; i < 300; ++i) {
      ASSERT_EQ(monitor.observe(tick++, 0.5 + kQuiet[i % 8] / 50).kind, Kind::kNone);
    }
    bool opened = false;
    for (int i = 0; i < 5; ++i) {
      opened |= monitor.observe(tick++, 50).kind == Kind::kOpened;
    }
    EXPECT_EQ(opened, min_baseline == 0) << "min_baseline " << min_baseline;
  }
}

TEST(SeriesMonitorTest, HigherSensitivityOpensOnSmallerDeviations) {
  MonitorParams medium;
  medium.detectors = detectorBit(DetectorKind::kRobust);
  MonitorParams high = medium;
  high.sensitivity = Sensitivity::kHigh;
  // 115 is 14.5 above the median, z = 3.9: a hit at T 3.5, not at 4.5.
  for (const MonitorParams& params : {medium, high}) {
    SeriesMonitor monitor(kGate, params);
    Feeder feeder(monitor);
    feeder.quiet(200);
    const MonitorEvent event = feeder.feedUntilEvent(115, 3);
    EXPECT_EQ(event.kind == Kind::kOpened, params.sensitivity == Sensitivity::kHigh);
  }
}

TEST(SeriesMonitorTest, TheCusumOpensOnASustainedShiftAndClosesAroundItsReference) {
  SeriesMonitor monitor(
      kGate, MonitorParams{Sensitivity::kMedium, 60, detectorBit(DetectorKind::kLevelShift)});
  Feeder feeder(monitor);
  feeder.quiet(600);  // 60 warm-up + 9 minutes learned: the reference is ready
  ASSERT_FALSE(std::isnan(monitor.baseline().reference));
  const int64_t shift = feeder.tick();
  // +15: z = 15 / 3.7 clipped to 3, S grows 2.5 a tick and reaches 10 on the 4th point.
  MonitorEvent event;
  for (int i = 0; i < 4 && event.kind == Kind::kNone; ++i) {
    event = feeder.feed(115 + kQuiet[feeder.tick() % 8] / 5);
  }
  ASSERT_EQ(event.kind, Kind::kOpened);
  EXPECT_EQ(feeder.last(), shift + 3);
  EXPECT_EQ(monitor.anomaly().start_tick, shift);
  EXPECT_EQ(monitor.anomaly().detectors, detectorBit(DetectorKind::kLevelShift));
  EXPECT_NEAR(monitor.anomaly().baseline.reference, 100.125, 0.5);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(feeder.feed(115).kind, Kind::kNone);
  }
  const int64_t back = feeder.tick();
  EXPECT_EQ(feeder.feedUntilEvent(100, 10).kind, Kind::kClosed);
  EXPECT_EQ(monitor.anomaly().end_tick, back);
}

TEST(SeriesMonitorTest, ResetForgetsEverything) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  ASSERT_EQ(feeder.feed(200).kind, Kind::kOpened);
  monitor.reset();
  EXPECT_FALSE(monitor.isOpen());
  EXPECT_EQ(monitor.warmupRemaining(), 60u);
  EXPECT_EQ(monitor.hits(DetectorKind::kRobust), 0u);
  EXPECT_TRUE(std::isnan(monitor.baseline().median));
  EXPECT_TRUE(std::isnan(monitor.baseline().ewma_mean));
  // Starts over like a new monitor: the old level is not remembered.
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(feeder.feed(500 + kQuiet[i % 8]).kind, Kind::kNone);
  }
}

TEST(SeriesMonitorTest, HitsCountWhileArmedNotForEveryTickOfAnOpenAnomaly) {
  SeriesMonitor monitor(kGate, MonitorParams{});
  Feeder feeder(monitor);
  feeder.quiet(200);
  feeder.feed(200);
  feeder.feed(200);
  ASSERT_TRUE(monitor.isOpen());
  for (int i = 0; i < 100; ++i) {
    feeder.feed(200);
  }
  EXPECT_EQ(monitor.hits(DetectorKind::kRobust), 2u);
  EXPECT_EQ(monitor.hits(DetectorKind::kEwma), 2u);
  EXPECT_EQ(monitor.hits(DetectorKind::kLevelShift), 0u);
}

TEST(SeriesMonitorTest, MemoryIsFixedAndSmall) {
  EXPECT_GT(SeriesMonitor::memoryBytes(), sizeof(SeriesMonitor));
  EXPECT_LT(SeriesMonitor::memoryBytes(), 3000u);  // 8 detected series per host: < 24 KB
}

}  // namespace
}  // namespace meshlb::analytics
