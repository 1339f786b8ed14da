#include "alerting/state/state_machine.h"

namespace meshlb::alerting {

std::string_view alertStateName(AlertState state) {
  switch (state) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kResolved:
      return "resolved";
  }
  return "?";
}

std::optional<AlertState> alertStateByName(std::string_view name) {
  for (AlertState state : {AlertState::kPending, AlertState::kFiring, AlertState::kResolved}) {
    if (alertStateName(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

StepResult stepAlert(Alert& alert, const StepInput& in) {
  const int64_t for_ms = int64_t{in.for_s} * 1'000;
  const int64_t keep_ms = int64_t{in.keep_firing_for_s} * 1'000;
  switch (alert.state) {
    case AlertState::kPending:
      if (!in.condition) {
        return StepResult::kDropped;
      }
      alert.last_true_unix_ms = in.now_ms;
      if (in.now_ms - alert.active_unix_ms >= for_ms) {
        alert.state = AlertState::kFiring;
        alert.fired_unix_ms = in.now_ms;
        return StepResult::kFired;
      }
      return StepResult::kUnchanged;
    case AlertState::kFiring:
      if (in.condition) {
        alert.last_true_unix_ms = in.now_ms;
        return StepResult::kUnchanged;
      }
      if (alert.restored && in.now_ms < in.restore_grace_until_ms) {
        return StepResult::kUnchanged;
      }
      if (in.now_ms - alert.last_true_unix_ms >= keep_ms) {
        alert.state = AlertState::kResolved;
        alert.resolved_unix_ms = in.now_ms;
        alert.restored = false;
        return StepResult::kResolved;
      }
      return StepResult::kUnchanged;
    case AlertState::kResolved:
      if (!in.condition) {
        return StepResult::kUnchanged;
      }
      // A new episode: its own times, no ack, nothing told yet.
      alert.state = AlertState::kPending;
      alert.active_unix_ms = in.now_ms;
      alert.last_true_unix_ms = in.now_ms;
      alert.fired_unix_ms = 0;
      alert.resolved_unix_ms = 0;
      alert.ack.reset();
      alert.restored = false;
      if (for_ms == 0) {
        alert.state = AlertState::kFiring;
        alert.fired_unix_ms = in.now_ms;
      }
      return StepResult::kReopened;
  }
  return StepResult::kUnchanged;
}

}  // namespace meshlb::alerting
