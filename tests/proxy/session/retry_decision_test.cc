#include "proxy/session/retry_decision.h"

#include <gtest/gtest.h>

namespace meshlb {
namespace {

config::RetryPolicyConfig policy(bool connect, bool reset, bool any5xx, bool gateway) {
  config::RetryPolicyConfig p;
  p.on_connect_failure = connect;
  p.on_reset = reset;
  p.on_5xx = any5xx;
  p.on_gateway_error = gateway;
  return p;
}

TEST(RetryDecisionTest, ConnectFailureRetriesAnyMethodWhenAsked) {
  EXPECT_TRUE(retryAllowed(policy(true, false, false, false), AttemptFailure::kConnectFailure, 0,
                           /*idempotent=*/false));
  EXPECT_TRUE(
      retryAllowed(policy(false, false, false, true), AttemptFailure::kConnectFailure, 0, false));
  EXPECT_FALSE(
      retryAllowed(policy(false, true, true, false), AttemptFailure::kConnectFailure, 0, true));
}

TEST(RetryDecisionTest, ResetRetriesOnlyIdempotentRequests) {
  EXPECT_TRUE(retryAllowed(policy(false, true, false, false), AttemptFailure::kReset, 0, true));
  EXPECT_FALSE(retryAllowed(policy(false, true, false, false), AttemptFailure::kReset, 0, false));
  EXPECT_FALSE(retryAllowed(policy(true, false, false, true), AttemptFailure::kReset, 0, true));
}

TEST(RetryDecisionTest, GatewayErrorCoversOnly502To504) {
  auto gateway = policy(false, false, false, true);
  EXPECT_TRUE(retryAllowed(gateway, AttemptFailure::kStatus5xx, 502, true));
  EXPECT_TRUE(retryAllowed(gateway, AttemptFailure::kStatus5xx, 504, true));
  EXPECT_FALSE(retryAllowed(gateway, AttemptFailure::kStatus5xx, 500, true));
  EXPECT_FALSE(retryAllowed(gateway, AttemptFailure::kStatus5xx, 503, false));
  EXPECT_TRUE(
      retryAllowed(policy(false, false, true, false), AttemptFailure::kStatus5xx, 500, true));
}

TEST(RetryDecisionTest, PerTryTimeoutFollowsAnyAnswerCondition) {
  EXPECT_TRUE(retryAllowed(policy(false, true, false, false), AttemptFailure::kTimeout, 0, true));
  EXPECT_FALSE(retryAllowed(policy(true, false, false, false), AttemptFailure::kTimeout, 0, true));
  EXPECT_FALSE(retryAllowed(policy(false, true, true, true), AttemptFailure::kTimeout, 0, false));
}

}  // namespace
}  // namespace meshlb
