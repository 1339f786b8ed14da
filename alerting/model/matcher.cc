#include "alerting/model/matcher.h"

#include <algorithm>
#include <array>
#include <cstdint>
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

// Longer patterns are refused: label values are short, and std::regex compiles and matches
// recursively, so its cost grows with the pattern.
constexpr size_t kMaxPatternLength = 1024;

// Whether the pattern has a backreference (\1 ... \9...). Alertmanager's RE2 has none, and
// libstdc++'s regex compiler overflows on a backreference with a very large number.
bool hasBackreference(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '\\') {
      continue;
    }
    if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
      return true;
    }
    ++i;  // an escaped character, possibly a backslash: never the start of an escape
  }
  return false;
}

// RE2 (Alertmanager's engine) refuses a counted repetition above 1000, nested ones included
// ((a{100}){100} counts 10,000). libstdc++'s compiler unrolls every count into states, so a big
// one stalls the thread that compiles it (x{88885}: 14 s) and a 20-digit one overflows inside it.
constexpr uint64_t kMaxRepeat = 1000;

// Reads the digits at pattern[i...] as a number capped just above kMaxRepeat; i moves past them.
uint64_t readCount(std::string_view pattern, size_t& i) {
  uint64_t value = 0;
  for (; i < pattern.size() && pattern[i] >= '0' && pattern[i] <= '9'; ++i) {
    value =
        std::min<uint64_t>(value * 10 + static_cast<uint64_t>(pattern[i] - '0'), kMaxRepeat + 1);
  }
  return value;
}

// Whether a counted repetition {n}, {n,} or {n,m}, multiplied by the counts of the repetitions
// it is nested in, goes above kMaxRepeat. Escapes and bracket expressions are skipped.
bool hasRepetitionOverLimit(std::string_view pattern) {
  // Per open group: the largest repetition product inside it so far. The product of the atom
  // just before a quantifier: 1 for a character, the group's product for a group that closed.
  std::vector<uint64_t> group_product{1};
  uint64_t last_atom = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
      last_atom = 1;
    } else if (c == '[') {
      // A bracket expression ends at the first ']' that is not its first member.
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') {
        ++j;
      }
      if (j < pattern.size() && pattern[j] == ']') {
        ++j;
      }
      for (; j < pattern.size() && pattern[j] != ']'; ++j) {
        if (pattern[j] == '\\') {
          ++j;
        }
      }
      i = j;
      last_atom = 1;
    } else if (c == '(') {
      group_product.push_back(1);
      last_atom = 1;
    } else if (c == ')' && group_product.size() > 1) {
      last_atom = group_product.back();
      group_product.pop_back();
      group_product.back() = std::max(group_product.back(), last_atom);  // ((a{500})){3}
    } else if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] >= '0' &&
               pattern[i + 1] <= '9') {
      size_t j = i + 1;
      uint64_t count = readCount(pattern, j);
      if (j < pattern.size() && pattern[j] == ',') {
        ++j;
        count = std::max(count, readCount(pattern, j));
      }
      const uint64_t product = std::min(count * last_atom, kMaxRepeat + 1);
      if (product > kMaxRepeat) {
        return true;
      }
      group_product.back() = std::max(group_product.back(), product);
      i = j - 1;  // the loop's ++i moves past what was read; '}' is then an ordinary character
      last_atom = 1;
    } else {
      last_atom = 1;
    }
  }
  return false;
}

// Whether the matcher holds for a label whose value is `value` ("" when absent).
bool holds(const Matcher& matcher, std::string_view value) {
  switch (matcher.op) {
    case Matcher::Op::kEqual:
      return value == matcher.value;
    case Matcher::Op::kNotEqual:
      return value != matcher.value;
    case Matcher::Op::kRegex:
    case Matcher::Op::kNotRegex: {
      const bool match =
          matcher.regex != nullptr && std::regex_match(value.begin(), value.end(), *matcher.regex);
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
  } else if (has_value && isRegexOp(matcher.op) && hasBackreference(matcher.value)) {
    reader.error("value", "backreferences (\\1 ... \\9) are not supported");
  } else if (has_value && isRegexOp(matcher.op) && hasRepetitionOverLimit(matcher.value)) {
    reader.error("value", "a counted repetition over " + std::to_string(kMaxRepeat) +
                              " (nested ones multiplied) is not supported");
  } else if (has_value && isRegexOp(matcher.op)) {
    // std::regex reports a bad pattern only by throwing: caught here, where it is an input error.
    try {
      matcher.regex = std::make_shared<const std::regex>(std::string("^(?:") + matcher.value + ")$",
                                                         std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      reader.error("value", std::string("invalid regular expression: ") + e.what());
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
