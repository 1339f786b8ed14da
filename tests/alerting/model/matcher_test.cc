// Label matchers: the four ops, anchoring, missing labels, parsing and its errors.

#include "alerting/model/matcher.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

Matcher parse(const nlohmann::json& node) {
  std::vector<FieldError> errors;
  std::optional<Matcher> matcher = parseMatcher(node, "m", errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].path + ": " + errors[0].reason);
  return matcher.value_or(Matcher{});
}

const LabelSet kLabels = makeLabelSet({{"cluster", "app"}, {"severity", "critical"}});

TEST(AlertMatcher, Equality) {
  EXPECT_TRUE(parse({{"name", "cluster"}, {"value", "app"}}).matches(kLabels));  // op defaults to =
  EXPECT_FALSE(parse({{"name", "cluster"}, {"op", "="}, {"value", "ap"}}).matches(kLabels));
  EXPECT_TRUE(parse({{"name", "cluster"}, {"op", "!="}, {"value", "api"}}).matches(kLabels));
  EXPECT_FALSE(parse({{"name", "cluster"}, {"op", "!="}, {"value", "app"}}).matches(kLabels));
}

TEST(AlertMatcher, RegexIsAnchored) {
  EXPECT_TRUE(parse({{"name", "cluster"}, {"op", "=~"}, {"value", "app|api"}}).matches(kLabels));
  EXPECT_FALSE(parse({{"name", "cluster"}, {"op", "=~"}, {"value", "pp"}}).matches(kLabels));
  EXPECT_FALSE(parse({{"name", "cluster"}, {"op", "=~"}, {"value", "a"}}).matches(kLabels));
  EXPECT_TRUE(parse({{"name", "cluster"}, {"op", "!~"}, {"value", "a"}}).matches(kLabels));
  EXPECT_FALSE(parse({{"name", "cluster"}, {"op", "!~"}, {"value", "a.*"}}).matches(kLabels));
}

TEST(AlertMatcher, AMissingLabelIsTheEmptyString) {
  EXPECT_TRUE(parse({{"name", "team"}, {"value", ""}}).matches(kLabels));
  EXPECT_TRUE(parse({{"name", "team"}, {"op", "!="}, {"value", "x"}}).matches(kLabels));
  EXPECT_FALSE(parse({{"name", "team"}, {"op", "=~"}, {"value", ".+"}}).matches(kLabels));
}

TEST(AlertMatcher, MatchesEmpty) {
  EXPECT_TRUE(parse({{"name", "a"}, {"op", "=~"}, {"value", ".*"}}).matchesEmpty());
  EXPECT_TRUE(parse({{"name", "a"}, {"op", "!="}, {"value", "x"}}).matchesEmpty());
  EXPECT_TRUE(parse({{"name", "a"}, {"value", ""}}).matchesEmpty());
  EXPECT_FALSE(parse({{"name", "a"}, {"value", "x"}}).matchesEmpty());
  EXPECT_FALSE(parse({{"name", "a"}, {"op", "=~"}, {"value", ".+"}}).matchesEmpty());
  EXPECT_FALSE(parse({{"name", "a"}, {"op", "!~"}, {"value", ".*"}}).matchesEmpty());
}

TEST(AlertMatcher, MatchesAll) {
  const std::vector<Matcher> matchers = {parse({{"name", "cluster"}, {"value", "app"}}),
                                         parse({{"name", "severity"}, {"value", "critical"}})};
  EXPECT_TRUE(matchesAll(matchers, kLabels));
  EXPECT_TRUE(matchesAll({}, kLabels));
  EXPECT_FALSE(matchesAll(matchers, makeLabelSet({{"cluster", "app"}})));
}

TEST(AlertMatcher, ParseErrorsHavePaths) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(
      parseMatcher({{"name", "9x"}, {"op", "~"}, {"extra", 1}}, "select[0]", errors).has_value());
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].path, "select[0].name");
  EXPECT_EQ(errors[1].path, "select[0].op");
  EXPECT_EQ(errors[1].reason, "must be one of = != =~ !~");
  EXPECT_EQ(errors[2].path, "select[0].value");
  EXPECT_EQ(errors[2].reason, "is required");
  EXPECT_EQ(errors[3].path, "select[0].extra");
  EXPECT_EQ(errors[3].reason, "unknown key");
}

TEST(AlertMatcher, ABadRegexIsAFieldError) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(
      parseMatcher({{"name", "a"}, {"op", "=~"}, {"value", "(unclosed"}}, "m", errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "m.value");
  EXPECT_EQ(errors[0].reason.rfind("invalid regular expression: ", 0), 0u) << errors[0].reason;
}

