// SeriesRing: the fine ring's wrap, NaN for skipped ticks, and the minute rollup.

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "analytics/store/series_ring.h"

namespace meshlb::analytics {
namespace {

// The block is 18 KB: keep it off the test's stack.
std::unique_ptr<SeriesRing> clearedRing(int64_t first_tick = 0) {
  auto ring = std::make_unique<SeriesRing>();
  ring->clear(first_tick);
  return ring;
}

TEST(SeriesRingTest, BlockSizeIsFixed) {
  EXPECT_EQ(sizeof(SeriesRing), 7200u + 11'520u + 24u + 8u);
}

TEST(SeriesRingTest, ClearedRingIsAllNaN) {
  auto ring = clearedRing(5);
  for (int64_t tick = 0; tick < 3600; ++tick) {
    ASSERT_TRUE(std::isnan(ring->fineAt(tick))) << tick;
  }
  ring->closeMinute(0);
  EXPECT_TRUE(isBf16NaN(ring->coarseAt(0).avg));
}

TEST(SeriesRingTest, FineRingWrapsAt3600) {
  auto ring = clearedRing();
  for (int64_t tick = 0; tick < 3600 + 10; ++tick) {
    ring->record(tick, static_cast<double>(tick % 200));
  }
  // Ticks 10..3609 are held; tick 3600 overwrote tick 0's slot.
  EXPECT_EQ(ring->fineAt(3600), 3600 % 200);
  EXPECT_EQ(ring->fineAt(3609), 3609 % 200);
  EXPECT_EQ(ring->fineAt(10), 10);
  EXPECT_EQ(ring->fineAt(3599), 3599 % 200);
  EXPECT_EQ(ring->lastTick(), 3609);
}

TEST(SeriesRingTest, SkippedTicksReadAsNaN) {
  auto ring = clearedRing();
  for (int64_t tick = 0; tick < 3600; ++tick) {
    ring->record(tick, 7.0);
  }
  // Ticks 3600..3604 are not recorded: before and after the next record they read NaN, even
  // though their slots still hold the values of ticks 0..4.
  EXPECT_TRUE(std::isnan(ring->fineAt(3602)));
  ring->record(3605, 9.0);
  for (int64_t tick = 3600; tick < 3605; ++tick) {
    EXPECT_TRUE(std::isnan(ring->fineAt(tick))) << tick;
  }
  EXPECT_EQ(ring->fineAt(3605), 9.0f);
  EXPECT_EQ(ring->fineAt(3599), 7.0f);
}

TEST(SeriesRingTest, AGapLongerThanTheRingClearsEverySlot) {
  auto ring = clearedRing();
  for (int64_t tick = 0; tick < 3600; ++tick) {
    ring->record(tick, 1.0);
  }
  ring->record(10'000, 2.0);
  for (int64_t tick = 10'000 - 3599; tick < 10'000; ++tick) {
    ASSERT_TRUE(std::isnan(ring->fineAt(tick))) << tick;
  }
  EXPECT_EQ(ring->fineAt(10'000), 2.0f);
}

TEST(SeriesRingTest, SecondRecordInATickIsIgnored) {
  auto ring = clearedRing();
  ring->record(0, 1.0);
  ring->record(0, 100.0);
  EXPECT_EQ(ring->fineAt(0), 1.0f);
  ring->closeMinute(0);
  EXPECT_EQ(fromBf16(ring->coarseAt(0).max), 1.0f);
}

TEST(SeriesRingTest, MinuteRollupSkipsNaNTicks) {
  auto ring = clearedRing();
  const double values[] = {4, NAN, 10, 1, NAN, 7};
  for (int64_t tick = 0; tick < 6; ++tick) {
    ring->record(tick, values[tick]);
  }
  ring->closeMinute(0);
  const CoarseCell& cell = ring->coarseAt(0);
  EXPECT_EQ(fromBf16(cell.min), 1.0f);
  EXPECT_EQ(fromBf16(cell.max), 10.0f);
  EXPECT_EQ(fromBf16(cell.avg), 5.5f);
  EXPECT_EQ(fromBf16(cell.last), 7.0f);
}

TEST(SeriesRingTest, LastIsTheNewestValidValue) {
  auto ring = clearedRing();
  ring->record(0, 3.0);
  ring->record(1, NAN);
  ring->closeMinute(0);
  EXPECT_EQ(fromBf16(ring->coarseAt(0).last), 3.0f);
}

TEST(SeriesRingTest, AllNaNMinuteIsStoredAsNaN) {
  auto ring = clearedRing();
  for (int64_t tick = 0; tick < 60; ++tick) {
    ring->record(tick, 2.0);
  }
  ring->closeMinute(0);
  for (int64_t tick = 60; tick < 120; ++tick) {
    ring->record(tick, NAN);
  }
  ring->closeMinute(1);
  const CoarseCell& empty = ring->coarseAt(1);
  EXPECT_TRUE(isBf16NaN(empty.min));
  EXPECT_TRUE(isBf16NaN(empty.max));
  EXPECT_TRUE(isBf16NaN(empty.avg));
  EXPECT_TRUE(isBf16NaN(empty.last));
  // The accumulator restarted: the next minute does not remember minute 0.
  ring->record(120, 5.0);
  ring->closeMinute(2);
  EXPECT_EQ(fromBf16(ring->coarseAt(2).min), 5.0f);
  EXPECT_EQ(fromBf16(ring->coarseAt(0).avg), 2.0f);
}

TEST(SeriesRingTest, CoarseRingWrapsAt1440) {
  auto ring = clearedRing();
  for (int64_t minute = 0; minute < 1440 + 3; ++minute) {
    ring->record(minute, static_cast<double>(minute % 100));
    ring->closeMinute(minute);
  }
  EXPECT_EQ(fromBf16(ring->coarseAt(1442).avg), 1442 % 100);
  EXPECT_EQ(fromBf16(ring->coarseAt(3).avg), 3.0f);
}

}  // namespace
}  // namespace meshlb::analytics
