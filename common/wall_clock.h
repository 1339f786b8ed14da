#pragma once

#include <chrono>
#include <cstdint>

namespace meshlb {

// Wall-clock milliseconds since the Unix epoch: the time alerts, silences, history entries and
// the admin API's "unix_ms" fields are stamped with. Any thread.
inline int64_t wallClockUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace meshlb
