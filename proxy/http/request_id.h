#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meshlb::http {

// The x-request-id meshlb gives a request that has none: a version 4 UUID (RFC 9562 §5.4) in
// lowercase hex, from two random words. Formatted by hand, without printf: it runs for nearly
// every request. The version and variant fields replace 6 of the 128 random bits.
class GeneratedRequestId {
 public:
  static constexpr size_t kLength = 36;  // 8-4-4-4-12 hex digits

  GeneratedRequestId(uint64_t random_high, uint64_t random_low);

  std::string_view view() const { return {text_, kLength}; }

 private:
  char text_[kLength];
};

}  // namespace meshlb::http
