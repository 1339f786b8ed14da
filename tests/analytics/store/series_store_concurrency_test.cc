// A reader thread queries while the writer ticks, acquires and releases: no crash, no torn
// read (each point's time and values belong together). Run it under TSan to check the lock.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "analytics/store/series_store.h"

namespace meshlb::analytics {
namespace {

constexpr int64_t kT0 = 1'699'999'200'000;  // a whole hour, so test buckets start on it
constexpr int64_t kTicks = 12'000;          // wraps the fine ring three times

// What the writer records at tick i (time kT0 + i s). Small integers are exact in bf16.
double perSecond(int64_t i) {
  return static_cast<double>(i % 200);
}
double perMinute(int64_t i) {
  return static_cast<double>((i / 60) % 100);
}

TEST(SeriesStoreConcurrencyTest, QueriesWhileTheWriterTicksSeeConsistentPoints) {
  SeriesStore store(8);
  const uint32_t seconds = *store.acquire();
  const uint32_t minutes = *store.acquire();
  std::atomic<bool> done{false};
  std::atomic<int64_t> queries{0};
  std::atomic<int64_t> checked{0};
  std::atomic<bool> reader_exited{false};

  // A failed ASSERT returns from this lambda, so the loop body is in a function of its own
  // and the writer is told when the reader stops.
  auto read_once = [&] {
    // The newest ten minutes of the fine ring, one point per tick.
    const int64_t oldest = std::max(store.oldestFineMs(), kT0);
    const SeriesQueryResult fine = store.query(seconds, {oldest, oldest + 600'000, 1});
    for (const SeriesPoint& p : fine.points) {
      if (std::isnan(p.avg)) {
        continue;
      }
      const int64_t second = (p.t_ms - kT0) / 1000;
      if (fine.resolution_s == 1) {
        ASSERT_EQ(p.avg, perSecond(second)) << p.t_ms;
        ASSERT_EQ(p.last, p.avg);
      }
      ASSERT_LE(p.min, p.avg);
      ASSERT_GE(p.max, p.avg);
      checked.fetch_add(1);
    }
    // Everything since the start: coarse once the fine ring has wrapped.
    const SeriesQueryResult all = store.query(minutes, {kT0, kT0 + kTicks * 1000, 60});
    for (const SeriesPoint& p : all.points) {
      if (std::isnan(p.avg)) {
        continue;
      }
      const double expected = perMinute((p.t_ms - kT0) / 1000);
      ASSERT_EQ(p.avg, expected) << p.t_ms;
      ASSERT_EQ(p.min, expected);
      ASSERT_EQ(p.max, expected);
      checked.fetch_add(1);
    }
    ASSERT_LE(store.liveSeries(), 3u);
    ASSERT_GT(store.memoryBytes(), 0u);
    queries.fetch_add(1);
  };
  std::thread reader([&] {
    while (!done.load() && !::testing::Test::HasFatalFailure()) {
      read_once();
    }
    reader_exited.store(true);
  });

  for (int64_t i = 0; i < kTicks; ++i) {
    const std::optional<uint32_t> churn = store.acquire();  // outside a tick: takes the lock
    store.beginTick(kT0 + i * 1000);
    store.record(seconds, perSecond(i));
    store.record(minutes, perMinute(i));
    if (churn) {
      store.record(*churn, 1.0);
    }
    store.endTick();
    if (churn) {
      store.release(*churn);
    }
    if (i == kTicks / 2) {
      // Make sure the reader has run at least once while the writer is still going.
      while (queries.load() == 0 && !reader_exited.load()) {
        std::this_thread::yield();
      }
    }
  }
  done.store(true);
  reader.join();

  EXPECT_GT(queries.load(), 0);
  EXPECT_GT(checked.load(), 0);
  // After the writer stopped, the final state is complete: the newest tick is there.
  const SeriesQueryResult last =
      store.query(seconds, {kT0 + (kTicks - 1) * 1000, kT0 + (kTicks - 1) * 1000, 1});
  ASSERT_EQ(last.points.size(), 1u);
  EXPECT_EQ(last.points[0].avg, perSecond(kTicks - 1));
}

}  // namespace
}  // namespace meshlb::analytics
