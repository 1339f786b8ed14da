#include "tests/upstream/request_head.h"

#include <charconv>

namespace meshlb::upstream {

void RequestHead::clear() {
  text_.clear();
  headers_.clear();
  urlLength_ = 0;
  nameDone_ = true;
}

bool RequestHead::appendUrl(std::string_view piece) {
  // The URL always arrives before any header, so it stays a prefix of text_.
  if (text_.size() + piece.size() > kMaxSize || !headers_.empty()) {
    return false;
  }
  text_.append(piece);
  urlLength_ += static_cast<uint32_t>(piece.size());
  return true;
}

bool RequestHead::appendHeaderName(std::string_view piece) {
  if (text_.size() + piece.size() > kMaxSize) {
    return false;
  }
  if (nameDone_ || headers_.empty()) {
    HeaderSpan span;
    span.nameOffset = static_cast<uint32_t>(text_.size());
    span.valueOffset = span.nameOffset;
    headers_.push_back(span);
    nameDone_ = false;
  }
  text_.append(piece);
  headers_.back().nameLength += static_cast<uint32_t>(piece.size());
  return true;
}

bool RequestHead::appendHeaderValue(std::string_view piece) {
  if (text_.size() + piece.size() > kMaxSize || headers_.empty()) {
    return false;
  }
  HeaderSpan& span = headers_.back();
  if (span.valueLength == 0) {
    span.valueOffset = static_cast<uint32_t>(text_.size());
  }
  text_.append(piece);
  span.valueLength += static_cast<uint32_t>(piece.size());
  return true;
}

std::string_view RequestHead::path() const {
  std::string_view whole = url();
  size_t mark = whole.find('?');
  return mark == std::string_view::npos ? whole : whole.substr(0, mark);
}

std::string_view RequestHead::query() const {
  std::string_view whole = url();
  size_t mark = whole.find('?');
  return mark == std::string_view::npos ? std::string_view() : whole.substr(mark + 1);
}

std::string_view RequestHead::headerName(size_t index) const {
  const HeaderSpan& span = headers_[index];
  return std::string_view(text_).substr(span.nameOffset, span.nameLength);
}

std::string_view RequestHead::headerValue(size_t index) const {
  const HeaderSpan& span = headers_[index];
  return std::string_view(text_).substr(span.valueOffset, span.valueLength);
}

std::optional<std::string_view> RequestHead::find(std::string_view name) const {
  for (size_t i = 0; i < headers_.size(); ++i) {
    if (equalsIgnoreCase(headerName(i), name)) {
      return trimBlanks(headerValue(i));
    }
  }
  return std::nullopt;
}

void RequestHead::appendWireText(std::string& out, std::string_view method, int major,
                                 int minor) const {
  out += method;
  out += ' ';
  out += url();
  out += " HTTP/";
  out += static_cast<char>('0' + major % 10);
  out += '.';
  out += static_cast<char>('0' + minor % 10);
  out += "\r\n";
  for (size_t i = 0; i < headers_.size(); ++i) {
    out += headerName(i);
    out += ": ";
    out += headerValue(i);
    out += "\r\n";
  }
  out += "\r\n";
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::string_view trimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<uint64_t> parseUnsigned(std::string_view text, uint64_t max) {
  if (text.empty()) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string_view> queryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    if (name == key) {
      return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    }
  }
  return std::nullopt;
}

}  // namespace meshlb::upstream
