#pragma once

#include <cstdint>
#include <optional>

#include "alerting/state/alert.h"

namespace meshlb::alerting {

// The Prometheus alert lifecycle for one alert and one evaluation: pending while the condition
// has held for less than `for`, firing after, resolved once it has been false for
// `keep_firing_for`. Pure: the caller owns the alert.
struct StepInput {
  bool condition = false;  // the condition holds at this evaluation
  int64_t now_ms = 0;
  uint32_t for_s = 0;
  uint32_t keep_firing_for_s = 0;
  // While set and in the future, a false condition does not resolve a restored firing alert:
  // after a restart, health and anomalies need a few ticks to learn again what they knew.
  int64_t restore_grace_until_ms = 0;
};

enum class StepResult : uint8_t {
  kUnchanged,
  kFired,     // pending (or new with for 0) → firing
  kResolved,  // firing → resolved
  kDropped,   // pending → gone: the condition stopped before `for`; nothing was sent
  kReopened,  // resolved → pending (a new episode), or straight to firing with for 0
};

// Applies one evaluation to an existing alert. A new alert is created by the caller as pending
// with active = last_true = now, then stepped once (so `for` 0 fires at once).
StepResult stepAlert(Alert& alert, const StepInput& input);

}  // namespace meshlb::alerting
