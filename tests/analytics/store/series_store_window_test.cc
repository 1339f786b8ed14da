// SeriesStore::fineWindow: the writer's aggregate over the fine ring that alert rules use for
// avg/min/max/rate windows.

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "analytics/store/series_store.h"

namespace meshlb::analytics {
namespace {

constexpr int64_t kT0 = 1'699'999'200'000;

void tick(SeriesStore& store, int64_t i, uint32_t series, double value) {
  store.beginTick(kT0 + i * 1000);
  store.record(series, value);
  store.endTick();
}

TEST(SeriesStoreWindowTest, AggregatesTheValuesInRange) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  for (int64_t i = 0; i < 10; ++i) {
    tick(store, i, id, static_cast<double>(i));  // small integers are exact in bf16
  }
  const SeriesStore::FineWindow w = store.fineWindow(id, kT0 + 2000, kT0 + 6000);
  EXPECT_EQ(w.ticks, 5u);
  EXPECT_EQ(w.count, 5u);
  EXPECT_DOUBLE_EQ(w.sum, 2 + 3 + 4 + 5 + 6);
  EXPECT_DOUBLE_EQ(w.min, 2.0);
  EXPECT_DOUBLE_EQ(w.max, 6.0);
  EXPECT_DOUBLE_EQ(w.first, 2.0);
  EXPECT_DOUBLE_EQ(w.last, 6.0);
  EXPECT_EQ(w.first_tick, 2);
  EXPECT_EQ(w.last_tick, 6);
  EXPECT_EQ(w.first_ms, kT0 + 2000);
  EXPECT_EQ(w.last_ms, kT0 + 6000);
}

TEST(SeriesStoreWindowTest, GapsCountAsTicksWithoutValues) {
  SeriesStore store(2);
  const uint32_t id = *store.acquire();
  const uint32_t other = *store.acquire();
  tick(store, 0, id, 4.0);
  tick(store, 1, id, NAN);
  tick(store, 2, other, 1.0);  // `id` not recorded
  tick(store, 3, id, 8.0);
  tick(store, 4, other, 1.0);  // after `id`'s last written tick
  const SeriesStore::FineWindow w = store.fineWindow(id, kT0, kT0 + 4000);
  EXPECT_EQ(w.ticks, 5u);
  EXPECT_EQ(w.count, 2u);
  EXPECT_DOUBLE_EQ(w.sum, 12.0);
  EXPECT_DOUBLE_EQ(w.first, 4.0);
  EXPECT_DOUBLE_EQ(w.last, 8.0);
  EXPECT_EQ(w.last_tick, 3);
}

TEST(SeriesStoreWindowTest, EmptyRangesAndDeadSeries) {
  SeriesStore store(2);
  const uint32_t id = *store.acquire();
  tick(store, 0, id, 1.0);
  tick(store, 1, id, 2.0);
  const SeriesStore::FineWindow before = store.fineWindow(id, kT0 - 5000, kT0 - 1);
  EXPECT_EQ(before.ticks, 0u);
  EXPECT_EQ(before.count, 0u);
  EXPECT_TRUE(std::isnan(before.last));
  const SeriesStore::FineWindow unknown = store.fineWindow(1, kT0, kT0 + 1000);  // never acquired
  EXPECT_EQ(unknown.ticks, 2u);
  EXPECT_EQ(unknown.count, 0u);
  store.release(id);
  EXPECT_EQ(store.fineWindow(id, kT0, kT0 + 1000).count, 0u);
}

TEST(SeriesStoreWindowTest, OnlyTheHeldHourIsRead) {
  SeriesStore store(1);
  const uint32_t id = *store.acquire();
  for (int64_t i = 0; i < 3700; ++i) {
    tick(store, i, id, i < 100 ? 1.0 : 2.0);
  }
  const SeriesStore::FineWindow w = store.fineWindow(id, kT0, kT0 + 3699'000);
  EXPECT_EQ(w.ticks, 3600u);  // the ring's size: ticks 100..3699
  EXPECT_EQ(w.count, 3600u);
  EXPECT_DOUBLE_EQ(w.min, 2.0);
  EXPECT_EQ(w.first_tick, 100);
}

}  // namespace
}  // namespace meshlb::analytics
