// windowValue: each aggregation, the half-window rule, rates.

#include "alerting/eval/series_window.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshlb::alerting {
namespace {

FineWindow window(size_t count, size_t ticks) {
  FineWindow w;
  w.count = count;
  w.ticks = ticks;
  w.sum = 10;
  w.min = 1;
  w.max = 4;
  w.first = 2;
  w.last = 8;
  w.first_ms = 1'000;
  w.last_ms = 4'000;
  return w;
}

TEST(AlertSeriesWindow, Aggregations) {
  const FineWindow w = window(4, 4);
  EXPECT_DOUBLE_EQ(windowValue(w, Aggregation::kAvg), 2.5);
  EXPECT_DOUBLE_EQ(windowValue(w, Aggregation::kMin), 1);
  EXPECT_DOUBLE_EQ(windowValue(w, Aggregation::kMax), 4);
  EXPECT_DOUBLE_EQ(windowValue(w, Aggregation::kLast), 8);
  EXPECT_DOUBLE_EQ(windowValue(w, Aggregation::kRate), 2);  // (8 - 2) / 3 s
}

TEST(AlertSeriesWindow, AtLeastHalfTheTicksMustHoldAValue) {
  EXPECT_DOUBLE_EQ(windowValue(window(30, 60), Aggregation::kMax), 4);
  EXPECT_TRUE(std::isnan(windowValue(window(29, 60), Aggregation::kMax)));
  EXPECT_TRUE(std::isnan(windowValue(window(0, 0), Aggregation::kAvg)));
  EXPECT_DOUBLE_EQ(windowValue(window(1, 1), Aggregation::kAvg), 10);
}

TEST(AlertSeriesWindow, RateNeedsTwoValuesApart) {
  EXPECT_TRUE(std::isnan(windowValue(window(1, 1), Aggregation::kRate)));
  FineWindow same = window(2, 2);
  same.last_ms = same.first_ms;
  EXPECT_TRUE(std::isnan(windowValue(same, Aggregation::kRate)));
}

TEST(AlertSeriesWindow, TheRangeHoldsWindowTicks) {
  EXPECT_EQ(windowFromMs(100'000, 60), 40'001);
  EXPECT_EQ(windowFromMs(100'000, 0), 100'001);
}

}  // namespace
}  // namespace meshlb::alerting
