#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshlb::alerting {

enum class Scope : uint8_t;  // rules/rule.h

// The values a placeholder can stand for, borrowed from the caller for one render() call.
struct RenderContext {
  std::string_view cluster;
  std::string_view host;
  double value = 0;  // formatted %.4g
  std::string_view diagnosis;
  std::string_view rule;
  std::string_view severity;
  std::string_view metric;
};

// An annotation text parsed once into literal pieces and placeholders ({{cluster}} {{host}}
// {{value}} {{diagnosis}} {{rule}} {{severity}} {{metric}}; spaces inside the braces allowed),
// so that rendering it each evaluation is a few appends. Keeps the original text for
// serialisation. Immutable once parsed; any thread.
class AnnotationTemplate {
 public:
  enum class Placeholder : uint8_t {
    kCluster,
    kHost,
    kValue,
    kDiagnosis,
    kRule,
    kSeverity,
    kMetric
  };

  // The template for `text` in a rule of `scope`, or nullopt with `error` set: an unknown
  // placeholder, an unclosed "{{", or a placeholder the scope has no value for ({{host}} in a
  // cluster or global rule, {{cluster}} in a global rule).
  static std::optional<AnnotationTemplate> parse(std::string text, Scope scope, std::string& error);

  const std::string& text() const { return text_; }
  bool uses(Placeholder placeholder) const;
  std::string render(const RenderContext& context) const;
  void renderTo(const RenderContext& context, std::string& out) const;  // appends

 private:
  struct Piece {
    bool is_placeholder = false;
    Placeholder placeholder = Placeholder::kValue;
    size_t begin = 0;  // literal: a range of text_ (offsets survive copies, pointers would not)
    size_t length = 0;
  };

  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace meshlb::alerting
