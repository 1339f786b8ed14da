#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alerting/notify/outgoing_alert.h"

namespace meshlb::alerting {

// RFC 3339 in UTC with milliseconds, as Alertmanager accepts it: "2026-11-23T07:09:39.000Z".
// Pure; any thread.
std::string rfc3339(int64_t unix_ms);

// The body of POST /api/v2/alerts:
//   [{"labels":{..},"annotations":{..},"startsAt":"..","endsAt":"..","generatorURL":".."}]
// startsAt and endsAt are left out when 0, generatorURL when empty (Alertmanager fills in the
// first two itself, and rejects an empty generatorURL as not a URI). Invalid UTF-8 in a label is
// replaced, never thrown on. Pure; any thread.
std::string alertmanagerBody(const std::vector<OutgoingAlert>& alerts);

}  // namespace meshlb::alerting
