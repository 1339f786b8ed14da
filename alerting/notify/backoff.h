#pragma once

#include <cstdint>
#include <functional>

namespace meshlb::alerting {

// A uniform double in [0, 1). Called only by the thread that owns the Backoff holding it.
using UnitRandom = std::function<double()>;

// A generator seeded from std::random_device; each call returns an independent one.
UnitRandom defaultUnitRandom();

// The wait before retrying a failed delivery: min(max, initial·2ⁿ) × uniform(0.8, 1.2) after
// the n-th consecutive failure (n = 0 for the first). The jitter keeps several meshlbs (or
// targets) that failed together from retrying in lock step. Owned by one notifier thread.
class Backoff {
 public:
  Backoff(uint32_t initial_ms, uint32_t max_ms, UnitRandom random = defaultUnitRandom());

  uint32_t delayMs(uint32_t failures);

 private:
  uint32_t initial_ms_;
  uint32_t max_ms_;
  UnitRandom random_;
};

}  // namespace meshlb::alerting
