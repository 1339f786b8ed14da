// LinearRegex: RE2 syntax, full-match semantics, Go-worded errors, and linear time on the
// patterns that make a backtracking engine blow up.

#include "common/linear_regex.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb {
namespace {

LinearRegex mustCompile(std::string_view pattern) {
  std::string error;
  std::optional<LinearRegex> regex = LinearRegex::compile(pattern, &error);
  EXPECT_TRUE(regex.has_value()) << pattern << ": " << error;
  if (!regex) {
    return *LinearRegex::compile("(?:)", nullptr);
  }
  return *regex;
}

bool full(std::string_view pattern, std::string_view subject) {
  return mustCompile(pattern).fullMatch(subject);
}

std::string compileError(std::string_view pattern) {
  std::string error;
  EXPECT_FALSE(LinearRegex::compile(pattern, &error).has_value()) << pattern;
  return error;
}

TEST(LinearRegex, LiteralsMatchTheWholeSubjectOnly) {
  EXPECT_TRUE(full("ab", "ab"));
  EXPECT_FALSE(full("ab", "abc"));
  EXPECT_FALSE(full("ab", "xab"));
  EXPECT_FALSE(full("ab", "a"));
  EXPECT_TRUE(full("prod-eu-1", "prod-eu-1"));
  EXPECT_TRUE(full("é", "é"));  // UTF-8 in the pattern is its byte sequence
  EXPECT_TRUE(full("é+", "ééé"));
  EXPECT_TRUE(full("}", "}"));
  EXPECT_TRUE(full("]", "]"));
}

TEST(LinearRegex, EmptyPatternMatchesOnlyTheEmptyString) {
  EXPECT_TRUE(full("", ""));
  EXPECT_FALSE(full("", "a"));
  EXPECT_TRUE(full("()", ""));
  EXPECT_TRUE(full("a|", ""));
  EXPECT_TRUE(full("(?:)", ""));
  EXPECT_TRUE(full("(?)", ""));  // Go accepts an empty flags group
}

TEST(LinearRegex, DotMatchesAnyByteButNewline) {
  EXPECT_TRUE(full(".", "x"));
  EXPECT_FALSE(full(".", "\n"));
  EXPECT_FALSE(full(".", ""));
  EXPECT_TRUE(full("a.c", "a-c"));
  EXPECT_TRUE(full(".*", "any thing"));
  EXPECT_FALSE(full(".*", "two\nlines"));
  EXPECT_TRUE(full("(?s).*", "two\nlines"));
  EXPECT_TRUE(full("..", "é"));  // byte-wise: é is two bytes
}

TEST(LinearRegex, BracketClasses) {
  EXPECT_TRUE(full("[abc]", "b"));
  EXPECT_FALSE(full("[abc]", "d"));
  EXPECT_TRUE(full("[a-z]+", "hello"));
  EXPECT_FALSE(full("[a-z]+", "Hello"));
  EXPECT_TRUE(full("[a-zA-Z0-9_]+", "Ab_9"));
  EXPECT_TRUE(full("[]a]", "]"));
  EXPECT_TRUE(full("[a-]", "-"));
  EXPECT_TRUE(full("[-a]", "-"));
  EXPECT_TRUE(full("[a-c-e]+", "a-e"));  // Perl: '-' is literal where it cannot be a range
  EXPECT_TRUE(full("[\\]\\[]+", "[]"));
  EXPECT_TRUE(full("[\\d]+", "42"));
  EXPECT_TRUE(full("[\\w.]+", "a.b_c"));
  EXPECT_TRUE(full("[\\s]", "\t"));
  EXPECT_TRUE(full("[\\x41-\\x43]+", "ABC"));
  EXPECT_TRUE(full("[\\n]", "\n"));
}

TEST(LinearRegex, NegatedClasses) {
  EXPECT_TRUE(full("[^abc]", "d"));
  EXPECT_FALSE(full("[^abc]", "a"));
  EXPECT_TRUE(full("[^a]", "\n"));  // as in RE2, negated classes match newline
  EXPECT_TRUE(full("[^]a]", "b"));
  EXPECT_FALSE(full("[^]a]", "]"));
  EXPECT_FALSE(full("[^\\d]", "5"));
}

TEST(LinearRegex, PosixClasses) {
  EXPECT_TRUE(full("[[:alpha:]]+", "abcXYZ"));
  EXPECT_FALSE(full("[[:alpha:]]", "1"));
  EXPECT_TRUE(full("[[:digit:]]+", "0123456789"));
  EXPECT_TRUE(full("[[:alnum:]]+", "a1B2"));
  EXPECT_TRUE(full("[[:space:]]+", " \t\n\r\f\v"));
  EXPECT_TRUE(full("[[:upper:]]+", "ABC"));
  EXPECT_FALSE(full("[[:upper:]]", "a"));
  EXPECT_TRUE(full("[[:lower:]]+", "abc"));
  EXPECT_TRUE(full("[[:punct:]]+", "!-/:@[`{~"));
  EXPECT_FALSE(full("[[:punct:]]", "a"));
  EXPECT_TRUE(full("[[:xdigit:]]+", "09afAF"));
  EXPECT_FALSE(full("[[:xdigit:]]", "g"));
  EXPECT_TRUE(full("[[:^digit:]]", "x"));
  EXPECT_TRUE(full("[[:digit:]x]+", "1x2"));
}

TEST(LinearRegex, Escapes) {
  EXPECT_TRUE(full("\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\-\\/\\\\", ".*+?()[]{}|^$-/\\"));
  EXPECT_FALSE(full("a\\.b", "axb"));
  EXPECT_TRUE(full("\\d+", "123"));
  EXPECT_FALSE(full("\\d", "a"));
  EXPECT_TRUE(full("\\D\\W\\S", "a-x"));
  EXPECT_TRUE(full("\\w+", "foo_Bar9"));
  EXPECT_FALSE(full("\\w", "-"));
  EXPECT_TRUE(full("\\s+", " \t\n\f\r"));
  EXPECT_FALSE(full("\\s", "\v"));  // RE2's \s has no \v
  EXPECT_TRUE(full("\\t\\n\\r\\f\\v", "\t\n\r\f\v"));
  EXPECT_TRUE(full("\\x41\\x7a", "Az"));
  EXPECT_TRUE(full("\\x{41}", "A"));
  EXPECT_TRUE(full("\\x{e9}", "é"));  // a code point, as its UTF-8 bytes
  EXPECT_TRUE(full("\\101", "A"));    // octal
  EXPECT_TRUE(full("\\Qa.b*\\E", "a.b*"));
  EXPECT_TRUE(full("\\Qab\\E+", "abbb"));  // the operator applies to the last byte, as in RE2
}

TEST(LinearRegex, AlternationAndGroups) {
  EXPECT_TRUE(full("foo|bar", "foo"));
  EXPECT_TRUE(full("foo|bar", "bar"));
  EXPECT_FALSE(full("foo|bar", "foobar"));
  EXPECT_TRUE(full("a(b|c)d", "acd"));
  EXPECT_TRUE(full("(?:ab)+", "ababab"));
  EXPECT_FALSE(full("(?:ab)+", "aba"));
  EXPECT_TRUE(full("(?P<name>x)y", "xy"));
  EXPECT_TRUE(full("(?<name>x)y", "xy"));
  EXPECT_TRUE(full("((a|b)(c|d))*", "acbdad"));
  EXPECT_TRUE(full("api|web|(db-[0-9]+)", "db-12"));
}

TEST(LinearRegex, Quantifiers) {
  EXPECT_TRUE(full("a*", ""));
  EXPECT_TRUE(full("a*", "aaa"));
  EXPECT_FALSE(full("a+", ""));
  EXPECT_TRUE(full("a+", "aa"));
  EXPECT_TRUE(full("ab?c", "ac"));
  EXPECT_TRUE(full("ab?c", "abc"));
  EXPECT_FALSE(full("ab?c", "abbc"));
  EXPECT_TRUE(full("a{3}", "aaa"));
  EXPECT_FALSE(full("a{3}", "aa"));
  EXPECT_FALSE(full("a{3}", "aaaa"));
  EXPECT_TRUE(full("a{2,}", "aaaaa"));
  EXPECT_FALSE(full("a{2,}", "a"));
  EXPECT_TRUE(full("a{2,4}", "aa"));
  EXPECT_TRUE(full("a{2,4}", "aaaa"));
  EXPECT_FALSE(full("a{2,4}", "aaaaa"));
  EXPECT_TRUE(full("a{0}", ""));
  EXPECT_TRUE(full("a{0,}", "aaa"));
  EXPECT_TRUE(full("(ab){1,2}", "abab"));
}

TEST(LinearRegex, LazyQuantifiersAcceptTheSameStrings) {
  EXPECT_TRUE(full("a*?", "aaa"));
  EXPECT_TRUE(full("a+?b", "aab"));
  EXPECT_TRUE(full("a??b", "ab"));
  EXPECT_TRUE(full("a??b", "b"));
  EXPECT_TRUE(full("a{2,3}?", "aaa"));
  EXPECT_FALSE(full("a{2,3}?", "a"));
  EXPECT_TRUE(full("a{2}?", "aa"));
  EXPECT_TRUE(full("a{2,}?", "aaaa"));
  EXPECT_TRUE(full("(?U)a*b", "aab"));
}

TEST(LinearRegex, BraceThatIsNotARepeatIsLiteral) {
  EXPECT_TRUE(full("a{", "a{"));
  EXPECT_TRUE(full("a{,5}", "a{,5}"));
  EXPECT_TRUE(full("a{x}", "a{x}"));
  EXPECT_TRUE(full("a{1", "a{1"));
  EXPECT_TRUE(full("{", "{"));
  EXPECT_TRUE(full("a{01}", "a{01}"));  // RE2 reads no leading zeros
}

TEST(LinearRegex, Anchors) {
  EXPECT_TRUE(full("^abc$", "abc"));
  EXPECT_TRUE(full("^$", ""));
  EXPECT_FALSE(full("a^b", "ab"));
  EXPECT_FALSE(full("a$b", "ab"));
  EXPECT_TRUE(full("\\Aab\\z", "ab"));
  EXPECT_TRUE(full("(^a|b)+", "ab"));
  EXPECT_FALSE(full("(^a|b)+", "aa"));
  EXPECT_TRUE(full("^*a", "a"));
  EXPECT_TRUE(full("(?m)a$\\n^b", "a\nb"));
  EXPECT_TRUE(full("a\\b-\\bb", "a-b"));
  EXPECT_FALSE(full("a\\bb", "ab"));
  EXPECT_TRUE(full("a\\Bb", "ab"));
}

TEST(LinearRegex, CaseInsensitiveFlag) {
  EXPECT_TRUE(full("(?i)abc", "AbC"));
  EXPECT_TRUE(full("(?i:a)b", "Ab"));
  EXPECT_FALSE(full("(?i:a)b", "AB"));
  EXPECT_TRUE(full("(?i)[a-c]+", "ABC"));
  EXPECT_FALSE(full("(?i)[^a]", "A"));
  EXPECT_TRUE(full("((?i)a)A", "aA"));
  EXPECT_FALSE(full("((?i)a)a", "aA"));  // flags end with their group
  EXPECT_TRUE(full("(?i-i)a", "a"));
}

TEST(LinearRegex, Errors) {
  EXPECT_EQ(compileError("(a"), "missing closing )");
  EXPECT_EQ(compileError("a)"), "unexpected )");
  EXPECT_EQ(compileError("[a"), "missing closing ]");
  EXPECT_EQ(compileError("[]"), "missing closing ]");
  EXPECT_EQ(compileError("*"), "missing argument to repetition operator: `*`");
  EXPECT_EQ(compileError("a|+"), "missing argument to repetition operator: `+`");
  EXPECT_EQ(compileError("(?i)*"), "missing argument to repetition operator: `*`");
  EXPECT_EQ(compileError("{2}"), "missing argument to repetition operator: `{2}`");
  EXPECT_EQ(compileError("a**"), "invalid nested repetition operator: `**`");
  EXPECT_EQ(compileError("a*?+"), "invalid nested repetition operator: `*?+`");
  EXPECT_EQ(compileError("a{2}{3}"), "invalid nested repetition operator: `{2}{3}`");
  EXPECT_EQ(compileError("a*********"), "invalid nested repetition operator: `**`");
  EXPECT_EQ(compileError("a{1001}"), "invalid repeat count");
  EXPECT_EQ(compileError("a{2,1}"), "invalid repeat count");
  EXPECT_EQ(compileError("a{99999999999}"), "invalid repeat count");
  EXPECT_EQ(compileError("(a{100}){11}"), "invalid repeat count");  // 1100 nested
  EXPECT_EQ(compileError("\\1"), "invalid escape sequence: `\\1`");
  EXPECT_EQ(compileError("(a)\\9"), "invalid escape sequence: `\\9`");
  EXPECT_EQ(compileError("\\q"), "invalid escape sequence: `\\q`");
  EXPECT_EQ(compileError("\\xZZ"), "invalid escape sequence: `\\xZZ`");
  EXPECT_EQ(compileError("a\\"), "trailing backslash at end of expression");
  EXPECT_EQ(compileError("[z-a]"), "invalid character class range: `z-a`");
  EXPECT_EQ(compileError("[[:foo:]]"), "invalid character class range: `[:foo:]`");
  EXPECT_EQ(compileError("(?z)"), "invalid or unsupported Perl syntax: `(?z`");
  EXPECT_EQ(compileError("(?i-)"), "invalid or unsupported Perl syntax: `(?i-)`");
  EXPECT_EQ(compileError("(?P<>a)"), "invalid named capture: `(?P<>`");
  EXPECT_EQ(compileError("\\pL"), "Unicode classes are not supported: `\\p`");
  EXPECT_EQ(compileError("[é]"), "non-ASCII characters in classes are not supported: `é`");
  EXPECT_EQ(compileError("\xff"), "invalid UTF-8");
  EXPECT_EQ(compileError(std::string(101, '(') + std::string(101, ')')),
            "pattern nests parentheses deeper than 100");
  std::string tooLarge;
  for (int i = 0; i < 21; ++i) {
    tooLarge += "(?:x{1000})";  // each repeat is allowed; together they pass 20,000
  }
  EXPECT_EQ(compileError(tooLarge), "expression too large");
  EXPECT_FALSE(LinearRegex::compile("(", nullptr).has_value());  // a null error is allowed
}

TEST(LinearRegex, NestingUpToTheLimitCompiles) {
  const std::string deep = std::string(100, '(') + "a" + std::string(100, ')');
  EXPECT_TRUE(full(deep, "a"));
}

TEST(LinearRegex, PathologicalNestedStarIsLinear) {
  const LinearRegex regex = mustCompile("(a*)*b");
  const std::string as(5000, 'a');
  EXPECT_FALSE(regex.fullMatch(as));
  EXPECT_TRUE(regex.fullMatch(as + "b"));
}

TEST(LinearRegex, PathologicalAlternationIsLinear) {
  const LinearRegex regex = mustCompile("(a|a)*b");
  const std::string as(5000, 'a');
  EXPECT_FALSE(regex.fullMatch(as));
  EXPECT_TRUE(regex.fullMatch(as + "b"));
  EXPECT_FALSE(full("(a|aa)*c", std::string(5000, 'a')));
  EXPECT_FALSE(full("(x+x+)+y", std::string(5000, 'x')));
}

TEST(LinearRegex, PathologicalDotStarIsLinear) {
  const LinearRegex regex = mustCompile("(.*)*x");
  const std::string subject(10000, 'y');
  EXPECT_FALSE(regex.fullMatch(subject));
  EXPECT_TRUE(regex.fullMatch(subject + "x"));
  EXPECT_FALSE(full("(.*.*.*)*x", subject));
}

TEST(LinearRegex, LargeCountedRepeat) {
  const LinearRegex regex = mustCompile("a{1000}");
  EXPECT_TRUE(regex.fullMatch(std::string(1000, 'a')));
  EXPECT_FALSE(regex.fullMatch(std::string(999, 'a')));
  EXPECT_FALSE(regex.fullMatch(std::string(1001, 'a')));
  const LinearRegex ranged = mustCompile("(?:[a-z]{0,1000}){1}[0-9]{1,1000}");
  EXPECT_TRUE(ranged.fullMatch(std::string(1000, 'q') + std::string(1000, '7')));
  EXPECT_LE(ranged.programSize(), LinearRegex::kMaxProgramSize);
}

TEST(LinearRegex, HugeSubjectDoesNotOverflowTheStack) {
  const std::string subject(1 << 20, 'z');
  EXPECT_TRUE(full(".*", subject));
  EXPECT_TRUE(full("(z|y)*", subject));
  EXPECT_FALSE(full(".*a", subject));
}

TEST(LinearRegex, SharedBetweenCopies) {
  const LinearRegex original = mustCompile("team-(a|b)");
  const LinearRegex copy = original;  // immutable value; copies match the same way
  EXPECT_TRUE(copy.fullMatch("team-a"));
  EXPECT_FALSE(copy.fullMatch("team-c"));
}

}  // namespace
}  // namespace meshlb
