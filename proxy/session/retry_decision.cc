#include "proxy/session/retry_decision.h"

namespace meshlb {

bool retryAllowed(const config::RetryPolicyConfig& policy, AttemptFailure failure, int status,
                  bool idempotent) {
  switch (failure) {
    case AttemptFailure::kConnectFailure:
      return policy.on_connect_failure || policy.on_gateway_error;
    case AttemptFailure::kReset:
      return idempotent && policy.on_reset;
    case AttemptFailure::kTimeout:
      return idempotent && (policy.on_reset || policy.on_5xx || policy.on_gateway_error);
    case AttemptFailure::kStatus5xx:
      return idempotent &&
             (policy.on_5xx || (policy.on_gateway_error && status >= 502 && status <= 504));
  }
  return false;
}

}  // namespace meshlb
