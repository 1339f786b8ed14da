#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshlb::upstream {

// The URL and header fields of one HTTP request, accumulated from llhttp's callbacks, which may
// deliver each of them in several pieces split across reads. Owned by one Connection and used on
// its worker thread only. clear() keeps the capacity, so steady-state parsing does not allocate.
class RequestHead {
 public:
  // Upper bound for URL plus all header names and values; larger heads are rejected.
  static constexpr size_t kMaxSize = 64 * 1024;

  void clear();

  // Each returns false when the head would exceed kMaxSize.
  bool appendUrl(std::string_view piece);
  bool appendHeaderName(std::string_view piece);
  bool appendHeaderValue(std::string_view piece);
  // Marks the end of the current header name: the next name piece starts a new header.
  void finishHeaderName() { nameDone_ = true; }

  std::string_view url() const { return std::string_view(text_).substr(0, urlLength_); }
  // The URL up to '?', and the part after it (empty when there is none).
  std::string_view path() const;
  std::string_view query() const;

  size_t headerCount() const { return headers_.size(); }
  std::string_view headerName(size_t index) const;
  std::string_view headerValue(size_t index) const;
  // The value of the first header called name (ASCII case-insensitive), trimmed of blanks.
  std::optional<std::string_view> find(std::string_view name) const;

  // Appends the head as it came on the wire: "METHOD URL HTTP/x.y\r\n", one "Name: value\r\n" per
  // header in received order, then "\r\n".
  void appendWireText(std::string& out, std::string_view method, int major, int minor) const;

 private:
  struct HeaderSpan {
    uint32_t nameOffset = 0;
    uint32_t nameLength = 0;
    uint32_t valueOffset = 0;
    uint32_t valueLength = 0;
  };

  // URL first, then names and values in arrival order; spans index into it.
  std::string text_;
  std::vector<HeaderSpan> headers_;
  uint32_t urlLength_ = 0;
  bool nameDone_ = true;
};

bool equalsIgnoreCase(std::string_view a, std::string_view b);
std::string_view trimBlanks(std::string_view text);
// Parses a non-empty run of decimal digits that fits in max; nothing else is accepted.
std::optional<uint64_t> parseUnsigned(std::string_view text, uint64_t max);
// The value of key in an application/x-www-form-urlencoded style query ("a=1&b=2"); a key without
// '=' has an empty value. No percent-decoding: the control parameters are plain tokens.
std::optional<std::string_view> queryParam(std::string_view query, std::string_view key);

}  // namespace meshlb::upstream
