#pragma once

#include <cstdio>
#include <string_view>

namespace meshlb::log {

enum class Level { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

// Any thread may log. Each line is formatted into a stack buffer and written with one
// write(2), so lines from different threads never interleave. The level is a relaxed atomic.
void setLevel(Level level);
Level level();
bool parseLevel(std::string_view text, Level* out);
void write(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace meshlb::log

#define MESHLB_LOG(lvl, ...)                                        \
  do {                                                              \
    if (::meshlb::log::Level::lvl >= ::meshlb::log::level()) {      \
      ::meshlb::log::write(::meshlb::log::Level::lvl, __VA_ARGS__); \
    }                                                               \
  } while (0)
#define LOG_DEBUG(...) MESHLB_LOG(kDebug, __VA_ARGS__)
#define LOG_INFO(...) MESHLB_LOG(kInfo, __VA_ARGS__)
#define LOG_WARN(...) MESHLB_LOG(kWarn, __VA_ARGS__)
#define LOG_ERROR(...) MESHLB_LOG(kError, __VA_ARGS__)
