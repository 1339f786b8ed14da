// ReportWheel: entries come due once per interval, late advances catch up with one call,
// cancelled entries never come due, and time jumps of many turns are safe.

#include <gtest/gtest.h>

#include <vector>

#include "capture/flow/report_wheel.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {
namespace {

std::vector<uint32_t> due(ReportWheel& wheel, int64_t now) {
  std::vector<uint32_t> out;
  wheel.advance(now, [&](uint32_t entry, int64_t) { out.push_back(entry); });
  return out;
}

TEST(FlowReportWheelTest, EntriesComeDueEveryInterval) {
  ReportWheel wheel(8, kSec);
  wheel.schedule(3, kStart + kSec);
  wheel.schedule(5, kStart + kSec + 500 * kMs);
  EXPECT_TRUE(due(wheel, kStart + 999 * kMs).empty());
  EXPECT_EQ(due(wheel, kStart + kSec), std::vector<uint32_t>{3});
  EXPECT_TRUE(due(wheel, kStart + 1400 * kMs).empty());
  EXPECT_EQ(due(wheel, kStart + 1500 * kMs), std::vector<uint32_t>{5});
  EXPECT_EQ(due(wheel, kStart + 2 * kSec), std::vector<uint32_t>{3});
  EXPECT_EQ(due(wheel, kStart + 2500 * kMs), std::vector<uint32_t>{5});
}

TEST(FlowReportWheelTest, LateAdvanceCallsOnceAndKeepsThePhase) {
  ReportWheel wheel(8, kSec);
  wheel.schedule(1, kStart + kSec);
  EXPECT_EQ(due(wheel, kStart + 5 * kSec + 300 * kMs), std::vector<uint32_t>{1});
  EXPECT_TRUE(due(wheel, kStart + 5999 * kMs).empty());
  EXPECT_EQ(due(wheel, kStart + 6 * kSec), std::vector<uint32_t>{1});
}

TEST(FlowReportWheelTest, CancelledEntriesNeverComeDue) {
  ReportWheel wheel(8, kSec);
  wheel.schedule(1, kStart + kSec);
  wheel.schedule(2, kStart + kSec);
  wheel.cancel(1);
  wheel.cancel(1);  // not scheduled any more: nothing happens
  EXPECT_EQ(due(wheel, kStart + kSec), std::vector<uint32_t>{2});
}

TEST(FlowReportWheelTest, HugeTimeJumpVisitsEveryEntryOnce) {
  ReportWheel wheel(100, kSec);
  for (uint32_t i = 0; i < 100; ++i) {
    wheel.schedule(i, kStart + kSec + i * 37 * kMs);
  }
  EXPECT_EQ(due(wheel, kStart + 3600 * kSec).size(), 100u);
  EXPECT_TRUE(due(wheel, kStart + 3600 * kSec).empty());
}

TEST(FlowReportWheelTest, DisabledWheelDoesNothing) {
  ReportWheel wheel(8, 0);
  EXPECT_FALSE(wheel.enabled());
  wheel.schedule(1, kStart);
  EXPECT_TRUE(due(wheel, kStart + kSec).empty());
}

}  // namespace
}  // namespace meshlb::capture::flowtest
