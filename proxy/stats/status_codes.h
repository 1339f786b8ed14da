#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace meshlb::stats {

// The status codes counted one by one (the `code` label). Every code is also counted in its
// class (1xx..5xx); a code outside this list is counted only there, which keeps the number of
// series per host bounded and small.
inline constexpr std::array<uint16_t, 33> kTrackedStatusCodes = {
    100, 101, 200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404,
    405, 406, 408, 409, 410, 413, 414, 415, 422, 429, 431, 500, 501, 502, 503, 504};
inline constexpr size_t kUntrackedStatus = kTrackedStatusCodes.size();

namespace detail {
inline constexpr std::array<uint8_t, 600> kStatusSlots = [] {
  std::array<uint8_t, 600> slots{};
  slots.fill(static_cast<uint8_t>(kUntrackedStatus));
  for (size_t i = 0; i < kTrackedStatusCodes.size(); ++i) {
    slots[kTrackedStatusCodes[i]] = static_cast<uint8_t>(i);
  }
  return slots;
}();
}  // namespace detail

// The slot of `status` in kTrackedStatusCodes, or kUntrackedStatus. One table load.
inline size_t statusSlot(int status) {
  if (status < 0 || status >= 600) {
    return kUntrackedStatus;
  }
  return detail::kStatusSlots[static_cast<size_t>(status)];
}

// 0 for 1xx ... 4 for 5xx; anything out of range counts as 5xx (never happens for parsed
// answers: the codec accepts 100-599 only).
inline size_t statusClassIndex(int status) {
  int index = status / 100 - 1;
  return index >= 0 && index < 5 ? static_cast<size_t>(index) : 4;
}

}  // namespace meshlb::stats
