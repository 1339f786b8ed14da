#pragma once

#include <string_view>

#include "admin/admin_server.h"

namespace meshlb::admin {

// The one shape of every admin error, from the listener and from the endpoints alike:
// {"error":"<short>","detail":"<human sentence>"} with `status`. `error` is a stable
// snake_case word a script may match on ("bad_request", "unauthorized", "not_found"); `detail`
// is for a person and may change. Neither needs escaping by the caller, and bytes that are not
// UTF-8 are replaced rather than thrown about. Any thread; never throws (except bad_alloc).
AdminResponse adminError(int status, std::string_view error, std::string_view detail);

}  // namespace meshlb::admin
