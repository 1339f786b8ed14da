#include "capture/flow/zeroed_array.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace meshlb::capture {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

TEST(ZeroedArrayTest, StartsOnAHugePageBoundaryAndIsZeroed) {
  // Sizes that are not a multiple of a page, or of a huge page, leave no partial mapping.
  for (size_t count : {size_t{1}, size_t{1000}, size_t{70001}}) {
    ZeroedArray<uint64_t> array(count);
    ASSERT_NE(array.data(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(array.data()) % kHugePage, 0u) << count;
    EXPECT_EQ(array[0], 0u);
    EXPECT_EQ(array[count - 1], 0u);
    array[count - 1] = 7;  // the last element is writable
    EXPECT_EQ(array[count - 1], 7u);
  }
}

TEST(ZeroedArrayTest, MovesOwnership) {
  ZeroedArray<uint32_t> first(4096);
  first[5] = 9;
  ZeroedArray<uint32_t> second(std::move(first));
  EXPECT_EQ(second[5], 9u);
  EXPECT_EQ(second.size(), 4096u);
  ZeroedArray<uint32_t> third(16);
  third = std::move(second);
  EXPECT_EQ(third[5], 9u);
}

}  // namespace
}  // namespace meshlb::capture
