#include "alerting/notify/hmac.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::alerting {
namespace {

TEST(AlertHmac, Rfc4231Case2) {
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AlertHmac, Rfc4231Case1) {
  EXPECT_EQ(hmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(AlertHmac, EmptyKeyIsStillAnHmac) {
  // HMAC-SHA256("", "") from Python's hmac module.
  EXPECT_EQ(hmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace meshlb::alerting
