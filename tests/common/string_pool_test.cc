#include "common/string_pool.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb {
namespace {

const size_t kInline = std::string().capacity();

TEST(StringPoolTest, RecycledBufferIsLentAgainWithoutAllocating) {
  StringPool pool(4, 4096);
  std::string first(200, 'a');
  const char* buffer = first.data();
  pool.recycle(first);
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(first.capacity(), kInline);
  EXPECT_EQ(pool.kept(), 1u);

  std::string second;
  pool.lend(second);
  EXPECT_TRUE(second.empty());
  EXPECT_GE(second.capacity(), 200u);
  EXPECT_EQ(second.data(), buffer);
  EXPECT_EQ(pool.kept(), 0u);
}

TEST(StringPoolTest, InlineStringsAreOnlyCleared) {
  StringPool pool(4, 4096);
  std::string small = "abc";
  pool.recycle(small);
  EXPECT_TRUE(small.empty());
  EXPECT_EQ(pool.kept(), 0u);
}

TEST(StringPoolTest, AStringWithAHeapBufferKeepsItsOwn) {
  StringPool pool(4, 4096);
  std::string kept(100, 'k');
  pool.recycle(kept);
  std::string has_buffer(300, 'h');
  const char* own = has_buffer.data();
  pool.lend(has_buffer);
  EXPECT_EQ(has_buffer.data(), own);
  EXPECT_EQ(has_buffer, std::string(300, 'h'));
  EXPECT_EQ(pool.kept(), 1u);
}

TEST(StringPoolTest, LargeBuffersAndBuffersBeyondTheBoundAreFreed) {
  StringPool pool(2, 1024);
  std::string large(5000, 'l');
  pool.recycle(large);
  EXPECT_EQ(large.capacity(), kInline);
  EXPECT_EQ(pool.kept(), 0u);
  for (int i = 0; i < 5; ++i) {
    std::string text(100, 'x');
    pool.recycle(text);
    EXPECT_EQ(text.capacity(), kInline);
  }
  EXPECT_EQ(pool.kept(), 2u);
}

TEST(StringPoolTest, LendingFromAnEmptyPoolLeavesTheStringAsItIs) {
  StringPool pool(2, 1024);
  std::string text = "keep";
  pool.lend(text);
  EXPECT_EQ(text, "keep");
}

}  // namespace
}  // namespace meshlb
