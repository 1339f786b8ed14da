#pragma once

#include <cstdint>

namespace meshlb::admin {

// What the process-level metrics report, at one moment. A plain value, built on the main thread
// (readProcessInfo() fills the /proc parts, the caller the rest) and handed to
// MetricsExporter::update().
struct ProcessInfo {
  double start_time_unix_seconds = 0;   // when the process started (wall clock)
  double uptime_seconds = 0;            // now minus start_time_unix_seconds
  uint32_t workers = 0;                 // filled by the caller
  uint64_t open_fds = 0;                // entries of /proc/self/fd
  uint64_t resident_memory_bytes = 0;   // /proc/self/statm resident x page size
  uint64_t virtual_memory_bytes = 0;    // /proc/self/statm size x page size
  uint64_t config_generation = 0;       // filled by the caller
  uint64_t config_reloads_ok = 0;       // filled by the caller
  uint64_t config_reload_failures = 0;  // filled by the caller
};

// Reads start time, uptime, open descriptors and memory of this process from /proc (Linux).
// Leaves workers, generation and reload counts at 0 for the caller. A part that cannot be read
// stays 0: metrics are best effort and must never fail a scrape. Costs one directory listing
// and three small file reads; call it on the main thread, once per update.
ProcessInfo readProcessInfo();

namespace process_info_detail {
// The pieces of readProcessInfo(), exposed for tests. Each returns 0 (or false) when /proc does
// not answer.
uint64_t countOpenFds();  // not counting the descriptor used to list them
bool readMemory(uint64_t& resident_bytes, uint64_t& virtual_bytes);
double startTimeUnixSeconds();  // /proc/self/stat starttime + /proc/stat btime
}  // namespace process_info_detail

}  // namespace meshlb::admin
