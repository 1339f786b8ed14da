#include "alerting/rules/rule_parser.h"

#include <array>

#include "alerting/model/field_reader.h"
#include "alerting/rules/condition_parser.h"

namespace meshlb::alerting {
namespace {

// Labels every instance gets from the rule and its scope; a rule may not set them itself.
constexpr std::array<std::string_view, 4> kDerivedLabels = {"alertname", "severity", "cluster",
                                                            "host"};

bool isDerivedLabel(std::string_view name) {
  for (const std::string_view derived : kDerivedLabels) {
    if (derived == name) {
      return true;
    }
  }
  return false;
}

void parseSelect(FieldReader& reader, Scope scope, Rule& rule) {
  const nlohmann::json* select = reader.take("select");
  if (select == nullptr) {
    return;
  }
  if (!select->is_array() || select->size() > kMaxSelectMatchers) {
    reader.error("select", "expected an array of at most 16 matchers");
    return;
  }
  if (scope == Scope::kGlobal && !select->empty()) {
    reader.error("select", "a global rule has no cluster or host to select");
    return;
  }
  for (size_t i = 0; i < select->size(); ++i) {
    const std::string path = indexPath(reader.pathOf("select"), i);
    std::optional<Matcher> matcher = parseMatcher((*select)[i], path, reader.errors());
    if (!matcher.has_value()) {
      continue;
    }
    const bool allowed =
        matcher->name == "cluster" || (matcher->name == "host" && scope == Scope::kHost);
    if (!allowed) {
      reader.errors().push_back(
          {fieldPath(path, "name"),
           scope == Scope::kHost ? "must be cluster or host" : "must be cluster at cluster scope"});
      continue;
    }
    rule.select.push_back(std::move(*matcher));
  }
}

void parseLabels(FieldReader& reader, Rule& rule) {
  const nlohmann::json* labels = reader.take("labels");
  if (labels == nullptr) {
    return;
  }
  if (!labels->is_object() || labels->size() > kMaxRuleLabels) {
    reader.error("labels", "expected an object of at most 16 labels");
    return;
  }
  std::vector<Label> parsed;
  for (const auto& [name, value] : labels->items()) {
    const std::string path = fieldPath(reader.pathOf("labels"), name);
    if (!validLabelName(name)) {
      reader.errors().push_back({path, "'" + name + "' is not a valid label name"});
    } else if (isDerivedLabel(name)) {
      reader.errors().push_back({path, "is set by the rule itself and cannot be overridden"});
    } else if (!value.is_string()) {
      reader.errors().push_back({path, "expected a string"});
    } else {
      parsed.emplace_back(name, value.get_ref<const std::string&>());
    }
  }
  rule.labels = makeLabelSet(std::move(parsed));
}

void parseAnnotations(FieldReader& reader, Scope scope, Rule& rule) {
  const nlohmann::json* annotations = reader.take("annotations");
  if (annotations == nullptr) {
    return;
  }
  if (!annotations->is_object() || annotations->size() > kMaxRuleAnnotations) {
    reader.error("annotations", "expected an object of at most 16 annotations");
    return;
  }
  // A JSON object iterates in key order, so the annotations come out sorted.
  for (const auto& [name, value] : annotations->items()) {
    const std::string path = fieldPath(reader.pathOf("annotations"), name);
    if (!validLabelName(name)) {
      reader.errors().push_back({path, "'" + name + "' is not a valid annotation name"});
      continue;
    }
    if (!value.is_string()) {
      reader.errors().push_back({path, "expected a string"});
      continue;
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxAnnotationBytes) {
      reader.errors().push_back({path, "is longer than 4096 bytes"});
      continue;
    }
    std::string error;
    std::optional<AnnotationTemplate> parsed = AnnotationTemplate::parse(text, scope, error);
    if (!parsed.has_value()) {
      reader.errors().push_back({path, std::move(error)});
      continue;
    }
    rule.annotations.emplace_back(name, std::move(*parsed));
  }
}

template <typename Enum>
void parseEnum(FieldReader& reader, std::string_view key, Enum& out,
               std::optional<Enum> (*parse)(std::string_view), const char* reason) {
  std::string name;
  if (reader.string(key, name)) {
    if (const std::optional<Enum> parsed = parse(name)) {
      out = *parsed;
    } else {
      reader.error(key, reason);
    }
  }
}

}  // namespace

bool validRuleName(std::string_view name) {
  if (name.empty() || name.size() > kMaxRuleNameLength) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<Rule> parseRule(const nlohmann::json& node, const std::string& path_prefix,
                              std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(node, path_prefix, errors);
  if (!reader.valid()) {
    return std::nullopt;
  }
  Rule rule;
  if (reader.string("name", rule.name, true) && !validRuleName(rule.name)) {
    reader.error("name", "must be 1-128 characters of A-Z a-z 0-9 _ : -");
  }
  parseEnum(reader, "scope", rule.scope, parseScope, "must be one of host, cluster, global");
  parseEnum(reader, "severity", rule.severity, parseSeverity,
            "must be one of critical, warning, info");
  reader.uint("for_s", rule.for_s, 0, kMaxForS);
  reader.uint("keep_firing_for_s", rule.keep_firing_for_s, 0, kMaxForS);
  parseSelect(reader, rule.scope, rule);
  if (const nlohmann::json* condition = reader.take("condition")) {
    size_t leaves = 0;
    const std::string path = reader.pathOf("condition");
    std::optional<Condition> parsed =
        parseCondition(*condition, path, rule.scope, 1, leaves, errors);
    if (leaves > kMaxConditionLeaves) {
      errors.push_back({path, "has " + std::to_string(leaves) +
                                  " threshold and anomaly conditions; at most 16 are allowed"});
    }
    if (parsed.has_value()) {
      rule.condition = std::move(*parsed);
    }
  } else {
    reader.error("condition", "is required");
  }
  parseLabels(reader, rule);
  parseAnnotations(reader, rule.scope, rule);
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return rule;
}

nlohmann::json ruleToJson(const Rule& rule) {
  nlohmann::json select = nlohmann::json::array();
  for (const Matcher& matcher : rule.select) {
    select.push_back(matcherToJson(matcher));
  }
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : rule.labels) {
    labels[name] = value;
  }
  nlohmann::json annotations = nlohmann::json::object();
  for (const auto& [name, annotation] : rule.annotations) {
    annotations[name] = annotation.text();
  }
  return nlohmann::json{{"name", rule.name},
                        {"scope", std::string(scopeName(rule.scope))},
                        {"severity", std::string(severityName(rule.severity))},
                        {"for_s", rule.for_s},
                        {"keep_firing_for_s", rule.keep_firing_for_s},
                        {"select", std::move(select)},
                        {"condition", conditionToJson(rule.condition)},
                        {"labels", std::move(labels)},
                        {"annotations", std::move(annotations)}};
}

}  // namespace meshlb::alerting
