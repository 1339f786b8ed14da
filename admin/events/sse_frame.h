#pragma once

#include <string>
#include <string_view>

namespace meshlb::admin {

// One Server-Sent Event in the text/event-stream format: "event: <name>", one "data: " line per
// line of `data` (the client joins them back with "\n"), and the blank line that ends it.
// `name` must not contain CR or LF (callers pass constants). Pure; any thread.
std::string sseEvent(std::string_view name, std::string_view data);

// The stream's first bytes: how long a client waits before reconnecting after losing the stream.
std::string sseRetry(unsigned milliseconds);

}  // namespace meshlb::admin
