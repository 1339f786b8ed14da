#include "alerting/persist/snapshot_format.h"

#include <charconv>
#include <cstdint>
#include <cstdio>

#include "alerting/persist/crc32c.h"

namespace meshlb::alerting {
namespace {

constexpr std::string_view kMagic = "meshlb-alerting-snapshot 1 len=";
constexpr std::string_view kCrcField = " crc32c=";
constexpr size_t kMaxHeaderBytes = 128;

// Consumes `prefix` from the front of `text`.
bool consume(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) {
    return false;
  }
  text.remove_prefix(prefix.size());
  return true;
}

// Consumes a number in `base` from the front of `text`; `digits` is its exact length when
// non-zero.
template <typename T>
bool consumeNumber(std::string_view& text, int base, size_t digits, T* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value, base);
  size_t used = static_cast<size_t>(end - text.data());
  if (ec != std::errc() || used == 0 || (digits != 0 && used != digits)) {
    return false;
  }
  text.remove_prefix(used);
  return true;
}

}  // namespace

std::string encodeSnapshot(std::string_view json) {
  char crc[9];
  std::snprintf(crc, sizeof(crc), "%08x", crc32c(json));
  std::string file(kMagic);
  file.append(std::to_string(json.size())).append(kCrcField).append(crc).append("\n");
  file.append(json);
  return file;
}

std::optional<std::string_view> decodeSnapshot(std::string_view file, std::string* reason) {
  size_t newline = file.substr(0, kMaxHeaderBytes).find('\n');
  std::string_view header = file.substr(0, newline);
  uint64_t length = 0;
  uint32_t crc = 0;
  if (newline == std::string_view::npos || !consume(header, kMagic) ||
      !consumeNumber(header, 10, 0, &length) || !consume(header, kCrcField) ||
      !consumeNumber(header, 16, 8, &crc) || !header.empty()) {
    *reason = "bad snapshot header";
    return std::nullopt;
  }
  std::string_view json = file.substr(newline + 1);
  if (json.size() != length) {
    *reason = "snapshot length " + std::to_string(json.size()) + " but the header says " +
              std::to_string(length);
    return std::nullopt;
  }
  if (crc32c(json) != crc) {
    *reason = "snapshot CRC mismatch";
    return std::nullopt;
  }
  return json;
}

}  // namespace meshlb::alerting
