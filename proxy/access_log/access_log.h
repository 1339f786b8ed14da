#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/uv_handle.h"
#include "proxy/worker/worker_stats.h"

namespace meshlb {

// One finished request, as the access log records it.
struct AccessLogRecord {
  std::string_view client;
  std::string_view method;
  std::string_view path;
  int status = 0;
  uint64_t bytes = 0;  // response body bytes sent to the client
  std::string_view upstream;
  uint64_t duration_ns = 0;
};

// Appends one JSON object (and a newline) describing `record` to `out`.
void formatAccessLogLine(const AccessLogRecord& record, std::string& out);

// A worker's access log: lines are formatted into a memory buffer on the worker and written to
// the file by libuv's thread pool, a buffer at a time, so the worker never blocks on disk. If the
// disk falls behind by more than kMaxBuffered, lines are dropped and counted rather than stall
// traffic. Worker-local; the fd is shared by all workers (O_APPEND, whole lines per write).
class AccessLogWriter {
 public:
  static constexpr size_t kFlushBytes = 64 * 1024;
  static constexpr size_t kMaxBuffered = 8 * 1024 * 1024;
  static constexpr uint64_t kFlushIntervalMs = 200;

  AccessLogWriter(uv_loop_t* loop, int fd, Counter& dropped);
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  void append(const AccessLogRecord& record);
  // Writes what is buffered and stops the flush timer; the loop must run until it closes.
  void close();

 private:
  static void onTimer(uv_timer_t* timer);
  static void onWritten(uv_fs_t* request);
  void flush();

  uv_loop_t* loop_;
  int fd_;
  Counter& dropped_;
  UvHandle<uv_timer_t> timer_;
  uv_fs_t write_request_{};
  std::string buffer_;   // lines being collected
  std::string writing_;  // lines handed to the thread pool
  bool write_in_flight_ = false;
  bool closing_ = false;
};

}  // namespace meshlb
