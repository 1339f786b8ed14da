#include "alerting/notify/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace meshlb::alerting {

UnitRandom defaultUnitRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Backoff::Backoff(uint32_t initial_ms, uint32_t max_ms, UnitRandom random)
    : initial_ms_(initial_ms), max_ms_(std::max(initial_ms, max_ms)), random_(std::move(random)) {
  if (!random_) {
    random_ = defaultUnitRandom();
  }
}

uint32_t Backoff::delayMs(uint32_t failures) {
  // In double: initial·2ⁿ overflows any integer type long before n stops growing.
  double base = std::min<double>(max_ms_, std::ldexp(static_cast<double>(initial_ms_),
                                                     static_cast<int>(std::min(failures, 64u))));
  double unit = std::clamp(random_(), 0.0, 1.0);
  return static_cast<uint32_t>(std::lround(base * (0.8 + 0.4 * unit)));
}

}  // namespace meshlb::alerting
