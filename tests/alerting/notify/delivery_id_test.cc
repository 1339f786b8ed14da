#include "alerting/notify/delivery_id.h"

#include <gtest/gtest.h>

#include <set>

namespace meshlb::alerting {
namespace {

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex. (Checked by hand: GCC 12's
// std::regex trips -Wmaybe-uninitialized in sanitizer builds.)
bool isVersion4Uuid(const std::string& id) {
  if (id.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = id[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return id[14] == '4' && std::string("89ab").find(id[19]) != std::string::npos;
}

TEST(AlertDeliveryId, RandomVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = randomUuid();
    EXPECT_TRUE(isVersion4Uuid(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(isVersion4Uuid("00000000-0000-0000-0000-000000000000"));
}

}  // namespace
}  // namespace meshlb::alerting
