#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <ctime>

namespace meshlb::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

const char* levelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      break;
  }
  return "off";
}

}  // namespace

void setLevel(Level level) {
  g_level.store(level, std::memory_order_relaxed);
}

Level level() {
  return g_level.load(std::memory_order_relaxed);
}

bool parseLevel(std::string_view text, Level* out) {
  for (int i = 0; i <= static_cast<int>(Level::kOff); ++i) {
    auto candidate = static_cast<Level>(i);
    if (text == levelName(candidate)) {
      *out = candidate;
      return true;
    }
  }
  return false;
}

void write(Level level, const char* format, ...) {
  char line[2048];
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  int used = static_cast<int>(strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &utc));
  used += snprintf(line + used, sizeof(line) - used, ".%03ldZ [%s] ", now.tv_nsec / 1000000,
                   levelName(level));
  va_list args;
  va_start(args, format);
  int body = vsnprintf(line + used, sizeof(line) - used - 1, format, args);
  va_end(args);
  used = body < 0 ? used : std::min<int>(used + body, sizeof(line) - 2);
  line[used++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, line, used);
  (void)ignored;
}

}  // namespace meshlb::log
