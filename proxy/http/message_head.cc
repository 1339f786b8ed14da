#include "proxy/http/message_head.h"

#include <llhttp.h>

namespace meshlb::http {

void MessageHead::clear() {
  storage_.clear();
  headers_.clear();
  url_offset_ = 0;
  url_length_ = 0;
  building_ = Building::kNothing;
  method = 0;
  status = 0;
  version_major = 1;
  version_minor = 1;
}

std::string_view MessageHead::methodName() const {
  return llhttp_method_name(static_cast<llhttp_method_t>(method));
}

std::optional<std::string_view> MessageHead::find(std::string_view wanted) const {
  for (size_t i = 0; i < headers_.size(); ++i) {
    if (equalsIgnoreCase(name(i), wanted)) {
      return value(i);
    }
  }
  return std::nullopt;
}

size_t MessageHead::count(std::string_view wanted) const {
  size_t found = 0;
  for (size_t i = 0; i < headers_.size(); ++i) {
    found += equalsIgnoreCase(name(i), wanted) ? 1 : 0;
  }
  return found;
}

void MessageHead::appendUrl(const char* data, size_t length) {
  if (url_length_ == 0) {
    url_offset_ = static_cast<uint32_t>(storage_.size());
  }
  storage_.append(data, length);
  url_length_ += static_cast<uint32_t>(length);
}

void MessageHead::appendName(const char* data, size_t length) {
  if (building_ != Building::kName) {
    finishHeader();
    headers_.push_back({static_cast<uint32_t>(storage_.size()), 0, 0, 0});
    building_ = Building::kName;
  }
  storage_.append(data, length);
  headers_.back().name_length += static_cast<uint32_t>(length);
}

void MessageHead::appendValue(const char* data, size_t length) {
  if (building_ != Building::kValue) {
    if (building_ == Building::kNothing) {
      return;  // llhttp never sends a value before its name; ignore defensively
    }
    headers_.back().value_offset = static_cast<uint32_t>(storage_.size());
    building_ = Building::kValue;
  }
  storage_.append(data, length);
  headers_.back().value_length += static_cast<uint32_t>(length);
}

void MessageHead::finishHeader() {
  if (building_ == Building::kNothing) {
    return;
  }
  HeaderRef& header = headers_.back();
  if (building_ == Building::kName) {
    header.value_offset = static_cast<uint32_t>(storage_.size());  // empty value
  }
  while (header.value_length > 0 &&
         (storage_[header.value_offset] == ' ' || storage_[header.value_offset] == '\t')) {
    ++header.value_offset;
    --header.value_length;
  }
  while (header.value_length > 0 &&
         (storage_[header.value_offset + header.value_length - 1] == ' ' ||
          storage_[header.value_offset + header.value_length - 1] == '\t')) {
    --header.value_length;
  }
  building_ = Building::kNothing;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x != y && (x | 0x20) != (y | 0x20)) {
      return false;
    }
    if (x != y && !((x | 0x20) >= 'a' && (x | 0x20) <= 'z')) {
      return false;
    }
  }
  return true;
}

bool isToken(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
    if (!ok) {
      switch (u) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
          ok = true;
          break;
        default:
          break;
      }
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace meshlb::http
