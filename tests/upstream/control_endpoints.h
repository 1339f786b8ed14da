#pragma once

#include <string>
#include <string_view>

#include "tests/upstream/shared_state.h"

namespace meshlb::upstream {

// Path prefix of the control endpoints. Requests under it are never delayed, failed or counted.
inline constexpr std::string_view kControlPrefix = "/_upstream/";

// Serves one control request:
//   GET  /_upstream/stats        -> {"name":..,"connections":..,"requests":..,"bytes_received":..}
//   POST /_upstream/stats/reset  -> zeroes the counters, returns them
//   GET  /_upstream/fault        -> the current fault
//   POST /_upstream/fault?k=v&.. -> replaces the fault by exactly the given parameters
//                                   (delay_ms, status, close, reset); no query clears it
// Appends a JSON body to body and returns the HTTP status. Callable from any worker thread.
int handleControlRequest(std::string_view method, std::string_view path, std::string_view query,
                         std::string_view name, SharedState& shared, std::string& body);

}  // namespace meshlb::upstream
