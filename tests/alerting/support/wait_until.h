#pragma once

#include <chrono>
#include <thread>

namespace meshlb::alerting::testing {

// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes (false).
// For state another thread changes without a signal to wait on, such as a notifier's counters.
template <typename Condition>
bool waitUntil(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace meshlb::alerting::testing
