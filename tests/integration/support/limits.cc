#include "support/limits.h"

#include <algorithm>

namespace meshlb::testing {

long long msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

rlim_t raiseFdLimitToHard() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

ScopedFdLimit::ScopedFdLimit(rlim_t soft) {
  getrlimit(RLIMIT_NOFILE, &saved_);
  rlimit limit = saved_;
  limit.rlim_cur = std::min(soft, saved_.rlim_max);
  ok_ = setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

ScopedFdLimit::~ScopedFdLimit() {
  setrlimit(RLIMIT_NOFILE, &saved_);
}

}  // namespace meshlb::testing
