#pragma once

#include "proxy/config/config.h"

namespace meshlb {

// How an attempt to get an answer from a host failed.
enum class AttemptFailure {
  kConnectFailure,  // refused, unreachable or connect timeout: nothing was sent
  kReset,           // closed, reset or unparsable before the answer began
  kTimeout,         // per-try timeout before the answer began
  kStatus5xx,       // the host answered with a 5xx status
};

// Whether `policy` allows trying again after `failure`. Only a connect failure may repeat a
// request that is not idempotent (RFC 9110 §9.2.2): nothing of it reached the host. `status` is
// the answer's status for kStatus5xx. Pure; the caller checks attempts, budget and body.
bool retryAllowed(const config::RetryPolicyConfig& policy, AttemptFailure failure, int status,
                  bool idempotent);

}  // namespace meshlb
