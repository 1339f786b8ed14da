#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "capture/flow/flow_record.h"
#include "capture/flow/flow_types.h"

namespace meshlb::capture {

// A finished flow as `meshlb capture --read FILE --json` prints it: the initiator is the
// source; bytes are IP bytes (header included); times are RFC 3339 with nanoseconds, and also
// nanoseconds since the epoch; an RTT not measured is null. Any thread.
nlohmann::json flowToJson(const FlowRecord& flow, FlowEndReason end);

// The same as one line of text for people.
std::string flowToText(const FlowRecord& flow, FlowEndReason end);

// "2026-11-23T03:13:41.123456789Z"
std::string rfc3339Nanoseconds(int64_t unix_ns);

}  // namespace meshlb::capture
