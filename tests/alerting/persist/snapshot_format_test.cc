#include "alerting/persist/snapshot_format.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::alerting {
namespace {

TEST(AlertSnapshotFormat, HeaderThenJson) {
  EXPECT_EQ(encodeSnapshot("123456789"),
            "meshlb-alerting-snapshot 1 len=9 crc32c=e3069283\n123456789");
}

TEST(AlertSnapshotFormat, RoundTrip) {
  std::string json = "{\"rules\":[],\"text\":\"line\\nbreak\"}\n";
  std::string file = encodeSnapshot(json);
  std::string reason;
  std::optional<std::string_view> decoded = decodeSnapshot(file, &reason);
  ASSERT_TRUE(decoded.has_value()) << reason;
  EXPECT_EQ(*decoded, json);
}

TEST(AlertSnapshotFormat, RejectsEveryKindOfDamage) {
  std::string good = encodeSnapshot("{\"a\":1}");
  std::string reason;
  EXPECT_FALSE(decodeSnapshot("", &reason));
  EXPECT_EQ(reason, "bad snapshot header");
  EXPECT_FALSE(
      decodeSnapshot("meshlb-alerting-snapshot 2 len=7 crc32c=00000000\n{\"a\":1}", &reason));
  EXPECT_EQ(reason, "bad snapshot header");
  EXPECT_FALSE(decodeSnapshot(std::string(200, 'x'), &reason));
  EXPECT_EQ(reason, "bad snapshot header");

  EXPECT_FALSE(decodeSnapshot(good.substr(0, good.size() - 1), &reason));  // truncated
  EXPECT_NE(reason.find("length"), std::string::npos) << reason;
  EXPECT_FALSE(decodeSnapshot(good + " ", &reason));  // appended to
  EXPECT_NE(reason.find("length"), std::string::npos) << reason;

  std::string flipped = good;
  flipped.back() = ']';
  EXPECT_FALSE(decodeSnapshot(flipped, &reason));
  EXPECT_EQ(reason, "snapshot CRC mismatch");
}

}  // namespace
}  // namespace meshlb::alerting
