#include "analytics/detect/hit_history.h"

#include <gtest/gtest.h>

namespace meshlb::analytics {
namespace {

constexpr uint8_t kRobust = detectorBit(DetectorKind::kRobust);
constexpr uint8_t kEwma = detectorBit(DetectorKind::kEwma);

PointVerdict point(int64_t tick, uint8_t up_hits, bool up_strong = false, uint8_t down_hits = 0) {
  PointVerdict verdict;
  verdict.tick = tick;
  verdict.hits = {up_hits, down_hits};
  verdict.strong = {up_strong, false};
  return verdict;
}

TEST(HitHistoryTest, ThreeHitsInTheLastFourConfirm) {
  HitHistory history;
  history.record(point(1, kRobust));
  history.record(point(2, 0));
  history.record(point(3, kEwma));
  EXPECT_FALSE(history.confirmed(Direction::kUp));
  history.record(point(4, kRobust | kEwma));
  EXPECT_TRUE(history.confirmed(Direction::kUp));
  EXPECT_FALSE(history.confirmed(Direction::kDown));
  history.record(point(5, 0));  // tick 1 leaves the window: 2 of 4
  EXPECT_FALSE(history.confirmed(Direction::kUp));
}

TEST(HitHistoryTest, HitsInOppositeDirectionsDoNotAddUp) {
  HitHistory history;
  history.record(point(1, kRobust));
  history.record(point(2, 0, false, kRobust));
  history.record(point(3, kRobust));
  history.record(point(4, 0, false, kRobust));
  EXPECT_FALSE(history.confirmed(Direction::kUp));
  EXPECT_FALSE(history.confirmed(Direction::kDown));
}

TEST(HitHistoryTest, TwoConsecutiveStrongHitsTakeTheFastPath) {
  HitHistory history;
  history.record(point(1, kRobust, true));
  EXPECT_FALSE(history.confirmed(Direction::kUp));
  history.record(point(2, kRobust, true));
  EXPECT_TRUE(history.confirmed(Direction::kUp));
  history.clear();
  history.record(point(3, kRobust, true));
  history.record(point(4, 0));
  history.record(point(5, kRobust, true));
  EXPECT_FALSE(history.confirmed(Direction::kUp));  // not consecutive
}

TEST(HitHistoryTest, KeepsTheLastFourOldestFirst) {
  HitHistory history;
  for (int t = 1; t <= 6; ++t) {
    history.record(point(t, 0));
  }
  ASSERT_EQ(history.size(), 4);
  EXPECT_EQ(history.at(0).tick, 3);
  EXPECT_EQ(history.at(3).tick, 6);
}

}  // namespace
}  // namespace meshlb::analytics
