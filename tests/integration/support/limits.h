#pragma once

#include <sys/resource.h>

#include <chrono>

namespace meshlb::testing {

// How many times slower than a plain build this build's meshlb (built with the same flags as the
// test) runs, roughly: ThreadSanitizer 5-15x, ASan 2x. Tests whose configured times must hold
// a number of requests (an ejection, a timeout) scale them by it, so that only a real fault
// fails them; they still log the real figure.
#if defined(__SANITIZE_THREAD__)
inline constexpr int kSanitizerSlowdown = 8;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 2;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

// Milliseconds on the steady clock since `start`.
long long msSince(std::chrono::steady_clock::time_point start);

// Raises this process's soft RLIMIT_NOFILE to the hard one; meshlb, upstreams and wrk started
// afterwards inherit it. Returns the soft limit now in force.
rlim_t raiseFdLimitToHard();

// Lowers (or raises, up to the hard limit) the soft RLIMIT_NOFILE of this process for a scope, so
// a child started meanwhile inherits it (meshlb does not change its own). Restored on scope exit.
// Owned by the test's thread.
class ScopedFdLimit {
 public:
  explicit ScopedFdLimit(rlim_t soft);
  ~ScopedFdLimit();
  ScopedFdLimit(const ScopedFdLimit&) = delete;
  ScopedFdLimit& operator=(const ScopedFdLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

}  // namespace meshlb::testing
