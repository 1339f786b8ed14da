// GlobalSeries: the ring of global values and its windows.

#include "alerting/eval/global_series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::alerting {
namespace {

GlobalValues ratio(double value) {
  GlobalValues values;
  values.capture_drop_ratio = value;
  values.capture_drops_per_s = value * 100;
  return values;
}

TEST(AlertGlobalSeries, WindowsOverTheRing) {
  GlobalSeries series;
  for (int i = 0; i < 10; ++i) {
    series.push(i * 1000, ratio(i == 5 ? NAN : i));
  }
  const FineWindow w = series.window(GlobalMetric::kCaptureDropRatio, 3000, 7000);
  EXPECT_EQ(w.ticks, 5u);
  EXPECT_EQ(w.count, 4u);
  EXPECT_DOUBLE_EQ(w.sum, 3 + 4 + 6 + 7);
  EXPECT_DOUBLE_EQ(w.first, 3);
  EXPECT_DOUBLE_EQ(w.last, 7);
  EXPECT_EQ(w.first_ms, 3000);
  EXPECT_EQ(w.last_ms, 7000);
  EXPECT_EQ(w.first_tick, 3);
  EXPECT_EQ(w.last_tick, 7);
  EXPECT_DOUBLE_EQ(w.min, 3);
  EXPECT_DOUBLE_EQ(w.max, 7);
  EXPECT_DOUBLE_EQ(series.window(GlobalMetric::kCaptureDropsPerS, 9000, 9000).last, 900);
  EXPECT_EQ(series.window(GlobalMetric::kCaptureDropRatio, 20'000, 30'000).ticks, 0u);
}

TEST(AlertGlobalSeries, KeepsTheLastHour) {
  GlobalSeries series;
  for (int i = 0; i < 4000; ++i) {
    series.push(int64_t{i} * 1000, ratio(i));
  }
  EXPECT_EQ(series.size(), GlobalSeries::kSlots);
  const FineWindow w = series.window(GlobalMetric::kCaptureDropRatio, 0, 4'000'000);
  EXPECT_EQ(w.ticks, 3600u);
  EXPECT_DOUBLE_EQ(w.first, 400);
  EXPECT_DOUBLE_EQ(w.last, 3999);
}

TEST(AlertGlobalSeries, TimesNeverGoBack) {
  GlobalSeries series;
  series.push(5000, ratio(1));
  series.push(4000, ratio(2));  // stamped 5000
  EXPECT_EQ(series.window(GlobalMetric::kCaptureDropRatio, 5000, 5000).count, 2u);
}

}  // namespace
}  // namespace meshlb::alerting