// Found by the rule-parser fuzzer: libstdc++'s regex compiler overflows on a backreference with
// a 20-digit number. Backreferences are refused (RE2, which Alertmanager uses, has none either),
// and an escaped backslash followed by a digit is not one.
// Found by the rule-parser fuzzer: x{88885} took libstdc++'s regex compiler 14 s, and a 20-digit
// count overflowed inside it. As RE2 does, counts over 1000 are refused, nested ones multiplied;
// braces that are escaped or inside a bracket expression are not counts.
TEST(AlertMatcher, RepetitionsOverAThousandAreFieldErrors) {
  for (const char* pattern : {"x{88885}", "a{2994444444444444444444}", "a{1,1001}", "(a{100}){11}",
                              "((a{500})){3}", "(?:ab{10}c){101}"}) {
    std::vector<FieldError> errors;
    EXPECT_FALSE(
        parseMatcher({{"name", "a"}, {"op", "!~"}, {"value", pattern}}, "m", errors).has_value())
        << pattern;
    ASSERT_EQ(errors.size(), 1u) << pattern;
    EXPECT_EQ(errors[0].path, "m.value");
    EXPECT_NE(errors[0].reason.find("invalid repeat count"), std::string::npos) << errors[0].reason;
  }
  EXPECT_TRUE(parse({{"name", "host"}, {"op", "=~"}, {"value", "a{3}(b{10}){100}c{1000}"}})
                  .matches(makeLabelSet(
                      {{"host", "aaa" + std::string(1000, 'b') + std::string(1000, 'c')}})));
  EXPECT_TRUE(parse({{"name", "host"}, {"op", "=~"}, {"value", "\\{99999\\}|[{]99999}"}})
                  .matches(makeLabelSet({{"host", "{99999}"}})));
}

TEST(AlertMatcher, BackreferencesAndHugePatternsAreFieldErrors) {
  for (const char* pattern : {"(a)\\1", "(a)\\99999999999999999999", "x\\\\\\2"}) {
    std::vector<FieldError> errors;
    EXPECT_FALSE(
        parseMatcher({{"name", "a"}, {"op", "=~"}, {"value", pattern}}, "m", errors).has_value())
        << pattern;
    ASSERT_EQ(errors.size(), 1u) << pattern;
    EXPECT_EQ(errors[0].path, "m.value");
    EXPECT_NE(errors[0].reason.find("invalid escape sequence"), std::string::npos)
        << errors[0].reason;
  }
  const Matcher escaped = parse({{"name", "cluster"}, {"op", "=~"}, {"value", "a\\\\1"}});
  EXPECT_TRUE(escaped.matches(makeLabelSet({{"cluster", "a\\1"}})));
  EXPECT_TRUE(parse({{"name", "cluster"}, {"op", "=~"}, {"value", "[0-9]\\d"}})
                  .matches(makeLabelSet({{"cluster", "42"}})));

  std::vector<FieldError> errors;
  EXPECT_FALSE(
      parseMatcher({{"name", "a"}, {"op", "=~"}, {"value", std::string(1025, 'a')}}, "m", errors)
          .has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("longer than 1024"), std::string::npos) << errors[0].reason;
  EXPECT_TRUE(parse({{"name", "a"}, {"op", "=~"}, {"value", std::string(1024, 'a')}})
                  .matches(makeLabelSet({{"a", std::string(1024, 'a')}})));
}

// Found by the rule-parser fuzzer's 10-million run: a silence matcher with `*********` (a
// quantifier on a quantifier, which libstdc++'s std::regex accepted) held its backtracking
// executor 27 s on an empty value. RE2 refuses nested repetition operators, and matching is now
// linear, so patterns that backtrack exponentially elsewhere answer at once.
TEST(AlertMatcher, NestedQuantifiersAreRefusedAndBacktrackingPatternsAreLinear) {
  for (const char* pattern : {"}*********:***ertn", "a**", "a+*", "a{2}*", "x??*"}) {
    std::vector<FieldError> errors;
    EXPECT_FALSE(
        parseMatcher({{"name", "a"}, {"op", "=~"}, {"value", pattern}}, "m", errors).has_value())
        << pattern;
    ASSERT_EQ(errors.size(), 1u) << pattern;
    EXPECT_NE(errors[0].reason.find("invalid nested repetition operator"), std::string::npos)
        << errors[0].reason;
  }
  // Lazy quantifiers are not nested ones.
  EXPECT_TRUE(parse({{"name", "a"}, {"op", "=~"}, {"value", "x*?y+?"}})
                  .matches(makeLabelSet({{"a", "xxy"}})));
  const std::string long_value(100'000, 'a');
  EXPECT_FALSE(parse({{"name", "a"}, {"op", "=~"}, {"value", "(a*)*b"}})
                   .matches(makeLabelSet({{"a", long_value}})));
  EXPECT_FALSE(parse({{"name", "a"}, {"op", "=~"}, {"value", "(a|a)*b"}})
                   .matches(makeLabelSet({{"a", long_value}})));
  EXPECT_TRUE(parse({{"name", "a"}, {"op", "=~"}, {"value", "(.*)*"}})
                  .matches(makeLabelSet({{"a", long_value}})));
}

TEST(AlertMatcher, NotAnObject) {
  std::vector<FieldError> errors;
  EXPECT_FALSE(parseMatcher(nlohmann::json::array(), "m", errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "expected an object");
}

TEST(AlertMatcher, RoundTripsThroughJson) {
  const Matcher matcher = parse({{"name", "cluster"}, {"op", "!~"}, {"value", "a|b"}});
  const nlohmann::json json = matcherToJson(matcher);
  EXPECT_EQ(json, (nlohmann::json{{"name", "cluster"}, {"op", "!~"}, {"value", "a|b"}}));
  const Matcher again = parse(json);
  EXPECT_EQ(again.op, Matcher::Op::kNotRegex);
  EXPECT_TRUE(again.matches(makeLabelSet({{"cluster", "c"}})));
  EXPECT_EQ(opName(Matcher::Op::kRegex), "=~");
}

}  // namespace
}  // namespace meshlb::alerting
