#pragma once

#include <string>

#include "tests/upstream/shared_state.h"

namespace meshlb::upstream {

// Configuration and precomputed data of one test upstream. Built on the main thread before the
// workers start, then read-only and shared by all worker threads.
struct ServerContext {
  std::string name;
  // The complete answer to a plain HTTP/1.1 keep-alive request without controls: the fast path
  // appends it to the output buffer as one memcpy.
  std::string defaultResponse;
  SharedState* shared = nullptr;
};

}  // namespace meshlb::upstream
