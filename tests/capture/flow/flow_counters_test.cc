// flow_counters.h: ReportCounters, the sums a flow's reports carry, from both directions.

#include <gtest/gtest.h>

#include <cstdint>

#include "capture/flow/flow_counters.h"

namespace meshlb::capture {
namespace {

TEST(ReportCountersTest, SumsBothDirectionsOfTheFieldsEndpointsAddUp) {
  FlowCounters counters;
  counters.initiator.packets = 5;
  counters.initiator.ip_bytes = 500;
  counters.initiator.wire_bytes = 570;  // not carried
  counters.initiator.retransmits = 1;
  counters.initiator.zero_windows = 3;
  counters.responder.packets = 4;
  counters.responder.ip_bytes = 4000;
  counters.responder.retransmits = 2;
  counters.responder.out_of_order = 6;
  counters.responder.resets = 1;
  const ReportCounters sums = ReportCounters::of(counters);
  EXPECT_EQ(sums.packets, 9u);
  EXPECT_EQ(sums.ip_bytes, 4500u);
  EXPECT_EQ(sums.retransmits, 3u);
  EXPECT_EQ(sums.out_of_order, 6u);
  EXPECT_EQ(sums.zero_windows, 3u);
  EXPECT_EQ(sums.resets, 1u);
}

TEST(ReportCountersTest, ADifferenceIsExactAcrossA32BitWrap) {
  FlowCounters before;
  before.initiator.retransmits = UINT32_MAX - 1;
  before.initiator.packets = 10;
  FlowCounters after = before;
  after.initiator.retransmits += 5;  // wraps to 3, as the direction's own counter does
  after.initiator.packets += 5;
  const ReportCounters delta = ReportCounters::of(after) - ReportCounters::of(before);
  EXPECT_EQ(delta.retransmits, 5u);
  EXPECT_EQ(delta.packets, 5u);
  ReportCounters sum = ReportCounters::of(before);
  sum += delta;
  EXPECT_EQ(sum, ReportCounters::of(after));
}

}  // namespace
}  // namespace meshlb::capture
