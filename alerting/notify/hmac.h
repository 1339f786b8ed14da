#pragma once

#include <string>
#include <string_view>

namespace meshlb::alerting {

// HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits (OpenSSL). Signs webhook
// deliveries so a receiver can check they come from us. Pure; any thread. Callers must not log
// the key.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace meshlb::alerting
