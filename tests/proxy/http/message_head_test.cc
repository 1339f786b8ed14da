#include "proxy/http/message_head.h"

#include <gtest/gtest.h>
#include <llhttp.h>

#include <string>
#include <string_view>
#include <vector>

namespace meshlb::http {
namespace {

void appendUrl(MessageHead& head, std::string_view text) {
  head.appendUrl(text.data(), text.size());
}
void appendName(MessageHead& head, std::string_view text) {
  head.appendName(text.data(), text.size());
}
void appendValue(MessageHead& head, std::string_view text) {
  head.appendValue(text.data(), text.size());
}
void addHeader(MessageHead& head, std::string_view name, std::string_view value) {
  appendName(head, name);
  appendValue(head, value);
}

std::vector<std::string> listElements(std::string_view list) {
  std::vector<std::string> elements;
  forEachListElement(list, [&](std::string_view element) { elements.emplace_back(element); });
  return elements;
}

TEST(MessageHeadTest, StoresUrlAndHeaders) {
  MessageHead head;
  appendUrl(head, "/index.html");
  addHeader(head, "Host", "example.com");
  addHeader(head, "Accept", "*/*");
  head.finishHeader();
  EXPECT_EQ(head.url(), "/index.html");
  ASSERT_EQ(head.headerCount(), 2u);
  EXPECT_EQ(head.name(0), "Host");
  EXPECT_EQ(head.value(0), "example.com");
  EXPECT_EQ(head.name(1), "Accept");
  EXPECT_EQ(head.value(1), "*/*");
}

TEST(MessageHeadTest, PiecesSplitAcrossCallsAreJoined) {
  MessageHead head;
  appendUrl(head, "/a");
  appendUrl(head, "/b");
  appendUrl(head, "?c");
  appendName(head, "Con");
  appendName(head, "tent-Type");
  appendValue(head, "text/");
  appendValue(head, "plain");
  appendName(head, "X");
  appendValue(head, "1");
  head.finishHeader();
  EXPECT_EQ(head.url(), "/a/b?c");
  ASSERT_EQ(head.headerCount(), 2u);
  EXPECT_EQ(head.name(0), "Content-Type");
  EXPECT_EQ(head.value(0), "text/plain");
  EXPECT_EQ(head.name(1), "X");
  EXPECT_EQ(head.value(1), "1");
}

TEST(MessageHeadTest, FinishHeaderTrimsSpacesAndTabsAroundValue) {
  MessageHead head;
  addHeader(head, "A", " \t value with  inner  space \t ");
  addHeader(head, "B", "   ");
  head.finishHeader();
  EXPECT_EQ(head.value(0), "value with  inner  space");
  EXPECT_EQ(head.value(1), "");
}

TEST(MessageHeadTest, NameWithoutValueHasEmptyValue) {
  MessageHead head;
  appendName(head, "Empty");
  head.finishHeader();
  appendName(head, "Next");
  appendValue(head, "v");
  head.finishHeader();
  ASSERT_EQ(head.headerCount(), 2u);
  EXPECT_EQ(head.name(0), "Empty");
  EXPECT_EQ(head.value(0), "");
  EXPECT_EQ(head.value(1), "v");
}

TEST(MessageHeadTest, ValueBeforeAnyNameIsIgnored) {
  MessageHead head;
  appendValue(head, "orphan");
  head.finishHeader();
  EXPECT_EQ(head.headerCount(), 0u);
}

TEST(MessageHeadTest, FindIsCaseInsensitiveAndReturnsFirst) {
  MessageHead head;
  addHeader(head, "X-Dup", "first");
  addHeader(head, "x-dup", "second");
  addHeader(head, "Host", "h");
  head.finishHeader();
  ASSERT_TRUE(head.find("X-DUP").has_value());
  EXPECT_EQ(*head.find("X-DUP"), "first");
  EXPECT_EQ(*head.find("host"), "h");
  EXPECT_FALSE(head.find("missing").has_value());
  EXPECT_FALSE(head.find("x-du").has_value());
  EXPECT_EQ(head.count("x-dup"), 2u);
  EXPECT_EQ(head.count("HOST"), 1u);
  EXPECT_EQ(head.count("nope"), 0u);
}

TEST(MessageHeadTest, ClearResetsEverything) {
  MessageHead head;
  appendUrl(head, "/old");
  addHeader(head, "A", "b");
  head.finishHeader();
  head.method = HTTP_POST;
  head.status = 404;
  head.version_minor = 0;
  head.clear();
  EXPECT_EQ(head.url(), "");
  EXPECT_EQ(head.headerCount(), 0u);
  EXPECT_EQ(head.storedBytes(), 0u);
  EXPECT_EQ(head.method, 0);
  EXPECT_EQ(head.status, 0);
  EXPECT_EQ(head.version_major, 1);
  EXPECT_EQ(head.version_minor, 1);
  appendUrl(head, "/new");
  addHeader(head, "C", "d");
  head.finishHeader();
  EXPECT_EQ(head.url(), "/new");
  ASSERT_EQ(head.headerCount(), 1u);
  EXPECT_EQ(head.name(0), "C");
}

TEST(MessageHeadTest, ReasonSharesTheStartLineSlot) {
  MessageHead head;
  appendUrl(head, "Not Found");
  EXPECT_EQ(head.reason(), "Not Found");
  EXPECT_EQ(head.urlLength(), 9u);
}

TEST(MessageHeadTest, MethodName) {
  MessageHead head;
  head.method = HTTP_GET;
  EXPECT_EQ(head.methodName(), "GET");
  head.method = HTTP_DELETE;
  EXPECT_EQ(head.methodName(), "DELETE");
  head.method = HTTP_CONNECT;
  EXPECT_EQ(head.methodName(), "CONNECT");
}

TEST(MessageHeadTest, StoredBytesCountsUrlNamesAndValues) {
  MessageHead head;
  appendUrl(head, "/abc");
  addHeader(head, "Ab", "cde");
  head.finishHeader();
  EXPECT_EQ(head.storedBytes(), 4u + 2u + 3u);
}

TEST(EqualsIgnoreCaseTest, Letters) {
  EXPECT_TRUE(equalsIgnoreCase("Content-Length", "content-length"));
  EXPECT_TRUE(equalsIgnoreCase("HOST", "host"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
  EXPECT_FALSE(equalsIgnoreCase("host", "hosts"));
  EXPECT_FALSE(equalsIgnoreCase("host", "hose"));
}

TEST(EqualsIgnoreCaseTest, NonLettersDifferingByCaseBitAreNotEqual) {
  // '@' and '`', '[' and '{', '^' and '~' differ only in bit 0x20 but are not letters.
  EXPECT_FALSE(equalsIgnoreCase("@", "`"));
  EXPECT_FALSE(equalsIgnoreCase("[", "{"));
  EXPECT_FALSE(equalsIgnoreCase("^", "~"));
  EXPECT_FALSE(equalsIgnoreCase("-", "\r"));
  EXPECT_FALSE(equalsIgnoreCase("0", "\x10"));
  EXPECT_TRUE(equalsIgnoreCase("a-1", "A-1"));
}

TEST(IsTokenTest, AcceptsTchars) {
  EXPECT_TRUE(isToken("Content-Type"));
  EXPECT_TRUE(isToken("x_y.z~1"));
  EXPECT_TRUE(isToken("!#$%&'*+-.^_`|~"));
  EXPECT_TRUE(isToken("AZaz09"));
}

TEST(IsTokenTest, RejectsSeparatorsAndControls) {
  EXPECT_FALSE(isToken(""));
  EXPECT_FALSE(isToken("a b"));
  EXPECT_FALSE(isToken("a:b"));
  EXPECT_FALSE(isToken("a\tb"));
  EXPECT_FALSE(isToken("a\"b"));
  EXPECT_FALSE(isToken("(a)"));
  EXPECT_FALSE(isToken("a,b"));
  EXPECT_FALSE(isToken("a/b"));
  EXPECT_FALSE(isToken("a@b"));
  EXPECT_FALSE(isToken("{a}"));
  EXPECT_FALSE(isToken(std::string_view("a\0b", 3)));
  EXPECT_FALSE(isToken("a\x7f"));
  EXPECT_FALSE(isToken("caf\xc3\xa9"));
}

TEST(ForEachListElementTest, SplitsAndTrims) {
  EXPECT_EQ(listElements("a, b ,\tc\t"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(listElements("keep-alive"), (std::vector<std::string>{"keep-alive"}));
}

TEST(ForEachListElementTest, SkipsEmptyElements) {
  EXPECT_EQ(listElements(",, a ,, ,b,"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(listElements("").empty());
  EXPECT_TRUE(listElements(" , ,").empty());
}

TEST(ForEachListElementTest, KeepsInnerWhitespace) {
  EXPECT_EQ(listElements(" a b , c"), (std::vector<std::string>{"a b", "c"}));
}

}  // namespace
}  // namespace meshlb::http
