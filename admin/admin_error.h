#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "admin/admin_server.h"

namespace meshlb::admin {

// The one shape of every admin error, from the listener and from the endpoints alike:
// {"error":"<short>","detail":"<human sentence>"} with `status`. `error` is a stable
// snake_case word a script may match on ("bad_request", "unauthorized", "not_found"); `detail`
// is for a person and may change. Neither needs escaping by the caller, and bytes that are not
// UTF-8 are replaced rather than thrown about. Any thread; never throws (except bad_alloc).
AdminResponse adminError(int status, std::string_view error, std::string_view detail);

// 405 method_not_allowed with the Allow header ("GET, HEAD", "POST").
AdminResponse methodNotAllowed(std::string_view allowed);

// A JSON answer of the endpoints: `body` indented, with a final newline.
AdminResponse jsonAnswer(int status, const nlohmann::json& body);

}  // namespace meshlb::admin
