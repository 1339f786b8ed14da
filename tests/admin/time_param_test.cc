#include "admin/time_param.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::admin {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

TEST(TimeParamTest, NowUnixMillisecondsAndOffsetsBack) {
  EXPECT_EQ(parseTimeParam("now", kNow), kNow);
  EXPECT_EQ(parseTimeParam("1700000000000", kNow), 1'700'000'000'000);
  EXPECT_EQ(parseTimeParam("0", kNow), 0);
  EXPECT_EQ(parseTimeParam("-90s", kNow), kNow - 90'000);
  EXPECT_EQ(parseTimeParam("-15m", kNow), kNow - 15 * 60'000);
  EXPECT_EQ(parseTimeParam("-2h", kNow), kNow - 2 * 3'600'000);
  EXPECT_EQ(parseTimeParam("-1d", kNow), kNow - 86'400'000);
  EXPECT_EQ(parseTimeParam("-10000000d", kNow), kNow - int64_t{10'000'000} * 86'400'000);
}

// The admin request fuzzer found "since=--111111111111110h": from_chars read the second '-' as
// the number's sign, the range check let the negative offset through, and the multiplication
// overflowed (UBSan: signed integer overflow). Signed, empty or oversized offsets are refused.
TEST(TimeParamTest, SignedEmptyAndOversizedOffsetsAreRefused) {
  for (const std::string bad :
       {"--111111111111110h", "--5h", "-+5h", "-h", "-", "-5", "-5w", "-10000001s",
        "-99999999999999999999d", "yesterday", "", "-1", "+5", "5s", "1e3", " 5", "now "}) {
    EXPECT_EQ(parseTimeParam(bad, kNow), std::nullopt) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace meshlb::admin
