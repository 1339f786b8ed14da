#include "alerting/model/matcher.h"

#include <array>
#include <vector>

#include "alerting/model/field_reader.h"

namespace meshlb::alerting {
namespace {

constexpr std::array<std::string_view, 4> kOpNames = {"=", "!=", "=~", "!~"};

std::optional<Matcher::Op> opByName(std::string_view name) {
  for (size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) {
      return static_cast<Matcher::Op>(i);
    }
  }
  return std::nullopt;
}

bool isRegexOp(Matcher::Op op) {
  return op == Matcher::Op::kRegex || op == Matcher::Op::kNotRegex;
}

// Longer patterns are refused: label values are short, and a pattern's program (at most
// LinearRegex::kMaxProgramSize instructions) is walked once per byte of the value it matches.
constexpr size_t kMaxPatternLength = 1024;

// Whether the matcher holds for a label whose value is `value` ("" when absent).
bool holds(const Matcher& matcher, std::string_view value) {
  switch (matcher.op) {
    case Matcher::Op::kEqual:
      return value == matcher.value;
    case Matcher::Op::kNotEqual:
      return value != matcher.value;
    case Matcher::Op::kRegex:
    case Matcher::Op::kNotRegex: {
      const bool match = matcher.regex != nullptr && matcher.regex->fullMatch(value);
      return (matcher.op == Matcher::Op::kRegex) == match;
    }
  }
  return false;
}

}  // namespace

bool Matcher::matches(const LabelSet& labels) const {
  const std::string* value = findLabel(labels, name);
  return holds(*this, value == nullptr ? std::string_view() : std::string_view(*value));
}

bool Matcher::matchesEmpty() const {
  return holds(*this, std::string_view());
}

std::optional<Matcher> parseMatcher(const nlohmann::json& node, const std::string& path,
                                    std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(node, path, errors);
  Matcher matcher;
  if (reader.string("name", matcher.name, true) && !validLabelName(matcher.name)) {
    reader.error("name", "'" + matcher.name + "' is not a valid label name");
  }
  std::string op = "=";
  if (reader.string("op", op)) {
    if (const std::optional<Matcher::Op> parsed = opByName(op)) {
      matcher.op = *parsed;
    } else {
      reader.error("op", "must be one of = != =~ !~");
    }
  }
  const bool has_value = reader.string("value", matcher.value, true);
  if (has_value && isRegexOp(matcher.op) && matcher.value.size() > kMaxPatternLength) {
    reader.error("value",
                 "regular expression longer than " + std::to_string(kMaxPatternLength) + " bytes");
  } else if (has_value && isRegexOp(matcher.op)) {
    // RE2's rules, as Alertmanager applies them: no backreferences, no counted repetition over
    // 1000 (nested ones multiplied), no nested repetition operator such as `**`.
    std::string error;
    if (std::optional<LinearRegex> regex = LinearRegex::compile(matcher.value, &error)) {
      matcher.regex = std::make_shared<const LinearRegex>(std::move(*regex));
    } else {
      reader.error("value", "invalid regular expression: " + error);
    }
  }
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return matcher;
}

nlohmann::json matcherToJson(const Matcher& matcher) {
  return nlohmann::json{
      {"name", matcher.name}, {"op", std::string(opName(matcher.op))}, {"value", matcher.value}};
}

std::string_view opName(Matcher::Op op) {
  return kOpNames[static_cast<size_t>(op)];
}

bool matchesAll(const std::vector<Matcher>& matchers, const LabelSet& labels) {
  for (const Matcher& matcher : matchers) {
    if (!matcher.matches(labels)) {
      return false;
    }
  }
  return true;
}

}  // namespace meshlb::alerting
