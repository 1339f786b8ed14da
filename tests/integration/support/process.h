#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace meshlb::testing {

// A child process started from a test: stdout is captured through a pipe (so a test can wait for
// a line such as "listening on ..."), stderr goes to a log file. The destructor stops it
// (SIGTERM, then SIGKILL) so no test leaves processes behind. Test thread only.
class Process {
 public:
  Process(const std::string& binary, const std::vector<std::string>& args,
          const std::string& stderr_path = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Reads stdout until a line containing `needle` arrives; returns that line ("" on timeout/EOF).
  std::string waitForLine(const std::string& needle, std::chrono::milliseconds timeout);
  // Everything read from stdout so far.
  const std::string& output() const { return output_; }
  // Waits for the process to exit by itself; returns like stop(), -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  // Sends `signal` and waits for exit; returns the exit code, 128+signal if killed, or -1 on
  // timeout.
  int stop(int signal, std::chrono::milliseconds timeout);
  // Peak resident set size (VmHWM) in KiB, from /proc.
  long peakRssKib() const;
  long rssKib() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
  int exit_code_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int freePort();

}  // namespace meshlb::testing
