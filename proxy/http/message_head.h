#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/string_pool.h"

namespace meshlb::http {

// The start line and header fields of one HTTP/1.x message, stored in one reusable buffer so a
// connection allocates only while its buffers grow, not per request. Owned by the connection
// (worker-local).
class MessageHead {
 public:
  void clear();
  // Clears and gives the storage buffer to `pool` (between messages, so an idle connection
  // holds none); takeBuffer() borrows one back for the next message.
  void clearAndRecycle(StringPool& pool) {
    clear();
    pool.recycle(storage_);
  }
  void takeBuffer(StringPool& pool) { pool.lend(storage_); }

  // Request line (requests) ------------------------------------------------------------------
  int method = 0;  // llhttp_method_t
  std::string_view methodName() const;
  std::string_view url() const { return view(url_offset_, url_length_); }
  // Status line (responses) ------------------------------------------------------------------
  int status = 0;
  std::string_view reason() const { return view(url_offset_, url_length_); }
  uint8_t version_major = 1;
  uint8_t version_minor = 1;

  size_t headerCount() const { return headers_.size(); }
  std::string_view name(size_t i) const {
    return view(headers_[i].name_offset, headers_[i].name_length);
  }
  std::string_view value(size_t i) const {
    return view(headers_[i].value_offset, headers_[i].value_length);
  }
  // The first header with this name (case-insensitive), if any.
  std::optional<std::string_view> find(std::string_view name) const;
  size_t count(std::string_view name) const;

  // Building, used by the decoder while llhttp delivers pieces (possibly split across reads).
  void appendUrl(const char* data, size_t length);
  void appendName(const char* data, size_t length);
  void appendValue(const char* data, size_t length);
  // Ends the header being built; trims optional whitespace around the value.
  void finishHeader();
  size_t storedBytes() const { return storage_.size(); }
  size_t urlLength() const { return url_length_; }

 private:
  struct HeaderRef {
    uint32_t name_offset;
    uint32_t name_length;
    uint32_t value_offset;
    uint32_t value_length;
  };
  enum class Building { kNothing, kName, kValue };

  std::string_view view(uint32_t offset, uint32_t length) const {
    return std::string_view(storage_).substr(offset, length);
  }

  std::string storage_;
  std::vector<HeaderRef> headers_;
  uint32_t url_offset_ = 0;
  uint32_t url_length_ = 0;
  Building building_ = Building::kNothing;
};

// Case-insensitive ASCII comparison, for header names and tokens.
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// RFC 9110 token characters (tchar).
bool isToken(std::string_view text);
// Calls `visit` for each comma-separated, whitespace-trimmed, non-empty element of a list value.
template <typename Visit>
void forEachListElement(std::string_view list, Visit visit) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = list.substr(0, comma);
    while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) {
      element.remove_prefix(1);
    }
    while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) {
      element.remove_suffix(1);
    }
    if (!element.empty()) {
      visit(element);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
}

}  // namespace meshlb::http
