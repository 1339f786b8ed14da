#include "admin/query_string.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace meshlb::admin {
namespace {

using Entries = std::vector<QueryParams::Entry>;

QueryParams parseOk(std::string_view query) {
  Result<QueryParams> parsed = parseQueryString(query);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : QueryParams();
}

TEST(QueryStringTest, DecodesNamesAndValuesInOrder) {
  QueryParams params = parseOk("a=1&b=x%20y&c=%41%62%2f");
  EXPECT_EQ(params.entries(), (Entries{{"a", "1"}, {"b", "x y"}, {"c", "Ab/"}}));
  EXPECT_EQ(params.find("b"), "x y");
  EXPECT_EQ(params.find("missing"), std::nullopt);
}

TEST(QueryStringTest, PlusIsSpaceButEscapedPlusIsPlus) {
  QueryParams params = parseOk("q=hello+world&p=1%2B1&na+me=v");
  EXPECT_EQ(params.find("q"), "hello world");
  EXPECT_EQ(params.find("p"), "1+1");
  EXPECT_EQ(params.find("na me"), "v");
}

TEST(QueryStringTest, FlagsAndEmptyValues) {
  QueryParams params = parseOk("flag&empty=&=nameless&x=a=b");
  EXPECT_EQ(params.entries(),
            (Entries{{"flag", ""}, {"empty", ""}, {"", "nameless"}, {"x", "a=b"}}));
  EXPECT_EQ(params.find("flag"), "");
}

TEST(QueryStringTest, SkipsEmptyPieces) {
  EXPECT_TRUE(parseOk("").empty());
  EXPECT_EQ(parseOk("&&a=1&&").entries(), (Entries{{"a", "1"}}));
}

TEST(QueryStringTest, RepeatedNamesAreKeptAndFindReturnsTheFirst) {
  QueryParams params = parseOk("h=1&h=2");
  EXPECT_EQ(params.size(), 2u);
  EXPECT_EQ(params.find("h"), "1");
}

TEST(QueryStringTest, InvalidEscapesAreErrors) {
  for (std::string_view bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "b%=1", "ok=1&bad=%G0", "%"}) {
    Result<QueryParams> parsed = parseQueryString(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  Result<QueryParams> parsed = parseQueryString("ok=1&bad=%G0");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("'bad'"), std::string::npos) << parsed.error().message;
}

TEST(QueryStringTest, PercentDecodeKeepsPlusInPaths) {
  EXPECT_EQ(percentDecode("/a+b%20c", false), "/a+b c");
  EXPECT_EQ(percentDecode("/a+b", true), "/a b");
  EXPECT_EQ(percentDecode("%00%ff", false), std::string("\0\xff", 2));
  EXPECT_EQ(percentDecode("/x%2", false), std::nullopt);
}

}  // namespace
}  // namespace meshlb::admin
