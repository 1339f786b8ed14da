// SeriesStore: the block pool, ticks and minute flushes, queries at both resolutions, and the
// writer's evidence reads (fineMedian, fineLast).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "analytics/store/series_store.h"

namespace meshlb::analytics {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'699'999'200'000;  // a whole hour, so test buckets start on it

// One tick at kT0 + i seconds in which `series` records `value`.
void tick(SeriesStore& store, int64_t i, uint32_t series, double value) {
  store.beginTick(kT0 + i * 1000);
  store.record(series, value);
  store.endTick();
}

TEST(SeriesStoreTest, BytesPerSeriesIsTheFixedBlock) {
  static_assert(SeriesStore::bytesPerSeries() == kSeriesBlockBytes);
  EXPECT_EQ(SeriesStore::bytesPerSeries(), 18'752u);
}

TEST(SeriesStoreTest, AcquiresUpToTheMaximumThenRefuses) {
  SeriesStore store(3);
  std::vector<uint32_t> ids;
  for (int i = 0; i < 3; ++i) {
    const std::optional<uint32_t> id = store.acquire();
    ASSERT_TRUE(id.has_value());
    ids.push_back(*id);
  }
  EXPECT_EQ(store.acquire(), std::nullopt);
  EXPECT_EQ(store.liveSeries(), 3u);
  EXPECT_EQ(store.maxSeries(), 3u);
  store.release(ids[1]);
  store.release(ids[1]);  // twice is harmless
  EXPECT_EQ(store.liveSeries(), 2u);
  EXPECT_EQ(store.acquire(), std::optional<uint32_t>(ids[1]));
  EXPECT_EQ(store.acquire(), std::nullopt);
}

TEST(SeriesStoreTest, AReusedBlockIsCleared) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  for (int64_t i = 0; i < 130; ++i) {  // two closed minutes
    tick(store, i, id, 42.0);
  }
  EXPECT_EQ(store.fineLast(id), 42.0);
  store.release(id);
  EXPECT_TRUE(std::isnan(store.fineLast(id)));
  const std::optional<uint32_t> again = store.acquire();
  ASSERT_EQ(again, std::optional<uint32_t>(id));
  EXPECT_TRUE(std::isnan(store.fineLast(id)));
  EXPECT_EQ(store.fineMedian(id, kT0, kT0 + 200'000).second, 0u);
  const SeriesQueryResult fine = store.query(id, {kT0, kT0 + 129'000, 1});
  ASSERT_EQ(fine.points.size(), 130u);
  for (const SeriesPoint& point : fine.points) {
    ASSERT_TRUE(std::isnan(point.avg)) << point.t_ms;
  }
}

TEST(SeriesStoreTest, QueriesOfAReleasedSeriesHaveNoData) {
  SeriesStore store(2);
  const uint32_t id = *store.acquire();
  tick(store, 0, id, 5.0);
  store.release(id);
  const SeriesQueryResult result = store.query(id, {kT0, kT0, 1});
  ASSERT_EQ(result.points.size(), 1u);
  EXPECT_TRUE(std::isnan(result.points[0].avg));
  EXPECT_TRUE(std::isnan(store.query(7, {kT0, kT0, 1}).points[0].avg));  // never acquired
}

TEST(SeriesStoreTest, UnrecordedSeriesGetNaNForTheTick) {
  SeriesStore store(2);
  const uint32_t a = *store.acquire();
  const uint32_t b = *store.acquire();
  store.beginTick(kT0);
  store.record(a, 1.0);
  store.record(b, 2.0);
  store.endTick();
  tick(store, 1, a, 3.0);  // b not recorded
  EXPECT_TRUE(std::isnan(store.fineLast(b)));
  EXPECT_EQ(store.fineLast(a), 3.0);
  const SeriesQueryResult result = store.query(b, {kT0, kT0 + 1000, 1});
  ASSERT_EQ(result.points.size(), 2u);
  EXPECT_EQ(result.points[0].avg, 2.0);
  EXPECT_TRUE(std::isnan(result.points[1].avg));
}

TEST(SeriesStoreTest, RecordOutsideATickIsIgnored) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  store.record(id, 1.0);  // before any tick
  tick(store, 0, id, 2.0);
  store.record(id, 9.0);  // after endTick
  EXPECT_EQ(store.fineLast(id), 2.0);
}

TEST(SeriesStoreTest, ASeriesAcquiredWithinATickRecordsThatTick) {
  SeriesStore store(2);
  const uint32_t a = *store.acquire();
  tick(store, 0, a, 1.0);
  store.beginTick(kT0 + 1000);
  const uint32_t b = *store.acquire();
  store.record(b, 8.0);
  store.endTick();
  EXPECT_EQ(store.fineLast(b), 8.0);
}

// Diagnosis on the analytics thread may read a series while its tick is open: the store must
// not try to take the mutex that thread already holds (a hang here is the failure).
TEST(SeriesStoreTest, TheWriterCanQueryWithinItsOwnTick) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  tick(store, 0, id, 1.0);
  store.beginTick(kT0 + 1000);
  store.record(id, 2.0);
  const SeriesQueryResult result = store.query(id, {kT0, kT0 + 1000, 1});
  EXPECT_EQ(store.liveSeries(), 1u);
  EXPECT_GT(store.memoryBytes(), 0u);
  EXPECT_EQ(store.pointCount({kT0, kT0 + 1000, 1}), 2u);
  EXPECT_EQ(store.oldestFineMs(), std::numeric_limits<int64_t>::min());
  store.endTick();
  ASSERT_EQ(result.points.size(), 2u);
  EXPECT_EQ(result.points[1].avg, 2.0);
}

TEST(SeriesStoreTest, FineQueryAggregatesBySteps) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  for (int64_t i = 0; i < 20; ++i) {
    tick(store, i, id, static_cast<double>(i));
  }
  const SeriesQueryResult result = store.query(id, {kT0, kT0 + 19'000, 10});
  EXPECT_EQ(result.resolution_s, 1);
  EXPECT_EQ(result.step_s, 10);
  ASSERT_EQ(result.points.size(), 2u);
  EXPECT_EQ(result.points[0].t_ms, kT0);
  EXPECT_DOUBLE_EQ(result.points[0].avg, 4.5);
  EXPECT_DOUBLE_EQ(result.points[0].min, 0.0);
  EXPECT_DOUBLE_EQ(result.points[0].max, 9.0);
  EXPECT_DOUBLE_EQ(result.points[0].last, 9.0);
  EXPECT_DOUBLE_EQ(result.points[1].avg, 14.5);
  EXPECT_DOUBLE_EQ(result.points[1].last, 19.0);
}

TEST(SeriesStoreTest, LateTicksKeepTheirRealTime) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  store.beginTick(kT0);
  store.record(id, 1.0);
  store.endTick();
  store.beginTick(kT0 + 2600);  // 1.6 s late: lands in the bucket of second 2
  store.record(id, 2.0);
  store.endTick();
  const SeriesQueryResult result = store.query(id, {kT0, kT0 + 2999, 1});
  ASSERT_EQ(result.points.size(), 3u);
  EXPECT_EQ(result.points[0].avg, 1.0);
  EXPECT_TRUE(std::isnan(result.points[1].avg));
  EXPECT_EQ(result.points[2].avg, 2.0);
}

TEST(SeriesStoreTest, SwitchesToTheCoarseRingBeyondTheFineRing) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  // 70 minutes of ticks; minute m holds the value m (or NaN in minute 3).
  const int64_t ticks = 70 * 60;
  for (int64_t i = 0; i < ticks; ++i) {
    const int64_t minute = i / 60;
    tick(store, i, id, minute == 3 ? NAN : static_cast<double>(minute));
  }
  EXPECT_EQ(store.oldestFineMs(), kT0 + (ticks - 3600) * 1000);
  // Within the last hour: fine.
  const int64_t recent = kT0 + 65 * kMinute;
  EXPECT_EQ(store.resolutionFor(recent), 1);
  const SeriesQueryResult fine = store.query(id, {recent, recent + 59'000, 60});
  EXPECT_EQ(fine.resolution_s, 1);
  ASSERT_EQ(fine.points.size(), 1u);
  EXPECT_DOUBLE_EQ(fine.points[0].avg, 65.0);

  // From the start: coarse, one point per closed minute (69 closed; minute 69 is still open).
  const SeriesQuery whole{kT0, kT0 + 70 * kMinute - 1, 0};
  EXPECT_EQ(store.resolutionFor(whole.from_ms), 60);
  EXPECT_EQ(store.pointCount(whole), 70u);
  const SeriesQueryResult coarse = store.query(id, whole);
  EXPECT_EQ(coarse.resolution_s, 60);
  EXPECT_EQ(coarse.step_s, 60);
  ASSERT_EQ(coarse.points.size(), 70u);
  EXPECT_EQ(coarse.points[0].t_ms, kT0);
  EXPECT_DOUBLE_EQ(coarse.points[2].avg, 2.0);
  EXPECT_TRUE(std::isnan(coarse.points[3].avg));  // the all-NaN minute
  EXPECT_TRUE(std::isnan(coarse.points[3].last));
  EXPECT_DOUBLE_EQ(coarse.points[68].max, 68.0);
  EXPECT_TRUE(std::isnan(coarse.points[69].avg));  // not closed yet

  // A coarse step of 3 minutes: avg of avgs skips the NaN minute.
  const SeriesQueryResult wide = store.query(id, {kT0, kT0 + 6 * kMinute - 1, 180});
  ASSERT_EQ(wide.points.size(), 2u);
  EXPECT_DOUBLE_EQ(wide.points[0].avg, 1.0);
  EXPECT_DOUBLE_EQ(wide.points[0].min, 0.0);
  EXPECT_DOUBLE_EQ(wide.points[0].last, 2.0);
  EXPECT_DOUBLE_EQ(wide.points[1].avg, 4.5);  // minutes 4 and 5; 3 is NaN
  EXPECT_DOUBLE_EQ(wide.points[1].min, 4.0);
}

TEST(SeriesStoreTest, BeforeTheFineRingWrapsEveryRangeIsFine) {
  SeriesStore store(1);
  EXPECT_EQ(store.oldestFineMs(), std::numeric_limits<int64_t>::min());
  const uint32_t id = *store.acquire();
  tick(store, 0, id, 1.0);
  EXPECT_EQ(store.resolutionFor(kT0 - 20 * 3'600'000), 1);
}

TEST(SeriesStoreTest, QueriesOverTheLimitReturnNoPoints) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  tick(store, 0, id, 1.0);
  const SeriesQuery too_many{kT0, kT0 + 20'000'000, 1};
  EXPECT_GT(store.pointCount(too_many), kMaxQueryPoints);
  EXPECT_TRUE(store.query(id, too_many).points.empty());
  EXPECT_TRUE(store.query(id, {kT0 + 1, kT0, 0}).points.empty());  // from > to
}

TEST(SeriesStoreTest, FineMedianSkipsNaNAndHonoursTheRange) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  const double values[] = {5, NAN, 1, 9, 3, 100};
  for (int64_t i = 0; i < 6; ++i) {
    tick(store, i, id, values[i]);
  }
  // Ticks 0..4: 5, 1, 9, 3 -> median (3 + 5) / 2.
  EXPECT_EQ(store.fineMedian(id, kT0, kT0 + 4000), std::make_pair(4.0, size_t{4}));
  // Ticks 1..3: 1, 9 -> 5.
  EXPECT_EQ(store.fineMedian(id, kT0 + 500, kT0 + 3000), std::make_pair(5.0, size_t{2}));
  // Ticks 2..5: 1, 9, 3, 100 -> (3 + 9) / 2.
  EXPECT_EQ(store.fineMedian(id, kT0 + 2000, kT0 + 9000), std::make_pair(6.0, size_t{4}));
  // Ticks 0..3 without tick 1: 5, 1, 9 -> 5.
  EXPECT_EQ(store.fineMedian(id, kT0, kT0 + 3000), std::make_pair(5.0, size_t{3}));
  const auto [nothing, count] = store.fineMedian(id, kT0 + 1000, kT0 + 1999);  // only NaN
  EXPECT_TRUE(std::isnan(nothing));
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(store.fineMedian(id, kT0 - 5000, kT0 - 1).second, 0u);
}

TEST(SeriesStoreTest, MemoryGrowsInChunksUpToTheCap) {
  SeriesStore store(100);
  const size_t empty = store.memoryBytes();
  EXPECT_LT(empty, 64u * 1024);  // no block before the first acquire
  ASSERT_TRUE(store.acquire().has_value());
  const size_t one_chunk = store.memoryBytes();
  EXPECT_EQ(one_chunk - empty, SeriesStore::kBlocksPerChunk * SeriesStore::bytesPerSeries());
  for (int i = 1; i < 100; ++i) {
    ASSERT_TRUE(store.acquire().has_value());
  }
  EXPECT_FALSE(store.acquire().has_value());
  // 100 blocks exactly: the last chunk is cut to the cap.
  EXPECT_EQ(store.memoryBytes() - empty, 100 * SeriesStore::bytesPerSeries());
}

TEST(SeriesStoreTest, AZeroCapRefusesEverySeries) {
  SeriesStore store(0);
  EXPECT_FALSE(store.acquire().has_value());
  store.beginTick(kT0);
  store.record(0, 1.0);
  store.endTick();
  EXPECT_EQ(store.liveSeries(), 0u);
}

}  // namespace
}  // namespace meshlb::analytics
