#include "admin/time_param.h"

#include <charconv>

#include "common/wall_clock.h"

namespace meshlb::admin {

int64_t nowUnixMs() {
  return wallClockUnixMs();
}

std::optional<int64_t> parseTimeParam(std::string_view text, int64_t now) {
  if (text == "now") {
    return now;
  }
  int64_t value = 0;
  if (!text.empty() && text.front() == '-' && text.size() >= 3) {
    std::string_view digits = text.substr(1, text.size() - 2);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    // from_chars takes a sign of its own: "--5h" would be a negative offset, and a large one
    // would overflow the multiplication below. Offsets are 0..10,000,000 units.
    if (error != std::errc() || end != digits.data() + digits.size() || value < 0 ||
        value > 10'000'000) {
      return std::nullopt;
    }
    switch (text.back()) {
      case 's':
        return now - value * 1'000;
      case 'm':
        return now - value * 60'000;
      case 'h':
        return now - value * 3'600'000;
      case 'd':
        return now - value * 86'400'000;
      default:
        return std::nullopt;
    }
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace meshlb::admin
