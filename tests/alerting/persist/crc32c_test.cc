#include "alerting/persist/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::alerting {
namespace {

TEST(AlertCrc32c, CheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

TEST(AlertCrc32c, EmptyIsZero) {
  EXPECT_EQ(crc32c(""), 0u);
}

// RFC 3720 B.4: 32 bytes of zeros and 32 bytes of 0xFF.
TEST(AlertCrc32c, Rfc3720Vectors) {
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
}

TEST(AlertCrc32c, ChainsOverPieces) {
  EXPECT_EQ(crc32c("56789", crc32c("1234")), 0xE3069283u);
}

}  // namespace
}  // namespace meshlb::alerting
