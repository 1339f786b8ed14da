#include "proxy/http/request_id.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

namespace meshlb::http {
namespace {

// The format meshlb used to produce with snprintf: the generated ids keep their exact shape.
std::string formattedWithPrintf(uint64_t a, uint64_t b) {
  char text[40];
  snprintf(text, sizeof(text), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
           static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
           static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

TEST(GeneratedRequestIdTest, IsAVersion4UuidOfTheRandomBits) {
  EXPECT_EQ(GeneratedRequestId(0, 0).view(), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(GeneratedRequestId(~uint64_t{0}, ~uint64_t{0}).view(),
            "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(GeneratedRequestId(0x0123456789abcdefULL, 0xfedcba9876543210ULL).view(),
            "01234567-89ab-4def-bedc-ba9876543210");
}

TEST(GeneratedRequestIdTest, MatchesThePrintfFormatForRandomWords) {
  std::mt19937_64 random(12345);
  for (int i = 0; i < 10000; ++i) {
    uint64_t a = random();
    uint64_t b = random();
    ASSERT_EQ(GeneratedRequestId(a, b).view(), formattedWithPrintf(a, b)) << a << " " << b;
  }
}

}  // namespace
}  // namespace meshlb::http
