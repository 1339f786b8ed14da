#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace meshlb::admin {

// Wall-clock milliseconds since the epoch.
int64_t nowUnixMs();

// A time in a query parameter: "now", unix milliseconds, or an offset back from now: "-90s",
// "-15m", "-2h", "-1d". nullopt when it is none of these.
std::optional<int64_t> parseTimeParam(std::string_view text, int64_t now);

}  // namespace meshlb::admin
