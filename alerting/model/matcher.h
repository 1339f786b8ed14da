#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/model/labels.h"

namespace meshlb::alerting {

// A label matcher as Alertmanager has them: name, op (= != =~ !~) and value. Regular
// expressions are ECMAScript, anchored at both ends as in Alertmanager. Immutable once parsed;
// any thread (std::regex matching is const and thread-safe).
struct Matcher {
  enum class Op : uint8_t { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEqual;
  std::string value;
  std::shared_ptr<const std::regex> regex;  // for kRegex and kNotRegex

  // A missing label matches as the empty string, as in Alertmanager.
  bool matches(const LabelSet& labels) const;
  bool matchesEmpty() const;  // true when it matches a label set without `name`
};

// Parses {"name": "...", "op": "=", "value": "..."} ("op" defaults to "="); every problem goes to
// `errors` with `path` + ".name" and so on.
std::optional<Matcher> parseMatcher(const nlohmann::json& node, const std::string& path,
                                    std::vector<FieldError>& errors);
nlohmann::json matcherToJson(const Matcher& matcher);
std::string_view opName(Matcher::Op op);
// True when every matcher holds (true for none).
bool matchesAll(const std::vector<Matcher>& matchers, const LabelSet& labels);

}  // namespace meshlb::alerting
