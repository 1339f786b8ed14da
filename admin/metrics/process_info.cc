#include "admin/metrics/process_info.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace meshlb::admin {

namespace {

// /proc/self/stat: "pid (comm) state ..." where comm may hold spaces and parentheses, so the
// fields are counted from the last ')'. starttime is field 22: clock ticks after boot.
bool startTicksAfterBoot(uint64_t& ticks) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) {
    return false;
  }
  size_t close = line.rfind(')');
  if (close == std::string::npos) {
    return false;
  }
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  // After ')' come field 3 (state) onwards; starttime is the 20th of those.
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) {
      return false;
    }
  }
  ticks = std::strtoull(field.c_str(), nullptr, 10);
  return true;
}

bool bootTimeUnixSeconds(uint64_t& btime) {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      btime = std::strtoull(line.c_str() + 6, nullptr, 10);
      return true;
    }
  }
  return false;
}

}  // namespace

namespace process_info_detail {

uint64_t countOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return 0;
  }
  // The listing itself holds a descriptor; it is not one of the process's own.
  const int own = dirfd(dir);
  uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    if (std::atoi(entry->d_name) == own) {
      continue;
    }
    ++count;
  }
  closedir(dir);
  return count;
}

bool readMemory(uint64_t& resident_bytes, uint64_t& virtual_bytes) {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) {
    return false;
  }
  unsigned long long size_pages = 0;
  unsigned long long resident_pages = 0;
  const int fields = std::fscanf(file, "%llu %llu", &size_pages, &resident_pages);
  std::fclose(file);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (fields != 2 || page_size <= 0) {
    return false;
  }
  resident_bytes = resident_pages * static_cast<uint64_t>(page_size);
  virtual_bytes = size_pages * static_cast<uint64_t>(page_size);
  return true;
}

double startTimeUnixSeconds() {
  uint64_t ticks = 0;
  uint64_t btime = 0;
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (!startTicksAfterBoot(ticks) || !bootTimeUnixSeconds(btime) || ticks_per_second <= 0) {
    return 0;
  }
  return static_cast<double>(btime) +
         static_cast<double>(ticks) / static_cast<double>(ticks_per_second);
}

}  // namespace process_info_detail

ProcessInfo readProcessInfo() {
  ProcessInfo info;
  info.open_fds = process_info_detail::countOpenFds();
  process_info_detail::readMemory(info.resident_memory_bytes, info.virtual_memory_bytes);
  // The start time does not change; read it once (main thread only, like every caller).
  static const double start = process_info_detail::startTimeUnixSeconds();
  info.start_time_unix_seconds = start;
  if (start > 0) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    info.uptime_seconds = now > start ? now - start : 0;
  }
  return info;
}

}  // namespace meshlb::admin
