#pragma once

#include <cstdint>
#include <string>

#include "alerting/notify/http_post.h"

namespace meshlb::alerting {

// What one delivery attempt means for the alerts in it. Pure; any thread.
enum class AttemptOutcome : uint8_t {
  kDelivered,  // 2xx
  kRetry,      // 5xx, 408, 429, or no HTTP answer (refused, reset, timeout): keep and back off
  kRejected,   // any other status: the receiver will never take this body, so drop it
};

AttemptOutcome classifyAttempt(const HttpResponse& response);

// For status() and the log: "HTTP 503: <first 200 printable bytes of the body>" or the transport
// error.
std::string describeAttempt(const HttpResponse& response);

// "meshlb/<MESHLB_VERSION>", or "meshlb/dev" when the build does not define it.
std::string userAgent();

}  // namespace meshlb::alerting
