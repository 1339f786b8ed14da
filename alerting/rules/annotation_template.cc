#include "alerting/rules/annotation_template.h"

#include <array>
#include <cstdio>

#include "alerting/rules/rule.h"

namespace meshlb::alerting {
namespace {

using Placeholder = AnnotationTemplate::Placeholder;

constexpr std::array<std::string_view, 7> kPlaceholderNames = {
    "cluster", "host", "value", "diagnosis", "rule", "severity", "metric"};

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos) {
    return {};
  }
  const size_t last = text.find_last_not_of(" \t\n\r");
  return text.substr(first, last - first + 1);
}

std::optional<Placeholder> placeholderByName(std::string_view name) {
  for (size_t i = 0; i < kPlaceholderNames.size(); ++i) {
    if (kPlaceholderNames[i] == name) {
      return static_cast<Placeholder>(i);
    }
  }
  return std::nullopt;
}

bool availableAt(Placeholder placeholder, Scope scope) {
  if (placeholder == Placeholder::kHost) {
    return scope == Scope::kHost;
  }
  if (placeholder == Placeholder::kCluster) {
    return scope != Scope::kGlobal;
  }
  return true;
}

void appendNumber(double value, std::string& out) {
  char text[32];
  const int length = std::snprintf(text, sizeof(text), "%.4g", value);
  if (length > 0) {
    out.append(text, static_cast<size_t>(length));
  }
}

}  // namespace

std::optional<AnnotationTemplate> AnnotationTemplate::parse(std::string text, Scope scope,
                                                            std::string& error) {
  AnnotationTemplate result;
  size_t position = 0;
  while (position < text.size()) {
    const size_t open = text.find("{{", position);
    if (open == std::string::npos) {
      result.pieces_.push_back({false, Placeholder::kValue, position, text.size() - position});
      break;
    }
    if (open > position) {
      result.pieces_.push_back({false, Placeholder::kValue, position, open - position});
    }
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      error = "unclosed {{ (a placeholder is written {{name}})";
      return std::nullopt;
    }
    const std::string_view name = trim(std::string_view(text).substr(open + 2, close - open - 2));
    const std::optional<Placeholder> placeholder = placeholderByName(name);
    if (!placeholder.has_value()) {
      error = std::string("unknown placeholder {{") + std::string(name) +
              "}} (known: cluster, host, value, diagnosis, rule, severity, metric)";
      return std::nullopt;
    }
    if (!availableAt(*placeholder, scope)) {
      error = std::string("{{") + std::string(name) + "}} is not available at " +
              std::string(scopeName(scope)) + " scope";
      return std::nullopt;
    }
    result.pieces_.push_back({true, *placeholder, 0, 0});
    position = close + 2;
  }
  result.text_ = std::move(text);
  return result;
}

bool AnnotationTemplate::uses(Placeholder placeholder) const {
  for (const Piece& piece : pieces_) {
    if (piece.is_placeholder && piece.placeholder == placeholder) {
      return true;
    }
  }
  return false;
}

std::string AnnotationTemplate::render(const RenderContext& context) const {
  std::string out;
  renderTo(context, out);
  return out;
}

void AnnotationTemplate::renderTo(const RenderContext& context, std::string& out) const {
  for (const Piece& piece : pieces_) {
    if (!piece.is_placeholder) {
      out.append(text_, piece.begin, piece.length);
      continue;
    }
    switch (piece.placeholder) {
      case Placeholder::kCluster:
        out.append(context.cluster);
        break;
      case Placeholder::kHost:
        out.append(context.host);
        break;
      case Placeholder::kValue:
        appendNumber(context.value, out);
        break;
      case Placeholder::kDiagnosis:
        out.append(context.diagnosis);
        break;
      case Placeholder::kRule:
        out.append(context.rule);
        break;
      case Placeholder::kSeverity:
        out.append(context.severity);
        break;
      case Placeholder::kMetric:
        out.append(context.metric);
        break;
    }
  }
}

}  // namespace meshlb::alerting
