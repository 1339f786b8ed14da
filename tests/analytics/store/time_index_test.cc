// TimeIndex: slot times, the fine ring's wrap, minute closing and the binary searches.

#include <gtest/gtest.h>

#include <optional>

#include "analytics/store/time_index.h"

namespace meshlb::analytics {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14, 20 s into a minute

TEST(TimeIndexTest, RecordsEachTickTimeAndSearchesIt) {
  TimeIndex index;
  EXPECT_EQ(index.currentTick(), -1);
  for (int i = 0; i < 10; ++i) {
    index.beginTick(kStart + i * 1000 + (i == 5 ? 400 : 0));  // tick 5 arrived late
  }
  EXPECT_EQ(index.ticks(), 10);
  EXPECT_EQ(index.tickMs(5), kStart + 5400);
  EXPECT_EQ(index.firstTickAtOrAfter(kStart + 5001), 5);
  EXPECT_EQ(index.firstTickAtOrAfter(kStart + 5401), 6);
  EXPECT_EQ(index.lastTickAtOrBefore(kStart + 5399), 4);
  EXPECT_EQ(index.lastTickAtOrBefore(kStart + 5400), 5);
  EXPECT_EQ(index.firstTickAtOrAfter(kStart - 1), 0);
  EXPECT_EQ(index.firstTickAtOrAfter(kStart + 100'000), 10);  // none
  EXPECT_EQ(index.lastTickAtOrBefore(kStart - 1), -1);        // none
}

TEST(TimeIndexTest, FineRingWrapsAt3600) {
  TimeIndex index;
  for (int i = 0; i < 3600; ++i) {
    index.beginTick(kStart + i * 1000);
  }
  EXPECT_FALSE(index.fineWrapped());
  EXPECT_EQ(index.oldestTick(), 0);
  index.beginTick(kStart + 3600 * 1000);
  EXPECT_TRUE(index.fineWrapped());
  EXPECT_EQ(index.oldestTick(), 1);
  EXPECT_EQ(TimeIndex::fineSlot(3600), 0u);
  EXPECT_EQ(index.tickMs(3600), kStart + 3'600'000);
  EXPECT_EQ(index.tickMs(1), kStart + 1000);
  // Tick 0 has been overwritten: searching before it lands on the oldest held tick.
  EXPECT_EQ(index.firstTickAtOrAfter(kStart), 1);
}

TEST(TimeIndexTest, ClosesAMinuteWhenTheWallClockMinuteChanges) {
  TimeIndex index;
  const int64_t minute_start = kStart / 60'000 * 60'000;
  EXPECT_EQ(index.beginTick(minute_start + 58'000), std::nullopt);
  EXPECT_EQ(index.beginTick(minute_start + 59'500), std::nullopt);
  EXPECT_EQ(index.beginTick(minute_start + 60'500), std::optional<int64_t>(0));
  EXPECT_EQ(index.minutes(), 1);
  EXPECT_EQ(index.minuteMs(0), minute_start);
  // A gap of several minutes closes only the minute that had ticks.
  EXPECT_EQ(index.beginTick(minute_start + 5 * 60'000), std::optional<int64_t>(1));
  EXPECT_EQ(index.minuteMs(1), minute_start + 60'000);
  EXPECT_EQ(index.firstMinuteAtOrAfter(minute_start + 1), 1);
}

TEST(TimeIndexTest, TimeNeverGoesBackwards) {
  TimeIndex index;
  const int64_t minute_start = kStart / 60'000 * 60'000;
  index.beginTick(minute_start + 61'000);
  // A clock stepped back into the previous minute: the tick keeps the newer time, and the
  // minute does not reopen.
  EXPECT_EQ(index.beginTick(minute_start + 30'000), std::nullopt);
  EXPECT_EQ(index.tickMs(1), minute_start + 61'000);
  EXPECT_EQ(index.minutes(), 0);
}

TEST(TimeIndexTest, CoarseRingWrapsAt1440) {
  TimeIndex index;
  const int64_t minute_start = kStart / 60'000 * 60'000;
  for (int m = 0; m <= 1441; ++m) {
    index.beginTick(minute_start + m * 60'000);
  }
  EXPECT_EQ(index.minutes(), 1441);
  EXPECT_EQ(index.oldestMinute(), 1);
  EXPECT_EQ(index.minuteMs(1440), minute_start + 1440 * 60'000);
  EXPECT_EQ(index.minuteMs(1), minute_start + 60'000);
}

}  // namespace
}  // namespace meshlb::analytics
