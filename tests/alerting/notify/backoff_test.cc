#include "alerting/notify/backoff.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

UnitRandom fixed(double value) {
  return [value] { return value; };
}

TEST(AlertBackoff, DoublesFromInitialUpToMax) {
  Backoff backoff(1'000, 30'000, fixed(0.5));  // factor 1.0
  EXPECT_EQ(backoff.delayMs(0), 1'000u);
  EXPECT_EQ(backoff.delayMs(1), 2'000u);
  EXPECT_EQ(backoff.delayMs(4), 16'000u);
  EXPECT_EQ(backoff.delayMs(5), 30'000u);
  EXPECT_EQ(backoff.delayMs(1'000'000), 30'000u);  // no overflow
}

TEST(AlertBackoff, JitterStaysWithinTwentyPercent) {
  EXPECT_EQ(Backoff(1'000, 30'000, fixed(0.0)).delayMs(0), 800u);
  EXPECT_EQ(Backoff(1'000, 30'000, fixed(0.999999)).delayMs(0), 1'200u);
  EXPECT_EQ(Backoff(1'000, 30'000, fixed(0.0)).delayMs(10), 24'000u);
  EXPECT_EQ(Backoff(1'000, 30'000, fixed(0.999999)).delayMs(10), 36'000u);
  EXPECT_EQ(Backoff(1'000, 30'000, fixed(7.0)).delayMs(0), 1'200u);  // a bad source is clamped
}

TEST(AlertBackoff, DefaultRandomIsWithinBounds) {
  Backoff backoff(100, 1'000);
  for (int i = 0; i < 1'000; ++i) {
    uint32_t delay = backoff.delayMs(2);
    ASSERT_GE(delay, 320u);
    ASSERT_LE(delay, 480u);
  }
}

TEST(AlertBackoff, MaxBelowInitialMeansInitial) {
  EXPECT_EQ(Backoff(500, 100, fixed(0.5)).delayMs(3), 500u);
}

}  // namespace
}  // namespace meshlb::alerting
