#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/model/labels.h"
#include "common/linear_regex.h"

namespace meshlb::alerting {

// A label matcher as Alertmanager has them: name, op (= != =~ !~) and value. Regular
// expressions are RE2's syntax, anchored at both ends as in Alertmanager, and match in linear
// time (LinearRegex): an operator's pattern can never stall the thread that evaluates it.
// Immutable once parsed; any thread.
struct Matcher {
  enum class Op : uint8_t { kEqual, kNotEqual, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEqual;
  std::string value;
  std::shared_ptr<const LinearRegex> regex;  // for kRegex and kNotRegex

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
