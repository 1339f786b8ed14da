// libFuzzer entry point for the alerting module's API-facing parsers: the input is JSON text
// (inputs that are not JSON are skipped); it is parsed as one alert rule with parseRule() (an
// array: each element, as the config's "rules"), and, when it is an object, also as a silence
// body with parseSilence() at a fixed "now".
// Besides the sanitizers, it asserts: parsed ⇔ no errors, and every error has a reason; a rule
// round-trips: parseRule(ruleToJson(r)) parses without errors to the same JSON, also through
// the JSON text (as the journal and the admin API store it), and that text serializes without
// throwing; annotations render to valid UTF-8 and a template without placeholders renders to
// its text; a silence round-trips through silenceToJson/silenceFromJson (also as text), ends
// after it starts and after now, and its state and matching can be evaluated.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/manage/silence.h"
#include "alerting/model/labels.h"
#include "alerting/rules/rule_parser.h"
#include "common/log.h"

namespace {

using meshlb::alerting::FieldError;
using nlohmann::json;

constexpr int64_t kNowMs = 1'700'000'000'000;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "alert rule/silence invariant violated: %s\n", what);
    std::abort();
  }
}

void checkErrors(bool parsed, const std::vector<FieldError>& errors) {
  check(parsed == errors.empty(), "parsed with errors, or refused without one");
  for (const FieldError& error : errors) {
    check(!error.reason.empty(), "an error without a reason");
  }
}

// As the admin API and the journal write JSON: strictly, so invalid UTF-8 throws.
std::string strictText(const json& value) {
  try {
    return value.dump();
  } catch (const json::exception& e) {
    std::fprintf(stderr, "dump failed: %s\n", e.what());
    check(false, "a parsed value does not serialize");
  }
  return {};
}

void checkRule(const json& node, const std::string& path) {
  std::vector<FieldError> errors;
  std::optional<meshlb::alerting::Rule> rule = meshlb::alerting::parseRule(node, path, errors);
  checkErrors(rule.has_value(), errors);
  for (const FieldError& error : errors) {
    check(error.path.starts_with(path), "an error path outside the rule's prefix");
  }
  if (!rule) {
    return;
  }
  check(meshlb::alerting::validRuleName(rule->name), "a rule with an invalid name");
  const json written = meshlb::alerting::ruleToJson(*rule);
  std::vector<FieldError> again_errors;
  std::optional<meshlb::alerting::Rule> again =
      meshlb::alerting::parseRule(written, "", again_errors);
  check(again.has_value() && again_errors.empty(), "ruleToJson's output does not parse");
  check(meshlb::alerting::ruleToJson(*again) == written, "a rule does not round-trip");

  const std::string text = strictText(written);
  const json reread = json::parse(text, nullptr, false);
  check(!reread.is_discarded(), "ruleToJson's text is not JSON");
  std::vector<FieldError> text_errors;
  std::optional<meshlb::alerting::Rule> from_text =
      meshlb::alerting::parseRule(reread, "", text_errors);
  check(from_text.has_value() && text_errors.empty(), "a rule's JSON text does not parse");
  check(meshlb::alerting::ruleToJson(*from_text) == written, "a rule does not round-trip as text");

  meshlb::alerting::RenderContext context;
  context.cluster = "app";
  context.host = "127.0.0.1:9001";
  context.value = 0.5;
  context.diagnosis = "network";
  context.rule = rule->name;
  context.severity = meshlb::alerting::severityName(rule->severity);
  context.metric = "health";
  for (const auto& [key, annotation] : rule->annotations) {
    const std::string rendered = annotation.render(context);
    (void)strictText(json(rendered));
    if (annotation.text().find("{{") == std::string::npos) {
      check(rendered == annotation.text(), "a template without placeholders changed its text");
    }
  }
}

void checkSilence(const json& node) {
  std::vector<FieldError> errors;
  std::optional<meshlb::alerting::Silence> silence =
      meshlb::alerting::parseSilence(node, kNowMs, errors);
  checkErrors(silence.has_value(), errors);
  if (!silence) {
    return;
  }
  check(!silence->matchers.empty(), "a silence without matchers");
  check(silence->ends_unix_ms > silence->starts_unix_ms && silence->ends_unix_ms > kNowMs,
        "a silence that ends before it starts or before now");
  check(silence->updated_unix_ms == kNowMs, "updated_unix_ms is not now");
  const json written = meshlb::alerting::silenceToJson(*silence);
  std::optional<meshlb::alerting::Silence> back = meshlb::alerting::silenceFromJson(written);
  check(back.has_value(), "silenceFromJson refuses silenceToJson's output");
  check(meshlb::alerting::silenceToJson(*back) == written, "a silence does not round-trip");
  const json reread = json::parse(strictText(written), nullptr, false);
  std::optional<meshlb::alerting::Silence> from_text = meshlb::alerting::silenceFromJson(reread);
  check(from_text.has_value() && meshlb::alerting::silenceToJson(*from_text) == written,
        "a silence does not round-trip as text");

  const auto state = meshlb::alerting::silenceState(*silence, kNowMs);
  check(!meshlb::alerting::silenceStateName(state).empty(), "a silence state without a name");
  const meshlb::alerting::LabelSet labels = meshlb::alerting::makeLabelSet({
      {"alertname", "BackendDown"},
      {"cluster", "app"},
      {"host", "127.0.0.1:9001"},
      {"severity", "critical"},
  });
  (void)meshlb::alerting::silences(*silence, labels, kNowMs);
  // Matching every alert, even one without labels, is refused at parse time.
  check(!meshlb::alerting::silences(*silence, {}, silence->starts_unix_ms),
        "a silence that matches the empty label set");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  meshlb::log::setLevel(meshlb::log::Level::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const json input =
      json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (input.is_discarded()) {
    return -1;  // not JSON: the API refuses it before any parser runs
  }
  if (input.is_array()) {
    for (size_t i = 0; i < input.size(); ++i) {
      checkRule(input[i], "rules[" + std::to_string(i) + "]");
    }
  } else {
    checkRule(input, "");
  }
  if (input.is_object()) {
    checkSilence(input);
  }
  return 0;
}
