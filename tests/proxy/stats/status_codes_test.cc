#include "proxy/stats/status_codes.h"

#include <gtest/gtest.h>

#include "proxy/stats/stat_blocks.h"

namespace meshlb::stats {
namespace {

TEST(StatusCodesTest, TrackedCodesHaveTheirOwnSlot) {
  for (size_t i = 0; i < kTrackedStatusCodes.size(); ++i) {
    EXPECT_EQ(statusSlot(kTrackedStatusCodes[i]), i);
  }
  EXPECT_EQ(statusSlot(418), kUntrackedStatus);
  EXPECT_EQ(statusSlot(599), kUntrackedStatus);
  EXPECT_EQ(statusSlot(-1), kUntrackedStatus);
  EXPECT_EQ(statusSlot(600), kUntrackedStatus);
  EXPECT_EQ(statusSlot(0), kUntrackedStatus);
}

TEST(StatusCodesTest, ClassIndex) {
  EXPECT_EQ(statusClassIndex(101), 0u);
  EXPECT_EQ(statusClassIndex(204), 1u);
  EXPECT_EQ(statusClassIndex(308), 2u);
  EXPECT_EQ(statusClassIndex(418), 3u);
  EXPECT_EQ(statusClassIndex(599), 4u);
  EXPECT_EQ(statusClassIndex(0), 4u);  // never parsed, but never out of bounds either
}

TEST(StatusCodesTest, HostCountsEveryCodeInItsClassAndTrackedOnesByCode) {
  HostStats host;
  host.recordStatus(200);
  host.recordStatus(418);
  host.recordStatus(503);
  HostStatsValues merged;
  merged.mergeFrom(host);
  EXPECT_EQ(merged.responses_by_class[1], 1u);
  EXPECT_EQ(merged.responses_by_class[3], 1u);
  EXPECT_EQ(merged.responses_by_class[4], 1u);
  EXPECT_EQ(merged.responses_by_code[statusSlot(200)], 1u);
  EXPECT_EQ(merged.responses_by_code[statusSlot(503)], 1u);
  uint64_t by_code = 0;
  for (uint64_t count : merged.responses_by_code) {
    by_code += count;
  }
  EXPECT_EQ(by_code, 2u);  // 418 only in its class
}

}  // namespace
}  // namespace meshlb::stats
