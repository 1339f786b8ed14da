#include "alerting/state/state_machine.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

Alert newAlert(int64_t now) {
  Alert alert;
  alert.state = AlertState::kPending;
  alert.active_unix_ms = now;
  alert.last_true_unix_ms = now;
  return alert;
}

StepInput at(int64_t now, bool condition, uint32_t for_s = 0, uint32_t keep_s = 0) {
  return {condition, now, for_s, keep_s, 0};
}

TEST(AlertStateMachine, ForZeroFiresOnTheFirstEvaluation) {
  Alert alert = newAlert(1'000);
  EXPECT_EQ(stepAlert(alert, at(1'000, true)), StepResult::kFired);
  EXPECT_EQ(alert.state, AlertState::kFiring);
  EXPECT_EQ(alert.fired_unix_ms, 1'000);
}

TEST(AlertStateMachine, ForHoldsAsPendingUntilItHasPassed) {
  Alert alert = newAlert(0);
  for (int64_t t = 0; t < 10'000; t += 1'000) {
    EXPECT_EQ(stepAlert(alert, at(t, true, 10)), StepResult::kUnchanged) << t;
    EXPECT_EQ(alert.state, AlertState::kPending);
  }
  EXPECT_EQ(stepAlert(alert, at(10'000, true, 10)), StepResult::kFired);
  EXPECT_EQ(alert.fired_unix_ms, 10'000);
}

TEST(AlertStateMachine, APendingAlertWhoseConditionStopsIsDropped) {
  Alert alert = newAlert(0);
  stepAlert(alert, at(0, true, 10));
  EXPECT_EQ(stepAlert(alert, at(1'000, false, 10)), StepResult::kDropped);
}

TEST(AlertStateMachine, KeepFiringForDelaysTheResolution) {
  Alert alert = newAlert(0);
  stepAlert(alert, at(0, true, 0, 5));
  EXPECT_EQ(stepAlert(alert, at(1'000, false, 0, 5)), StepResult::kUnchanged);
  EXPECT_EQ(stepAlert(alert, at(4'000, false, 0, 5)), StepResult::kUnchanged);
  EXPECT_EQ(alert.state, AlertState::kFiring);
  EXPECT_EQ(stepAlert(alert, at(5'000, false, 0, 5)), StepResult::kResolved);
  EXPECT_EQ(alert.resolved_unix_ms, 5'000);
}

TEST(AlertStateMachine, TrueAgainWithinKeepFiringForContinuesTheEpisode) {
  Alert alert = newAlert(0);
  stepAlert(alert, at(0, true, 0, 5));
  stepAlert(alert, at(1'000, false, 0, 5));
  EXPECT_EQ(stepAlert(alert, at(2'000, true, 0, 5)), StepResult::kUnchanged);
  EXPECT_EQ(stepAlert(alert, at(6'000, false, 0, 5)), StepResult::kUnchanged);
  EXPECT_EQ(stepAlert(alert, at(7'000, false, 0, 5)), StepResult::kResolved);
  EXPECT_EQ(alert.fired_unix_ms, 0);
}

TEST(AlertStateMachine, ReactivationIsANewEpisodeWithoutTheAck) {
  Alert alert = newAlert(0);
  stepAlert(alert, at(0, true));
  alert.ack = Ack{"alice", "on it", 10};
  stepAlert(alert, at(1'000, false));
  ASSERT_EQ(alert.state, AlertState::kResolved);
  EXPECT_EQ(stepAlert(alert, at(9'000, true)), StepResult::kReopened);
  EXPECT_EQ(alert.state, AlertState::kFiring);
  EXPECT_EQ(alert.fired_unix_ms, 9'000);
  EXPECT_EQ(alert.active_unix_ms, 9'000);
  EXPECT_EQ(alert.resolved_unix_ms, 0);
  EXPECT_FALSE(alert.ack.has_value());

  // With a `for`, the new episode starts pending.
  stepAlert(alert, at(10'000, false));
  EXPECT_EQ(stepAlert(alert, at(11'000, true, 30)), StepResult::kReopened);
  EXPECT_EQ(alert.state, AlertState::kPending);
}

TEST(AlertStateMachine, ARestoredFiringAlertSurvivesFalseDuringTheGraceOnly) {
  Alert alert = newAlert(0);
  stepAlert(alert, at(0, true));
  alert.restored = true;
  StepInput grace = at(5'000, false);
  grace.restore_grace_until_ms = 30'000;
  EXPECT_EQ(stepAlert(alert, grace), StepResult::kUnchanged);
  EXPECT_EQ(alert.state, AlertState::kFiring);
  grace.now_ms = 30'000;
  EXPECT_EQ(stepAlert(alert, grace), StepResult::kResolved);
  EXPECT_FALSE(alert.restored);
}

TEST(AlertStateMachine, StateNamesRoundTrip) {
  for (AlertState state : {AlertState::kPending, AlertState::kFiring, AlertState::kResolved}) {
    EXPECT_EQ(alertStateByName(alertStateName(state)), state);
  }
  EXPECT_FALSE(alertStateByName("inactive").has_value());
}

}  // namespace
}  // namespace meshlb::alerting
