// Annotation templates: pieces, placeholders per scope, %.4g numbers, the original text.

#include "alerting/rules/annotation_template.h"

#include <gtest/gtest.h>

#include "alerting/rules/rule.h"

namespace meshlb::alerting {
namespace {

AnnotationTemplate parse(const std::string& text, Scope scope = Scope::kHost) {
  std::string error;
  std::optional<AnnotationTemplate> parsed = AnnotationTemplate::parse(text, scope, error);
  EXPECT_TRUE(parsed.has_value()) << error;
  return parsed.value_or(AnnotationTemplate());
}

std::string parseError(const std::string& text, Scope scope = Scope::kHost) {
  std::string error;
  EXPECT_FALSE(AnnotationTemplate::parse(text, scope, error).has_value()) << text;
  return error;
}

TEST(AlertAnnotationTemplate, RendersEveryPlaceholder) {
  const AnnotationTemplate t =
      parse("{{host}}/{{ cluster }}: {{value}} {{diagnosis}} {{rule}} {{severity}} {{\tmetric }}!");
  const RenderContext context{"app", "10.0.0.1:80", 0.123456,    "network (high)",
                              "R",   "warning",     "rtt_p50_ms"};
  EXPECT_EQ(t.render(context), "10.0.0.1:80/app: 0.1235 network (high) R warning rtt_p50_ms!");
  EXPECT_TRUE(t.uses(AnnotationTemplate::Placeholder::kHost));
}

TEST(AlertAnnotationTemplate, FormatsNumbersWithFourSignificantDigits) {
  const AnnotationTemplate t = parse("{{value}}");
  RenderContext context;
  context.value = 1234567;
  EXPECT_EQ(t.render(context), "1.235e+06");
  context.value = 1;
  EXPECT_EQ(t.render(context), "1");
  context.value = 0.05;
  EXPECT_EQ(t.render(context), "0.05");
}

TEST(AlertAnnotationTemplate, LiteralTextAndTheOriginal) {
  const AnnotationTemplate plain = parse("no placeholders } { }}");
  EXPECT_EQ(plain.render({}), "no placeholders } { }}");
  EXPECT_FALSE(plain.uses(AnnotationTemplate::Placeholder::kValue));
  const AnnotationTemplate t = parse("a {{ value }} b");
  EXPECT_EQ(t.text(), "a {{ value }} b");
  const AnnotationTemplate copy = t;  // pieces are offsets, so a copy renders the same
  EXPECT_EQ(copy.render({}), "a 0 b");
  EXPECT_EQ(parse("").render({}), "");
}

TEST(AlertAnnotationTemplate, Errors) {
  EXPECT_EQ(parseError("x {{foo}}").rfind("unknown placeholder {{foo}}", 0), 0u);
  EXPECT_EQ(parseError("{{threshold}}").rfind("unknown placeholder {{threshold}}", 0), 0u);
  EXPECT_EQ(parseError("x {{host").rfind("unclosed {{", 0), 0u);
  EXPECT_EQ(parseError("{{host}}", Scope::kCluster), "{{host}} is not available at cluster scope");
  EXPECT_EQ(parseError("{{host}}", Scope::kGlobal), "{{host}} is not available at global scope");
  EXPECT_EQ(parseError("{{ cluster }}", Scope::kGlobal),
            "{{cluster}} is not available at global scope");
  parse("{{cluster}}", Scope::kCluster);
  parse("{{value}} {{rule}}", Scope::kGlobal);
}

}  // namespace
}  // namespace meshlb::alerting
