// CaptureDropTracker: drop ratio and rate from libpcap's cumulative counters.

#include "alerting/eval/capture_drops.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::alerting {
namespace {

capture::FlowSummary summary(uint64_t received, uint64_t kernel_drops, uint64_t if_drops) {
  capture::FlowSummary flows;
  flows.health.enabled = true;
  flows.health.interfaces.push_back({"eth0", received / 2, kernel_drops, 0});
  flows.health.interfaces.push_back({"lo", received - received / 2, 0, if_drops});
  return flows;
}

GlobalValues update(CaptureDropTracker& tracker, const capture::FlowSummary& flows,
                    int64_t now_ms) {
  return tracker.update(&flows, now_ms);
}

TEST(AlertCaptureDrops, RatioAndRateOverAllInterfaces) {
  CaptureDropTracker tracker;
  const GlobalValues first = update(tracker, summary(1000, 5, 5), 10'000);
  EXPECT_TRUE(std::isnan(first.capture_drop_ratio));
  EXPECT_TRUE(std::isnan(first.capture_drops_per_s));
  const GlobalValues second = update(tracker, summary(1990, 10, 15), 12'000);
  EXPECT_DOUBLE_EQ(second.capture_drop_ratio, 15.0 / (990.0 + 15.0));
  EXPECT_DOUBLE_EQ(second.capture_drops_per_s, 7.5);
  const GlobalValues idle = update(tracker, summary(1990, 10, 15), 13'000);
  EXPECT_DOUBLE_EQ(idle.capture_drop_ratio, 0.0);
  EXPECT_DOUBLE_EQ(idle.capture_drops_per_s, 0.0);
}

TEST(AlertCaptureDrops, NaNWhenOffOrReset) {
  CaptureDropTracker tracker;
  update(tracker, summary(1000, 0, 0), 1'000);
  const GlobalValues reset = update(tracker, summary(10, 0, 0), 2'000);  // capture restarted
  EXPECT_TRUE(std::isnan(reset.capture_drop_ratio));
  EXPECT_DOUBLE_EQ(update(tracker, summary(20, 0, 10), 3'000).capture_drop_ratio, 0.5);

  capture::FlowSummary off = summary(30, 0, 10);
  off.health.enabled = false;
  EXPECT_TRUE(std::isnan(tracker.update(&off, 4'000).capture_drop_ratio));
  EXPECT_TRUE(std::isnan(tracker.update(nullptr, 5'000).capture_drops_per_s));
  // After capture was off, the next value is a new first one.
  EXPECT_TRUE(std::isnan(update(tracker, summary(40, 0, 10), 6'000).capture_drop_ratio));
  EXPECT_DOUBLE_EQ(update(tracker, summary(50, 0, 10), 7'000).capture_drop_ratio, 0.0);
}

}  // namespace
}  // namespace meshlb::alerting
